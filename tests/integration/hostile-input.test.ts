// Hostile input: arbitrary bodies, queries, content types, path segments, OAuth callback parameters and
// connect-link tokens. Every answer must be a 4xx in the SPEC error shape (or a 2xx only for valid
// input), never a 5xx, and a refused request writes nothing. This file uses its own database so that
// row counts are not disturbed by other test files running at the same time.
import fc from 'fast-check';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../lib/api-keys';
import { listConnectionsQuery as listQuery } from '../../lib/api/schemas';
import { resetConfigForTests } from '../../lib/config';
import { connectSessionInput, createConnectSession, openConnectSession } from '../../lib/connect-sessions';
import { closeDb } from '../../lib/db';
import { handleOAuthCallback } from '../../lib/flows/callback';
import type { FlowContext } from '../../lib/flows/context';
import { startFlow } from '../../lib/flows/start';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import { createEndpointInput, updateEndpointInput } from '../../lib/webhooks/endpoints';
import { APP_URL, TEST_KEYS, connectViaSimulator, simApps, testSql } from '../helpers/connections';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { dbFor } from '../../lib/db';

const RUNS = 100;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

let db: TestDatabase;
let sim: Simulator;
let upstream: Server;
let upstreamUrl: string;
const upstreamSeen: string[] = [];
let sql: Sql;
let key: string;
let flow: FlowContext;
let connection: { id: string; userId: string; cloudId: string };
let endpointId: string;
let routes: {
  list: typeof import('../../app/api/v1/connections/route');
  token: typeof import('../../app/api/v1/connections/[id]/access-token/route');
  proxy: typeof import('../../app/api/v1/connections/[id]/proxy/[cloudId]/[...path]/route');
  sessions: typeof import('../../app/api/v1/connect-sessions/route');
  endpoints: typeof import('../../app/api/v1/webhook-endpoints/route');
  endpoint: typeof import('../../app/api/v1/webhook-endpoints/[id]/route');
};
const savedEnv: Record<string, string | undefined> = {};

