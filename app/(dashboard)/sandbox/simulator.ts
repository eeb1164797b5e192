// Server-side access to the bundled simulator's control API (sandbox mode only), for the panel and its actions.
import { getConfig } from '@/lib/config';
import type { ActiveFault } from '@/lib/simulator/faults';
import { BitbucketControl } from '@/lib/providers/bitbucket/simulator/client';
import { SimulatorControl, type Counters, type GrantView } from '@/lib/providers/atlassian/simulator/client';

export interface SimUser {
  email: string;
  name: string;
  role: string;
}

export function isSandbox(): boolean {
  return getConfig().mode === 'sandbox';
}

export function simulatorUrl(): string {
  return getConfig().atlassian.authUrl;
}

export function simulator(): SimulatorControl {
  return new SimulatorControl(simulatorUrl());
}

/** The simulated Bitbucket, served by the same simulator (sandbox mode points both products at it). */
export function bitbucketSimulator(): BitbucketControl {
  return new BitbucketControl(getConfig().bitbucket.authUrl);
}

async function listUsers(): Promise<SimUser[]> {
  const res = await fetch(`${simulatorUrl()}/_control/users`, { cache: 'no-store' });
  if (!res.ok) throw new Error(`simulator control GET /users → ${res.status}`);
  return (await res.json()) as SimUser[];
}

export interface SimSnapshot {
  reachable: boolean;
  users: SimUser[];
  grants: GrantView[];
  counters: Counters | null;
  faults: ActiveFault[];
  clock: { now: string; offset_seconds: number } | null;
  bitbucketGrants: GrantView[];
  bitbucketCounters: Counters | null;
}

/** Everything the panel shows, read in parallel; an unreachable simulator gives an empty snapshot. */
export async function readSnapshot(): Promise<SimSnapshot> {
  const sim = simulator();
  const bb = bitbucketSimulator();
  const [users, grants, counters, faults, clock, bitbucketGrants, bitbucketCounters] = await Promise.allSettled([
    listUsers(),
    sim.grants(),
    sim.counters(),
    sim.faults() as Promise<ActiveFault[]>,
    sim.clock(),
    bb.grants(),
    bb.counters(),
  ]);
  return {
    reachable: [users, grants, counters, faults, clock].every((r) => r.status === 'fulfilled'),
    users: value(users, []),
    grants: value(grants, []),
    counters: value(counters, null),
    faults: value(faults, []),
    clock: value(clock, null),
    bitbucketGrants: value(bitbucketGrants, []),
    bitbucketCounters: value(bitbucketCounters, null),
  };
}

function value<T>(result: PromiseSettledResult<T>, fallback: T): T {
  return result.status === 'fulfilled' ? result.value : fallback;
}

/** A plain sentence for a failed control call, never the raw stack. */
export function simulatorProblem(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const status = / → (\d{3}):/.exec(text)?.[1];
  if (status === '404') return 'The simulator does not know that user.';
  if (status) return `The simulator refused the request (it answered ${status}).`;
  return `The simulator did not answer at ${simulatorUrl()}. Is it running?`;
}
