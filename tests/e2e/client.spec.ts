// The TypeScript client (client/) against the real app and simulator that `npm test` starts: every
// call goes over HTTP to the built app, which calls the simulator. Answers are also checked against
// the zod schemas the OpenAPI document is generated from.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { expect, test, type Browser } from '@playwright/test';
import { createApiKey } from '../../lib/api-keys';
import * as schemas from '../../lib/api/schemas';
import {
  NeedsReauthError,
  RateLimitedError,
  Reconnect,
  ReconnectError,
  TemporarilyUnavailableError,
  TokenRejectedError,
} from '../../client/src/index';
import { InvalidWebhookError, verifyWebhook, type WebhookEvent } from '../../client/src/webhooks';
import { listenOnLoopback } from '../helpers/webhooks';
import { e2eSql, expireAccessTokens, retireConnectionsOf, sim, userWithConnection, waitForWorkerRefresh } from './helpers';
import { dbFor } from '../../lib/db';

const BOB = 'bob@example.com';
let apiKey: string;
let baseURL: string;

test.beforeAll(async () => {
  baseURL = test.info().project.use.baseURL!;
  const sql = e2eSql();
  apiKey = (await createApiKey(dbFor(sql), 'client spec')).key;
  await sql.end();
});

const client = () => new Reconnect({ baseUrl: baseURL, apiKey });

/** Bob with one new, healthy Jira connection (his earlier ones retired), not due for a worker refresh. */
async function freshJiraConnection(browser: Browser): Promise<string> {
  const sql = e2eSql();
  try {
    await retireConnectionsOf(sql, BOB);
    const { id, page } = await userWithConnection(browser, 'Bob Smith', 'Jira');
    await page.context().close();
    await waitForWorkerRefresh(sql, [id]);
    return id;
  } finally {
    await sql.end();
  }
}

const myself = (token: string, sites: { api_base_url: string }[]) =>
  fetch(`${sites[0]!.api_base_url}/rest/api/3/myself`, { headers: { authorization: `Bearer ${token}` } });

test('the served document is docs/openapi.json, with no API key', async ({ request }) => {
  const res = await request.get('/api/v1/openapi.json');
  expect(res.status()).toBe(200);
  expect(await res.json()).toEqual(JSON.parse(readFileSync('docs/openapi.json', 'utf8')));
});

test('connections, tokens, the proxy and connect sessions, typed and matching the schemas', async ({ browser }) => {
  const id = await freshJiraConnection(browser);
  const reconnect = client();

  const page = await reconnect.connections.list({ product: 'jira', user_email: BOB, limit: 5 });
  schemas.connectionListSchema.parse(page);
  expect(page.data.map((c) => c.id)).toEqual([id]);
  const one = schemas.connectionSchema.parse(await reconnect.connections.get(id));
  expect(one).toMatchObject({ id, product: 'jira', status: 'active', user_email: BOB });

  const token = schemas.accessTokenSchema.parse(await reconnect.accessToken(id, { minValiditySeconds: 120 }));
  expect(Date.parse(token.expires_at) - Date.now()).toBeGreaterThan(120_000);
  const me = await reconnect.withToken(id, async (t, sites) => (await myself(t, sites)).json());
  expect(me).toMatchObject({ emailAddress: BOB });

  const cloudId = one.sites.find((s) => s.name === 'Acme')!.cloud_id;
  const proxied = await reconnect.proxy(id, cloudId, 'rest/api/3/search/jql?jql=project%20%3D%20ACME&fields=summary');
  expect(proxied.status).toBe(200);
  expect(((await proxied.json()) as { issues: { key: string }[] }).issues.map((i) => i.key)).toEqual(['ACME-1', 'ACME-2', 'ACME-3']);
  // Atlassian's own refusals come back as they are; Reconnect's own refusals throw.
  expect((await reconnect.proxy(id, cloudId, 'rest/api/3/search/jql?jql=ORDER%20BY%20key')).status).toBe(400);
  const noSite = await reconnect.proxy(id, 'not-a-site-of-bob', 'rest/api/3/myself').catch((e: unknown) => e);
  expect(noSite).toBeInstanceOf(ReconnectError);
  expect(noSite).toMatchObject({ status: 404, code: 'site_not_found' });

  expect(schemas.connectionTestSchema.parse(await reconnect.connections.test(id))).toMatchObject({ ok: true });
  const link = schemas.connectSessionSchema.parse(await reconnect.connectSessions.create({ connection_id: id }));
  expect(link.url.startsWith(`${baseURL}/connect/`)).toBe(true);

  const hook = await reconnect.webhookEndpoints.create({ url: 'http://127.0.0.1:9/hooks', events: ['connection.deleted'] });
  schemas.webhookEndpointWithSecretSchema.parse(hook);
  schemas.webhookEndpointListSchema.parse(await reconnect.webhookEndpoints.list());
  expect(schemas.webhookEndpointUpdatedSchema.parse(await reconnect.webhookEndpoints.update(hook.id, { rotate_secret: true })).secret).toMatch(/^whsec_/);
  await reconnect.webhookEndpoints.delete(hook.id);

  await reconnect.connections.delete(id);
  const gone = await reconnect.connections.get(id).catch((e: unknown) => e);
  expect(gone).toBeInstanceOf(ReconnectError);
  expect(gone).toMatchObject({ status: 404, code: 'not_found' });
});

