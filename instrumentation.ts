// Next.js calls register() once per server process: the background worker runs inside the app unless
// RECONNECT_WORKER=off (then run `npm run worker` separately). Several instances are safe (SKIP LOCKED).
// The Node.js-only work sits in lib/jobs/app-worker.ts: this file is also compiled for the Edge runtime.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startInApp } = await import('./lib/jobs/app-worker');
  startInApp();
}
