import { getConfig } from '../config';
import { getDb } from '../db';
import { createLogger } from '../log';
import { metrics } from '../metrics';
import { getTokenEngine } from '../tokens';
import { smtpSender, smtpTransport } from '../notifications/mailer';
import { cleanupTask, deliveryTask, notificationTask, refreshTask } from './tasks';
import { registerAppStop } from './app-stop';
import { renewalTask } from './renewal';
import { startWorker, type RunningWorker, type WorkerLog } from './worker';

/** The background worker on the app's own pools: inside `npm start` or alone as `npm run worker`. */
export function startAppWorker(log: WorkerLog = createLogger('worker')): RunningWorker {
  const db = getDb();
  const config = getConfig();
  const delivery = deliveryTask(db, {
    keys: config.encryptionKeys,
    allowPrivate: config.webhookAllowPrivate,
    onAttempt: (outcome) => metrics().deliveries.inc({ outcome }),
  });
  const tasks = [
    refreshTask(getTokenEngine()),
    renewalTask({ db, appUrl: config.appUrl, warningDays: config.renewWarningDays, now: () => new Date() }),
    delivery,
    cleanupTask(db),
  ];
  // No SMTP_URL (live mode): notifications are off; the admin page says so. Sandbox: npm start's mail catcher.
  if (config.smtpUrl) {
    tasks.push(
      notificationTask({
        db,
        send: smtpSender(smtpTransport(config.smtpUrl)),
        from: config.emailFrom,
        appUrl: config.appUrl,
        secret: config.authSecret,
        degradedAfterHours: config.notifyDegradedAfterHours,
        onOutcome: (outcome) => metrics().notifications.inc({ outcome }),
      }),
    );
  }
  return startWorker(tasks, log);
}

/**
 * Graceful stop: no new token call starts, those under way commit their rotated tokens, then the worker's
 * other rounds finish. (Atlassian rotates on receipt: exiting mid-refresh would lose the new token.)
 */
export async function stopGracefully(worker: RunningWorker | undefined): Promise<void> {
  await getTokenEngine().drain();
  await worker?.stop();
}

/**
 * The worker inside the app (instrumentation.ts). `npm start` (cli/server.ts) owns the signals and calls the
 * stop registered here; under a bare `next start`, NEXT_MANUAL_SIG_HANDLE makes the app handle SIGTERM/SIGINT
 * itself. Either way refreshes under way commit before the process exits.
 */
export function startInApp(): void {
  const settings = getConfig().worker;
  const worker = settings.inApp ? startAppWorker() : undefined;
  registerAppStop(() => stopGracefully(worker));
  if (!settings.handlesSignals) return;
  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    process.once(signal, () => void stopGracefully(worker).finally(() => process.exit(code)));
  }
}
