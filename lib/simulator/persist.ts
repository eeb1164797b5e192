// Sandbox mode keeps the simulator's state in a file next to the database, so that a restart of `npm start`
// finds the same users' sessions, token families, clock and faults (and the same port when it is free).
// Each mounted provider saves its own part under its id. Written atomically (temp file, then rename), a moment
// after changes and at stop; never per request.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserSession, SimulatorState } from './state';
import type { ActiveFault } from './faults';

export const STATE_FILE_VERSION = 2;
const SAVE_DELAY_MS = 200;

export interface SavedState {
  version: number;
  port: number;
  clockOffsetSeconds: number;
  autoConsent: boolean;
  sessions: Array<[string, BrowserSession]>;
  faults: ActiveFault[];
  nextFaultNumber: number;
  /** Each provider's save(), by provider id. */
  providers: Record<string, unknown>;
}

/** Turns a file of an older version into the current shape (the place that composes the simulator knows how). */
export type StateFileUpgrade = (old: { version: number } & Record<string, unknown>) => SavedState | undefined;

/** The port saved with the state, if a readable state file exists. */
export function savedPort(file: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { port?: number }).port;
  } catch {
    return undefined;
  }
}

/** Loads a saved state into `state`; false when there is none (a fresh sandbox). A damaged file is an error. */
export function restoreState(state: SimulatorState, file: string, upgrade?: StateFileUpgrade): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  const raw = JSON.parse(text) as { version: number } & Record<string, unknown>;
  const saved = raw.version === STATE_FILE_VERSION ? (raw as unknown as SavedState) : upgrade?.(raw);
  if (!saved) throw new Error(`${file}: unknown sandbox state version ${raw.version}`);
  state.clock.reset();
  state.clock.advance(saved.clockOffsetSeconds);
  state.autoConsent = saved.autoConsent;
  state.sessions = new Map(saved.sessions);
  state.faults = saved.faults;
  state.nextFaultNumber = saved.nextFaultNumber;
  const now = state.clock.now();
  for (const [id, part] of state.providers()) {
    if (saved.providers[id] !== undefined) part.restore(saved.providers[id], now);
  }
  return true;
}

function writeState(state: SimulatorState, file: string, port: number): void {
  const saved: SavedState = {
    version: STATE_FILE_VERSION,
    port,
    clockOffsetSeconds: state.clock.offsetSeconds(),
    autoConsent: state.autoConsent,
    sessions: [...state.sessions],
    faults: state.faults,
    nextFaultNumber: state.nextFaultNumber,
    providers: Object.fromEntries(state.providers().map(([id, part]) => [id, part.save()])),
  };
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(saved), { mode: 0o600 });
  renameSync(tmp, file);
}

export interface StateSaver {
  /** Something changed: save soon. */
  changed(): void;
  /** Saves now if anything changed since the last save (at stop). */
  flush(): void;
}

export function stateSaver(state: SimulatorState, file: string, port: number): StateSaver {
  let dirty = false;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!dirty) return;
    dirty = false;
    writeState(state, file, port);
  };
  return {
    changed() {
      dirty = true;
      timer ??= setTimeout(flush, SAVE_DELAY_MS);
    },
    flush,
  };
}
