// Names, emails and sites from a provider are stored in Postgres text (which refuses NUL) and shown on pages:
// both providers' clients drop control characters and line breaks, by one rule (lib/input.ts singleLine).
import { describe, expect, it } from 'vitest';
import { fetchBitbucketProfile, fetchBitbucketWorkspaces } from '../../lib/providers/bitbucket/client';
import { singleLine } from '../../lib/input';

const HOSTILE = 'A\u0000d\ta\n\r\u0007\u009fm';

function fakeBitbucket(): typeof fetch {
  return async (input) => {
    const path = new URL(String(input instanceof Request ? input.url : input)).pathname;
    const body =
      path === '/2.0/user'
        ? { uuid: '{u-1}', display_name: HOSTILE, nickname: 'n\u0000ick' }
        : path === '/2.0/user/emails'
          ? { values: [{ email: 'Ada\u0000@Example.com', is_primary: true, is_confirmed: true }] }
          : { values: [{ permission: 'member', workspace: { uuid: '{w-1}', slug: 'acme\u0000', name: `Acme\n${HOSTILE}` } }] };
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  };
}

describe('text from providers', () => {
  it('singleLine drops every control character, tab and line break, and keeps the rest', () => {
    expect(singleLine(HOSTILE)).toBe('Adam');
    expect(singleLine('Zoë — ok')).toBe('Zoë — ok');
  });

  it('Bitbucket profile and workspace names arrive without control characters', async () => {
    const cfg = { apiUrl: 'http://bitbucket.test', fetch: fakeBitbucket() };
    const profile = await fetchBitbucketProfile(cfg, 'token');
    expect(profile).toMatchObject({ name: 'Adam', email: 'ada@example.com' });
    const [workspace] = await fetchBitbucketWorkspaces(cfg, 'token');
    expect(workspace.name).toBe('AcmeAdam');
    expect(JSON.stringify([profile, workspace])).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });
});