test('bad input is a ReconnectError naming the field', async () => {
  const err = await client().accessToken('00000000-0000-4000-8000-000000000000', { minValiditySeconds: 99_999 }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ReconnectError);
  expect(err).toMatchObject({ status: 400, code: 'invalid_request', detail: { field: 'min_validity_seconds' } });
  schemas.validationErrorSchema.parse({ error: (err as ReconnectError).detail });
});

test('withToken: a token Atlassian refuses is sent back as rejected_token, and the call retried once', async ({ browser }) => {
  const id = await freshJiraConnection(browser);
  const reconnect = client();
  const before = await sim.counters();
  const seen: string[] = [];
  const me = await reconnect.withToken(id, async (token, sites) => {
    seen.push(token);
    // Another worker forces a refresh meanwhile: Atlassian revokes the token this call holds.
    if (seen.length === 1) await reconnect.accessToken(id, { minValiditySeconds: 3600 });
    return myself(token, sites);
  });
  expect(me.status).toBe(200);
  expect(seen).toHaveLength(2);
  expect(seen[1] !== seen[0], 'the retry got a different token').toBe(true);
  const after = await sim.counters();
  expect(after.api_unauthorized - before.api_unauthorized).toBe(1);
  // The rejected token was no longer the stored one: Reconnect handed out the newer token, no second refresh.
  expect(after.token_calls - before.token_calls).toBe(1);
});

test('withToken gives up after the second 401 with TokenRejectedError; the rejected stored token was refreshed once', async ({ browser }) => {
  const id = await freshJiraConnection(browser);
  const before = await sim.counters();
  const seen: string[] = [];
  const err = await client()
    .withToken(id, async (token) => {
      seen.push(token);
      return new Response('{"code":401,"message":"Unauthorized"}', { status: 401 });
    })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TokenRejectedError);
  expect(err).toBeInstanceOf(ReconnectError);
  expect((err as TokenRejectedError).response?.status).toBe(401);
  expect(seen).toHaveLength(2);
  expect(seen[1] !== seen[0], 'the retry got a different token').toBe(true);
  expect((await sim.counters()).token_calls - before.token_calls).toBe(1);

  // A thrown error carrying status 401 is the same signal.
  const thrown = await client()
    .withToken(id, async () => {
      throw Object.assign(new Error('Unauthorized'), { status: 401 });
    })
    .catch((e: unknown) => e);
  expect(thrown).toBeInstanceOf(TokenRejectedError);
  // Any other error goes through untouched, with no retry.
  let calls = 0;
  const other = await client()
    .withToken(id, async () => {
      calls += 1;
      throw new RangeError('mine');
    })
    .catch((e: unknown) => e);
  expect(other).toBeInstanceOf(RangeError);
  expect(calls).toBe(1);
});

