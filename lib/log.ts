// The one logger of Reconnect (start, worker, app): human lines by default, one JSON object per line (pino)
// when LOG_FORMAT=json. Level from LOG_LEVEL (default info; the worker's per-round lines are debug).
// Never pass a token or secret, in the message or in the fields: neither format can tell one from text.
import pino, { type Logger as PinoLogger } from 'pino';
import { LOG_LEVELS, logSettings, type LogLevel } from './config';

export type { LogLevel };
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const RANK: Record<LogLevel, number> = { debug: 20, info: 30, warn: 40, error: 50 };

export interface LogOptions {
  format?: string;
  level?: string;
  /** Where lines go (tests); default stdout, and stderr for warn/error in the human format. */
  write?: (line: string) => void;
}

function levelOf(raw: string | undefined): LogLevel {
  return LOG_LEVELS.find((l) => l === raw) ?? 'info';
}

// Field values that could carry escape sequences are printed as JSON strings.
function humanLine(component: string, level: LogLevel, message: string, fields: LogFields = {}): string {
  const extras = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' && !/^[\w.:/@-]*$/.test(v) ? JSON.stringify(v) : String(v)}`);
  const prefix = level === 'info' ? `[${component}]` : `[${component}] ${level}:`;
  return [prefix, message, ...extras].join(' ');
}

let root: PinoLogger | undefined;

function jsonLogger(level: LogLevel, write?: (line: string) => void): PinoLogger {
  const options = { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label: string) => ({ level: label }) } };
  if (write) return pino(options, { write: (line: string) => write(line.trimEnd()) });
  // Synchronous, so that the last lines before process.exit() are not lost.
  root ??= pino(options, pino.destination({ dest: 1, sync: true }));
  return root;
}

/** A logger for one component ("reconnect", "worker", "simulator"…), reading LOG_FORMAT/LOG_LEVEL when created. */
export function createLogger(component: string, opts: LogOptions = {}): Logger {
  const settings = logSettings();
  const format = opts.format ?? settings.format;
  const level = opts.level === undefined ? settings.level : levelOf(opts.level);
  if (format === 'json') {
    const log = jsonLogger(level, opts.write).child({ component });
    log.level = level;
    return {
      debug: (m, f) => log.debug(f ?? {}, m),
      info: (m, f) => log.info(f ?? {}, m),
      warn: (m, f) => log.warn(f ?? {}, m),
      error: (m, f) => log.error(f ?? {}, m),
    };
  }
  const emit = (at: LogLevel) => (message: string, fields?: LogFields) => {
    if (RANK[at] < RANK[level]) return;
    const line = humanLine(component, at, message, fields);
    if (opts.write) opts.write(line);
    else if (RANK[at] >= RANK.warn) process.stderr.write(`${line}\n`);
    else process.stdout.write(`${line}\n`);
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}
