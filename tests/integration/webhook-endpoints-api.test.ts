// The service API for webhook endpoints, through the real route handlers, API-key auth and database.
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiKey } from '../../lib/api-keys';
import { resetConfigForTests } from '../../lib/config';
import { closeDb } from '../../lib/db';
import { decryptSecret } from '../../lib/crypto';
import { WEBHOOK_TYPES } from '../../lib/webhooks/outbox';
import { TEST_KEYS } from '../helpers/connections';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { dbFor } from '../../lib/db';

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

const BASE = 'http://reconnect.test/api/v1/webhook-endpoints';
const PUBLIC_URL = 'https://93.184.215.14/hooks/reconnect';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const ENV: Record<string, string> = {
  TOKEN_ENCRYPTION_KEY: TEST_KEYS.current.toString('base64'),
  AUTH_SECRET: 'webhook-endpoints-api-test-secret',
  WEBHOOK_ALLOW_PRIVATE: 'false',
};

let db: TestDatabase;
let sql: Sql;
let apiKey: string;
let list: Handler;
let create: Handler;
let patch: Handler;
let remove: Handler;
let getOne: Handler;
const savedEnv: Record<string, string | undefined> = {};

function call(handler: Handler, init: { method: string; body?: unknown; id?: string; key?: string | null; headers?: Record<string, string> }) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...init.headers };
  const key = init.key === undefined ? apiKey : init.key;
  if (key) headers.authorization = `Bearer ${key}`;
  const url = init.id ? `${BASE}/${init.id}` : BASE;
  const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  const params: Record<string, string> = init.id ? { id: init.id } : {};
  return handler(new Request(url, { method: init.method, headers, body }), { params: Promise.resolve(params) });
}

