import { lt, sql } from 'drizzle-orm';
import type { Executor } from '../db';
import { connectSessions, oauthStates, rateLimits } from '../db/schema';
import { deleteExpiredSessions } from '../auth/sessions';
import type { TokenEngine } from '../tokens/engine';
import { enqueueDueDigests } from '../notifications/digest';
import { sendDueNotifications, type NotifyOptions } from '../notifications/send';
import { deliverDueWebhooks, type DeliverOptions } from '../webhooks/deliver';
import { drain, type WorkerTask } from './worker';

/**
 * Proactive refresh (tokens expiring within the margin), keep-alive of idle grants, and retries of degraded ones.
 * Ticks every second so that a retry runs when it is due (a Retry-After of 10 s means 10 s, not the next slow
 * tick); a tick with nothing due is one indexed query.
 */
export const REFRESH_TICK_MS = 1_000;

export function refreshTask(
  engine: TokenEngine,
  opts: { concurrency?: number; everyMs?: number } = {},
): WorkerTask {
  return {
    name: 'refresh',
    everyMs: opts.everyMs ?? REFRESH_TICK_MS,
    async run() {
      return drain(() => engine.refreshNextDue(), opts.concurrency ?? 4, 1_000);
    },
  };
}

/** Expired OAuth states, sign-in tickets, connect sessions and rate-limit windows are deleted a day after they end. */
const dayAgo = sql`now() - interval '1 day'`;

export function cleanupTask(db: Executor): WorkerTask {
  return {
    name: 'cleanup',
    everyMs: 10 * 60_000,
    async run() {
      const states = await db.delete(oauthStates).where(lt(oauthStates.expiresAt, dayAgo));
      const signins = await deleteExpiredSessions(db);
      const sessions = await db.delete(connectSessions).where(lt(connectSessions.expiresAt, dayAgo));
      const windows = await db.delete(rateLimits).where(lt(rateLimits.windowStart, dayAgo));
      return states.count + signins + sessions.count + windows.count;
    },
  };
}

/** Sends due webhook deliveries (outbox rows), in order per connection, at least once; a backlog is worked off in one round. */
export function deliveryTask(db: Executor, opts: DeliverOptions, everyMs = 1_000): WorkerTask {
  return {
    name: 'webhooks',
    everyMs,
    async run() {
      let total = 0;
      for (let calls = 0; calls < 50; calls++) {
        const { attempted } = await deliverDueWebhooks(db, opts);
        total += attempted;
        if (attempted === 0) break;
      }
      return total;
    },
  };
}

/**
 * Queues the admins' daily digests when something is broken or due for renewal, then sends due notification
 * mails.
 */
export function notificationTask(opts: NotifyOptions, everyMs = 2_000): WorkerTask {
  return {
    name: 'notifications',
    everyMs,
    async run() {
      const at = (opts.now ?? (() => new Date()))();
      await enqueueDueDigests(opts.db, at);
      const { attempted } = await sendDueNotifications(opts);
      return attempted;
    },
  };
}
