import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiKey, revokeApiKey } from '../../lib/api-keys';
import { BitbucketControl } from '../../lib/providers/bitbucket/simulator/client';
import { SimulatorControl } from '../../lib/providers/atlassian/simulator/client';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import { APP_URL, appEnv, connectViaSimulator, expireAccessTokens, storedTokens, testSql } from '../helpers/connections';
import { dbFor } from '../../lib/db';

// The route modules read config on first use: point it at this test's simulator and keys first.
let sim: Simulator;
let control: SimulatorControl;
let sql: Sql;
let key: string;
let routes: {
  list: typeof import('../../app/api/v1/connections/route');
  one: typeof import('../../app/api/v1/connections/[id]/route');
  token: typeof import('../../app/api/v1/connections/[id]/access-token/route');
  test: typeof import('../../app/api/v1/connections/[id]/test/route');
  proxy: typeof import('../../app/api/v1/connections/[id]/proxy/[cloudId]/[...path]/route');
};

const auth = (k = key) => ({ authorization: `Bearer ${k}` });
const ctx = <P>(params: P) => ({ params: Promise.resolve(params) });
const req = (path: string, init: RequestInit = {}) => new Request(`${APP_URL}${path}`, { ...init, headers: { ...auth(), ...(init.headers ?? {}) } });
const jsonReq = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  req(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });

beforeAll(async () => {
  sim = await startSimulator({ leewaySeconds: 0 });
  control = new SimulatorControl(sim.url);
  Object.assign(process.env, {
    ...appEnv(sim.url),
  });
  sql = testSql();
  key = (await createApiKey(dbFor(sql), 'service tests')).key;
  routes = {
    list: await import('../../app/api/v1/connections/route'),
    one: await import('../../app/api/v1/connections/[id]/route'),
    token: await import('../../app/api/v1/connections/[id]/access-token/route'),
    test: await import('../../app/api/v1/connections/[id]/test/route'),
    proxy: await import('../../app/api/v1/connections/[id]/proxy/[cloudId]/[...path]/route'),
  };
});

afterAll(async () => {
  await sim.stop();
  await sql.end();
});

describe('authentication', () => {
  it('answers 401 without a key, with a wrong key and with a revoked key', async () => {
    const revoked = await createApiKey(dbFor(sql), 'to revoke');
    await revokeApiKey(dbFor(sql), revoked.id);
    for (const headers of [{}, auth('rk_live_wrong'), auth(revoked.key)]) {
      const res = await routes.list.GET(new Request(`${APP_URL}/api/v1/connections`, { headers }), ctx({}));
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe('unauthorized');
    }
  });
});

