import { describe, expect, it, vi } from 'vitest';

// Next.js may bundle lib/connections/errors.ts more than once in one process while the token engine is shared:
// an error thrown by one copy must be recognised by another (else a "needs reconnect" becomes a 500).
describe('ConnectionUnavailableError across module copies', () => {
  it('is recognised by instanceof of another copy of the class, and nothing else is', async () => {
    const first = await import('../../lib/connections/errors');
    vi.resetModules();
    const second = await import('../../lib/connections/errors');
    expect(second.ConnectionUnavailableError).not.toBe(first.ConnectionUnavailableError);
    expect(first.needsReauth('revoked')).toBeInstanceOf(second.ConnectionUnavailableError);
    expect(first.needsReauth('revoked')).toBeInstanceOf(Error);
    expect(new Error('other')).not.toBeInstanceOf(second.ConnectionUnavailableError);
    expect(null).not.toBeInstanceOf(second.ConnectionUnavailableError);
  });
});