test('TemporarilyUnavailableError with retryAfterSeconds while Atlassian fails', async ({ browser }) => {
  const id = await freshJiraConnection(browser);
  const sql = e2eSql();
  await sim.addFault({ kind: 'status', status: 503, target: 'token' });
  try {
    await expireAccessTokens(sql, [id]);
    const err = await client().accessToken(id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemporarilyUnavailableError);
    expect(err).toMatchObject({ status: 503, code: 'temporarily_unavailable', reason: 'server_error' });
    expect((err as TemporarilyUnavailableError).retryAfterSeconds).toBeGreaterThan(0);
    schemas.unavailableErrorSchema.parse({ error: (err as ReconnectError).detail });
  } finally {
    await sim.clearFaults();
    await sql.end();
  }
});

test('NeedsReauthError with an absolute reconnect link once the grant is revoked; its webhook verifies', async ({ browser }) => {
  const events: WebhookEvent[] = [];
  const refused: string[] = [];
  let secret = '';
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    try {
      events.push(verifyWebhook(req.headers, body, secret));
      res.writeHead(204).end();
    } catch (err) {
      refused.push((err as Error).name);
      res.writeHead(400).end();
    }
  });
  const receiver = await listenOnLoopback(server);
  const reconnect = client();
  const endpoint = await reconnect.webhookEndpoints.create({ url: receiver.url, events: ['connection.needs_reauth'] });
  secret = endpoint.secret;
  try {
    const id = await freshJiraConnection(browser);
    const cloudId = (await reconnect.connections.get(id)).sites[0]!.cloud_id;
    await sim.revokeApp(BOB);

    // Through the proxy: Atlassian's 401, one refresh with rejected_token, invalid_grant → needs_reauth.
    const err = await reconnect.proxy(id, cloudId, 'rest/api/3/myself').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NeedsReauthError);
    expect(err).toMatchObject({ status: 409, code: 'needs_reauth', reason: 'revoked' });
    expect((err as NeedsReauthError).reconnectUrl.startsWith(`${baseURL}/connect/`)).toBe(true);
    schemas.needsReauthErrorSchema.parse({ error: (err as ReconnectError).detail });
    await expect(reconnect.accessToken(id)).rejects.toBeInstanceOf(NeedsReauthError);

    await expect.poll(() => events.length, { timeout: 20_000 }).toBeGreaterThan(0);
    const event = events.find((e) => e.data.connection_id === id)!;
    expect(event).toMatchObject({ type: 'connection.needs_reauth', data: { status: 'needs_reauth', reason: 'revoked', user_email: BOB } });
    schemas.webhookEventSchema.parse(event);
    expect(refused).toEqual([]);
  } finally {
    await reconnect.webhookEndpoints.delete(endpoint.id);
    await receiver.close();
  }
  expect(() => verifyWebhook({ 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' }, '{}', secret)).toThrow(
    InvalidWebhookError,
  );
});

// Last: it spends this client address's allowance of wrong keys for the minute.
test('RateLimitedError with retryAfterSeconds after too many wrong API keys', async () => {
  const forwardedFor = '198.51.100.17'; // a client address of its own, where the app honours X-Forwarded-For
  const wrong = new Reconnect({
    baseUrl: baseURL,
    apiKey: 'rk_live_wrong',
    fetch: (url, init) => fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), 'x-forwarded-for': forwardedFor } }),
  });
  const first = await wrong.connections.list().catch((e: unknown) => e);
  expect(first).toBeInstanceOf(ReconnectError);
  expect(first).toMatchObject({ status: 401, code: 'unauthorized' });
  let limited: unknown;
  for (let i = 0; i < 40 && !limited; i++) {
    const err = await wrong.connections.list().catch((e: unknown) => e);
    if (err instanceof RateLimitedError) limited = err;
  }
  expect(limited).toBeInstanceOf(RateLimitedError);
  expect(limited).toMatchObject({ status: 429, code: 'rate_limited' });
  expect((limited as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
});
