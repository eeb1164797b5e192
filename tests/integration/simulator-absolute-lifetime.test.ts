// Atlassian ends every token family 365 days after the consent (code exchange) that started it, on the
// simulator's clock, however often it is refreshed; a new consent starts a new year. Bitbucket has no such limit.
// The consent time is part of the simulator's state file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JIRA_SCOPES } from '@/lib/providers/atlassian/simulator/catalog';
import { connectAs, postRefresh, SimulatorControl, type TokenSet } from '@/lib/providers/atlassian/simulator/client';
import { BitbucketControl, connectBitbucketAs, postBitbucketRefresh } from '@/lib/providers/bitbucket/simulator/client';
import { startSimulator, type Simulator, type SimulatorOptions } from '@/lib/sandbox/simulator';

const SCOPES = [...JIRA_SCOPES, 'read:me', 'offline_access'];
const DEAD = { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' };
const DAY = 24 * 60 * 60;

let sim: Simulator;
let control: SimulatorControl;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.resolve('test-results/sim-lifetime-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => sim.stop());

async function start(opts: SimulatorOptions = {}): Promise<void> {
  sim = await startSimulator(opts);
  control = new SimulatorControl(sim.url);
}

const consent = (email = 'alice@example.com') => connectAs(sim.url, { email, scopes: SCOPES });

async function refreshOk(tokens: TokenSet): Promise<TokenSet> {
  const res = await postRefresh(sim.url, tokens.refresh_token ?? '');
  expect(res.status).toBe(200);
  return (await res.json()) as TokenSet;
}

async function expectDead(tokens: TokenSet): Promise<void> {
  const res = await postRefresh(sim.url, tokens.refresh_token ?? '');
  expect(res.status).toBe(403);
  expect(await res.json()).toEqual(DEAD);
}

/** Rotates every 60 days (well inside the 90 days of inactivity) until `days` after now. */
async function keepRefreshing(tokens: TokenSet, days: number): Promise<TokenSet> {
  let current = tokens;
  for (let day = 60; day <= days; day += 60) {
    await control.advanceClock(60 * DAY);
    current = await refreshOk(current);
  }
  await control.advanceClock((days % 60) * DAY);
  return current;
}

describe('Atlassian: 365 days from the consent', () => {
  it('a refresh at 364 days after the consent, with rotations every 60 days, succeeds', async () => {
    await start();
    const first = await consent();
    const consentedAt = (await control.grants())[0]?.consented_at;
    await refreshOk(await keepRefreshing(first, 364));
    const [grant] = await control.grants();
    expect(grant).toMatchObject({ revoked: false, generation: 7 });
    expect(grant?.consented_at).toBe(consentedAt); // refreshes never move it
  });

  it('at 365 days + 1 s the refresh answers the dead-token body, however recently the family rotated', async () => {
    await start();
    const tokens = await refreshOk(await keepRefreshing(await consent(), 364)); // rotated a day before the end
    await control.advanceClock(DAY + 1);
    await expectDead(tokens);
    const [grant] = await control.grants();
    expect(grant).toMatchObject({ revoked: true, revoked_reason: 'absolute_expired' });
    expect((await control.counters()).dead_token_responses).toBe(1);
  });

  it('a new consent starts a new year; the old family still ends on its own date', async () => {
    await start();
    let old = await consent();
    old = await keepRefreshing(old, 200);
    let renewed = await consent(); // day 200: the same user consents again
    for (let day = 260; day <= 380; day += 60) {
      await control.advanceClock(60 * DAY);
      renewed = await refreshOk(renewed);
      if (day < 365) old = await refreshOk(old);
    }
    await expectDead(old); // day 380
    renewed = await keepRefreshing(renewed, 180); // day 560: 360 days after the second consent
    await refreshOk(renewed);
    const grants = await control.grants();
    expect(grants.map((grant) => [grant.revoked, grant.revoked_reason])).toEqual([
      [true, 'absolute_expired'],
      [false, null],
    ]);
  });

  it('a consent after the end works again for another year', async () => {
    await start();
    const expired = await keepRefreshing(await consent(), 365);
    await control.advanceClock(DAY);
    await expectDead(expired);
    const again = await keepRefreshing(await consent(), 364);
    await refreshOk(again);
  });
});

describe('Bitbucket: no absolute lifetime', () => {
  it('a family refreshed every 60 days lives past 366 days', async () => {
    await start();
    let tokens = await connectBitbucketAs(sim.url, { email: 'alice@example.com' });
    for (let day = 60; day <= 480; day += 60) {
      await control.advanceClock(60 * DAY);
      const res = await postBitbucketRefresh(sim.url, tokens.refresh_token);
      expect(res.status).toBe(200);
      tokens = (await res.json()) as typeof tokens;
    }
    expect((await new BitbucketControl(sim.url).grants())[0]).toMatchObject({ revoked: false, generation: 8 });
  });
});

describe('the consent time in the state file', () => {
  const idleSocketsClosed = () => new Promise((resolve) => setTimeout(resolve, 100));

  it('survives a restart: the year still counts from the first consent', async () => {
    const file = path.join(dir, 'restart.json');
    await start({ stateFile: file });
    const tokens = await keepRefreshing(await consent(), 300);
    const consentedAt = (await control.grants())[0]?.consented_at;
    await sim.stop();
    await idleSocketsClosed();

    await start({ stateFile: file });
    expect((await control.grants())[0]?.consented_at).toBe(consentedAt);
    const next = await refreshOk(tokens);
    await control.advanceClock(65 * DAY + 1);
    await expectDead(next);
  });

  it('an older state file without consent times: its families count as consented when the file is loaded', async () => {
    const file = path.join(dir, 'v1.json');
    await start({ stateFile: file });
    const tokens = await consent();
    await control.advanceClock(50 * DAY);
    await sim.stop();
    await idleSocketsClosed();
    writeFileSync(file, JSON.stringify(asVersion1(JSON.parse(readFileSync(file, 'utf8')) as Saved)));

    await start({ stateFile: file });
    const [grant] = await control.grants();
    const sinceCreation = Date.parse(grant?.consented_at ?? '') - Date.parse(grant?.created_at ?? '');
    expect(Math.abs(sinceCreation - 50 * DAY * 1000)).toBeLessThan(60_000); // consented at load: day 50
    // A refresh at day 50 + 364 works, one at day 50 + 365 + 1 s does not.
    const last = await keepRefreshing(await refreshOk(tokens), 364);
    const next = await refreshOk(last);
    await control.advanceClock(DAY + 1);
    await expectDead(next);
  });
});

type Rows = Array<[string, Record<string, unknown>]>;
interface Saved {
  port: number;
  clockOffsetSeconds: number;
  autoConsent: boolean;
  sessions: unknown[];
  faults: unknown[];
  nextFaultNumber: number;
  providers: {
    atlassian: {
      config: Record<string, unknown>;
      counters: unknown;
      codes: Rows;
      families: { families: Rows; refreshTokens: Rows; accessTokens: Rows; nextNumber: number };
    };
  };
}

/** The same state as the simulator wrote it before the core existed (version 1, no consent times). */
function asVersion1(saved: Saved) {
  const atlassian = saved.providers.atlassian;
  const without = (row: Record<string, unknown>, name: string) => {
    const copy = { ...row };
    delete copy[name];
    return copy;
  };
  const grantId = (rows: Rows): Rows => rows.map(([key, row]) => [key, { ...without(row, 'familyId'), grantId: row.familyId }]);
  return {
    version: 1,
    port: saved.port,
    clockOffsetSeconds: saved.clockOffsetSeconds,
    config: { ...atlassian.config, autoConsent: saved.autoConsent },
    counters: atlassian.counters,
    sessions: saved.sessions,
    codes: atlassian.codes.map(([key, code]) => [key, without(code, 'redirectUriGiven')]),
    grants: atlassian.families.families.map(([key, grant]) => [key, { ...without(grant, 'consentedAt'), refreshTokens: [] }]),
    refreshTokens: grantId(atlassian.families.refreshTokens),
    accessTokens: grantId(atlassian.families.accessTokens),
    faults: saved.faults,
    nextFaultNumber: saved.nextFaultNumber,
    nextGrantNumber: atlassian.families.nextNumber,
  };
}
