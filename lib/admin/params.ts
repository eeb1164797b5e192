// The admin dashboard's URL: every filter, the sort and the page position are search params, so that
// a view can be bookmarked and shared. Unknown or malformed values are ignored, never an error.
import { CONNECTION_STATUSES, PRODUCTS, type ConnectionStatus } from '../db/schema';
import { queryText } from '../input';

export const SORT_NAMES = ['updated', 'created', 'refreshed', 'status', 'owner', 'renew_by'] as const;
export type SortName = (typeof SORT_NAMES)[number];
export type SortDirection = 'asc' | 'desc';
export type Product = (typeof PRODUCTS)[number];

export const DEFAULT_SORT: SortName = 'updated';

/** The direction each sort starts with: newest first, worst first, owners A→Z. */
export const DEFAULT_DIRECTION: Record<SortName, SortDirection> = {
  updated: 'desc',
  created: 'desc',
  refreshed: 'desc',
  status: 'desc',
  owner: 'asc',
  renew_by: 'asc',
};

export interface AdminQuery {
  status?: ConnectionStatus;
  product?: Product;
  /** Part of the owner's (dashboard user's) email. */
  owner?: string;
  /** A cloud id, or part of a site name. */
  site?: string;
  /** Free text: user email, Atlassian account email or name, site name. */
  q?: string;
  /** `renew=soon`: only live connections inside their renewal window. */
  renew?: 'soon';
  sort: SortName;
  dir: SortDirection;
  /** Opaque keyset cursors (lib/admin/cursor.ts): the page after / before that row. */
  after?: string;
  before?: string;
}

export type SearchParams = Record<string, string | string[] | undefined>;

const MAX_TEXT = 200;
/** Shorter searches match nearly everything and cannot use the trigram indexes: they are ignored. */
export const MIN_SEARCH = 3;
const MAX_CURSOR = 1_000; // a cursor holds a sort key (an email may be 320 characters) and an id, base64url

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function text(value: string | string[] | undefined, max = MAX_TEXT): string | undefined {
  return queryText(value, max);
}

function oneOf<T extends string>(values: readonly T[], value: string | string[] | undefined): T | undefined {
  const v = first(value);
  return values.find((allowed) => allowed === v);
}

function searchText(value: string | string[] | undefined): string | undefined {
  const q = text(value);
  return q && q.length >= MIN_SEARCH ? q : undefined;
}

/** Whether the URL asks for a search too short to run (the page says so). */
export function searchTooShort(search: SearchParams): boolean {
  return Boolean(text(search.q)) && !searchText(search.q);
}

export function parseAdminQuery(search: SearchParams): AdminQuery {
  const sort = oneOf(SORT_NAMES, search.sort) ?? DEFAULT_SORT;
  return {
    status: oneOf(CONNECTION_STATUSES, search.status),
    product: oneOf(PRODUCTS, search.product),
    owner: text(search.owner),
    site: text(search.site),
    q: searchText(search.q),
    renew: oneOf(['soon'] as const, search.renew),
    sort,
    dir: oneOf(['asc', 'desc'] as const, search.dir) ?? DEFAULT_DIRECTION[sort],
    after: text(search.after, MAX_CURSOR),
    before: text(search.before, MAX_CURSOR),
  };
}

/**
 * `/admin?…` for the query with `changes` applied. Changing anything but the position starts again
 * at the first page; defaults are left out so that links stay short.
 */
export function adminHref(query: AdminQuery, changes: Partial<AdminQuery> = {}): string {
  const keepsPosition = 'after' in changes || 'before' in changes;
  const next: AdminQuery = { ...query, ...(keepsPosition ? {} : { after: undefined, before: undefined }), ...changes };
  if (changes.sort && !changes.dir) next.dir = DEFAULT_DIRECTION[changes.sort];
  const params = new URLSearchParams();
  const put = (name: string, value: string | undefined) => value && params.set(name, value);
  put('q', next.q);
  put('status', next.status);
  put('product', next.product);
  put('owner', next.owner);
  put('site', next.site);
  put('renew', next.renew);
  if (next.sort !== DEFAULT_SORT) put('sort', next.sort);
  if (next.dir !== DEFAULT_DIRECTION[next.sort]) put('dir', next.dir);
  put('after', next.after);
  put('before', next.before);
  const qs = params.toString();
  return qs ? `/admin?${qs}` : '/admin';
}
