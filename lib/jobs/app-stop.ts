// Next.js bundles instrumentation.ts apart from the routes, and `npm start`'s server (cli/server.ts) lives
// outside the bundle: a symbol on globalThis is how that server reaches the app's graceful stop.
const APP_STOP_KEY = Symbol.for('reconnect.app.stop');
type WithAppStop = typeof globalThis & { [APP_STOP_KEY]?: () => Promise<void> };

/** Called by instrumentation.ts with the app's graceful stop (drain the token engine, stop the worker). */
export function registerAppStop(stop: () => Promise<void>): void {
  (globalThis as WithAppStop)[APP_STOP_KEY] = stop;
}

/** Runs the graceful stop registered by the app in this process (nothing when the app never started). */
export function stopApp(): Promise<void> {
  return (globalThis as WithAppStop)[APP_STOP_KEY]?.() ?? Promise.resolve();
}
