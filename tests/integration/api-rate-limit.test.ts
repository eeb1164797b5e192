import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../lib/api-keys';
import { PEER_HEADER } from '../../lib/client-address';
import { APP_URL, TEST_KEYS, testSql } from '../helpers/connections';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { dbFor } from '../../lib/db';

// Its own database: the limit for all clients together would refuse other files' wrong keys.
let db: TestDatabase;
let sql: Sql;
let key: string;
let list: typeof import('../../app/api/v1/connections/route');

const ctx = { params: Promise.resolve({}) };
// `peer` is what our HTTP server stamps (the TCP peer); `forwarded` what the client wrote in X-Forwarded-For.
const send = (k: string, peer: string, forwarded?: string) =>
  list.GET(
    new Request(`${APP_URL}/api/v1/connections`, {
      headers: { authorization: `Bearer ${k}`, [PEER_HEADER]: peer, ...(forwarded ? { 'x-forwarded-for': forwarded } : {}) },
    }),
    ctx,
  );
const from = (ip: string, k: string) => send(k, ip);
const limitRows = async () => (await sql`select key, hits from rate_limits order by key`).map((r) => `${r.key}=${r.hits}`);

beforeAll(async () => {
  db = await createTestDatabase('ratelimit');
  Object.assign(process.env, { DATABASE_URL: db.url, APP_URL, TOKEN_ENCRYPTION_KEY: TEST_KEYS.current.toString('base64'), AUTH_SECRET: 'test-secret-test-secret-test-secret' });
  sql = testSql();
  key = (await createApiKey(dbFor(sql), 'rate limit tests')).key;
  list = await import('../../app/api/v1/connections/route');
});

afterAll(async () => {
  await sql.end();
  await db.drop();
});

describe('wrong API keys are rate-limited', () => {
  it('answers 429 with Retry-After after 20 wrong keys a minute from one client, and not to others', async () => {
    for (let i = 0; i < 20; i++) expect((await from('203.0.113.9', `rk_live_guess${i}`)).status).toBe(401);
    const blocked = await from('203.0.113.9', 'rk_live_guess20');
    expect(blocked.status).toBe(429);
    expect((await blocked.json()).error.code).toBe('rate_limited');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await from('203.0.113.10', 'rk_live_other')).status).toBe(401);
  });

  it('never refuses a valid key, even from a client over its limit, and counts nothing for it', async () => {
    const before = await limitRows();
    expect((await from('203.0.113.9', key)).status).toBe(200);
    expect(await limitRows()).toEqual(before);
  });

  it('a forged X-Forwarded-For, rotated on every request, does not dodge the limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await send(`rk_live_rotate${i}`, '192.0.2.44', `198.51.100.${i}`)).status);
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
  });

  it("a victim's address sent 20 times as X-Forwarded-For neither locks out the victim nor its valid key", async () => {
    for (let i = 0; i < 20; i++) await send(`rk_live_framed${i}`, '192.0.2.55', '203.0.113.77');
    expect((await send(key, '203.0.113.77')).status).toBe(200);
    expect((await send('rk_live_victims_typo', '203.0.113.77')).status).toBe(401);
    // Even sent through the attacker's own address, the valid key is served.
    expect((await send(key, '192.0.2.55', '203.0.113.77')).status).toBe(200);
  });

  it('refuses wrong keys from many addresses after 300 a minute for all clients together, and still serves right keys', async () => {
    const [{ hits: counted }] = await sql`select hits from rate_limits where key = 'api_key_failures_all:all'`;
    const statuses: number[] = [];
    for (let i = 0; i < 320; i++) statuses.push((await from(`198.18.${i >> 8}.${i & 255}`, `rk_live_forged${i}`)).status);
    // The earlier tests counted some wrong keys already; from the 301st on, every wrong key is refused.
    expect(statuses.filter((s) => s === 401)).toHaveLength(300 - counted);
    expect(statuses.slice(300 - counted).every((s) => s === 429)).toBe(true);
    expect((await from('192.0.2.77', key)).status).toBe(200);
    const [{ hits }] = await sql`select hits from rate_limits where key = 'api_key_failures_all:all'`;
    expect(hits).toBe(counted + 320);
  });
});
