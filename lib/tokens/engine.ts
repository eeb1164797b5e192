import type { Sql, TransactionSql } from 'postgres';
import { TokenEndpointError } from '../atlassian/errors';
import type { TokenSet } from '../atlassian/oauth';
import type { Product } from '../atlassian/products';
import { providerFor } from '../providers';
import type { ProductApps } from '../providers/apps';
import { recordEvent } from '../connections/events';
import { recordTransition } from '../connections/transitions';
import { backoffSeconds, keepWithinReuseLeeway } from './backoff';
import { CryptoError, decryptSecret, encryptSecret, type KeyRing } from './crypto';
import {
  configurationError,
  ConnectionUnavailableError,
  needsReauth,
  notFound,
  temporarilyUnavailable,
} from './errors';
import { SingleFlight } from './single-flight';
import { isUuid } from '../ids';

export interface TokenEngineOptions {
  sql: Sql;
  /** A small separate pool for refresh-attempt markers, so they never wait behind the main pool. */
  markerSql: Sql;
  /** Each product's OAuth app; the product's provider speaks to it. */
  apps: ProductApps;
  keys: KeyRing;
  appUrl: string;
  refreshMarginSeconds: number;
  keepaliveIdleDays: number;
  /** Overrides the provider's unused-token expiry (tests). */
  inactivitySeconds?: number;
  lockTimeoutMs?: number;
  now?: () => Date;
  /** Called once per token-endpoint call with its outcome and duration; for metrics. */
  onRefresh?: (outcome: 'success' | 'terminal' | 'transient' | 'operator', seconds: number, product: Product) => void;
}

export interface GetAccessTokenOptions {
  minValiditySeconds?: number;
  /** A token that just got a 401: refresh only if it is still the stored one. */
  rejectedToken?: string;
}

export interface AccessToken {
  accessToken: string;
  expiresAt: Date;
  tokenGeneration: number;
  refreshed: boolean;
}

interface TokenRow {
  id: string;
  product: Product;
  status: string;
  reason: string | null;
  access_token_enc: string | null;
  refresh_token_enc: string | null;
  access_expires_at: Date | null;
  token_generation: number;
  refresh_token_issued_at: Date | null;
  refresh_outcome_unknown_at: Date | null;
  consecutive_failures: number;
  last_used_at: Date | null;
  last_error_code: string | null;
  next_refresh_at: Date | null;
}

type LockedOutcome = { token: AccessToken } | { error: ConnectionUnavailableError };

const DAY = 86_400;
const TOUCH_INTERVAL_MS = 60_000;
const RECENT_USE_SECONDS = DAY;
const DECRYPT_CACHE_SIZE = 10_000;

export type TokenEngine = ReturnType<typeof createTokenEngine>;