describe('GET /api/v1/connections', () => {
  it('lists connections with health and sites, never a token, with cursor pagination', async () => {
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await connectViaSimulator(sql, sim.url, 'alice@example.com', i % 2 ? 'jira' : 'confluence'));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await routes.list.GET(req(`/api/v1/connections?user_email=ALICE@example.com&limit=2${cursor ? `&cursor=${cursor}` : ''}`), ctx({}));
      expect(res.status).toBe(200);
      const page = await res.json();
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((c: { id: string }) => c.id));
      cursor = page.next_cursor;
      const text = JSON.stringify(page);
      for (const m of made) expect(text).not.toContain(m.tokens.accessToken);
    } while (cursor);
    // Other test files add Alice's connections to this database too: ours must all be there, once each.
    expect(seen.length).toBe(new Set(seen).size);
    for (const m of made) expect(seen).toContain(m.id);
    const one = await (await routes.one.GET(req(`/api/v1/connections/${made[1].id}`), ctx({ id: made[1].id }))).json();
    expect(Object.keys(one).sort()).toEqual(
      ['access_expires_at', 'account_id', 'consecutive_failures', 'consented_at', 'created_at', 'id', 'last_refreshed_at', 'last_used_at', 'product', 'reason', 'renew_by', 'scopes', 'sites', 'status', 'updated_at', 'user_email'].sort(),
    );
    expect(one.sites.map((s: { name: string }) => s.name)).toEqual(['Acme', 'Globex']);
  });

  it('keeps microseconds in cursors: rows within one millisecond are neither skipped nor repeated', async () => {
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await connectViaSimulator(sql, sim.url, 'bob@example.com')).id);
    for (const [i, id] of made.entries()) await sql`update connections set created_at = ${`2000-01-01 00:00:00.00000${i + 1}+00`}::text::timestamptz where id = ${id}`;
    const seen: string[] = [];
    let cursor = '';
    for (let page = 0; page < 3; page++) {
      const body = await (await routes.list.GET(req(`/api/v1/connections?user_email=bob@example.com&limit=1${cursor}`), ctx({}))).json();
      seen.push(body.data[0].id);
      cursor = `&cursor=${body.next_cursor}`;
    }
    expect(seen).toEqual(made);
  });

  it.each([
    ['status=broken', 'status'],
    ['product=trello', 'product'],
    ['user_email=not-an-email', 'user_email'],
    ['limit=0', 'limit'],
    ['cursor=%24%24', 'cursor'],
    ['cursor=abc', 'cursor'],
    ['color=red', 'color'],
    ['renew_before=next-week', 'renew_before'],
    ['renew_before=2027-01-01', 'renew_before'],
  ])('answers 400 naming the field for %s', async (query, field) => {
    const res = await routes.list.GET(req(`/api/v1/connections?${query}`), ctx({}));
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toMatchObject({ code: 'invalid_request', field });
    expect(body.error.message).toContain(field);
  });

  it('renew_before keeps the connections whose renew_by comes before it; each carries consented_at and renew_by (Bitbucket: null)', async () => {
    const jira = await connectViaSimulator(sql, sim.url, 'bob@example.com', 'jira');
    const confluence = await connectViaSimulator(sql, sim.url, 'bob@example.com', 'confluence');
    const bitbucket = await connectViaSimulator(sql, sim.url, 'bob@example.com', 'bitbucket');
    // Far-future years that no other test's connection reaches.
    await sql`update connections set consented_at = '2089-01-01T00:00:00Z', renew_by = '2090-01-01T00:00:00Z' where id = ${jira.id}`;
    await sql`update connections set consented_at = '2089-09-01T00:00:00Z', renew_by = '2090-09-01T00:00:00Z' where id = ${confluence.id}`;
    const list = async (before: string) => {
      const res = await routes.list.GET(req(`/api/v1/connections?user_email=bob@example.com&limit=200&renew_before=${encodeURIComponent(before)}`), ctx({}));
      expect(res.status).toBe(200);
      return ((await res.json()) as { data: { id: string; consented_at: string; renew_by: string | null }[] }).data;
    };
    const mid = (await list('2090-06-01T00:00:00Z')).filter((c) => c.renew_by! >= '2089');
    expect(mid.map((c) => c.id)).toEqual([jira.id]);
    expect(mid[0]).toMatchObject({ consented_at: '2089-01-01T00:00:00.000Z', renew_by: '2090-01-01T00:00:00.000Z' });
    const later = (await list('2091-01-01T00:00:00+02:00')).map((c) => c.id);
    expect(later).toEqual(expect.arrayContaining([jira.id, confluence.id]));
    expect(later).not.toContain(bitbucket.id); // no renew_by: nothing to renew
    const one = await (await routes.one.GET(req(`/api/v1/connections/${bitbucket.id}`), ctx({ id: bitbucket.id }))).json();
    expect(one.renew_by).toBeNull();
    expect(one.consented_at).toEqual(expect.any(String));
  });

  it('answers 404 for an unknown or malformed id', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
      const res = await routes.one.GET(req(`/api/v1/connections/${id}`), ctx({ id }));
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe('not_found');
    }
  });
});

