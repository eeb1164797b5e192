import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFLUENCE_SCOPES, JIRA_SCOPES, SANDBOX_SITES } from '@/lib/providers/atlassian/simulator/catalog';
import { connectAs, getApi, postRefresh, SimulatorControl } from '@/lib/providers/atlassian/simulator/client';
import { SANDBOX_USERS, startSimulator, type Simulator } from '@/lib/sandbox/simulator';

const JIRA = [...JIRA_SCOPES, 'read:me', 'offline_access'];
const CONFLUENCE = [...CONFLUENCE_SCOPES, 'offline_access'];
const siteId = (name: string) => SANDBOX_SITES.find((site) => site.name === name)?.id ?? '';
const ACME = siteId('Acme');
const GLOBEX = siteId('Globex');
const INITECH = siteId('Initech');
const SCOPE_MISMATCH = { code: 401, message: 'Unauthorized; scope does not match' };

let sim: Simulator;
let control: SimulatorControl;
beforeEach(async () => {
  sim = await startSimulator();
  control = new SimulatorControl(sim.url);
});
afterEach(() => sim.stop());

const tokenFor = async (scopes: string[], email = 'alice@example.com') =>
  (await connectAs(sim.url, { email, scopes })).access_token;

async function getJson(path: string, accessToken: string): Promise<{ status: number; body: unknown }> {
  const res = await getApi(sim.url, path, accessToken);
  return { status: res.status, body: await res.json() };
}

type Resource = { id: string; name: string; url: string; scopes: string[]; avatarUrl: string };