beforeAll(async () => {
  // Our own database, chosen before any route module or getSql() runs.
  db = await createTestDatabase('hostile');
  sim = await startSimulator({ leewaySeconds: 0 });
  // The product API the proxy forwards to: records each request's path and answers 200.
  upstream = createServer((req, res) => {
    upstreamSeen.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const env = {
    DATABASE_URL: db.url,
    ATLASSIAN_AUTH_URL: sim.url,
    ATLASSIAN_API_URL: upstreamUrl,
    APP_URL,
    TOKEN_ENCRYPTION_KEY: TEST_KEYS.current.toString('base64'),
    AUTH_SECRET: 'hostile-input-test-secret',
    WEBHOOK_ALLOW_PRIVATE: 'true', // no DNS lookups for generated hosts
  };
  for (const [k, v] of Object.entries(env)) {
    savedEnv[k] = process.env[k];
    process.env[k] = v;
  }
  resetConfigForTests();
  sql = testSql();
  key = (await createApiKey(dbFor(sql), 'hostile input')).key;
  flow = {
    db: dbFor(sql),
    keys: TEST_KEYS,
    appUrl: APP_URL,
    adminEmails: [],
    apps: simApps(sim.url),
    signInProduct: 'jira',
  };
  const made = await connectViaSimulator(sql, sim.url, 'alice@example.com');
  const [site] = await sql<{ cloud_id: string }[]>`select cloud_id from connection_sites where connection_id = ${made.id} order by name limit 1`;
  connection = { id: made.id, userId: made.userId, cloudId: site.cloud_id };
  routes = {
    list: await import('../../app/api/v1/connections/route'),
    token: await import('../../app/api/v1/connections/[id]/access-token/route'),
    proxy: await import('../../app/api/v1/connections/[id]/proxy/[cloudId]/[...path]/route'),
    sessions: await import('../../app/api/v1/connect-sessions/route'),
    endpoints: await import('../../app/api/v1/webhook-endpoints/route'),
    endpoint: await import('../../app/api/v1/webhook-endpoints/[id]/route'),
  };
  const created = await routes.endpoints.POST(
    jsonRequest('POST', '/api/v1/webhook-endpoints', JSON.stringify({ url: 'https://hooks.example.com/in', events: ['connection.created'] })),
    ctx({}),
  );
  expect(created.status).toBe(201);
  endpointId = (await created.json()).id;
});

afterAll(async () => {
  await closeDb();
  await sql?.end();
  await sim?.stop();
  await new Promise((resolve) => upstream?.close(resolve));
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetConfigForTests();
  await db?.drop();
});

const ctx = <P>(params: P) => ({ params: Promise.resolve(params) });
// A URL can carry only well-formed text: lone surrogates become U+FFFD, as a decoded request path would.
const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
const enc = (s: string) => encodeURIComponent(wellFormed(s));

function jsonRequest(method: string, path: string, body: string | Uint8Array | undefined, contentType: string | null = 'application/json'): Request {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (contentType !== null) headers['content-type'] = contentType;
  return new Request(`${APP_URL}${path}`, { method, headers, body: body as BodyInit | undefined });
}

/** Row counts (and the last change of an endpoint or a token family) across every table a request could write. */
async function snapshot() {
  const [row] = await sql`select
    (select count(*)::int from connections) as connections,
    (select count(*)::int from connection_sites) as sites,
    (select count(*)::int from connect_sessions) as connect_sessions,
    (select count(*)::int from connect_sessions where used_at is not null) as used_sessions,
    (select count(*)::int from webhook_endpoints) as webhook_endpoints,
    (select coalesce(max(updated_at), 'epoch') from webhook_endpoints) as endpoint_update,
    (select count(*)::int from connection_events) as events,
    (select count(*)::int from webhook_messages) as webhook_messages,
    (select count(*)::int from oauth_states) as oauth_states,
    (select count(*)::int from oauth_states where used_at is not null) as used_states,
    (select count(*)::int from users) as users,
    (select coalesce(sum(token_generation), 0)::int from connections) as generations`;
  return row;
}

/** A refusal: 4xx, JSON `{"error": {"code", "message"}}` with non-empty strings. */
async function expectApiError(res: Response): Promise<{ code: string; message: string; field?: string }> {
  expect(res.status, `status ${res.status}`).toBeGreaterThanOrEqual(400);
  expect(res.status, `status ${res.status}`).toBeLessThan(500);
  expect(res.headers.get('content-type') ?? '').toContain('application/json');
  const body = await res.json();
  expect(Object.keys(body)).toEqual(['error']);
  expect(typeof body.error.code).toBe('string');
  expect(body.error.code).not.toBe('');
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message).not.toBe('');
  return body.error;
}

/** An absent or blank body is read as `{}` (whatever its content type); anything else must be JSON. */
const blank = (text: string) => text.trim() === '';
const bodyValue = (text: string): unknown => (blank(text) ? {} : JSON.parse(text));

/**
 * Runs one request: a 2xx is accepted only when `valid()` says the input was valid (the baseline then
 * moves on); anything else must be a 4xx SPEC error with nothing written.
 */
async function check(send: () => Promise<Response>, valid: () => boolean): Promise<void> {
  const before = await snapshot();
  const res = await send();
  if (res.status >= 200 && res.status < 300) {
    expect(valid(), `answered ${res.status} to input it should refuse`).toBe(true);
    await res.arrayBuffer();
    return;
  }
  await expectApiError(res);
  expect(await snapshot()).toEqual(before);
}

// ---- generators ----------------------------------------------------------------------------------

// Strings with any UTF-16 code unit: NUL, control characters, lone surrogates.
const anyString = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.string({ unit: fc.nat(0xffff).map((n) => String.fromCharCode(n)) }));
const anyJson = fc.oneof(
  fc.anything({ withNullPrototype: false, stringUnit: 'binary' }).map((v) => safeStringify(v)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  anyString, // often not JSON at all
  fc.constantFrom('', ' ', 'null', '[]', '{}', '"x"', '1e999', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', '\u0000', '\uFEFF{}', '{"a":'),
);
function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v) ?? 'undefined';
  } catch {
    return String(v);
  }
}
const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constant('application/json') },
  fc.constantFrom('application/json; charset=utf-8', 'APPLICATION/JSON', 'application/merge-patch+json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', ''),
  anyString,
  fc.constant(null),
);
// Bodies over 64 KiB: refused with 413 before parsing.
const hugeJson = fc
  .tuple(fc.integer({ min: 64 * 1024 + 1, max: 200 * 1024 }), fc.constantFrom('a', '\u0000', 'é', '"'))
  .map(([n, c]) => JSON.stringify({ url: c.repeat(n), user_email: 'a@b.co', product: 'jira', events: ['connection.created'] }));