describe('POST /api/v1/connections/{id}/access-token', () => {
  it('reads the key and the connection in one statement: 401 before 404, 404 for disconnected or malformed ids', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    const revoked = await createApiKey(dbFor(sql), 'revoked for access-token');
    await revokeApiKey(dbFor(sql), revoked.id);
    const post = (target: string, headers?: Record<string, string>) =>
      routes.token.POST(req(`/api/v1/connections/${target}/access-token`, { method: 'POST', ...(headers ? { headers } : {}) }), ctx({ id: target }));
    for (const headers of [auth('rk_live_wrong'), auth(revoked.key)]) {
      for (const target of [id, '00000000-0000-4000-8000-000000000000', 'nope']) {
        const res = await post(target, headers);
        expect(res.status).toBe(401);
        expect(JSON.stringify(await res.json())).not.toContain('access_token');
      }
    }
    for (const target of ['00000000-0000-4000-8000-000000000000', 'nope']) expect((await post(target)).status).toBe(404);
    expect((await post(id)).status).toBe(200);
    await sql`update connections set status = 'disconnected' where id = ${id}`;
    const gone = await post(id);
    expect(gone.status).toBe(404);
    expect((await gone.json()).error.code).toBe('not_found');
  });

  it("records the key's last use off the caller's path, at most once a minute", async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    const own = await createApiKey(dbFor(sql), 'last use');
    const lastUsed = async () => (await sql<{ at: Date | null }[]>`select last_used_at as at from api_keys where id = ${own.id}`)[0]!.at;
    const call = () => routes.token.POST(req(`/api/v1/connections/${id}/access-token`, { method: 'POST', headers: auth(own.key) }), ctx({ id }));
    expect((await Promise.all([call(), call(), call()])).map((r) => r.status)).toEqual([200, 200, 200]);
    const first = await vi.waitFor(async () => {
      const at = await lastUsed();
      expect(at).toBeInstanceOf(Date);
      return at!;
    });
    expect((await call()).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(await lastUsed()).toEqual(first);
  });

  it('returns a valid token with sites and their API base URLs', async () => {
    const { id, tokens } = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    const res = await routes.token.POST(req(`/api/v1/connections/${id}/access-token`, { method: 'POST' }), ctx({ id }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.access_token).toBe(tokens.accessToken);
    expect(body.token_type).toBe('Bearer');
    expect(body.sites[0].api_base_url).toBe(`${sim.url}/ex/jira/${body.sites[0].cloud_id}`);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('refreshes once for a rejected token and never returns it again', async () => {
    const { id, tokens } = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    const res = await routes.token.POST(jsonReq(`/api/v1/connections/${id}/access-token`, { rejected_token: tokens.accessToken }), ctx({ id }));
    const body = await res.json();
    expect(body.access_token).not.toBe(tokens.accessToken);
    expect((await storedTokens(sql, id)).generation).toBe(2);
  });

  it('answers 409 needs_reauth with an absolute single-use reconnect link', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    await control.revokeApp('alice@example.com');
    await expireAccessTokens(sql, [id]);
    const res = await routes.token.POST(req(`/api/v1/connections/${id}/access-token`, { method: 'POST' }), ctx({ id }));
    expect(res.status).toBe(409);
    const { error } = await res.json();
    expect(error).toMatchObject({ code: 'needs_reauth', reason: 'revoked' });
    expect(error.reconnect_url).toMatch(new RegExp(`^${APP_URL}/connect/[A-Za-z0-9_-]+$`));
  });

  it('answers 503 with Retry-After on a transient failure', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    await expireAccessTokens(sql, [id]);
    await control.addFault({ kind: 'status', status: 502, target: 'token', count: 1 });
    const res = await routes.token.POST(req(`/api/v1/connections/${id}/access-token`, { method: 'POST' }), ctx({ id }));
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await res.json()).error.code).toBe('temporarily_unavailable');
  });

  it.each([
    [{ min_validity_seconds: -1 }, 'min_validity_seconds'],
    [{ min_validity_seconds: 'soon' }, 'min_validity_seconds'],
    [{ rejected_token: '' }, 'rejected_token'],
    [{ surprise: 1 }, 'surprise'],
  ])('answers 400 naming the field for %o and writes nothing', async (bad, field) => {
    const { id } = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    await expireAccessTokens(sql, [id]);
    const before = await storedTokens(sql, id);
    const res = await routes.token.POST(jsonReq(`/api/v1/connections/${id}/access-token`, bad), ctx({ id }));
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ code: 'invalid_request', field });
    expect(await storedTokens(sql, id)).toEqual(before);
  });

  it('answers 415 for a body that is not JSON', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    const res = await routes.token.POST(req(`/api/v1/connections/${id}/access-token`, { method: 'POST', body: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), ctx({ id }));
    expect(res.status).toBe(415);
  });
});

