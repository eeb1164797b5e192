import { getConfig } from '../config';
import { getSql } from '../db';
import { metrics } from '../metrics';
import { getTokenEngine } from '../tokens';
import { cleanupTask, deliveryTask, refreshTask } from './tasks';
import { startWorker, type RunningWorker } from './worker';

/** The background worker on the app's own pools: inside `npm start` or alone as `npm run worker`. */
export function startAppWorker(log: (m: string) => void = (m) => console.log(`[worker] ${m}`)): RunningWorker {
  const sql = getSql();
  const config = getConfig();
  const delivery = deliveryTask(sql, {
    keys: config.encryptionKeys,
    allowPrivate: config.webhookAllowPrivate,
    onAttempt: (outcome) => metrics().deliveries.inc({ outcome }),
  });
  return startWorker([refreshTask(getTokenEngine()), delivery, cleanupTask(sql)], log);
}

/**
 * Graceful stop: no new token call starts, those under way commit their rotated tokens, then the worker's
 * other rounds finish. (Atlassian rotates on receipt: exiting mid-refresh would lose the new token.)
 */
export async function stopGracefully(worker: RunningWorker | undefined): Promise<void> {
  await getTokenEngine().drain();
  await worker?.stop();
}
