// What the app answers when its database cannot be reached, with real postgres-js errors (a port with no server) and
// the real route handlers: the service API's 503 `database_unavailable` with Retry-After, /api/health and
// /api/metrics 503. And which failures are not an outage (a bad query stays a bug, never hidden as a 503).
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfigForTests } from '../../lib/config';
import { closeDb, dbFor } from '../../lib/db';
import { isDatabaseUnavailable } from '../../lib/db/unavailable';
import { freePort } from '../../lib/net';
import { testSql } from '../helpers/connections';
import { until } from '../helpers/wait';

const KEY = `rk_live_${'a'.repeat(43)}`;
let deadUrl: string;
const realUrl = process.env.DATABASE_URL!;

async function failure(work: () => Promise<unknown>): Promise<unknown> {
  return work().then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  );
}

beforeAll(async () => {
  deadUrl = `postgres://postgres@127.0.0.1:${await freePort()}/nothing`;
});

afterAll(async () => {
  process.env.DATABASE_URL = realUrl;
  await closeDb();
});

describe('isDatabaseUnavailable', () => {
  it('is true for a refused connection, through postgres-js and through Drizzle, for an IP and for localhost', async () => {
    for (const url of [deadUrl, deadUrl.replace('127.0.0.1', 'localhost')]) {
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      expect(isDatabaseUnavailable(await failure(() => sql`select 1`))).toBe(true);
      expect(isDatabaseUnavailable(await failure(() => dbFor(sql).execute('select 1')))).toBe(true);
      await sql.end({ timeout: 1 });
    }
  });

  it('is true for a terminated session (57P01) and false for a bad query or a broken constraint', async () => {
    const sql = postgres(realUrl, { max: 1, onnotice: () => {}, connection: { application_name: 'unavailable-victim' } });
    const observer = testSql(1);
    const terminated = failure(() => sql`select pg_sleep(10)`);
    await until(async () => (await observer`select 1 from pg_stat_activity where application_name = 'unavailable-victim' and state = 'active'`).length > 0, 'the query to run');
    await observer`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'unavailable-victim'`;
    expect(isDatabaseUnavailable(await terminated)).toBe(true);
    expect(isDatabaseUnavailable(await failure(() => observer`select * from no_such_table`))).toBe(false);
    expect(isDatabaseUnavailable(await failure(() => dbFor(observer).execute('select 1/0')))).toBe(false);
    expect(isDatabaseUnavailable(new Error('plain'))).toBe(false);
    await Promise.all([sql.end({ timeout: 1 }), observer.end({ timeout: 1 })]);
  });
});

describe('route answers while the database is away', () => {
  beforeAll(async () => {
    await closeDb();
    process.env.DATABASE_URL = deadUrl;
    resetConfigForTests();
  });

  afterAll(async () => {
    await closeDb();
    process.env.DATABASE_URL = realUrl;
    resetConfigForTests();
  });

  const auth = { authorization: `Bearer ${KEY}` };
  const expectDatabaseUnavailable = async (res: Response) => {
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('database_unavailable');
  };

  it('the service API: list, get and access-token answer 503 database_unavailable with Retry-After', async () => {
    const id = '00000000-0000-4000-8000-000000000001';
    const list = await import('../../app/api/v1/connections/route');
    await expectDatabaseUnavailable(await list.GET(new Request('http://app/api/v1/connections', { headers: auth }), undefined as never));
    const one = await import('../../app/api/v1/connections/[id]/route');
    await expectDatabaseUnavailable(await one.GET(new Request(`http://app/api/v1/connections/${id}`, { headers: auth }), { params: Promise.resolve({ id }) }));
    const token = await import('../../app/api/v1/connections/[id]/access-token/route');
    const post = new Request(`http://app/api/v1/connections/${id}/access-token`, { method: 'POST', headers: auth });
    await expectDatabaseUnavailable(await token.POST(post, { params: Promise.resolve({ id }) }));
  });

  it('/api/health and /api/metrics answer 503', async () => {
    const health = await import('../../app/api/health/route');
    expect((await health.GET()).status).toBe(503);
    const metrics = await import('../../app/api/metrics/route');
    const res = await metrics.GET(new Request('http://app/api/metrics'));
    expect([res.status, res.headers.get('retry-after')]).toEqual([503, '5']);
  });
});
