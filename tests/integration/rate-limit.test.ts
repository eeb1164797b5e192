import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTask } from '../../lib/jobs/tasks';
import { RateLimiter } from '../../lib/rate-limit';
import { testSql } from '../helpers/connections';
import { dbFor } from '../../lib/db';

let sql: Sql;
beforeAll(() => {
  sql = testSql();
});
afterAll(() => sql.end());

const at = (t0: Date, seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe('RateLimiter (shared through Postgres)', () => {
  it('allows `limit` hits a window per key, refuses the next with the seconds left, then allows again', async () => {
    const limiter = new RateLimiter(`t_${randomUUID()}`, 3, 60);
    const t0 = new Date('2026-11-22T10:00:00Z');
    const hits = [];
    for (let i = 0; i < 4; i++) hits.push(await limiter.hit(dbFor(sql), 'a', at(t0, i)));
    expect(hits.map((h) => h.refused)).toEqual([false, false, false, true]);
    expect(hits[2]!.wait).toBe(58); // the hit that reaches the limit blocks the key until the window ends
    expect(hits[3]!.wait).toBe(57);
    expect(limiter.knownWait('a', at(t0, 45))).toBe(15);
    expect((await limiter.hit(dbFor(sql), 'b', at(t0, 4))).refused).toBe(false); // other clients are not affected
    expect(limiter.knownWait('a', at(t0, 60))).toBe(0);
    expect(await limiter.hit(dbFor(sql), 'a', at(t0, 60))).toEqual({ refused: false, wait: 0 });
  });

  it('counts the hits of every instance together: two limiters of one name over one database', async () => {
    const name = `t_${randomUUID()}`;
    const [instanceA, instanceB] = [new RateLimiter(name, 20, 60), new RateLimiter(name, 20, 60)];
    const t0 = new Date();
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => (i % 2 ? instanceA : instanceB).hit(dbFor(sql), '198.51.100.4', t0)));
    expect(results.filter((r) => r.refused)).toHaveLength(4);
    const [{ hits }] = await sql`select hits from rate_limits where key = ${`${name}:198.51.100.4`}`;
    expect(hits).toBe(24);
    // Each instance learnt the verdict from its own hits and refuses without asking the database again.
    expect(instanceA.knownWait('198.51.100.4', t0)).toBeGreaterThan(0);
    expect(instanceB.knownWait('198.51.100.4', t0)).toBeGreaterThan(0);
  });

  it('has its old windows deleted by the cleanup task', async () => {
    const name = `t_${randomUUID()}`;
    const limiter = new RateLimiter(name, 5, 60);
    await limiter.hit(dbFor(sql), 'old', new Date(Date.now() - 2 * 86_400_000));
    await limiter.hit(dbFor(sql), 'recent', new Date());
    await cleanupTask(dbFor(sql)).run();
    const rows = await sql`select key from rate_limits where key like ${`${name}:%`} order by key`;
    expect(rows.map((r) => r.key)).toEqual([`${name}:recent`]);
  });
});
