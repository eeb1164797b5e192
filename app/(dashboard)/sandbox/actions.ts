'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { validatedActionWithUser, type ActionState } from '@/lib/actions/validated';
import { getDb } from '@/lib/db';
import { advanceSandboxClock } from '@/lib/sandbox/clock';
import { normalizeEmail } from '@/lib/users';
import { drain } from '@/lib/jobs/worker';
import { getTokenEngine } from '@/lib/tokens';
import type { FaultInput } from '@/lib/providers/atlassian/simulator/client';
import { isSandbox, simulator, simulatorProblem } from './simulator';
import { BUILT_IN_PROVIDER_IDS, providerName } from '@/lib/providers/registry';

type Action = (prev: ActionState, formData: FormData) => Promise<ActionState>;

const LIVE_REFUSAL: ActionState = { error: 'The sandbox controls work only in sandbox mode.' };

/** Refuses before anything else in live mode: these actions drive the simulator and nothing real. */
function sandboxOnly(action: Action): Action {
  return async (prev, formData) => (isSandbox() ? action(prev, formData) : LIVE_REFUSAL);
}

async function run(fn: () => Promise<string>): Promise<ActionState> {
  try {
    const message = await fn();
    revalidatePath('/sandbox');
    revalidatePath('/');
    return { ok: true, message };
  } catch (err) {
    return { error: simulatorProblem(err) };
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const USER_EVENTS = ['revoke', 'password', 'scopes-changed'] as const;

export const userEventAction = sandboxOnly(
  validatedActionWithUser(
    z.object({
      email: z.email('Choose a simulator user.'),
      event: z.enum(USER_EVENTS, 'Choose what happens to the user.'),
    }),
    async ({ email, event }, user) => {
      // A user drives the simulator for their own Atlassian account only; admins for everyone's.
      if (user.role !== 'admin' && normalizeEmail(email) !== user.email) {
        return { error: 'You can only do this for your own Atlassian account. An admin can do it for anyone.' };
      }
      return run(async () => {
        const sim = simulator();
        if (event === 'revoke') {
          const { revoked_grants } = await sim.revokeApp(email);
          return `${email} revoked Reconnect's access in Atlassian (${plural(revoked_grants, 'grant')} now dead). Atlassian sends no notice: Reconnect finds out on its next refresh or API call — press Test connection to see it now.`;
        }
        if (event === 'password') {
          const { revoked_grants } = await sim.changePassword(email);
          return `${email} changed their Atlassian password: ${plural(revoked_grants, 'grant')} revoked and their Atlassian sessions ended.`;
        }
        const { revoked_grants } = await sim.changeScopes(email);
        return `The app's scopes changed for ${email} (${plural(revoked_grants, 'grant')}): API calls now answer 401 "scope does not match" until the user consents again.`;
      });
    },
  ),
);

const days = z.coerce
  .number('Enter a number of days.')
  .int('Enter a whole number of days.')
  .min(1, 'Advance by at least 1 day.')
  .max(3650, 'Advance by at most 3650 days.');

export const advanceClockAction = sandboxOnly(
  validatedActionWithUser(z.object({ days }), async ({ days }) =>
    run(async () => {
      // The simulator's grants and the app's connections age alike; the app's own clock stays the real one.
      const clock = await advanceSandboxClock(getDb(), simulator(), days * 86_400);
      return `The simulator clock moved ${plural(days, 'day')} ahead; it now reads ${clock.now.slice(0, 10)}. Every connection and its timeline is ${plural(days, 'day')} older.`;
    }),
  ),
);

// Longer than an unused refresh token lives (90 days) only in steps the worker's keep-alive (every 60 days) covers.
const KEEPALIVE_STEP_DAYS = 80;

/** Moves the clock in keep-alive steps, running the refreshes the worker would have run on the way. */
async function advanceKeepingAlive(days: number): Promise<string> {
  let clock = await simulator().clock();
  for (let done = 0; done < days; ) {
    const step = Math.min(KEEPALIVE_STEP_DAYS, days - done);
    clock = await advanceSandboxClock(getDb(), simulator(), step * 86_400);
    await drain(() => getTokenEngine().refreshNextDue(), 2, 10_000);
    done += step;
  }
  return clock.now.slice(0, 10);
}

/**
 * A year in the life of a connection: 340 days shows the renewal window (Renew soon, the mail, the webhook),
 * 366 days the end of the consent's year (keep-alive cannot prevent it; the next refresh says so).
 */
export const advanceYearAction = sandboxOnly(
  validatedActionWithUser(z.object({ days: z.coerce.number().pipe(z.union([z.literal(340), z.literal(366)], 'Choose 340 or 366 days.')) }), async ({ days }) =>
    run(async () => {
      const date = await advanceKeepingAlive(days);
      const what =
        days === 340
          ? 'Jira and Confluence connections are inside their renewal window: "Renew soon" on their cards, and their owners get a Renew mail within a minute.'
          : 'Atlassian ends every family a year after its consent, so the next refresh is refused: press Test connection to see it now.';
      return `The simulator clock moved ${days} days ahead, with keep-alive refreshes on the way; it now reads ${date}. ${what}`;
    }),
  ),
);

const FAULT_KINDS = ['server_error', 'timeout', 'rate_limit', 'drop_after_rotate', 'invalid_client'] as const;

const optionalInt = (label: string, min: number) =>
  z.preprocess(
    (v) => (v === '' || v === undefined || v === null ? undefined : v),
    z.coerce.number(`${label} must be a number.`).int(`${label} must be a whole number.`).min(min, `${label} must be at least ${min}.`).max(100_000, `${label} is too large.`).optional(),
  );

const FAULT_DESCRIPTION: Record<(typeof FAULT_KINDS)[number], string> = {
  server_error: 'answers 500',
  timeout: 'never answers (timeouts)',
  rate_limit: 'answers 429 with Retry-After',
  drop_after_rotate: 'rotates the token, then drops the connection before answering',
  invalid_client: 'rejects the app credentials (invalid_client)',
};

export const injectFaultAction = sandboxOnly(
  validatedActionWithUser(
    z.object({
      kind: z.enum(FAULT_KINDS, 'Choose a failure to inject.'),
      target: z.enum(['token', 'api', 'all'], 'Choose where the failure happens.').default('token'),
      provider: z.enum(['all', ...BUILT_IN_PROVIDER_IDS], 'Choose which provider fails.').default('all'),
      count: optionalInt('The number of requests', 1),
      retryAfter: optionalInt('Retry-After', 0),
    }),
    async ({ kind, target, count, retryAfter, provider: which }) =>
      run(async () => {
        // drop-after-rotate and invalid_client exist only on the token endpoint.
        const tokenOnly = kind === 'drop_after_rotate' || kind === 'invalid_client';
        const where = tokenOnly ? 'token' : target;
        const fault: FaultInput =
          kind === 'server_error'
            ? { kind: 'status', status: 500, target: where, count }
            : kind === 'timeout'
              ? { kind: 'timeout', target: where, count }
              : kind === 'rate_limit'
                ? { kind: 'rate_limit', retry_after_seconds: retryAfter ?? 30, target: where, count }
                : { kind, target: where === 'api' ? 'token' : where, count };
        const provider = which === 'all' ? undefined : which;
        await simulator().addFault({ ...fault, provider });
        const only = which === 'all' ? '' : ` (${providerName(which)} only)`;
        const place = where === 'token' ? `The token endpoint${only}` : where === 'api' ? `The API${only}` : `Atlassian and Bitbucket (token endpoint and API)${only}`;
        const retry = kind === 'rate_limit' ? ` (Retry-After: ${retryAfter ?? 30} s)` : '';
        const span = count ? `for the next ${plural(count, 'request')}` : 'until you clear failures';
        return `${place} ${FAULT_DESCRIPTION[kind]}${retry} ${span}.`;
      }),
  ),
);

export const clearFaultsAction = sandboxOnly(
  validatedActionWithUser(z.object({}), async () =>
    run(async () => {
      const { cleared } = await simulator().clearFaults();
      return cleared === 0 ? 'No failures were active.' : `Cleared ${plural(cleared, 'failure')}: Atlassian answers normally again.`;
    }),
  ),
);