describe('test, disconnect and proxy', () => {
  it('tests a connection and records the result', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com', 'confluence');
    await control.clearFaults();
    const body = await (await routes.test.POST(req(`/api/v1/connections/${id}/test`, { method: 'POST' }), ctx({ id }))).json();
    expect(body.ok).toBe(true);
    const [event] = await sql`select type, code from connection_events where connection_id = ${id} and type = 'test'`;
    expect(event).toEqual({ type: 'test', code: 'ok' });
  });

  it('disconnects: 204, tokens deleted, then 404', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    const res = await routes.one.DELETE(req(`/api/v1/connections/${id}`, { method: 'DELETE' }), ctx({ id }));
    expect(res.status).toBe(204);
    const [row] = await sql`select status, access_token_enc, refresh_token_enc from connections where id = ${id}`;
    expect(row).toEqual({ status: 'disconnected', access_token_enc: null, refresh_token_enc: null });
    expect((await routes.one.DELETE(req(`/api/v1/connections/${id}`, { method: 'DELETE' }), ctx({ id }))).status).toBe(404);
    const [hook] = await sql`select type from webhook_messages where connection_id = ${id} order by created_at desc limit 1`;
    expect(hook.type).toBe('connection.deleted');
  });

  it('proxies method, path, query and body to {API}/ex/{product}/{cloud_id}/…, without our credentials', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    const [{ cloud_id }] = await sql`select cloud_id from connection_sites where connection_id = ${id} limit 1`;
    const res = await routes.proxy.POST(
      jsonReq(`/api/v1/connections/${id}/proxy/${cloud_id}/_echo/issue?expand=names`, { fields: { summary: 'Hi' } }, { cookie: 'session=secret' }),
      ctx({ id, cloudId: cloud_id, path: ['_echo', 'issue'] }),
    );
    expect(res.status).toBe(200);
    const echo = await res.json();
    expect(echo).toMatchObject({ method: 'POST', path: `/ex/jira/${cloud_id}/_echo/issue` });
    expect(JSON.stringify(echo.query)).toContain('names');
    expect(JSON.parse(echo.body)).toEqual({ fields: { summary: 'Hi' } });
    expect(JSON.stringify(echo.headers)).not.toContain(key);
    expect(JSON.stringify(echo.headers)).not.toContain('session=secret');
  });

  it('proxy: forwards no forwarding, peer, CSP or hop-by-hop header upstream', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    const [{ cloud_id }] = await sql`select cloud_id from connection_sites where connection_id = ${id} limit 1`;
    const sent = {
      forwarded: 'for=198.51.100.7;proto=https',
      'x-real-ip': '198.51.100.7',
      'x-forwarded-for': '198.51.100.7',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
      'x-reconnect-peer': '192.0.2.1',
      via: '1.1 edge',
      'content-security-policy': "script-src 'nonce-abc'",
      'proxy-authorization': 'Basic c2VjcmV0',
      'proxy-connection': 'keep-alive',
      te: 'trailers',
      trailer: 'x-checksum',
      'keep-alive': 'timeout=5',
      connection: 'x-hop-secret',
      'x-hop-secret': 'drop me',
      'x-kept': 'kept',
    };
    const res = await routes.proxy.GET(req(`/api/v1/connections/${id}/proxy/${cloud_id}/_echo/h`, { headers: sent }), ctx({ id, cloudId: cloud_id, path: ['_echo', 'h'] }));
    expect(res.status).toBe(200);
    const received = Object.fromEntries(Object.entries((await res.json()).headers as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    expect(received['x-kept']).toBe('kept'); // the recorder sees what the proxy forwards
    for (const name of Object.keys(sent).filter((n) => n !== 'x-kept' && n !== 'connection')) expect(received[name], name).toBeUndefined();
    expect(received.connection ?? '').not.toContain('x-hop-secret');
  });

  it('proxy: refreshes once on 401 and retries once', async () => {
    const { id, tokens } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    const [{ cloud_id }] = await sql`select cloud_id from connection_sites where connection_id = ${id} limit 1`;
    await control.patchConfig({ leeway_seconds: 600 });
    await fetch(`${sim.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'refresh_token', client_id: 'reconnect-sandbox', client_secret: 'sandbox-secret', refresh_token: tokens.refreshToken }),
    }); // someone else rotated: our stored access token is now revoked
    const res = await routes.proxy.GET(req(`/api/v1/connections/${id}/proxy/${cloud_id}/rest/api/3/myself`), ctx({ id, cloudId: cloud_id, path: ['rest', 'api', '3', 'myself'] }));
    expect(res.status).toBe(200);
    expect((await storedTokens(sql, id)).generation).toBe(2);
    await control.patchConfig({ leeway_seconds: 0 });
  });

  it('proxy: refuses a site the connection does not cover and a path that escapes, sending nothing', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    const before = await control.counters();
    const other = await routes.proxy.GET(req(`/api/v1/connections/${id}/proxy/not-ours/x`), ctx({ id, cloudId: 'not-ours', path: ['x'] }));
    expect(other.status).toBe(404);
    const [{ cloud_id }] = await sql`select cloud_id from connection_sites where connection_id = ${id} limit 1`;
    const escape = await routes.proxy.GET(req(`/api/v1/connections/${id}/proxy/${cloud_id}/x`), ctx({ id, cloudId: cloud_id, path: ['..', '..', 'oauth', 'token'] }));
    expect(escape.status).toBe(400);
    expect((await control.counters()).api_calls).toBe(before.api_calls);
  });
});

// Bitbucket through the same service API: workspaces as sites, its own proxy paths, its dead-token answer.
describe('Bitbucket connections', () => {
  const bb = () => new BitbucketControl(sim.url);

  it('access-token lists the workspaces as sites: cloud_id the workspace uuid, with an API base URL', async () => {
    const { id, tokens } = await connectViaSimulator(sql, sim.url, 'bob@example.com', 'bitbucket');
    const res = await routes.token.POST(req(`/api/v1/connections/${id}/access-token`, { method: 'POST' }), ctx({ id }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.access_token).toBe(tokens.accessToken);
    expect(body.sites.map((s: { name: string }) => s.name)).toEqual(['Acme Engineering', 'Globex', 'Initech Dev']);
    const acme = body.sites[0];
    expect(acme).toEqual({
      cloud_id: '{4d3f6a1e-8c2b-4e7a-9f10-5b6c7d8e9f01}',
      name: 'Acme Engineering',
      url: 'https://bitbucket.org/acme-eng/',
      api_base_url: `${sim.url}/2.0/repositories/${encodeURIComponent(acme.cloud_id)}`,
    });
    const one = await (await routes.one.GET(req(`/api/v1/connections/${id}`), ctx({ id }))).json();
    expect(one).toMatchObject({ product: 'bitbucket', status: 'active', scopes: ['account', 'email', 'repository', 'pullrequest'] });
  });

  it('answers 409 needs_reauth once the consumer permissions changed ("Invalid refresh_token")', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com', 'bitbucket');
    await bb().changePermissions();
    await expireAccessTokens(sql, [id]);
    const res = await routes.token.POST(req(`/api/v1/connections/${id}/access-token`, { method: 'POST' }), ctx({ id }));
    expect(res.status).toBe(409);
    expect((await res.json()).error).toMatchObject({ code: 'needs_reauth', reason: 'revoked' });
    const [row] = await sql`select last_error_code from connections where id = ${id}`;
    expect(row.last_error_code).toBe('invalid_refresh_token');
  });

  it('tests the connection with GET {BB_API}/2.0/user', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'bob@example.com', 'bitbucket');
    const before = await bb().counters();
    const body = await (await routes.test.POST(req(`/api/v1/connections/${id}/test`, { method: 'POST' }), ctx({ id }))).json();
    expect(body).toMatchObject({ ok: true });
    expect(body.message).toContain('Bitbucket answered');
    expect((await bb().counters()).api_calls - before.api_calls).toBe(1);
  });

  it('proxies everything after /proxy/ as the path under {BB_API}, without our credentials', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'bob@example.com', 'bitbucket');
    const user = await routes.proxy.GET(req(`/api/v1/connections/${id}/proxy/2.0/user`), ctx({ id, cloudId: '2.0', path: ['user'] }));
    expect(user.status).toBe(200);
    expect(await user.json()).toMatchObject({ display_name: 'Bob Smith', nickname: 'bob' });
    const echo = await routes.proxy.POST(
      jsonReq(`/api/v1/connections/${id}/proxy/2.0/_echo/pullrequests?state=OPEN`, { title: 'Hi' }, { cookie: 'session=secret' }),
      ctx({ id, cloudId: '2.0', path: ['_echo', 'pullrequests'] }),
    );
    const mirrored = await echo.json();
    expect(mirrored).toMatchObject({ method: 'POST', path: '/2.0/_echo/pullrequests', query: { state: 'OPEN' } });
    expect(JSON.stringify(mirrored.headers)).not.toContain(key);
    expect(JSON.stringify(mirrored.headers)).not.toContain('session=secret');
  });

  it('proxy: a token expired at Bitbucket gets one refresh and one retry', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com', 'bitbucket');
    await control.advanceClock(7200); // expired there, still valid here
    const before = await bb().counters();
    const res = await routes.proxy.GET(req(`/api/v1/connections/${id}/proxy/2.0/user`), ctx({ id, cloudId: '2.0', path: ['user'] }));
    expect(res.status).toBe(200);
    const after = await bb().counters();
    expect(after.refreshes - before.refreshes).toBe(1);
    expect(after.api_unauthorized - before.api_unauthorized).toBe(1);
    expect((await storedTokens(sql, id)).generation).toBe(2);
  });

  it('proxy: refuses a path that escapes {BB_API}, sending nothing', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'bob@example.com', 'bitbucket');
    const before = await bb().counters();
    for (const [cloudId, path] of [['..', ['x']], ['2.0', ['..', '..', 'site', 'oauth2', 'access_token']], ['2.0', ['%2e%2e', 'x']]] as const) {
      const res = await routes.proxy.GET(req(`/api/v1/connections/${id}/proxy/x`), ctx({ id, cloudId, path: [...path] }));
      expect(res.status).toBe(400);
    }
    const after = await bb().counters();
    expect([after.api_calls, after.token_calls]).toEqual([before.api_calls, before.token_calls]);
  });
});
