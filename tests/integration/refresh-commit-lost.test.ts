// A refresh whose COMMIT is lost with the database connection (a restart or failover right then), after the
// provider already rotated the refresh token: the transaction rolled back, so the stored refresh token is the one
// just used; its attempt marker (written outside the transaction) says the outcome is unknown; and the next attempt
// reuses that same refresh token inside the provider's leeway, so no rotation is lost (token lifecycle rule 5).
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionUnavailableError } from '../../lib/connections/errors';
import { connectViaSimulator, engineFor, expireAccessTokens, storedTokens } from '../helpers/connections';
import { openFaultBench, type FaultBench } from '../helpers/fault-bench';
import { until } from '../helpers/wait';

let bench: FaultBench;

beforeAll(async () => {
  bench = await openFaultBench('commit_lost', { leewaySeconds: 600 });
});

afterAll(() => bench.close());

describe('a refresh whose commit is lost', () => {
  it('answers temporarily unavailable (database), keeps the old refresh token, and the next attempt reuses it within the leeway', async () => {
    const { sql, observer, markerSql, sim, control } = bench;
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com', 'jira');
    await expireAccessTokens(sql, [id]);
    const before = await storedTokens(sql, id);
    const since = await control.counters();
    // A deferred trigger makes COMMIT itself take a while, so that the backend can be terminated during it.
    await sql.unsafe(`
      create function slow_commit() returns trigger language plpgsql as $$ begin perform pg_sleep(2); return null; end $$;
      create constraint trigger slow_commit after update on connections deferrable initially deferred
        for each row when (old.token_generation is distinct from new.token_generation) execute function slow_commit();`);
    const victim = postgres(bench.url, { max: 2, onnotice: () => {}, connection: { application_name: 'commit-victim' } });
    try {
      const call = engineFor(victim, markerSql, sim.url).getAccessToken(id).then(
        () => undefined,
        (e: unknown) => e,
      );
      const committing = async () =>
        (await observer`select 1 from pg_stat_activity where application_name = 'commit-victim' and state = 'active' and query ilike 'commit%'`).length > 0;
      await until(committing, 'the refresh to reach COMMIT');
      expect((await control.counters()).refreshes - since.refreshes).toBe(1); // the provider has rotated
      await observer`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'commit-victim' and query ilike 'commit%'`;
      const err = await call;
      expect(err).toBeInstanceOf(ConnectionUnavailableError);
      expect(err).toMatchObject({ code: 'temporarily_unavailable', reason: 'database' });
    } finally {
      await victim.end({ timeout: 1 });
      await sql.unsafe('drop trigger slow_commit on connections; drop function slow_commit();');
    }
    // Nothing of the lost commit was kept, and the attempt's marker says its outcome is unknown.
    expect(await storedTokens(sql, id)).toEqual(before);
    expect(await sql`select token_generation from refresh_attempts where connection_id = ${id}`).toEqual([{ token_generation: before.generation }]);

    const token = await bench.engine.getAccessToken(id);
    expect(token.refreshed).toBe(true);
    const counters = await control.counters();
    expect([counters.reuses_within_leeway - since.reuses_within_leeway, counters.rejected_reuses - since.rejected_reuses]).toEqual([1, 0]);
    expect((await storedTokens(sql, id)).generation).toBe(before.generation + 1);
    const [row] = await sql`select status, reason from connections where id = ${id}`;
    expect(row).toMatchObject({ status: 'active', reason: null });
    expect(await sql`select 1 from refresh_attempts where connection_id = ${id}`).toHaveLength(0);
  });
});
