import { describe, expect, it } from 'vitest';
import { returnPath, unavailablePath } from '../../lib/pages/unavailable';

describe('the unavailable page\'s way back', () => {
  it('keeps a local page with its query', () => {
    expect(returnPath('/connections/abc?tab=events')).toBe('/connections/abc?tab=events');
    expect(unavailablePath('/admin?status=degraded')).toBe('/unavailable?from=%2Fadmin%3Fstatus%3Ddegraded');
  });

  it('goes home for another origin, itself, or a path that carries a link token or a callback code', () => {
    for (const from of [undefined, null, '', 'https://evil.example', '//evil.example', '/\\evil.example', '/unavailable?from=%2F', '/connect/secret-token', '/api/oauth/callback?code=c&state=s']) {
      expect(returnPath(from), String(from)).toBe('/');
    }
  });
});