const body = fc.oneof({ weight: 5, arbitrary: anyJson }, { weight: 1, arbitrary: hugeJson });

/** A fetch-legal header value (ByteString, no CR/LF/NUL), or undefined when `new Request` would refuse it. */
function headerSafe(value: string | null): string | null | undefined {
  if (value === null) return null;
  const trimmed = value.trim();
  return /^[\t\x20-\x7e\x80-\xff]*$/.test(trimmed) ? trimmed : undefined;
}

// Bodies near a route's schema: right keys, hostile values (so the field checks, not only the JSON parse, are exercised).
const hostileValue = fc.oneof(anyString, fc.anything({ maxDepth: 2, stringUnit: 'binary' }), fc.integer(), fc.double(), fc.constantFrom(null, true, [], {}, -1, 0, 3601, 1e308, '', '\u0000'));
const tokenBody = fc.record({ min_validity_seconds: hostileValue, rejected_token: hostileValue }, { requiredKeys: [] });
const sessionBody = fc.oneof(
  fc.record({ user_email: fc.oneof(hostileValue, fc.emailAddress().map((e) => `${e}\u0000`)), product: fc.oneof(hostileValue, fc.constantFrom('jira', 'confluence')) }, { requiredKeys: [] }),
  fc.record({ connection_id: fc.oneof(hostileValue, fc.uuid(), fc.constant(UNKNOWN_ID)) }),
);
const webhookEvents = fc.oneof(hostileValue, fc.array(fc.oneof(anyString, fc.constantFrom('connection.created', 'connection.needs_reauth'))));
const webhookUrl = fc.oneof(
  hostileValue,
  anyString.map((s) => `https://hooks.example.com/${s}`),
  anyString.map((s) => `https://${s}/`),
  fc.constantFrom('javascript:alert(1)', 'file:///etc/passwd', 'https://user:pw@example.com/', 'http://[::1]/', 'https://example.com/\u0000', ' https://example.com/ ', 'x'.repeat(5000)),
);
const endpointBody = fc.record({ url: webhookUrl, events: webhookEvents }, { requiredKeys: [] });
const endpointPatch = fc.record({ url: webhookUrl, events: webhookEvents, status: hostileValue, rotate_secret: hostileValue }, { requiredKeys: [] });
const structured = <T>(arb: fc.Arbitrary<T>) => arb.map((v) => safeStringify(v));

// ---- service API ----------------------------------------------------------------------------------