async function endpointCount(): Promise<number> {
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from webhook_endpoints`;
  return n;
}

async function createOk(body: unknown = { url: PUBLIC_URL, events: ['connection.needs_reauth', 'connection.recovered'] }) {
  const res = await call(create, { method: 'POST', body });
  expect(res.status).toBe(201);
  return res.json();
}

beforeAll(async () => {
  db = await createTestDatabase('webhook_api'); // its own database: the route's pool reads DATABASE_URL
  sql = postgres(db.url, { max: 3, onnotice: () => {} });
  for (const [k, v] of Object.entries({ ...ENV, DATABASE_URL: db.url })) {
    savedEnv[k] = process.env[k];
    process.env[k] = v;
  }
  resetConfigForTests();
  apiKey = (await createApiKey(dbFor(sql), 'webhook endpoints test')).key;
  const collection = await import('../../app/api/v1/webhook-endpoints/route');
  const item = await import('../../app/api/v1/webhook-endpoints/[id]/route');
  list = collection.GET as Handler;
  create = collection.POST as Handler;
  getOne = item.GET as Handler;
  patch = item.PATCH as Handler;
  remove = item.DELETE as Handler;
});

afterAll(async () => {
  await closeDb();
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetConfigForTests();
  await sql.end();
  await db.drop();
});

beforeEach(async () => {
  process.env.WEBHOOK_ALLOW_PRIVATE = 'false';
  resetConfigForTests();
  await sql`truncate webhook_endpoints cascade`;
});

describe('POST /api/v1/webhook-endpoints', () => {
  it('creates an endpoint: 201 {id, url, events, secret} with a whsec_ secret stored encrypted', async () => {
    const body = await createOk({ url: PUBLIC_URL, events: ['connection.recovered', 'connection.needs_reauth', 'connection.recovered'] });
    expect(body).toMatchObject({ url: PUBLIC_URL, events: ['connection.needs_reauth', 'connection.recovered'], status: 'active' });
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const bytes = Buffer.from(body.secret.slice('whsec_'.length), 'base64');
    expect(bytes.length).toBeGreaterThanOrEqual(24);
    expect(bytes.length).toBeLessThanOrEqual(32);
    const [row] = await sql<{ url: string; events: string[]; secret_enc: string }[]>`select url, events, secret_enc from webhook_endpoints where id = ${body.id}`;
    expect(row.events).toEqual(['connection.needs_reauth', 'connection.recovered']);
    expect(row.secret_enc).not.toContain(body.secret.slice(6));
    expect(decryptSecret(row.secret_enc, TEST_KEYS)).toBe(body.secret);
  });

  it('answers 401 without a valid API key and writes nothing', async () => {
    for (const key of [null, 'rk_live_not-a-real-key']) {
      const res = await call(create, { method: 'POST', body: { url: PUBLIC_URL, events: ['webhook.test'] }, key });
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe('unauthorized');
    }
    expect((await call(list, { method: 'GET', key: null })).status).toBe(401);
    expect((await call(patch, { method: 'PATCH', id: UNKNOWN_ID, body: { status: 'disabled' }, key: null })).status).toBe(401);
    expect((await call(remove, { method: 'DELETE', id: UNKNOWN_ID, key: null })).status).toBe(401);
    expect(await endpointCount()).toBe(0);
  });

  it.each([
    [{ url: 'ftp://example.com/hook', events: ['webhook.test'] }, 'url', 'http or https'],
    [{ url: 'not a url', events: ['webhook.test'] }, 'url', 'valid absolute URL'],
    [{ url: 'http://127.0.0.1:8080/hook', events: ['webhook.test'] }, 'url', 'loopback'],
    [{ url: 'http://localhost:8080/hook', events: ['webhook.test'] }, 'url', 'loopback'],
    [{ url: 'http://169.254.169.254/latest', events: ['webhook.test'] }, 'url', 'link-local'],
    [{ url: 'http://[fd00::5]/hook', events: ['webhook.test'] }, 'url', 'private'],
    [{ url: 'https://u:p@93.184.215.14/', events: ['webhook.test'] }, 'url', 'user name or password'],
    [{ url: 42, events: ['webhook.test'] }, 'url', 'must be a string'],
    [{ events: ['webhook.test'] }, 'url', ''],
    [{ url: PUBLIC_URL, events: ['connection.exploded'] }, 'events.0', 'connection.created'],
    [{ url: PUBLIC_URL, events: ['webhook.test', 'nope'] }, 'events.1', 'must be one of'],
    [{ url: PUBLIC_URL, events: [] }, 'events', 'at least one'],
    [{ url: PUBLIC_URL, events: 'webhook.test' }, 'events', 'array'],
    [{ url: PUBLIC_URL }, 'events', ''],
    [{ url: PUBLIC_URL, events: ['webhook.test'], secret: 'whsec_mine' }, 'secret', ''],
  ])('answers 400 naming the field for %j and writes nothing', async (body, field, text) => {
    const res = await call(create, { method: 'POST', body });
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error).toMatchObject({ code: 'invalid_request', field });
    expect(error.message).toContain(`"${field}"`);
    expect(error.message).toContain(text);
    expect(await endpointCount()).toBe(0);
  });

  it('accepts a loopback target when WEBHOOK_ALLOW_PRIVATE=true', async () => {
    process.env.WEBHOOK_ALLOW_PRIVATE = 'true';
    resetConfigForTests();
    const body = await createOk({ url: 'http://localhost:8080/hook', events: WEBHOOK_TYPES });
    expect(body.events).toEqual([...WEBHOOK_TYPES]);
  });
});

describe('GET /api/v1/webhook-endpoints', () => {
  it('lists endpoints without any secret', async () => {
    const a = await createOk();
    const b = await createOk({ url: 'https://93.184.215.15/other', events: ['webhook.test'] });
    const res = await call(list, { method: 'GET' });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(a.secret.slice(6));
    expect(text).not.toContain(b.secret.slice(6));
    expect(text).not.toMatch(/secret_enc|whsec_|"secret"/);
    const body = JSON.parse(text);
    expect(body.next_cursor).toBeNull();
    expect(body.data.map((e: { id: string }) => e.id)).toEqual([a.id, b.id]);
    expect(body.data[0]).toEqual({
      id: a.id,
      url: PUBLIC_URL,
      events: ['connection.needs_reauth', 'connection.recovered'],
      status: 'active',
      disabled_reason: null,
      previous_secret_expires_at: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const one = await call(getOne, { method: 'GET', id: a.id });
    expect(await one.json()).toEqual(body.data[0]);
  });
});

describe('PATCH and DELETE /api/v1/webhook-endpoints/{id}', () => {
  it('rotates the secret: the new one is shown once, the old one kept 24 h', async () => {
    const created = await createOk();
    const res = await call(patch, { method: 'PATCH', id: created.id, body: { rotate_secret: true } });
    expect(res.status).toBe(200);
    const rotated = await res.json();
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    const expires = new Date(rotated.previous_secret_expires_at).getTime();
    expect(Math.abs(expires - (Date.now() + 24 * 3600_000))).toBeLessThan(60_000);
    const [row] = await sql<{ secret_enc: string; previous_secret_enc: string }[]>`
      select secret_enc, previous_secret_enc from webhook_endpoints where id = ${created.id}`;
    expect(decryptSecret(row.secret_enc, TEST_KEYS)).toBe(rotated.secret);
    expect(decryptSecret(row.previous_secret_enc, TEST_KEYS)).toBe(created.secret);
    const again = await (await call(getOne, { method: 'GET', id: created.id })).text();
    expect(again).not.toMatch(/whsec_|"secret"/);
  });

  it('changes events, url and status; answers without a secret unless rotated', async () => {
    const created = await createOk();
    let res = await call(patch, { method: 'PATCH', id: created.id, body: { events: ['connection.deleted'], url: 'https://93.184.215.16/new' } });
    expect(res.status).toBe(200);
    let body = await res.json();
    expect(body).toMatchObject({ id: created.id, events: ['connection.deleted'], url: 'https://93.184.215.16/new', status: 'active' });
    expect(body).not.toHaveProperty('secret');

    res = await call(patch, { method: 'PATCH', id: created.id, body: { status: 'disabled' } });
    body = await res.json();
    expect(body).toMatchObject({ status: 'disabled', disabled_reason: expect.any(String) });
    res = await call(patch, { method: 'PATCH', id: created.id, body: { status: 'active' } });
    expect(await res.json()).toMatchObject({ status: 'active', disabled_reason: null });
  });

  it('answers 400 naming the field for a bad change, and changes nothing', async () => {
    const created = await createOk();
    for (const [body, field] of [
      [{ url: 'http://10.1.1.1/x' }, 'url'],
      [{ events: ['connection.nope'] }, 'events.0'],
      [{ status: 'failing' }, 'status'],
      [{ rotate_secret: false }, 'rotate_secret'],
      [{ secret: 'whsec_x' }, 'secret'],
    ] as const) {
      const res = await call(patch, { method: 'PATCH', id: created.id, body });
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatchObject({ code: 'invalid_request', field });
    }
    const [row] = await sql<{ url: string; events: string[]; status: string; secret_enc: string }[]>`
      select url, events, status, secret_enc from webhook_endpoints where id = ${created.id}`;
    expect(row).toMatchObject({ url: PUBLIC_URL, events: ['connection.needs_reauth', 'connection.recovered'], status: 'active' });
    expect(decryptSecret(row.secret_enc, TEST_KEYS)).toBe(created.secret);
  });

  it('deletes with 204; unknown or malformed ids are 404', async () => {
    const created = await createOk();
    const res = await call(remove, { method: 'DELETE', id: created.id });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(await endpointCount()).toBe(0);
    for (const id of [created.id, UNKNOWN_ID, 'not-a-uuid']) {
      expect((await call(remove, { method: 'DELETE', id })).status).toBe(404);
      expect((await call(getOne, { method: 'GET', id })).status).toBe(404);
      const p = await call(patch, { method: 'PATCH', id, body: { status: 'disabled' } });
      expect(p.status).toBe(404);
      expect((await p.json()).error.code).toBe('not_found');
    }
  });
});
