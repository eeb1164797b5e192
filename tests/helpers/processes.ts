import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface CallerProcess {
  child: ChildProcessWithoutNullStreams;
  send(line: string): void;
  nextLine(): Promise<string>;
}

/** Starts tests/fixtures/token-caller.ts as its own OS process and waits until it is ready. */
export async function startCaller(env: Record<string, string>): Promise<CallerProcess> {
  // node --import tsx (not the tsx wrapper) so that a signal reaches the process doing the work.
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/token-caller.ts'], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const pending: string[] = [];
  const waiters: Array<(line: string) => void> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const waiter = waiters.shift();
    if (waiter) waiter(line);
    else pending.push(line);
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const caller: CallerProcess = {
    child,
    send: (line) => child.stdin.write(`${line}\n`),
    nextLine: () =>
      new Promise((resolve, reject) => {
        const early = pending.shift();
        if (early !== undefined) return resolve(early);
        waiters.push(resolve);
        child.once('exit', (code) => reject(new Error(`caller exited (${code}): ${stderr}`)));
      }),
  };
  const ready = await caller.nextLine();
  if (ready !== 'ready') throw new Error(`caller did not start: ${ready} ${stderr}`);
  return caller;
}
