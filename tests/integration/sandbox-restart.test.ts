import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConnection } from '@/lib/connections/manage';
import { BitbucketControl } from '@/lib/providers/bitbucket/simulator/client';
import { SimulatorControl } from '@/lib/providers/atlassian/simulator/client';
import { savedPort } from '@/lib/simulator/persist';
import { startSimulator, type Simulator } from '@/lib/sandbox/simulator';
import { connectViaSimulator, engineFor, expireAccessTokens, simApps, storedTokens, testSql } from '../helpers/connections';
import { dbFor } from '../../lib/db';

// Sandbox mode across a restart of `npm start`: the simulator keeps its state in a file, so connections made
// before it stay healthy and their next refresh works (before, every one turned "Needs reconnect").
const sql = testSql();
const marker = testSql(2);
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.resolve('test-results/sandbox-state-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await sql.end();
  await marker.end();
});

// The test's fetch pool still holds keep-alive sockets to the stopped simulator until their close is processed
// (a restarted `npm start` has a fresh pool). A fresh request on each would fail with "other side closed".
const idleSocketsClosed = () => new Promise((resolve) => setTimeout(resolve, 100));

async function check(sim: Simulator, id: string) {
  const engine = engineFor(sql, marker, sim.url);
  return testConnection(dbFor(sql), { apps: simApps(sim.url), tokens: engine }, id);
}

describe('simulator state file', () => {
  it('a connection healthy before a restart is healthy after it, and its next refresh works', async () => {
    const file = path.join(dir, 'sandbox.json');
    const first = await startSimulator({ stateFile: file });
    const { id } = await connectViaSimulator(sql, first.url, 'alice@example.com');
    await expireAccessTokens(sql, [id]);
    expect((await check(first, id)).ok).toBe(true); // a refresh before the restart: generation 1
    await new SimulatorControl(first.url).advanceClock(60);
    const before = await storedTokens(sql, id);
    await first.stop();
    await idleSocketsClosed();

    const second = await startSimulator({ stateFile: file, port: savedPort(file) });
    try {
      expect(second.port).toBe(first.port);
      const control = new SimulatorControl(second.url);
      expect((await control.grants()).map((g) => g.generation)).toEqual([1]);
      expect((await control.clock()).offset_seconds).toBe(60);
      expect((await check(second, id)).ok).toBe(true);
      await expireAccessTokens(sql, [id]);
      const result = await check(second, id);
      expect(result).toMatchObject({ ok: true });
      const after = await storedTokens(sql, id);
      expect(after.generation).toBe(before.generation + 1);
      const [row] = await sql<{ status: string }[]>`select status from connections where id = ${id}`;
      expect(row.status).toBe('active');
    } finally {
      await second.stop();
    }
  });

  it('keeps the Bitbucket token families too: a Bitbucket connection refreshes after the restart', async () => {
    const file = path.join(dir, 'sandbox-bitbucket.json');
    const first = await startSimulator({ stateFile: file });
    const { id } = await connectViaSimulator(sql, first.url, 'bob@example.com', 'bitbucket');
    await expireAccessTokens(sql, [id]);
    expect((await check(first, id)).ok).toBe(true); // rotated once before the restart
    const before = await storedTokens(sql, id);
    await first.stop();
    await idleSocketsClosed();

    const second = await startSimulator({ stateFile: file, port: savedPort(file) });
    try {
      const bitbucket = new BitbucketControl(second.url);
      expect((await bitbucket.grants()).map((g) => [g.generation, g.revoked])).toEqual([[1, false]]);
      await expireAccessTokens(sql, [id]);
      expect(await check(second, id)).toMatchObject({ ok: true });
      expect((await storedTokens(sql, id)).generation).toBe(before.generation + 1);
      expect((await bitbucket.counters()).rejected_reuses).toBe(0);
    } finally {
      await second.stop();
    }
  });

  it('without the file, the same restart loses the grant (what the file prevents)', async () => {
    const first = await startSimulator({});
    const { id } = await connectViaSimulator(sql, first.url, 'bob@example.com');
    await first.stop();
    const second = await startSimulator({});
    try {
      await expireAccessTokens(sql, [id]);
      expect((await check(second, id)).ok).toBe(false);
      const [row] = await sql<{ status: string }[]>`select status from connections where id = ${id}`;
      expect(row.status).toBe('needs_reauth');
    } finally {
      await second.stop();
    }
  });
});
