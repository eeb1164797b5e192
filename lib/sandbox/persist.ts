// Sandbox mode keeps the simulator's state in a file next to the database, so that a restart of `npm start`
// finds the same users' grants, token families, clock and faults (and the same port when it is free).
// Written atomically (temp file, then rename), a moment after changes and at stop; never per request.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BitbucketState } from './bitbucket/state';
import type { SimState } from './state';

const VERSION = 1;
const SAVE_DELAY_MS = 200;

interface SavedState {
  version: number;
  port: number;
  clockOffsetSeconds: number;
  config: SimState['config'];
  counters: SimState['counters'];
  sessions: Array<[string, ReturnType<SimState['sessions']['get']> & object]>;
  codes: Array<[string, ReturnType<SimState['codes']['get']> & object]>;
  grants: Array<[string, ReturnType<SimState['grants']['get']> & object]>;
  refreshTokens: Array<[string, ReturnType<SimState['refreshTokens']['get']> & object]>;
  accessTokens: Array<[string, ReturnType<SimState['accessTokens']['get']> & object]>;
  faults: SimState['faults'];
  nextFaultNumber: number;
  nextGrantNumber: number;
  /** The Bitbucket side (absent in files written before it existed). */
  bitbucket?: SavedBitbucket;
}

interface SavedBitbucket {
  config: BitbucketState['config'];
  counters: BitbucketState['counters'];
  codes: Array<[string, ReturnType<BitbucketState['codes']['get']> & object]>;
  families: Array<[string, ReturnType<BitbucketState['families']['get']> & object]>;
  refreshTokens: Array<[string, ReturnType<BitbucketState['refreshTokens']['get']> & object]>;
  accessTokens: Array<[string, ReturnType<BitbucketState['accessTokens']['get']> & object]>;
  nextFamilyNumber: number;
}

/** The port saved with the state, if a readable state file exists. */
export function savedPort(file: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as SavedState).port;
  } catch {
    return undefined;
  }
}

/** Loads a saved state into `state`; false when there is none (a fresh sandbox). A damaged file is an error. */
export function restoreState(state: SimState, file: string): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  const saved = JSON.parse(text) as SavedState;
  if (saved.version !== VERSION) throw new Error(`${file}: unknown sandbox state version ${saved.version}`);
  state.clock.reset();
  state.clock.advance(saved.clockOffsetSeconds);
  state.config = saved.config;
  state.counters = saved.counters;
  state.sessions = new Map(saved.sessions);
  state.codes = new Map(saved.codes);
  state.grants = new Map(saved.grants);
  state.refreshTokens = new Map(saved.refreshTokens);
  state.accessTokens = new Map(saved.accessTokens);
  state.faults = saved.faults;
  state.nextFaultNumber = saved.nextFaultNumber;
  state.nextGrantNumber = saved.nextGrantNumber;
  if (saved.bitbucket) {
    const bb = state.bitbucket;
    bb.config = saved.bitbucket.config;
    bb.counters = saved.bitbucket.counters;
    bb.codes = new Map(saved.bitbucket.codes);
    bb.families = new Map(saved.bitbucket.families);
    bb.refreshTokens = new Map(saved.bitbucket.refreshTokens);
    bb.accessTokens = new Map(saved.bitbucket.accessTokens);
    bb.nextFamilyNumber = saved.bitbucket.nextFamilyNumber;
  }
  return true;
}

function writeState(state: SimState, file: string, port: number): void {
  const saved: SavedState = {
    version: VERSION,
    port,
    clockOffsetSeconds: state.clock.offsetSeconds(),
    config: state.config,
    counters: state.counters,
    sessions: [...state.sessions],
    codes: [...state.codes],
    grants: [...state.grants],
    refreshTokens: [...state.refreshTokens],
    accessTokens: [...state.accessTokens],
    faults: state.faults,
    nextFaultNumber: state.nextFaultNumber,
    nextGrantNumber: state.nextGrantNumber,
    bitbucket: {
      config: state.bitbucket.config,
      counters: state.bitbucket.counters,
      codes: [...state.bitbucket.codes],
      families: [...state.bitbucket.families],
      refreshTokens: [...state.bitbucket.refreshTokens],
      accessTokens: [...state.bitbucket.accessTokens],
      nextFamilyNumber: state.bitbucket.nextFamilyNumber,
    },
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

export function stateSaver(state: SimState, file: string, port: number): StateSaver {
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
