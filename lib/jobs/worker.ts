import { errorMessage } from '../db';
export interface WorkerTask {
  name: string;
  everyMs: number;
  /** Does one round of work; returns how many items it handled. */
  run(): Promise<number>;
}

export interface RunningWorker {
  stop(): Promise<void>;
}

/** Where the worker reports: each round's work at debug level (off by default), failures as warnings. */
export interface WorkerLog {
  debug(message: string): void;
  warn(message: string): void;
}

const silent: WorkerLog = { debug: () => {}, warn: () => {} };

// Each task runs on its own timer; a round never overlaps the previous one of the same task.
export function startWorker(tasks: WorkerTask[], log: WorkerLog = silent): RunningWorker {
  let stopped = false;
  const rounds = new Set<Promise<void>>();
  const timers = tasks.map((task) => {
    let busy = false;
    const tick = () => {
      if (busy || stopped) return;
      busy = true;
      const round = task
        .run()
        .then((n) => {
          if (n > 0) log.debug(`${task.name}: ${n}`);
        })
        .catch((err: unknown) => log.warn(`${task.name} failed: ${errorMessage(err)}`))
        .finally(() => {
          busy = false;
          rounds.delete(round);
        });
      rounds.add(round);
    };
    setImmediate(tick);
    return setInterval(tick, task.everyMs);
  });
  return {
    async stop() {
      stopped = true;
      timers.forEach(clearInterval);
      await Promise.allSettled([...rounds]);
    },
  };
}

/** Runs `step` from `concurrency` loops until it reports no more work or `max` items were handled. */
export async function drain(step: () => Promise<unknown | undefined>, concurrency: number, max: number): Promise<number> {
  let handled = 0;
  const loop = async () => {
    while (handled < max) {
      const item = await step();
      if (item === undefined) return;
      handled++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return handled;
}
