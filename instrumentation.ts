// Next.js calls register() once per server process: the background worker runs inside the app unless
// RECONNECT_WORKER=off (then run `npm run worker` separately). Several instances are safe (SKIP LOCKED).
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs' || process.env.RECONNECT_WORKER === 'off') return;
  const { startAppWorker } = await import('./lib/jobs/app-worker');
  const worker = startAppWorker();
  process.once('SIGTERM', () => void worker.stop());
}