describe('accessible-resources', () => {
  it('lists the Jira sites of a Jira grant with Jira scopes only', async () => {
    const { status, body } = await getJson('/oauth/token/accessible-resources', await tokenFor(JIRA));
    expect(status).toBe(200);
    const resources = body as Resource[];
    expect(resources.map((r) => r.name).sort()).toEqual(['Acme', 'Globex']);
    for (const resource of resources) {
      expect(resource.scopes.sort()).toEqual([...JIRA_SCOPES].sort());
      expect(resource.url).toMatch(/^https:\/\/\w+\.atlassian\.net$/);
      expect(resource.avatarUrl).toMatch(/^https:\/\//);
    }
  });

  it('a grant with both products sees all three sites, each with its own products scopes', async () => {
    const token = await tokenFor([...JIRA, ...CONFLUENCE_SCOPES]);
    const resources = (await getJson('/oauth/token/accessible-resources', token)).body as Resource[];
    const byId = new Map(resources.map((r) => [r.id, r.scopes.sort()]));
    expect(byId.size).toBe(3);
    expect(byId.get(ACME)).toEqual([...JIRA_SCOPES, ...CONFLUENCE_SCOPES].sort());
    expect(byId.get(GLOBEX)).toEqual([...JIRA_SCOPES].sort());
    expect(byId.get(INITECH)).toEqual([...CONFLUENCE_SCOPES].sort());
  });

  it('a Confluence grant sees Acme and Initech', async () => {
    const resources = (await getJson('/oauth/token/accessible-resources', await tokenFor(CONFLUENCE))).body as Resource[];
    expect(resources.map((r) => r.id).sort()).toEqual([ACME, INITECH].sort());
  });
});

describe('identity endpoints', () => {
  it('/me returns the profile', async () => {
    const bob = SANDBOX_USERS.find((user) => user.email === 'bob@example.com');
    const { status, body } = await getJson('/me', await tokenFor(JIRA, 'bob@example.com'));
    expect(status).toBe(200);
    expect(body).toMatchObject({ account_id: bob?.accountId, email: bob?.email, name: 'Bob Smith', account_status: 'active' });
    expect(body).toHaveProperty('picture');
    expect(body).toHaveProperty('nickname');
  });

  it('Jira myself and project search', async () => {
    const token = await tokenFor(JIRA);
    const myself = await getJson(`/ex/jira/${GLOBEX}/rest/api/3/myself`, token);
    expect(myself.status).toBe(200);
    expect(myself.body).toMatchObject({ emailAddress: 'alice@example.com', displayName: 'Alice Jones', active: true });
    expect((myself.body as { accountId: string }).accountId).toMatch(/^557058:/);
    expect(myself.body).toHaveProperty('timeZone');

    const projects = await getJson(`/ex/jira/${ACME}/rest/api/3/project/search?maxResults=1`, token);
    expect(projects.body).toMatchObject({ startAt: 0, maxResults: 1, total: 2, isLast: false });
    expect((projects.body as { values: { key: string }[] }).values.map((p) => p.key)).toEqual(['ACME']);
  });

  it('Jira enhanced search: bounded JQL, requested fields only, nextPageToken until isLast', async () => {
    const token = await tokenFor(JIRA);
    const search = (query: string) => getJson(`/ex/jira/${ACME}/rest/api/3/search/jql?${query}`, token);
    type Page = { issues: { key: string; fields: Record<string, unknown> }[]; nextPageToken?: string; isLast: boolean };
    const first = await search('jql=project%20%3D%20ACME%20ORDER%20BY%20key&fields=summary,status&maxResults=2');
    expect(first.status).toBe(200);
    const page1 = first.body as Page;
    expect(page1.issues.map((i) => i.key)).toEqual(['ACME-1', 'ACME-2']);
    expect(Object.keys(page1.issues[0]!.fields).sort()).toEqual(['status', 'summary']);
    expect(page1.isLast).toBe(false);
    const page2 = (await search(`jql=project%20%3D%20ACME&fields=summary&maxResults=2&nextPageToken=${page1.nextPageToken}`)).body as Page;
    expect(page2.issues.map((i) => i.key)).toEqual(['ACME-3']);
    expect(page2).toMatchObject({ isLast: true });
    expect(page2).not.toHaveProperty('nextPageToken');
    const idOnly = (await search('jql=project%20in%20(ACME,%20OPS)')).body as Page;
    expect(idOnly.issues).toHaveLength(6);
    expect(idOnly.issues[0]!.fields).toEqual({});
    const unbounded = await search('jql=ORDER%20BY%20key');
    expect(unbounded.status).toBe(400);
    expect((unbounded.body as { errorMessages: string[] }).errorMessages[0]).toMatch(/Unbounded JQL/);
    expect((await search('jql=project%20%3D%20NOPE')).status).toBe(400);
    const scopeless = await tokenFor(['read:jira-user', 'offline_access']);
    expect((await getJson(`/ex/jira/${ACME}/rest/api/3/search/jql?jql=project%3DACME`, scopeless)).body).toEqual(SCOPE_MISMATCH);
  });

  it('Confluence user/current', async () => {
    const { status, body } = await getJson(`/ex/confluence/${INITECH}/wiki/rest/api/user/current`, await tokenFor(CONFLUENCE));
    expect(status).toBe(200);
    expect(body).toMatchObject({ type: 'known', email: 'alice@example.com', publicName: 'Alice Jones', displayName: 'Alice Jones' });
  });
});

describe('API refusals', () => {
  it('401 Unauthorized for a missing or unknown token, counted', async () => {
    const missing = await fetch(`${sim.url}/me`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ code: 401, message: 'Unauthorized' });
    expect((await getJson('/me', 'bogus')).status).toBe(401);
    expect(await control.counters()).toMatchObject({ api_calls: 2, api_unauthorized: 2 });
  });

  it('401 scope does not match when the grant lacks the endpoint scope', async () => {
    const token = await tokenFor(['read:jira-work', 'offline_access']);
    expect(await getJson('/me', token)).toEqual({ status: 401, body: SCOPE_MISMATCH });
    expect(await getJson(`/ex/jira/${ACME}/rest/api/3/myself`, token)).toEqual({ status: 401, body: SCOPE_MISMATCH });
    expect((await getJson(`/ex/jira/${ACME}/rest/api/3/project/search`, token)).status).toBe(200);
  });

  it('404 Site not found for a site without the product, an unknown site, or a product the grant lacks', async () => {
    const jira = await tokenFor(JIRA);
    const notFound = { status: 404, body: { code: 404, message: 'Site not found' } };
    expect(await getJson(`/ex/jira/${INITECH}/rest/api/3/myself`, jira)).toEqual(notFound);
    expect(await getJson(`/ex/jira/00000000-0000-0000-0000-000000000000/rest/api/3/myself`, jira)).toEqual(notFound);
    expect(await getJson(`/ex/confluence/${ACME}/wiki/rest/api/user/current`, jira)).toEqual(notFound);
  });

  it('after scopes-changed, every API call is a scope mismatch and refresh is dead', async () => {
    const tokens = await connectAs(sim.url, { email: 'alice@example.com', scopes: JIRA });
    await control.changeScopes('alice@example.com');
    expect(await getJson('/me', tokens.access_token)).toEqual({ status: 401, body: SCOPE_MISMATCH });
    expect(await getJson('/oauth/token/accessible-resources', tokens.access_token)).toEqual({ status: 401, body: SCOPE_MISMATCH });
    const refresh = await postRefresh(sim.url, tokens.refresh_token ?? '');
    expect(refresh.status).toBe(403);
    expect(await refresh.json()).toEqual({ error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' });

    const fresh = await tokenFor(JIRA);
    expect((await getJson('/me', fresh)).status).toBe(200);
  });
});

describe('echo (sim-only proxy aid)', () => {
  it('mirrors method, path, query, headers without authorization, and body', async () => {
    const token = await tokenFor(JIRA);
    const res = await getApi(sim.url, `/ex/jira/${ACME}/_echo/rest/api/3/issue?fields=a&fields=b`, token, {
      method: 'PUT',
      headers: { 'x-trace': 't-1', 'content-type': 'application/json' },
      body: '{"x":1}',
    });
    expect(res.status).toBe(200);
    const echo = (await res.json()) as { method: string; path: string; query: unknown; headers: Record<string, string>; body: string };
    expect(echo).toMatchObject({ method: 'PUT', path: `/ex/jira/${ACME}/_echo/rest/api/3/issue`, query: { fields: ['a', 'b'] }, body: '{"x":1}' });
    expect(echo.headers['x-trace']).toBe('t-1');
    expect(echo.headers).not.toHaveProperty('authorization');
  });

  it('still requires a valid token and a covered site', async () => {
    const token = await tokenFor(CONFLUENCE);
    expect((await getApi(sim.url, `/ex/jira/${ACME}/_echo/x`, token)).status).toBe(404);
    expect((await getApi(sim.url, `/ex/confluence/${ACME}/_echo/x`, 'bogus')).status).toBe(401);
  });
});
