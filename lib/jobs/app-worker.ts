import { getSql } from '../db';
import { getTokenEngine } from '../tokens';
import { cleanupTask, refreshTask } from './tasks';
import { startWorker, type RunningWorker } from './worker';

/** The background worker on the app's own pools: inside `npm start` or alone as `npm run worker`. */
export function startAppWorker(log: (m: string) => void = (m) => console.log(`[worker] ${m}`)): RunningWorker {
  const sql = getSql();
  return startWorker([refreshTask(getTokenEngine()), cleanupTask(sql)], log);
}
