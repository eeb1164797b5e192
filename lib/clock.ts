// The app's "now" for token lifetimes, refresh scheduling and the health model.
// Live: the real clock. Sandbox: the bundled simulator's clock (real time plus the offset its control panel
// moved it by), so that "Advance 91 days" ages the app's view of its tokens as it ages the simulator's grants.
// Sessions, links and webhooks stay on the real clock: they are not Atlassian's to age.
import { getConfig, type Config } from './config';

export interface AppClock {
  now(): Date;
  /** Reads the simulator's offset now (sandbox); nothing in live mode. Never throws. */
  sync(): Promise<void>;
}

export interface AppClockOptions {
  /** The simulator whose clock to follow; undefined (live mode): the real clock. */
  simulatorUrl?: string;
  fetch?: typeof fetch;
  /** An offset older than this is re-read in the background on the next now(). */
  maxAgeMs?: number;
}

const realClock: AppClock = { now: () => new Date(), sync: async () => {} };

export function createAppClock(opts: AppClockOptions): AppClock {
  const url = opts.simulatorUrl;
  if (!url) return realClock;
  const maxAgeMs = opts.maxAgeMs ?? 1_000;
  let offsetMs = 0;
  let syncedAt = -Infinity;
  let inFlight: Promise<void> | undefined;

  async function read(): Promise<void> {
    try {
      const res = await (opts.fetch ?? fetch)(`${url}/_control/clock`, { cache: 'no-store', signal: AbortSignal.timeout(2_000) });
      if (!res.ok) return;
      const body = (await res.json()) as { offset_seconds?: unknown };
      if (typeof body.offset_seconds === 'number' && Number.isFinite(body.offset_seconds)) offsetMs = body.offset_seconds * 1000;
      syncedAt = Date.now();
    } catch {
      // Simulator down or restarting: keep the last offset; the next read tries again.
    }
  }

  function sync(): Promise<void> {
    inFlight ??= read().finally(() => (inFlight = undefined));
    return inFlight;
  }

  return {
    now() {
      if (Date.now() - syncedAt > maxAgeMs) void sync();
      return new Date(Date.now() + offsetMs);
    },
    sync,
  };
}

/** The clock a configuration calls for: the simulator's in sandbox mode, the real one in live mode. */
export function clockFor(config: Pick<Config, 'mode' | 'atlassian'>): AppClock {
  return createAppClock({ simulatorUrl: config.mode === 'sandbox' ? config.atlassian.authUrl : undefined });
}

// One per process, on globalThis: Next.js may bundle this module several times (routes, instrumentation).
const CLOCK_KEY = Symbol.for('reconnect.appClock');
type WithClock = typeof globalThis & { [CLOCK_KEY]?: AppClock };

export function appClock(): AppClock {
  const g = globalThis as WithClock;
  return (g[CLOCK_KEY] ??= clockFor(getConfig()));
}

/** The app's "now" (see above). */
export function now(): Date {
  return appClock().now();
}
