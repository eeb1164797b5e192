// Next.js calls register() once per server process: the background worker runs inside the app unless
// RECONNECT_WORKER=off (then run `npm run worker` separately). Several instances are safe (SKIP LOCKED).
// `npm start` sets NEXT_MANUAL_SIG_HANDLE so that on SIGTERM/SIGINT refreshes under way commit before exit.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startAppWorker, stopGracefully } = await import('./lib/jobs/app-worker');
  const worker = process.env.RECONNECT_WORKER === 'off' ? undefined : startAppWorker();
  if (!process.env.NEXT_MANUAL_SIG_HANDLE) return;
  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    process.once(signal, () => void stopGracefully(worker).finally(() => process.exit(code)));
  }
}
