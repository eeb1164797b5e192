// The sorts of the admin list. Each is a list of key expressions, always followed by `c.id` so that
// the order is total and a keyset cursor names one exact position. Each key list matches an index
// (lib/db/schema.ts), so that every page, however deep, is one short index range scan.
import { sql, type SQL } from 'drizzle-orm';
import { connections, STATUS_RANK_CASES, users } from '../db/schema';
import type { SortName } from './params';
import { UUID_PATTERN } from '../ids';

export type KeyType = 'timestamptz' | 'int' | 'text';

export interface SortKey {
  /** An expression over `connections join users`; written exactly like the index expression. */
  expr: SQL;
  type: KeyType;
}

export const SORT_KEYS: Record<SortName, SortKey[]> = {
  // connections_updated_idx (updated_at, id)
  updated: [{ expr: sql`${connections.updatedAt}`, type: 'timestamptz' }],
  // connections_created_idx (created_at, id)
  created: [{ expr: sql`${connections.createdAt}`, type: 'timestamptz' }],
  // connections_last_refreshed_idx: never refreshed sorts as the oldest
  refreshed: [{ expr: sql`coalesce(${connections.lastRefreshedAt}, '-infinity'::timestamptz)`, type: 'timestamptz' }],
  // connections_status_rank_idx (rank, updated_at, id): worst first, then most recently changed
  status: [
    { expr: sql`(case ${connections.status} ${sql.raw(STATUS_RANK_CASES)} end)`, type: 'int' },
    { expr: sql`${connections.updatedAt}`, type: 'timestamptz' },
  ],
  // users_email_key, then each owner's connections by id (connections_user_idx)
  owner: [{ expr: sql`${users.email}`, type: 'text' }],
  // connections_renew_by_idx: connections without an end date (Bitbucket) sort last
  renew_by: [{ expr: sql`coalesce(${connections.renewBy}, 'infinity'::timestamptz)`, type: 'timestamptz' }],
};

/** The sort whose index (connections_updated_idx) includes every column a row test reads: a walk along it reads the index alone. */
export const COVERED_SORT: SortName = 'updated';

const VALUE_PATTERN: Record<KeyType | 'uuid', RegExp> = {
  timestamptz: /^(-?infinity|\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)?)$/,
  int: /^-?\d{1,9}$/,
  text: /^[^\0]{0,320}$/,
  uuid: UUID_PATTERN,
};

/**
 * Whether a timestamp that fits the pattern names a real time Postgres accepts: 2024-99-99 or
 * 2024-02-30 fit the pattern, and would fail the query.
 */
function possibleTimestamp(text: string): boolean {
  if (/^-?infinity$/.test(text)) return true;
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:([+-])(\d{2}):?(\d{2})?|Z)?$/.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second, , offsetHours, offsetMinutes] = m.slice(1).map(Number) as number[];
  const date = new Date(Date.UTC(year!, month! - 1, day!));
  date.setUTCFullYear(year!); // years below 100 are not shifted to the 1900s
  const realDay = date.getUTCFullYear() === year && date.getUTCMonth() === month! - 1 && date.getUTCDate() === day;
  return year! >= 1 && realDay && hour! <= 23 && minute! <= 59 && second! <= 59 && (offsetHours || 0) <= 15 && (offsetMinutes || 0) <= 59;
}

/** Whether `values` (the keys' text forms, then the id) can be cast back to the sort's key types. */
export function validKeyValues(sort: SortName, values: unknown[]): values is string[] {
  const types = [...SORT_KEYS[sort].map((k) => k.type), 'uuid' as const];
  return (
    values.length === types.length &&
    values.every((v, i) => typeof v === 'string' && VALUE_PATTERN[types[i]!].test(v) && (types[i] !== 'timestamptz' || possibleTimestamp(v)))
  );
}
