import { afterEach, describe, expect, it } from 'vitest';
import { JIRA_SCOPES } from '@/lib/providers/atlassian/simulator/catalog';
import { connectAs, getApi, postRefresh, SimulatorControl, type TokenSet } from '@/lib/providers/atlassian/simulator/client';
import { startSimulator, type Simulator, type SimulatorOptions } from '@/lib/sandbox/simulator';

const SCOPES = [...JIRA_SCOPES, 'read:me', 'offline_access'];
const DEAD_INVALID_GRANT = { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' };
const DEAD_UNAUTHORIZED_CLIENT = { error: 'unauthorized_client', error_description: 'refresh_token is invalid' };
const DAY = 24 * 60 * 60;

let sim: Simulator;
let control: SimulatorControl;
afterEach(() => sim.stop());

async function start(opts: SimulatorOptions = {}): Promise<TokenSet> {
  sim = await startSimulator(opts);
  control = new SimulatorControl(sim.url);
  return connectAs(sim.url, { email: 'alice@example.com', scopes: SCOPES });
}

async function refreshOk(refreshToken: string): Promise<TokenSet> {
  const res = await postRefresh(sim.url, refreshToken);
  expect(res.status).toBe(200);
  return (await res.json()) as TokenSet;
}

async function expectDead(refreshToken: string, body: object = DEAD_INVALID_GRANT): Promise<void> {
  const res = await postRefresh(sim.url, refreshToken);
  expect(res.status).toBe(403);
  expect(await res.json()).toEqual(body);
}

const meStatus = async (accessToken: string) => (await getApi(sim.url, '/me', accessToken)).status;

describe('rotation', () => {
  it('returns a new refresh token and counts one refresh', async () => {
    const first = await start();
    const second = await refreshOk(first.refresh_token ?? '');
    expect(second.refresh_token).toBeTypeOf('string');
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    expect(second).toMatchObject({ expires_in: 3600, token_type: 'Bearer', scope: SCOPES.join(' ') });
    expect((await control.counters()).refreshes).toBe(1);
    expect((await control.grants())[0]?.generation).toBe(1);
  });

  it('revokes the old access token at once (grace 0) while the new one works', async () => {
    const first = await start();
    expect(await meStatus(first.access_token)).toBe(200);
    const second = await refreshOk(first.refresh_token ?? '');
    const old = await getApi(sim.url, '/me', first.access_token);
    expect(old.status).toBe(401);
    expect(await old.json()).toEqual({ code: 401, message: 'Unauthorized' });
    expect(await meStatus(second.access_token)).toBe(200);
  });

  it('keeps the old access token for the configured grace', async () => {
    const first = await start({ accessRevokeGraceSeconds: 30 });
    await refreshOk(first.refresh_token ?? '');
    expect(await meStatus(first.access_token)).toBe(200);
    await control.advanceClock(31);
    expect(await meStatus(first.access_token)).toBe(401);
  });

  it('expires access tokens after expires_in on the simulator clock', async () => {
    const first = await start({ accessTokenTtlSeconds: 120 });
    expect(first.expires_in).toBe(120);
    await control.advanceClock(119);
    expect(await meStatus(first.access_token)).toBe(200);
    await control.advanceClock(2);
    expect(await meStatus(first.access_token)).toBe(401);
  });

  it('answers an unknown refresh token with the dead-token error', async () => {
    await start();
    await expectDead('not-a-real-token');
    expect((await control.counters()).dead_token_responses).toBe(1);
  });
});

describe('reuse of a rotated refresh token', () => {
  it('with leeway 0, refuses the second use and revokes the whole family', async () => {
    const first = await start({ leewaySeconds: 0 });
    const second = await refreshOk(first.refresh_token ?? '');

    await expectDead(first.refresh_token ?? '');
    await expectDead(second.refresh_token ?? '');
    expect(await meStatus(second.access_token)).toBe(401);
    const counters = await control.counters();
    expect(counters.rejected_reuses).toBe(1);
    expect(counters.dead_token_responses).toBe(2);
    expect((await control.grants())[0]).toMatchObject({ revoked: true, revoked_reason: 'reuse_detected' });
  });

  it('with leeway 600, a reuse inside the leeway returns the current refresh token', async () => {
    const first = await start({ leewaySeconds: 600 });
    const second = await refreshOk(first.refresh_token ?? '');
    await control.advanceClock(599);
    const reused = await refreshOk(first.refresh_token ?? '');
    expect(reused.refresh_token).toBe(second.refresh_token);
    expect(reused.access_token).not.toBe(second.access_token);
    expect(await meStatus(reused.access_token)).toBe(200);
    const counters = await control.counters();
    expect(counters).toMatchObject({ refreshes: 1, reuses_within_leeway: 1, rejected_reuses: 0 });
    expect((await control.grants())[0]?.generation).toBe(1);
  });

  it('with leeway 600, a reuse after 601 s revokes the family', async () => {
    const first = await start();
    const second = await refreshOk(first.refresh_token ?? '');
    await control.advanceClock(601);
    await expectDead(first.refresh_token ?? '');
    await expectDead(second.refresh_token ?? '');
    expect((await control.counters()).rejected_reuses).toBe(1);
  });

  it('leeway can be changed at run time', async () => {
    const first = await start();
    await control.patchConfig({ leeway_seconds: 0 });
    await refreshOk(first.refresh_token ?? '');
    await expectDead(first.refresh_token ?? '');
  });
});

describe('expiry on the simulator clock', () => {
  it('inactivity: dead after 91 days unused', async () => {
    const first = await start();
    await control.advanceClock(91 * DAY);
    await expectDead(first.refresh_token ?? '');
    expect((await control.grants())[0]?.revoked_reason).toBe('inactivity_expired');
  });

  it('inactivity: a rotation at day 60 restarts the 90 days', async () => {
    const first = await start();
    await control.advanceClock(60 * DAY);
    const second = await refreshOk(first.refresh_token ?? '');
    await control.advanceClock(89 * DAY);
    const third = await refreshOk(second.refresh_token ?? '');
    await control.advanceClock(91 * DAY);
    await expectDead(third.refresh_token ?? '');
  });

  it('absolute lifetime: dead at 366 days even with regular rotations', async () => {
    let tokens = await start();
    for (let day = 0; day < 360; day += 60) {
      await control.advanceClock(60 * DAY);
      tokens = await refreshOk(tokens.refresh_token ?? '');
    }
    await control.advanceClock(6 * DAY);
    await expectDead(tokens.refresh_token ?? '');
    expect((await control.grants())[0]?.revoked_reason).toBe('absolute_expired');
  });
});

describe('revocation by the user', () => {
  it.each([
    ['revoke', 'user_revoked'],
    ['password', 'password_changed'],
  ])('POST /_control/users/{email}/%s kills refresh and access tokens', async (event, reason) => {
    const alice = await start();
    const bob = await connectAs(sim.url, { email: 'bob@example.com', scopes: SCOPES });
    const res = await fetch(`${sim.url}/_control/users/alice%40example.com/${event}`, { method: 'POST' });
    expect(await res.json()).toMatchObject({ revoked_grants: 1 });

    await expectDead(alice.refresh_token ?? '');
    expect(await meStatus(alice.access_token)).toBe(401);
    expect(await meStatus(bob.access_token)).toBe(200);
    await refreshOk(bob.refresh_token ?? '');
    const grants = await control.grants();
    expect(grants.find((grant) => grant.user_email === 'alice@example.com')?.revoked_reason).toBe(reason);
  });

  it('a new consent after revocation works again', async () => {
    await start();
    await control.revokeApp('alice@example.com');
    const again = await connectAs(sim.url, { email: 'alice@example.com', scopes: SCOPES });
    await refreshOk(again.refresh_token ?? '');
  });
});

describe('response variants', () => {
  it('dead_token_error=unauthorized_client answers the observed body', async () => {
    const first = await start({ leewaySeconds: 0 });
    await control.patchConfig({ dead_token_error: 'unauthorized_client' });
    await refreshOk(first.refresh_token ?? '');
    await expectDead(first.refresh_token ?? '', DEAD_UNAUTHORIZED_CLIENT);
  });

  it('omit_refresh_token: no refresh_token in the answer and the old one stays valid', async () => {
    const first = await start({ leewaySeconds: 0 });
    await control.patchConfig({ omit_refresh_token: true });
    const second = await refreshOk(first.refresh_token ?? '');
    expect('refresh_token' in second).toBe(false);
    expect(await meStatus(first.access_token)).toBe(401);
    expect(await meStatus(second.access_token)).toBe(200);
    const third = await refreshOk(first.refresh_token ?? '');
    expect(await meStatus(third.access_token)).toBe(200);
    expect((await control.grants())[0]?.generation).toBe(0);
  });

  it('answers the wrong client secret on refresh with 401 access_denied', async () => {
    const first = await start();
    const res = await postRefresh(sim.url, first.refresh_token ?? '', { clientSecret: 'nope' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'access_denied', error_description: 'Unauthorized' });
    await refreshOk(first.refresh_token ?? '');
  });
});
