// The renewal window scan: a live connection whose family ends within RENEW_WARNING_DAYS gets, once per family,
// a `connection.expiring` transition (webhook + the owner's Renew mail) in the same transaction as the
// marker that says it was warned. Workers racing skip each other's rows (SKIP LOCKED) and re-check the marker.
import { and, asc, eq, inArray, isNull, lte } from 'drizzle-orm';
import type { Executor } from '../db';
import { connections } from '../db/schema';
import { windowOpensAt } from '../connections/renewal';
import { recordTransition } from '../connections/transitions';
import type { WorkerTask } from './worker';

export interface RenewalScanOptions {
  db: Executor;
  appUrl: string;
  warningDays: number;
  /** The clock (tests move it; the app's is the real one, like every stored time's). */
  now: () => Date;
  batch?: number;
}

const DAY_MS = 86_400_000;

/** Records the transition for every connection that entered its window; returns how many. */
export async function recordEnteredWindows(opts: RenewalScanOptions): Promise<number> {
  let total = 0;
  for (;;) {
    const handled = await warnBatch(opts);
    total += handled;
    if (handled < (opts.batch ?? 50)) return total;
  }
}

async function warnBatch(opts: RenewalScanOptions): Promise<number> {
  const at = opts.now();
  const horizon = new Date(at.getTime() + opts.warningDays * DAY_MS);
  return opts.db.transaction(async (tx) => {
    const due = await tx
      .select({ id: connections.id, renewBy: connections.renewBy })
      .from(connections)
      .where(and(isNull(connections.renewWarnedAt), inArray(connections.status, ['active', 'degraded']), lte(connections.renewBy, horizon)))
      .orderBy(asc(connections.renewBy))
      .limit(opts.batch ?? 50)
      .for('update', { skipLocked: true });
    // The transition is dated by the wall clock even when a test moves `now`: no stored event time is ever ahead of it.
    const sentAt = new Date();
    for (const row of due) {
      await tx.update(connections).set({ renewWarnedAt: at }).where(eq(connections.id, row.id));
      const data = { renew_by: row.renewBy!.toISOString(), window_opened_at: windowOpensAt(row.renewBy!, opts.warningDays).toISOString() };
      await recordTransition(tx, { type: 'expiring', connectionId: row.id, appUrl: opts.appUrl, at: sentAt, event: { data } });
    }
    return due.length;
  });
}

/** Notices a connection entering its renewal window within a minute (every 30 s; one indexed query when none did). */
export function renewalTask(opts: RenewalScanOptions, everyMs = 30_000): WorkerTask {
  return {
    name: 'renewal',
    everyMs,
    async run() {
      return recordEnteredWindows(opts);
    },
  };
}
