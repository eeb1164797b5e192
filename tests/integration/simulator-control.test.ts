import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JIRA_SCOPES } from '@/lib/providers/atlassian/simulator/catalog';
import { connectAs, getApi, postRefresh, SimulatorControl } from '@/lib/providers/atlassian/simulator/client';
import { startSimulator, type Simulator } from '@/lib/sandbox/simulator';

const SCOPES = [...JIRA_SCOPES, 'read:me', 'offline_access'];

let sim: Simulator;
let control: SimulatorControl;
beforeEach(async () => {
  sim = await startSimulator({ leewaySeconds: 0 });
  control = new SimulatorControl(sim.url);
});
afterEach(() => sim.stop());

const send = (method: string, path: string, body?: unknown) =>
  fetch(`${sim.url}/_control${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });

describe('counters', () => {
  it('count every kind of call', async () => {
    const first = await connectAs(sim.url, { email: 'alice@example.com', scopes: SCOPES });
    const second = (await (await postRefresh(sim.url, first.refresh_token ?? '')).json()) as { access_token: string };
    await postRefresh(sim.url, first.refresh_token ?? ''); // rejected reuse (leeway 0)
    await postRefresh(sim.url, 'unknown');
    await getApi(sim.url, '/me', second.access_token); // family revoked by the reuse → 401
    expect(await control.counters()).toEqual({
      token_calls: 4,
      authorization_code_grants: 1,
      refreshes: 1,
      reuses_within_leeway: 0,
      rejected_reuses: 1,
      dead_token_responses: 2,
      api_calls: 1,
      api_unauthorized: 1,
    });
  });
});

describe('reset', () => {
  it('clears grants, counters, faults, clock and config but keeps the seeded users', async () => {
    const tokens = await connectAs(sim.url, { email: 'alice@example.com', scopes: SCOPES });
    await control.patchConfig({ leeway_seconds: 42, omit_refresh_token: true });
    await control.advanceClock(3600);
    await control.addFault({ kind: 'latency', ms: 1 });
    await control.reset();

    expect((await control.counters()).token_calls).toBe(0);
    expect(await control.grants()).toEqual([]);
    expect(await control.faults()).toEqual([]);
    expect((await control.clock()).offset_seconds).toBe(0);
    expect(await control.config()).toMatchObject({ leeway_seconds: 0, omit_refresh_token: false, auto_consent: false });
    expect((await postRefresh(sim.url, tokens.refresh_token ?? '')).status).toBe(403);
    expect((await getApi(sim.url, '/me', tokens.access_token)).status).toBe(401);
    const users = (await (await send('GET', '/users')).json()) as unknown[];
    expect(users).toHaveLength(4);
  });
});

describe('config and clock', () => {
  it('PATCH config changes only the given fields', async () => {
    const before = await control.config();
    const after = await control.patchConfig({ dead_token_error: 'unauthorized_client', access_token_ttl_seconds: 60 });
    expect(after).toEqual({ ...before, dead_token_error: 'unauthorized_client', access_token_ttl_seconds: 60 });
    expect(await control.config()).toEqual(after);
  });

  it('advances the clock', async () => {
    const before = Date.parse((await control.clock()).now);
    const advanced = await control.advanceClock(86_400);
    expect(Date.parse(advanced.now) - before).toBeGreaterThanOrEqual(86_400_000);
    expect(await control.clock()).toMatchObject({ offset_seconds: 86_400 });
  });
});

describe('bad control bodies', () => {
  it.each([
    ['PATCH', '/config', { leeway_seconds: 'ten' }, 'leeway_seconds'],
    ['PATCH', '/config', { dead_token_error: 'nope' }, 'dead_token_error'],
    ['PATCH', '/config', { leewaySeconds: 5 }, 'leewaySeconds'],
    ['POST', '/clock', { advance_seconds: -5 }, 'advance_seconds'],
    ['POST', '/clock', {}, 'advance_seconds'],
    ['POST', '/faults', { kind: 'explode' }, 'kind'],
    ['POST', '/faults', { kind: 'latency' }, 'ms'],
    ['POST', '/faults', { kind: 'status', status: 404 }, 'status'],
    ['POST', '/faults', { kind: 'timeout', count: 0 }, 'count'],
  ])('%s %s %j → 400 naming %s', async (method, path, body, field) => {
    const res = await send(method, path, body);
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { field: string; message: string };
    expect(answer.field).toBe(field);
    expect(answer.message).toContain(field);
  });

  it('rejects malformed JSON', async () => {
    const res = await fetch(`${sim.url}/_control/faults`, { method: 'POST', body: '{nope' });
    expect(res.status).toBe(400);
  });
});

describe('faults list', () => {
  it('lists, deletes one, and deletes all', async () => {
    const { id } = await control.addFault({ kind: 'status', status: 500, target: 'api', count: 3 });
    await control.addFault({ kind: 'timeout', target: 'token' });
    const listed = (await control.faults()) as Array<{ id: string; kind: string; remaining: number | null }>;
    expect(listed.map((fault) => [fault.kind, fault.remaining])).toEqual([
      ['status', 3],
      ['timeout', null],
    ]);
    expect((await send('DELETE', `/faults/${id}`)).status).toBe(200);
    expect(await control.faults()).toHaveLength(1);
    expect(await control.clearFaults()).toEqual({ cleared: 1 });
  });
});

describe('users and grants', () => {
  it('lists grants without any token value', async () => {
    const tokens = await connectAs(sim.url, { email: 'bob@example.com', scopes: SCOPES });
    const res = await send('GET', '/grants');
    const text = await res.text();
    expect(text).not.toContain(tokens.access_token);
    expect(text).not.toContain(tokens.refresh_token ?? 'x');
    expect(JSON.parse(text)).toEqual([
      expect.objectContaining({
        user_email: 'bob@example.com',
        scopes: SCOPES,
        revoked: false,
        revoked_reason: null,
        generation: 0,
        created_at: expect.any(String),
        id: expect.any(String),
      }),
    ]);
  });

  it('answers 404 for an unknown user or route', async () => {
    expect((await send('POST', '/users/nobody%40example.com/revoke')).status).toBe(404);
    expect((await send('GET', '/nothing-here')).status).toBe(404);
  });
});

describe('standalone entry', () => {
  it('prints SIMULATOR_URL and stops on SIGTERM', async () => {
    const main = fileURLToPath(new URL('../../lib/sandbox/main.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));
    const child = spawn(process.execPath, [tsx, main, '--port', '0', '--leeway', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          const match = /SIMULATOR_URL=(\S+)/.exec(chunk.toString());
          if (match?.[1]) resolve(match[1]);
        });
        child.once('exit', () => reject(new Error('simulator exited early')));
      });
      expect(line).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await (await fetch(`${line}/_control/config`)).json()).toMatchObject({ leeway_seconds: 0 });
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
