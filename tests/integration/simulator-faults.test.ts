import { afterEach, describe, expect, it } from 'vitest';
import { JIRA_SCOPES } from '@/lib/providers/atlassian/simulator/catalog';
import { connectAs, getApi, postRefresh, SimulatorControl, type TokenSet } from '@/lib/providers/atlassian/simulator/client';
import { startSimulator, type Simulator, type SimulatorOptions } from '@/lib/sandbox/simulator';

const SCOPES = [...JIRA_SCOPES, 'read:me', 'offline_access'];
const DEAD = { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' };

let sim: Simulator;
let control: SimulatorControl;
afterEach(() => sim.stop());

async function start(opts: SimulatorOptions = {}): Promise<TokenSet> {
  sim = await startSimulator(opts);
  control = new SimulatorControl(sim.url);
  return connectAs(sim.url, { email: 'alice@example.com', scopes: SCOPES });
}

describe('latency', () => {
  it('delays answers by roughly the configured ms, only for the target', async () => {
    const tokens = await start();
    await control.addFault({ kind: 'latency', ms: 120, target: 'api', count: 1 });
    let began = performance.now();
    expect((await getApi(sim.url, '/me', tokens.access_token)).status).toBe(200);
    expect(performance.now() - began).toBeGreaterThanOrEqual(110);

    began = performance.now();
    await getApi(sim.url, '/me', tokens.access_token);
    expect(performance.now() - began).toBeLessThan(100);
  });

  it('combines with a status fault', async () => {
    const tokens = await start();
    await control.addFault({ kind: 'latency', ms: 80, target: 'token' });
    await control.addFault({ kind: 'status', status: 502, target: 'token' });
    const began = performance.now();
    const res = await postRefresh(sim.url, tokens.refresh_token ?? '');
    expect(res.status).toBe(502);
    expect(performance.now() - began).toBeGreaterThanOrEqual(70);
  });
});

describe('5xx', () => {
  it('answers a JSON 5xx for `count` requests, then normally, without touching the refresh token', async () => {
    const tokens = await start({ leewaySeconds: 0 });
    await control.addFault({ kind: 'status', status: 503, target: 'all', count: 2 });
    const token = await postRefresh(sim.url, tokens.refresh_token ?? '');
    expect(token.status).toBe(503);
    expect(await token.json()).toHaveProperty('error', 'server_error');
    const api = await getApi(sim.url, '/me', tokens.access_token);
    expect(api.status).toBe(503);
    expect(await api.json()).toEqual({ code: 503, message: 'Service Unavailable' });

    expect((await postRefresh(sim.url, tokens.refresh_token ?? '')).status).toBe(200);
    expect(await control.faults()).toEqual([]);
    expect((await control.counters()).token_calls).toBe(3);
  });
});

describe('timeout', () => {
  it('never answers: the client aborts with its own timeout', async () => {
    const tokens = await start();
    await control.addFault({ kind: 'timeout', target: 'token', count: 1 });
    const attempt = postRefresh(sim.url, tokens.refresh_token ?? '', { signal: AbortSignal.timeout(150) });
    await expect(attempt).rejects.toMatchObject({ name: 'TimeoutError' });
    expect((await postRefresh(sim.url, tokens.refresh_token ?? '')).status).toBe(200);
  });

  it('stop() closes promptly while a request hangs', async () => {
    const tokens = await start();
    await control.addFault({ kind: 'timeout', target: 'api' });
    const hanging = getApi(sim.url, '/me', tokens.access_token).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const began = performance.now();
    await sim.stop();
    expect(performance.now() - began).toBeLessThan(1000);
    expect(await hanging).toBe('failed');
  });
});

describe('rate limit', () => {
  it('429 with Retry-After and X-RateLimit-* headers', async () => {
    const tokens = await start();
    await control.addFault({ kind: 'rate_limit', retry_after_seconds: 7, target: 'api', count: 1 });
    const res = await getApi(sim.url, '/me', tokens.access_token);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('x-ratelimit-limit')).toMatch(/^\d+$/);
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(res.headers.get('x-ratelimit-reset')).not.toBeNull();
  });

  it('429 without Retry-After when the fault says null', async () => {
    const tokens = await start();
    await control.addFault({ kind: 'rate_limit', retry_after_seconds: null, target: 'token', count: 1 });
    const res = await postRefresh(sim.url, tokens.refresh_token ?? '');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBeNull();
  });
});

describe('drop_after_rotate', () => {
  async function dropOneRotation(tokens: TokenSet): Promise<void> {
    await control.addFault({ kind: 'drop_after_rotate', count: 1 });
    await expect(postRefresh(sim.url, tokens.refresh_token ?? '')).rejects.toThrow();
    expect((await control.counters()).refreshes).toBe(1);
    expect((await control.grants())[0]?.generation).toBe(1);
  }

  it('with leeway 0, the unseen rotation makes a retry with the old token fatal', async () => {
    const tokens = await start({ leewaySeconds: 0 });
    await dropOneRotation(tokens);
    const retry = await postRefresh(sim.url, tokens.refresh_token ?? '');
    expect(retry.status).toBe(403);
    expect(await retry.json()).toEqual(DEAD);
    expect((await control.counters()).rejected_reuses).toBe(1);
  });

  it('with leeway 600, a retry with the old token recovers the current refresh token', async () => {
    const tokens = await start({ leewaySeconds: 600 });
    await dropOneRotation(tokens);
    const retry = await postRefresh(sim.url, tokens.refresh_token ?? '');
    expect(retry.status).toBe(200);
    const recovered = (await retry.json()) as TokenSet;
    expect(recovered.refresh_token).not.toBe(tokens.refresh_token);
    expect((await postRefresh(sim.url, recovered.refresh_token ?? '')).status).toBe(200);
    expect((await control.counters()).reuses_within_leeway).toBe(1);
  });
});

describe('invalid_client', () => {
  it('answers 401 invalid_client on the token endpoint only', async () => {
    const tokens = await start();
    await control.addFault({ kind: 'invalid_client' });
    const res = await postRefresh(sim.url, tokens.refresh_token ?? '');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed' });
    expect((await getApi(sim.url, '/me', tokens.access_token)).status).toBe(200);
    await control.clearFaults();
    expect((await postRefresh(sim.url, tokens.refresh_token ?? '')).status).toBe(200);
  });

  it('cannot target the API', async () => {
    await start();
    const res = await fetch(`${sim.url}/_control/faults`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'invalid_client', target: 'api' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: 'target' });
  });
});
