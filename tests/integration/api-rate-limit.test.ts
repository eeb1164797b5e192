import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../lib/api-keys';
import { APP_URL, TEST_KEYS, testSql } from '../helpers/connections';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

// Its own database: the limit for all clients together would refuse other files' wrong keys.
let db: TestDatabase;
let sql: Sql;
let key: string;
let list: typeof import('../../app/api/v1/connections/route');

const ctx = { params: Promise.resolve({}) };
const from = (ip: string, k: string) =>
  list.GET(new Request(`${APP_URL}/api/v1/connections`, { headers: { authorization: `Bearer ${k}`, 'x-forwarded-for': ip } }), ctx);

beforeAll(async () => {
  db = await createTestDatabase('ratelimit');
  Object.assign(process.env, { DATABASE_URL: db.url, APP_URL, TOKEN_ENCRYPTION_KEY: TEST_KEYS.current.toString('base64'), AUTH_SECRET: 'test-secret-test-secret-test-secret' });
  sql = testSql();
  key = (await createApiKey(sql, 'rate limit tests')).key;
  list = await import('../../app/api/v1/connections/route');
});

afterAll(async () => {
  await sql.end();
  await db.drop();
});

describe('wrong API keys are rate-limited', () => {
  it('answers 429 with Retry-After after 20 wrong keys a minute from one client, and not to others', async () => {
    for (let i = 0; i < 20; i++) expect((await from('203.0.113.9', `rk_live_guess${i}`)).status).toBe(401);
    const blocked = await from('203.0.113.9', key);
    expect(blocked.status).toBe(429);
    expect((await blocked.json()).error.code).toBe('rate_limited');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await from('203.0.113.10', key)).status).toBe(200);
  });

  it('refuses wrong keys from forged addresses after 300 a minute for all clients together, and still serves right keys', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 320; i++) statuses.push((await from(`198.18.${i >> 8}.${i & 255}`, `rk_live_forged${i}`)).status);
    // 20 wrong keys were counted by the first test; from the 301st on, every wrong key is refused.
    expect(statuses.filter((s) => s === 401)).toHaveLength(280);
    expect(statuses.slice(280).every((s) => s === 429)).toBe(true);
    expect((await from('192.0.2.77', key)).status).toBe(200);
    const [{ hits }] = await sql`select hits from rate_limits where key = 'api_key_failures_all:all'`;
    expect(hits).toBe(340);
  });
});