export function createTokenEngine(opts: TokenEngineOptions) {
  const { sql, keys } = opts;
  const now = opts.now ?? (() => new Date());
  const lockTimeoutMs = opts.lockTimeoutMs ?? 15_000;
  const flights = new SingleFlight<AccessToken>();
  const lastTouch = new Map<string, number>();
  const decrypted = new Map<string, string>();
  // Shutdown: no new token call starts, and the process waits for those under way to commit, because
  // Atlassian rotates on receipt and a rolled-back transaction would lose the new refresh token.
  const underWay = new Set<Promise<unknown>>();
  let draining = false;

  function tracked<T>(work: Promise<T>): Promise<T> {
    underWay.add(work);
    return work.finally(() => underWay.delete(work));
  }

  const secondsLeft = (row: TokenRow, at: Date) =>
    row.access_expires_at ? (row.access_expires_at.getTime() - at.getTime()) / 1000 : -Infinity;

  // Each ciphertext has a random IV, so it names one stored token: a safe key for a plaintext cache.
  function readAccess(row: TokenRow): string | undefined {
    const enc = row.access_token_enc;
    if (!enc) return undefined;
    let plain = decrypted.get(enc);
    if (plain === undefined) {
      plain = decryptSecret(enc, keys);
      if (decrypted.size >= DECRYPT_CACHE_SIZE) decrypted.delete(decrypted.keys().next().value!);
      decrypted.set(enc, plain);
    }
    return plain;
  }

  function tokenOf(row: TokenRow, access: string, refreshed: boolean): AccessToken {
    return { accessToken: access, expiresAt: row.access_expires_at!, tokenGeneration: row.token_generation, refreshed };
  }

  // Rule 1: valid long enough, and not the token the caller just saw rejected.
  function satisfies(row: TokenRow, access: string | undefined, o: GetAccessTokenOptions, at: Date): access is string {
    if (!access || (o.rejectedToken !== undefined && access === o.rejectedToken)) return false;
    const needed = o.rejectedToken !== undefined ? 0 : (o.minValiditySeconds ?? 60);
    return secondsLeft(row, at) > needed;
  }

  // Rule 5: while Atlassian is failing, a still-valid token beats no token.
  function servable(row: TokenRow, access: string | undefined, o: GetAccessTokenOptions, at: Date): access is string {
    return !!access && access !== o.rejectedToken && secondsLeft(row, at) > 0;
  }

  function unusable(row: TokenRow | undefined): ConnectionUnavailableError | undefined {
    if (!row || row.status === 'disconnected') return notFound();
    if (row.status === 'needs_reauth') return needsReauth(row.reason);
    return undefined;
  }

  // Degraded or misconfigured connections wait out their backoff instead of hammering Atlassian.
  function backoffError(row: TokenRow, at: Date): ConnectionUnavailableError | undefined {
    if (row.status !== 'degraded' && row.status !== 'error') return undefined;
    if (!row.next_refresh_at || row.next_refresh_at <= at) return undefined;
    const wait = (row.next_refresh_at.getTime() - at.getTime()) / 1000;
    return row.status === 'error' ? configurationError(row.reason) : temporarilyUnavailable(row.last_error_code ?? 'retrying', wait);
  }

  // Connections in use are refreshed a margin before expiry; idle ones only for keep-alive. The margin is
  // measured against the new expiry but never brings the next refresh closer than half the token's life.
  function nextRefreshAt(expiresAt: Date, issuedAt: Date | null, lastUsedAt: Date | null, at: Date): Date {
    const keepalive = new Date((issuedAt ?? at).getTime() + opts.keepaliveIdleDays * DAY * 1000);
    const inUse = lastUsedAt && at.getTime() - lastUsedAt.getTime() < RECENT_USE_SECONDS * 1000;
    if (!inUse) return keepalive;
    const life = expiresAt.getTime() - at.getTime();
    const proactive = Math.max(expiresAt.getTime() - opts.refreshMarginSeconds * 1000, at.getTime() + life / 2);
    return new Date(Math.min(proactive, keepalive.getTime()));
  }

  // last_used_at is written at most once a minute per connection, off the caller's path.
  function touch(id: string, at: Date): void {
    const previous = lastTouch.get(id) ?? 0;
    if (at.getTime() - previous < TOUCH_INTERVAL_MS) return;
    lastTouch.set(id, at.getTime());
    const margin = opts.refreshMarginSeconds;
    sql`update connections set last_used_at = ${at},
          next_refresh_at = case when status = 'active'
            then least(next_refresh_at, greatest(access_expires_at - make_interval(secs => ${margin}),
                                                 ${at}::timestamptz + (access_expires_at - ${at}::timestamptz) / 2))
            else next_refresh_at end
        where id = ${id}`.catch(() => lastTouch.delete(id));
  }

  async function readRow(id: string): Promise<TokenRow | undefined> {
    const [row] = await sql<TokenRow[]>`select * from connections where id = ${id}`;
    return row;
  }

  async function readRowLocked(tx: TransactionSql, id: string): Promise<TokenRow | undefined> {
    const [row] = await tx<TokenRow[]>`select * from connections where id = ${id} for update`;
    return row;
  }

  async function getAccessToken(connectionId: string, o: GetAccessTokenOptions = {}): Promise<AccessToken> {
    try {
      return await getAccessTokenOrThrow(connectionId, o);
    } catch (err) {
      // A key missing from the ring (e.g. TOKEN_ENCRYPTION_KEY_PREVIOUS dropped before `keys rotate`) is the operator's to fix.
      if (err instanceof CryptoError) throw configurationError('encryption_key');
      // The database connection died under us (restart, failover, pg_terminate_backend): a passing outage.
      if (isConnectionLoss(err)) throw temporarilyUnavailable('database', 1);
      throw err;
    }
  }

  async function getAccessTokenOrThrow(connectionId: string, o: GetAccessTokenOptions): Promise<AccessToken> {
    if (!isUuid(connectionId)) throw notFound();
    const at = now();
    const row = await readRow(connectionId);
    const blocked = unusable(row);
    if (blocked) throw blocked;
    const access = readAccess(row!);
    if (satisfies(row!, access, o, at)) {
      touch(connectionId, at);
      return tokenOf(row!, access, false);
    }
    const waiting = backoffError(row!, at);
    if (waiting && servable(row!, access, o, at)) return tokenOf(row!, access, false);
    if (waiting) throw waiting;
    const token = await flights.run(connectionId, () => refreshLocked(connectionId, row!.token_generation, o));
    touch(connectionId, now());
    return token;
  }

  async function refreshLocked(id: string, seenGeneration: number, o: GetAccessTokenOptions): Promise<AccessToken> {
    let outcome: LockedOutcome;
    try {
      outcome = await tracked(
        sql.begin(async (tx) => {
          await tx`select set_config('lock_timeout', ${String(lockTimeoutMs)}, true)`;
          return decideUnderLock(tx, id, seenGeneration, o);
        }),
      );
    } catch (err) {
      if ((err as { code?: string }).code === '55P03') throw temporarilyUnavailable('lock_timeout', 1);
      throw err;
    }
    if ('error' in outcome) throw outcome.error;
    return outcome.token;
  }

  async function decideUnderLock(tx: TransactionSql, id: string, seenGeneration: number, o: GetAccessTokenOptions): Promise<LockedOutcome> {
    const row = await readRowLocked(tx, id);
    const blocked = unusable(row);
    if (blocked) return { error: blocked };
    const at = now();
    const access = readAccess(row!);
    // Rule 2: someone refreshed while we waited for the lock; use theirs, make no token call.
    const othersToken = row!.token_generation !== seenGeneration && servable(row!, access, o, at);
    if (othersToken || satisfies(row!, access, o, at)) return { token: tokenOf(row!, access!, false) };
    // Another process failed moments ago and set a backoff: honour it rather than call again.
    const waiting = backoffError(row!, at);
    if (waiting) return servable(row!, access, o, at) ? { token: tokenOf(row!, access, false) } : { error: waiting };
    return callTokenEndpoint(tx, row!, access, o);
  }

  async function callTokenEndpoint(tx: TransactionSql, row: TokenRow, access: string | undefined, o: GetAccessTokenOptions): Promise<LockedOutcome> {
    if (!row.refresh_token_enc) return { error: needsReauth(row.reason ?? 'revoked') };
    if (draining) return { error: temporarilyUnavailable('shutting_down', 1) };
    const outcomeWasUnknown = row.refresh_outcome_unknown_at !== null || (await crashedAttemptLeft(tx, row));
    await opts.markerSql`insert into refresh_attempts (connection_id, token_generation, started_at)
      values (${row.id}, ${row.token_generation}, ${now()})
      on conflict (connection_id) do update set token_generation = excluded.token_generation, started_at = excluded.started_at`;
    const started = performance.now();
    const finish = (kind: 'success' | 'terminal' | 'transient' | 'operator') => opts.onRefresh?.(kind, (performance.now() - started) / 1000, row.product);
    const provider = providerFor(row.product);
    const app = opts.apps(row.product);
    let tokens: TokenSet;
    try {
      if (!app) throw new TokenEndpointError('invalid_client', { description: `no ${provider.issuerName} app is configured` });
      tokens = await provider.refreshTokens(app, decryptSecret(row.refresh_token_enc, keys));
    } catch (err) {
      const e = err as TokenEndpointError;
      if (!e.errorClass) throw err;
      finish(e.errorClass);
      await tx`delete from refresh_attempts where connection_id = ${row.id}`;
      if (e.errorClass === 'terminal') return recordTerminal(tx, row, e, outcomeWasUnknown);
      if (e.errorClass === 'operator') return recordOperator(tx, row, e);
      return recordTransient(tx, row, e, access, o);
    }
    finish('success');
    await tx`delete from refresh_attempts where connection_id = ${row.id}`;
    return recordSuccess(tx, row, tokens);
  }

  // A marker for this very refresh token means a process died mid-request: its outcome is unknown.
  async function crashedAttemptLeft(tx: TransactionSql, row: TokenRow): Promise<boolean> {
    const rows = await tx`select 1 from refresh_attempts where connection_id = ${row.id} and token_generation = ${row.token_generation}`;
    return rows.length > 0;
  }

  async function recordSuccess(tx: TransactionSql, row: TokenRow, t: TokenSet): Promise<LockedOutcome> {
    const at = now();
    const expiresAt = new Date(at.getTime() + t.expiresIn * 1000);
    const issuedAt = t.refreshToken ? at : row.refresh_token_issued_at;
    const refreshEnc = t.refreshToken ? encryptSecret(t.refreshToken, keys) : row.refresh_token_enc;
    const next = nextRefreshAt(expiresAt, issuedAt, row.last_used_at, at);
    const [updated] = await tx<TokenRow[]>`
      update connections set access_token_enc = ${encryptSecret(t.accessToken, keys)}, refresh_token_enc = ${refreshEnc},
        access_expires_at = ${expiresAt}, token_generation = token_generation + 1, refresh_token_issued_at = ${issuedAt},
        refresh_outcome_unknown_at = null, consecutive_failures = 0, status = 'active', reason = null,
        last_error_code = null, last_error_message = null, last_refreshed_at = ${at}, next_refresh_at = ${next},
        scopes = coalesce(${t.scope.length ? t.scope : null}::text[], scopes), updated_at = ${at}
      where id = ${row.id} and token_generation = ${row.token_generation}
      returning *`;
    await recordEvent(tx, row.id, { type: 'refreshed', tokenGeneration: updated.token_generation }, at);
    if (row.status === 'degraded' || row.status === 'error') {
      await recordEvent(tx, row.id, { type: 'recovered', message: 'Refresh works again' }, at);
      await recordTransition(tx, 'connection.recovered', row.id, opts.appUrl, at);
    }
    return { token: tokenOf(updated, t.accessToken, true) };
  }

  async function recordTerminal(tx: TransactionSql, row: TokenRow, e: TokenEndpointError, outcomeWasUnknown: boolean): Promise<LockedOutcome> {
    const at = now();
    const reason = terminalReason(row, outcomeWasUnknown, at);
    await tx`update connections set status = 'needs_reauth', reason = ${reason}, next_refresh_at = null,
               refresh_outcome_unknown_at = null, last_error_code = ${e.code}, last_error_message = ${e.description ?? null},
               updated_at = ${at}
             where id = ${row.id}`;
    await recordEvent(tx, row.id, { type: 'needs_reauth', code: e.code, message: e.description, data: { reason } }, at);
    await recordTransition(tx, 'connection.needs_reauth', row.id, opts.appUrl, at);
    return { error: needsReauth(reason) };
  }

  function terminalReason(row: TokenRow, outcomeWasUnknown: boolean, at: Date): string {
    if (outcomeWasUnknown) return 'token_lost';
    const issued = row.refresh_token_issued_at;
    const inactivitySeconds = opts.inactivitySeconds ?? providerFor(row.product).inactivitySeconds;
    if (issued && at.getTime() - issued.getTime() > inactivitySeconds * 1000) return 'inactivity_expired';
    return 'revoked';
  }

  async function recordOperator(tx: TransactionSql, row: TokenRow, e: TokenEndpointError): Promise<LockedOutcome> {
    const at = now();
    const retry = new Date(at.getTime() + backoffSeconds(row.consecutive_failures + 1) * 1000);
    // A malformed request (Bitbucket's other invalid_request) is ours to fix too, but not a credentials problem.
    const reason = e.code === 'invalid_request' ? 'invalid_request' : 'invalid_client';
    await tx`update connections set status = 'error', reason = ${reason}, next_refresh_at = ${retry},
               consecutive_failures = consecutive_failures + 1, last_error_code = ${e.code},
               last_error_message = ${e.description ?? null}, updated_at = ${at}
             where id = ${row.id}`;
    if (row.status !== 'error') {
      const issuer = providerFor(row.product).issuerName;
      const message = reason === 'invalid_client' ? `${issuer} rejected the app credentials` : `${issuer} refused the refresh request as malformed`;
      await recordEvent(tx, row.id, { type: 'configuration_error', code: e.code, message }, at);
    }
    return { error: configurationError(reason) };
  }

  async function recordTransient(
    tx: TransactionSql,
    row: TokenRow,
    e: TokenEndpointError,
    access: string | undefined,
    o: GetAccessTokenOptions,
  ): Promise<LockedOutcome> {
    const at = now();
    const failures = row.consecutive_failures + 1;
    const unknownSince = e.outcomeUnknown ? (row.refresh_outcome_unknown_at ?? at) : row.refresh_outcome_unknown_at;
    const leeway = providerFor(row.product).reuseLeewaySeconds;
    const delay = keepWithinReuseLeeway(backoffSeconds(failures, e.retryAfterSeconds), unknownSince, at, leeway);
    const status = row.status === 'error' ? 'error' : 'degraded';
    await tx`update connections set status = ${status}, reason = ${status === 'degraded' ? e.code : row.reason},
               consecutive_failures = ${failures}, last_error_code = ${e.code}, last_error_message = ${e.description ?? null},
               next_refresh_at = ${new Date(at.getTime() + delay * 1000)},
               refresh_outcome_unknown_at = ${unknownSince},
               updated_at = ${at}
             where id = ${row.id}`;
    await recordEvent(tx, row.id, { type: 'refresh_failed', code: e.code, message: e.description, data: { retry_in_seconds: delay } }, at);
    if (row.status === 'active') {
      await recordEvent(tx, row.id, { type: 'degraded', code: e.code }, at);
      await recordTransition(tx, 'connection.degraded', row.id, opts.appUrl, at);
    }
    if (servable(row, access, o, at)) return { token: tokenOf(row, access, false) };
    return { error: temporarilyUnavailable(e.code, delay) };
  }

  /**
   * The worker's step: takes the most overdue connection that no one else holds (SKIP LOCKED), refreshes it
   * in the same locked transaction as callers do, and says what happened; undefined when nothing is due.
   */
  async function refreshNextDue(): Promise<{ id: string; outcome: string } | undefined> {
    if (draining) return undefined;
    return tracked(sql.begin(async (tx) => {
      await tx`select set_config('lock_timeout', ${String(lockTimeoutMs)}, true)`;
      const [row] = await tx<TokenRow[]>`select * from connections
        where status in ('active', 'degraded', 'error') and next_refresh_at <= ${now()} and refresh_token_enc is not null
        order by next_refresh_at limit 1 for update skip locked`;
      if (!row) return undefined;
      const result = await callTokenEndpoint(tx, row, readAccess(row), {});
      return { id: row.id, outcome: 'token' in result ? 'refreshed' : (result.error.reason ?? result.error.code) };
    }));
  }

  /** Stops new token calls and resolves once those under way have committed (or after `timeoutMs`). */
  async function drain(timeoutMs = 20_000): Promise<void> {
    draining = true;
    const timeout = new Promise((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([Promise.allSettled([...underWay]), timeout]);
  }

  /** An API 401 seen by a caller: recorded on the timeline (never with the token). */
  async function recordApiUnauthorized(connectionId: string, code: 'unauthorized' | 'scope_mismatch', status: number): Promise<void> {
    await sql.begin((tx) => recordEvent(tx, connectionId, { type: 'api_unauthorized', code, data: { status } }, now()));
  }

  /** Terminal answer from the API (scope mismatch after a fresh token): needs_reauth once per transition. */
  async function markNeedsReauth(connectionId: string, reason: 'scope_mismatch', code: string): Promise<void> {
    await sql.begin(async (tx) => {
      const row = await readRowLocked(tx, connectionId);
      if (!row || row.status === 'needs_reauth' || row.status === 'disconnected') return;
      const at = now();
      await tx`update connections set status = 'needs_reauth', reason = ${reason}, next_refresh_at = null,
                 last_error_code = ${code}, last_error_message = null, updated_at = ${at}
               where id = ${connectionId}`;
      await recordEvent(tx, connectionId, { type: 'needs_reauth', code, data: { reason } }, at);
      await recordTransition(tx, 'connection.needs_reauth', connectionId, opts.appUrl, at);
    });
  }

  return { getAccessToken, refreshNextDue, drain, recordApiUnauthorized, markNeedsReauth };
}

const CONNECTION_LOSS = new Set(['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'ECONNRESET', 'ECONNREFUSED', '57P01', '57P02', '57P03']);
function isConnectionLoss(err: unknown): boolean {
  return CONNECTION_LOSS.has(String((err as { code?: unknown })?.code));
}

