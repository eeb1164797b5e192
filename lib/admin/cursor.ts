// Keyset cursors: the sort keys of one row (as Postgres prints them, so no precision is lost) and its
// id, with the sort they belong to. Opaque base64url in the URL; a cursor that does not fit the
// current sort is ignored (first page), never an error.
import type { SortDirection, SortName } from './params';
import { validKeyValues } from './sorts';

export interface Cursor {
  sort: SortName;
  dir: SortDirection;
  /** The sort keys' text forms, then the row's id. */
  values: string[];
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.dir, ...cursor.values]), 'utf8').toString('base64url');
}

export function decodeCursor(raw: string | undefined, sort: SortName, dir: SortDirection): Cursor | undefined {
  if (!raw) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed[0] !== sort || parsed[1] !== dir) return undefined;
    const values = parsed.slice(2);
    return validKeyValues(sort, values) ? { sort, dir, values } : undefined;
  } catch {
    return undefined;
  }
}