describe('GET /api/v1/connections with arbitrary queries', () => {
  const queryKey = fc.oneof(anyString, fc.constantFrom('status', 'product', 'user_email', 'cursor', 'limit', '__proto__', 'constructor', 'toString'));
  const cursorish = fc
    .tuple(
      fc.oneof(anyString, fc.stringMatching(/^\d{4}-\d{2}-\d{2}[ T][\d:.]{1,20}(Z|[+-]\d{2}(:?\d{2})?)$/), fc.date({ noInvalidDate: true }).map((d) => d.toISOString())),
      fc.oneof(fc.stringMatching(/^[0-9a-f-]{36}$/), fc.uuid(), anyString),
    )
    .map((pair) => Buffer.from(JSON.stringify(pair)).toString('base64url'));
  const queryValue = fc.oneof(
    anyString,
    cursorish,
    fc.constantFrom('', 'active', 'jira', 'confluence', 'a@b.co', '0', '-1', '1.5', '201', '1e3', '0x10', 'NaN', 'Infinity', '99999999999999999999', ' 5 ', 'null'),
  );

  it('answers 200 only to a valid query, else a 4xx error naming nothing written', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.dictionary(queryKey, queryValue, { maxKeys: 4 })), async (query) => {
        const search = new URLSearchParams(Object.entries(query));
        const params = Object.fromEntries(new URL(`${APP_URL}/?${search}`).searchParams);
        await check(
          () => routes.list.GET(jsonRequest('GET', `/api/v1/connections?${search}`, undefined, null), ctx({})),
          () => listQuery.safeParse(params).success,
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('answers 400 (not 500) to a cursor that looks like ours but names an impossible time or id', async () => {
    for (const pair of [
      ['2024-99-99 99:99:99Z', UNKNOWN_ID],
      ['2024-01-01 00:00:00Z', '------------------------------------'],
      ['2024-01-01 00:00:00Z', '0123456789abcdef0123456789abcdef----'],
    ]) {
      const cursor = Buffer.from(JSON.stringify(pair)).toString('base64url');
      const res = await routes.list.GET(jsonRequest('GET', `/api/v1/connections?cursor=${cursor}`, undefined, null), ctx({}));
      expect.soft(res.status, `cursor ${JSON.stringify(pair)}`).toBe(400);
      if (res.status === 400) expect((await expectApiError(res)).field).toBe('cursor');
    }
  });
});

describe('POST /api/v1/connections/{id}/access-token with arbitrary bodies', () => {
  const validTokenBody = (text: string): boolean => {
    let v: unknown;
    try {
      v = bodyValue(text);
    } catch {
      return false;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
    const o = v as Record<string, unknown>;
    if (Object.keys(o).some((k) => k !== 'min_validity_seconds' && k !== 'rejected_token')) return false;
    const m = o.min_validity_seconds;
    const r = o.rejected_token;
    return (m === undefined || (Number.isInteger(m) && (m as number) >= 0 && (m as number) <= 3600)) && (r === undefined || (typeof r === 'string' && r.length >= 1 && r.length <= 20_000));
  };

  it('answers 200 only to a valid body, else a 4xx error with nothing written', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(body, structured(tokenBody)),
        contentType,
        fc.constantFrom(() => connection.id, () => UNKNOWN_ID, () => 'nope'),
        async (text, type, id) => {
          const ct = headerSafe(type);
          fc.pre(ct !== undefined);
          const json = ct !== null && /^application\/(json|[a-z0-9.+-]+\+json)\s*(;|$)/i.test(ct);
          await check(
            () => routes.token.POST(jsonRequest('POST', `/api/v1/connections/${enc(id())}/access-token`, text, ct), ctx({ id: id() })),
            () => id() === connection.id && (json || blank(text)) && validTokenBody(text),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('POST /api/v1/connect-sessions with arbitrary bodies', () => {
  it('answers 201 only to a valid body, else a 4xx error with nothing written', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(body, structured(sessionBody)), contentType, async (text, type) => {
        const ct = headerSafe(type);
        fc.pre(ct !== undefined);
        await check(
          () => routes.sessions.POST(jsonRequest('POST', '/api/v1/connect-sessions', text, ct), ctx({})),
          () => {
            try {
              return connectSessionInput.safeParse(bodyValue(text)).success;
            } catch {
              return false;
            }
          },
        );
      }),
      { numRuns: RUNS },
    );
  });
});

describe('webhook endpoints with arbitrary bodies', () => {
  const parses = (schema: typeof createEndpointInput | typeof updateEndpointInput, text: string) => {
    try {
      return schema.safeParse(bodyValue(text)).success;
    } catch {
      return false;
    }
  };

  it('POST /api/v1/webhook-endpoints: 201 only to a valid body, else a 4xx error with nothing written', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(body, structured(endpointBody)), contentType, async (text, type) => {
        const ct = headerSafe(type);
        fc.pre(ct !== undefined);
        await check(() => routes.endpoints.POST(jsonRequest('POST', '/api/v1/webhook-endpoints', text, ct), ctx({})), () => parses(createEndpointInput, text));
      }),
      { numRuns: RUNS },
    );
  });

  it('PATCH /api/v1/webhook-endpoints/{id}: 200 only to a valid body for a real endpoint, else a 4xx error with nothing written', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(body, structured(endpointPatch)),
        contentType,
        fc.oneof({ weight: 3, arbitrary: fc.constant(() => endpointId) }, fc.constant(() => UNKNOWN_ID), anyString.map((s) => () => wellFormed(s))),
        async (text, type, id) => {
          const ct = headerSafe(type);
          fc.pre(ct !== undefined);
          await check(
            () => routes.endpoint.PATCH(jsonRequest('PATCH', `/api/v1/webhook-endpoints/${enc(id())}`, text, ct), ctx({ id: id() })),
            () => id() === endpointId && parses(updateEndpointInput, text),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('refuses a URL carrying a NUL character with 400 on POST and PATCH, not 500', async () => {
    for (const url of ['https://hooks.example.com/a\u0000b', 'https://hooks.example.com/?q=\u0000']) {
      const before = await snapshot();
      const res = await routes.endpoints.POST(jsonRequest('POST', '/api/v1/webhook-endpoints', JSON.stringify({ url, events: ['connection.created'] })), ctx({}));
      expect.soft(res.status, JSON.stringify(url)).toBe(400);
      if (res.status === 400) expect((await expectApiError(res)).field).toBe('url');
      const patched = await routes.endpoint.PATCH(jsonRequest('PATCH', `/api/v1/webhook-endpoints/${endpointId}`, JSON.stringify({ url })), ctx({ id: endpointId }));
      expect.soft(patched.status, `PATCH ${JSON.stringify(url)}`).toBe(400);
      expect(await snapshot()).toEqual(before);
    }
  });
});

describe('the proxy with arbitrary path segments', () => {
  const segment = fc.oneof(
    anyString,
    fc.constantFrom('..', '.', '', '/', '\\', '%2e%2e', '%252e%252e', '%2F', '..%2f', 'http:', 'https://evil.example', '//evil.example', '?x=1', '#frag', '\u0000', '%00', '%zz', 'rest', 'api', '3', 'myself'),
  );

  it('answers a 4xx error or forwards under /ex/{product}/{cloud_id}/ only, with no row written', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { minLength: 0, maxLength: 5 }),
        fc.oneof({ weight: 4, arbitrary: fc.constant<string | null>(null) }, anyString),
        fc.constantFrom('GET', 'POST', 'DELETE'),
        fc.oneof({ weight: 3, arbitrary: fc.constant<string | null>(null) }, anyString),
        async (rawPath, cloud, method, search) => {
          const path = rawPath.map(wellFormed); // what Next can hand over after decoding the URL
          const cloudId = wellFormed(cloud ?? connection.cloudId);
          const query = search === null ? '' : `?${new URLSearchParams({ q: search })}`;
          const url = `/api/v1/connections/${connection.id}/proxy/${enc(cloudId)}/${path.map(enc).join('/')}${query}`;
          const before = await snapshot();
          const seen = upstreamSeen.length;
          const res = await routes.proxy[method as 'GET'](
            jsonRequest(method, url, method === 'POST' ? '{}' : undefined),
            ctx({ id: connection.id, cloudId, path }),
          );
          if (res.status === 200) {
            // Forwarded: the upstream saw exactly one request, under this connection's site.
            expect(upstreamSeen.length).toBe(seen + 1);
            const forwarded = new URL(upstreamSeen[seen], upstreamUrl);
            expect(forwarded.pathname.startsWith(`/ex/jira/${connection.cloudId}/`), forwarded.pathname).toBe(true);
            const rest = decodeURIComponent(forwarded.pathname.slice(`/ex/jira/${connection.cloudId}/`.length));
            expect(rest.split('/').some((s) => s === '..' || s === '.'), rest).toBe(false);
            await res.arrayBuffer();
          } else {
            await expectApiError(res);
            expect(upstreamSeen.length).toBe(seen);
          }
          const after = await snapshot();
          expect(after).toEqual(before);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('control characters in JSON bodies', () => {
  it('are refused with 400 naming the field, wherever the string sits, and nothing is written', async () => {
    const cases: [() => Promise<Response>, string][] = [
      [() => routes.sessions.POST(jsonRequest('POST', '/api/v1/connect-sessions', JSON.stringify({ user_email: 'alice@example.com\u0000', product: 'jira' })), ctx({})), 'user_email'],
      [() => routes.endpoints.POST(jsonRequest('POST', '/api/v1/webhook-endpoints', JSON.stringify({ url: 'https://hooks.example.com/in', events: ['connection.created', 'x\u0007'] })), ctx({})), 'events.1'],
      [
        () => routes.endpoint.PATCH(jsonRequest('PATCH', `/api/v1/webhook-endpoints/${endpointId}`, JSON.stringify({ url: 'https://hooks.example.com/\u001b[0m' })), ctx({ id: endpointId })),
        'url',
      ],
      [
        () => routes.token.POST(jsonRequest('POST', `/api/v1/connections/${connection.id}/access-token`, JSON.stringify({ rejected_token: 'tok\u0000en' })), ctx({ id: connection.id })),
        'rejected_token',
      ],
    ];
    for (const [send, field] of cases) {
      const before = await snapshot();
      const res = await send();
      expect(res.status, field).toBe(400);
      const error = await expectApiError(res);
      expect(error.field).toBe(field);
      expect(error.message).toContain('control characters');
      expect(await snapshot()).toEqual(before);
    }
  });
});

// ---- OAuth callback and connect links ----------------------------------------------------------------

// The flow cookie nonce of the browser that starts the flows here.
const BROWSER = 'nonce-of-the-browser';

describe('the OAuth callback with arbitrary parameters', () => {
  const params = fc.record({ state: anyString, code: anyString, error: anyString }, { requiredKeys: [] });
  const extra = fc.dictionary(anyString, anyString, { maxKeys: 3 });

  it('refuses an unknown state with a 4xx and writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(params, extra, fc.constantFrom<string | null>(null, 'user'), async (p, more, who) => {
        const before = await snapshot();
        const query = new URLSearchParams({ ...more, ...p });
        const result = await handleOAuthCallback(flow, query, { sessionUserId: who && connection.userId, browserNonce: BROWSER });
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.status).toBeGreaterThanOrEqual(400);
        expect(result.status).toBeLessThan(500);
        expect(typeof result.code).toBe('string');
        expect(typeof result.message).toBe('string');
        expect(await snapshot()).toEqual(before);
      }),
      { numRuns: RUNS },
    );
  });

  it('with a real state, refuses an arbitrary error or code and writes no connection, event, webhook or user', async () => {
    const outcome = fc.oneof(
      fc.record({ error: anyString.filter((s) => s !== '') }),
      fc.record({ code: anyString }),
      fc.record({ error: anyString.filter((s) => s !== ''), code: anyString }),
    );
    await fc.assert(
      fc.asyncProperty(outcome, async (p) => {
        const state = new URL(await startFlow(flow, { purpose: 'connect', userId: connection.userId, product: 'jira' }, BROWSER)).searchParams.get('state')!;
        const before = await snapshot();
        const result = await handleOAuthCallback(flow, new URLSearchParams({ ...p, state }), { sessionUserId: connection.userId, browserNonce: BROWSER });
        expect(result.ok).toBe(false);
        if (result.ok) return;
        // A forged code is refused by Atlassian's token endpoint: 502 code_exchange_failed is documented for that.
        if ('error' in p || p.code === '') expect(result.status).toBe(400);
        else expect([400, 502]).toContain(result.status);
        const after = await snapshot();
        expect({ ...after, used_states: before.used_states }).toEqual(before); // only the state itself was consumed
        expect(after.used_states).toBe(before.used_states + 1);
      }),
      { numRuns: 50 },
    );
  });
});

describe('connect links with arbitrary tokens', () => {
  it('answers 404 to any token that is not a link, consuming nothing', async () => {
    const real = new URL((await createConnectSession(dbFor(sql), APP_URL, { user_email: 'alice@example.com', product: 'jira' })).url);
    const realToken = real.pathname.split('/').at(-1)!;
    const token = fc.oneof(
      anyString,
      fc.string({ minLength: 129, maxLength: 5000 }),
      fc.constantFrom('', ' ', `${realToken} `, realToken.toUpperCase(), realToken.slice(0, -1), `${realToken}\u0000`, encodeURIComponent(realToken) + '%00'),
    );
    await fc.assert(
      fc.asyncProperty(token, fc.constantFrom(null, 'alice', 'stranger'), async (t, who) => {
        fc.pre(t !== realToken);
        const user = who === 'alice' ? { id: connection.userId, email: 'alice@example.com' } : who === 'stranger' ? { id: UNKNOWN_ID, email: 'x@example.com' } : null;
        const before = await snapshot();
        const result = await openConnectSession(flow, t, user, BROWSER);
        expect(result).toMatchObject({ kind: 'error', status: 404, code: 'not_found' });
        expect(await snapshot()).toEqual(before);
      }),
      { numRuns: RUNS },
    );
    const [{ unused }] = await sql<{ unused: number }[]>`select count(*)::int as unused from connect_sessions where used_at is null`;
    expect(unused).toBeGreaterThanOrEqual(1);
    // The real link still opens.
    expect((await openConnectSession(flow, realToken, { id: connection.userId, email: 'alice@example.com' }, BROWSER)).kind).toBe('redirect');
  });
});
