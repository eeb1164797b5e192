// The token engine: getAccessToken and the refresh, following the token rules 1–8 of docs/architecture.md
// (each marked below as "token rule N").
import { and, asc, eq, inArray, isNotNull, lte, sql } from 'drizzle-orm';
import { TokenEndpointError } from '../oauth/errors';
import type { TokenSet } from '../oauth/types';
import type { Product } from '../providers/registry';
import { providerFor } from '../providers';
import type { ProductApps } from '../providers/apps';
import { recordEvent } from '../connections/events';
import { recordTransition } from '../connections/transitions';
import { reachedAbsoluteLifetime } from '../connections/renewal';
import { backoffSeconds, keepWithinReuseLeeway } from './backoff';
import { CryptoError, decryptSecret, encryptSecret, type KeyRing } from '../crypto';
import {
  configurationError,
  ConnectionUnavailableError,
  needsReauth,
  notFound,
  temporarilyUnavailable,
} from '../connections/errors';
import { SingleFlight } from './single-flight';
import { isUuid } from '../ids';
import { dbErrorCode, setLocal, type Executor, type Tx } from '../db';
import { isDatabaseUnavailable } from '../db/unavailable';
import { connectionEvents, connections, refreshAttempts } from '../db/schema';

export interface TokenEngineOptions {
  db: Executor;
  /** A small separate pool for refresh-attempt markers, so they never wait behind the main pool. */
  markerDb: Executor;
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

/** A connection row as the engine reads it (every column, tokens included). */
export type TokenRow = typeof connections.$inferSelect;

type LockedOutcome = { token: AccessToken } | { error: ConnectionUnavailableError };

const DAY = 86_400;
const TOUCH_INTERVAL_MS = 60_000;
const RECENT_USE_SECONDS = DAY;
const DECRYPT_CACHE_SIZE = 10_000;

export type TokenEngine = ReturnType<typeof createTokenEngine>;

export function createTokenEngine(opts: TokenEngineOptions) {
  const { db, keys } = opts;
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
    row.accessExpiresAt ? (row.accessExpiresAt.getTime() - at.getTime()) / 1000 : -Infinity;

  // Each ciphertext has a random IV, so it names one stored token: a safe key for a plaintext cache.
  function readAccess(row: TokenRow): string | undefined {
    const enc = row.accessTokenEnc;
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
    return { accessToken: access, expiresAt: row.accessExpiresAt!, tokenGeneration: row.tokenGeneration, refreshed };
  }

  // Token rule 1 (docs/architecture.md): valid long enough, and not the token the caller just saw rejected.
  function satisfies(row: TokenRow, access: string | undefined, o: GetAccessTokenOptions, at: Date): access is string {
    if (!access || (o.rejectedToken !== undefined && access === o.rejectedToken)) return false;
    const needed = o.rejectedToken !== undefined ? 0 : (o.minValiditySeconds ?? 60);
    return secondsLeft(row, at) > needed;
  }

  // Token rule 5: while Atlassian is failing, a still-valid token beats no token.
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
    if (!row.nextRefreshAt || row.nextRefreshAt <= at) return undefined;
    const wait = (row.nextRefreshAt.getTime() - at.getTime()) / 1000;
    return row.status === 'error' ? configurationError(row.reason) : temporarilyUnavailable(row.lastErrorCode ?? 'retrying', wait);
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
    const now = sql`${at.toISOString()}::timestamptz`;
    const expires = connections.accessExpiresAt;
    db.update(connections)
      .set({
        lastUsedAt: at,
        // In use again: an active connection's next refresh moves up to its proactive time (interval arithmetic).
        nextRefreshAt: sql`case when ${connections.status} = 'active'
          then least(${connections.nextRefreshAt}, greatest(${expires} - make_interval(secs => ${margin}), ${now} + (${expires} - ${now}) / 2))
          else ${connections.nextRefreshAt} end`,
      })
      .where(eq(connections.id, id))
      .catch(() => lastTouch.delete(id));
  }

  async function readRow(id: string): Promise<TokenRow | undefined> {
    const [row] = await db.select().from(connections).where(eq(connections.id, id));
    return row;
  }

  async function readRowLocked(tx: Executor, id: string): Promise<TokenRow | undefined> {
    const [row] = await tx.select().from(connections).where(eq(connections.id, id)).for('update');
    return row;
  }

  /**
   * A valid access token for the connection (the token rules: docs/architecture.md). `read` is the connection's row when the
   * caller already read it (the API's one-statement hot path); it is a plain read like the engine's own,
   * and a refresh re-reads the row under its lock anyway.
   */
  async function getAccessToken(connectionId: string, o: GetAccessTokenOptions = {}, read?: TokenRow | null): Promise<AccessToken> {
    try {
      return await getAccessTokenOrThrow(connectionId, o, read);
    } catch (err) {
      // A key missing from the ring (e.g. TOKEN_ENCRYPTION_KEY_PREVIOUS dropped before `keys rotate`) is the operator's to fix.
      if (err instanceof CryptoError) throw configurationError('encryption_key');
      // The database connection died under us or cannot be opened (restart, failover, pg_terminate_backend): a
      // passing outage. A refresh whose COMMIT was lost this way left its marker (written outside the transaction),
      // so the next attempt knows the outcome is unknown and reuses the same refresh token within the leeway.
      if (isDatabaseUnavailable(err)) throw temporarilyUnavailable('database', 1);
      throw err;
    }
  }

  async function getAccessTokenOrThrow(connectionId: string, o: GetAccessTokenOptions, read: TokenRow | null | undefined): Promise<AccessToken> {
    if (!isUuid(connectionId)) throw notFound();
    const at = now();
    const row = read === undefined ? await readRow(connectionId) : (read ?? undefined);
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
    const token = await flights.run(connectionId, () => refreshLocked(connectionId, row!.tokenGeneration, o));
    touch(connectionId, now());
    return token;
  }

  async function refreshLocked(id: string, seenGeneration: number, o: GetAccessTokenOptions): Promise<AccessToken> {
    let outcome: LockedOutcome;
    try {
      outcome = await tracked(
        db.transaction(async (tx) => {
          await setLocal(tx, 'lock_timeout', String(lockTimeoutMs));
          return decideUnderLock(tx, id, seenGeneration, o);
        }),
      );
    } catch (err) {
      if (dbErrorCode(err) === '55P03') throw temporarilyUnavailable('lock_timeout', 1);
      throw err;
    }
    if ('error' in outcome) throw outcome.error;
    return outcome.token;
  }

  async function decideUnderLock(tx: Tx, id: string, seenGeneration: number, o: GetAccessTokenOptions): Promise<LockedOutcome> {
    const row = await readRowLocked(tx, id);
    const blocked = unusable(row);
    if (blocked) return { error: blocked };
    const at = now();
    const access = readAccess(row!);
    // Token rule 2: someone refreshed while we waited for the lock; use theirs, make no token call.
    const othersToken = row!.tokenGeneration !== seenGeneration && servable(row!, access, o, at);
    if (othersToken || satisfies(row!, access, o, at)) return { token: tokenOf(row!, access!, false) };
    // Another process failed moments ago and set a backoff: honour it rather than call again.
    const waiting = backoffError(row!, at);
    if (waiting) return servable(row!, access, o, at) ? { token: tokenOf(row!, access, false) } : { error: waiting };
    return callTokenEndpoint(tx, row!, access, o);
  }

  async function callTokenEndpoint(tx: Tx, row: TokenRow, access: string | undefined, o: GetAccessTokenOptions): Promise<LockedOutcome> {
    if (!row.refreshTokenEnc) return { error: needsReauth(row.reason ?? 'revoked') };
    if (draining) return { error: temporarilyUnavailable('shutting_down', 1) };
    const outcomeWasUnknown = row.refreshOutcomeUnknownAt !== null || (await crashedAttemptLeft(tx, row));
    // Autocommit on the marker pool: the marker must outlive this transaction if the process dies.
    const marker = { connectionId: row.id, tokenGeneration: row.tokenGeneration, startedAt: now() };
    await opts.markerDb
      .insert(refreshAttempts)
      .values(marker)
      .onConflictDoUpdate({ target: refreshAttempts.connectionId, set: { tokenGeneration: marker.tokenGeneration, startedAt: marker.startedAt } });
    const started = performance.now();
    const finish = (kind: 'success' | 'terminal' | 'transient' | 'operator') => opts.onRefresh?.(kind, (performance.now() - started) / 1000, row.product);
    const provider = providerFor(row.product);
    const app = opts.apps(row.product);
    let tokens: TokenSet;
    try {
      if (!app) throw new TokenEndpointError('invalid_client', { description: `no ${provider.issuerName} app is configured` });
      tokens = await provider.refreshTokens(app, decryptSecret(row.refreshTokenEnc, keys));
    } catch (err) {
      const e = err as TokenEndpointError;
      if (!e.errorClass) throw err;
      finish(e.errorClass);
      await clearMarker(tx, row.id);
      // Token rule 4: a dead family is recorded once, never retried; rule 6 (operator) and 5 (transient) below.
      if (e.errorClass === 'terminal') return recordTerminal(tx, row, e, outcomeWasUnknown);
      if (e.errorClass === 'operator') return recordOperator(tx, row, e);
      return recordTransient(tx, row, e, access, o);
    }
    finish('success');
    await clearMarker(tx, row.id);
    return recordSuccess(tx, row, tokens);
  }

  async function clearMarker(tx: Tx, id: string): Promise<void> {
    await tx.delete(refreshAttempts).where(eq(refreshAttempts.connectionId, id));
  }

  // A marker for this very refresh token means a process died mid-request: its outcome is unknown.
  async function crashedAttemptLeft(tx: Tx, row: TokenRow): Promise<boolean> {
    const rows = await tx
      .select({ id: refreshAttempts.connectionId })
      .from(refreshAttempts)
      .where(and(eq(refreshAttempts.connectionId, row.id), eq(refreshAttempts.tokenGeneration, row.tokenGeneration)));
    return rows.length > 0;
  }

  async function recordSuccess(tx: Tx, row: TokenRow, t: TokenSet): Promise<LockedOutcome> {
    const at = now();
    const expiresAt = new Date(at.getTime() + t.expiresIn * 1000);
    const issuedAt = t.refreshToken ? at : row.refreshTokenIssuedAt;
    const refreshEnc = t.refreshToken ? encryptSecret(t.refreshToken, keys) : row.refreshTokenEnc;
    const next = nextRefreshAt(expiresAt, issuedAt, row.lastUsedAt, at);
    const [updated] = await tx
      .update(connections)
      .set({
        accessTokenEnc: encryptSecret(t.accessToken, keys),
        refreshTokenEnc: refreshEnc,
        accessExpiresAt: expiresAt,
        tokenGeneration: sql`${connections.tokenGeneration} + 1`,
        refreshTokenIssuedAt: issuedAt,
        refreshOutcomeUnknownAt: null,
        consecutiveFailures: 0,
        status: 'active',
        reason: null,
        lastErrorCode: null,
        lastErrorMessage: null,
        lastRefreshedAt: at,
        nextRefreshAt: next,
        ...(t.scope.length ? { scopes: t.scope } : {}),
        updatedAt: at,
      })
      .where(and(eq(connections.id, row.id), eq(connections.tokenGeneration, row.tokenGeneration)))
      .returning();
    await recordEvent(tx, row.id, { type: 'refreshed', tokenGeneration: updated!.tokenGeneration }, at);
    if (row.status === 'degraded' || row.status === 'error') {
      await recordTransition(tx, { type: 'recovered', connectionId: row.id, appUrl: opts.appUrl, at, event: { message: 'Refresh works again' } });
    }
    return { token: tokenOf(updated!, t.accessToken, true) };
  }

  async function recordTerminal(tx: Tx, row: TokenRow, e: TokenEndpointError, outcomeWasUnknown: boolean): Promise<LockedOutcome> {
    const at = now();
    const reason = terminalReason(row, outcomeWasUnknown, at, await scopeRefused(tx, row));
    await tx
      .update(connections)
      .set({
        status: 'needs_reauth',
        reason,
        nextRefreshAt: null,
        refreshOutcomeUnknownAt: null,
        lastErrorCode: e.code,
        lastErrorMessage: e.description ?? null,
        updatedAt: at,
      })
      .where(eq(connections.id, row.id));
    const event = { code: e.code, message: e.description, data: { reason } };
    await recordTransition(tx, { type: 'needs_reauth', connectionId: row.id, appUrl: opts.appUrl, at, event });
    return { error: needsReauth(reason) };
  }

  // A dead refresh token always answers the same body, whatever killed it. The cause is inferred from
  // what the app saw: the end of the family's year (renew_by), a lost outcome, the API's own "scope does not match" about this very token family
  // generation, or the 90 days since the last rotation (the sandbox's "Advance N days" ages rotation times too).
  // At or after renew_by (a minute early for skew) the family is dead whatever else happened: its year is over.
  function terminalReason(row: TokenRow, outcomeWasUnknown: boolean, at: Date, scopeMismatch: boolean): string {
    if (reachedAbsoluteLifetime(row.renewBy, at)) return 'consent_expired';
    if (outcomeWasUnknown) return 'token_lost';
    if (scopeMismatch) return 'scope_mismatch';
    const issued = row.refreshTokenIssuedAt;
    const inactivitySeconds = opts.inactivitySeconds ?? providerFor(row.product).inactivitySeconds;
    if (issued && at.getTime() - issued.getTime() > inactivitySeconds * 1000) return 'inactivity_expired';
    return 'revoked';
  }

  /** Did the API answer "scope does not match" to a token of the generation whose refresh just died? */
  async function scopeRefused(tx: Tx, row: TokenRow): Promise<boolean> {
    const rows = await tx
      .select({ id: connectionEvents.id })
      .from(connectionEvents)
      .where(
        and(
          eq(connectionEvents.connectionId, row.id),
          eq(connectionEvents.type, 'api_unauthorized'),
          eq(connectionEvents.code, 'scope_mismatch'),
          eq(connectionEvents.tokenGeneration, row.tokenGeneration),
        ),
      )
      .limit(1);
    return rows.length > 0;
  }

  async function recordOperator(tx: Tx, row: TokenRow, e: TokenEndpointError): Promise<LockedOutcome> {
    const at = now();
    const retry = new Date(at.getTime() + backoffSeconds(row.consecutiveFailures + 1) * 1000);
    // A malformed request (Bitbucket's other invalid_request) is ours to fix too, but not a credentials problem.
    const reason = e.code === 'invalid_request' ? 'invalid_request' : 'invalid_client';
    await tx
      .update(connections)
      .set({
        status: 'error',
        reason,
        nextRefreshAt: retry,
        consecutiveFailures: sql`${connections.consecutiveFailures} + 1`,
        lastErrorCode: e.code,
        lastErrorMessage: e.description ?? null,
        updatedAt: at,
      })
      .where(eq(connections.id, row.id));
    if (row.status !== 'error') {
      const issuer = providerFor(row.product).issuerName;
      const message = reason === 'invalid_client' ? `${issuer} rejected the app credentials` : `${issuer} refused the refresh request as malformed`;
      await recordEvent(tx, row.id, { type: 'configuration_error', code: e.code, message }, at);
    }
    return { error: configurationError(reason) };
  }

  async function recordTransient(
    tx: Tx,
    row: TokenRow,
    e: TokenEndpointError,
    access: string | undefined,
    o: GetAccessTokenOptions,
  ): Promise<LockedOutcome> {
    const at = now();
    const failures = row.consecutiveFailures + 1;
    const unknownSince = e.outcomeUnknown ? (row.refreshOutcomeUnknownAt ?? at) : row.refreshOutcomeUnknownAt;
    const leeway = providerFor(row.product).reuseLeewaySeconds;
    const delay = keepWithinReuseLeeway(backoffSeconds(failures, e.retryAfterSeconds), unknownSince, at, leeway);
    const status = row.status === 'error' ? 'error' : 'degraded';
    await tx
      .update(connections)
      .set({
        status,
        reason: status === 'degraded' ? e.code : row.reason,
        consecutiveFailures: failures,
        lastErrorCode: e.code,
        lastErrorMessage: e.description ?? null,
        nextRefreshAt: new Date(at.getTime() + delay * 1000),
        refreshOutcomeUnknownAt: unknownSince,
        updatedAt: at,
      })
      .where(eq(connections.id, row.id));
    await recordEvent(tx, row.id, { type: 'refresh_failed', code: e.code, message: e.description, data: { retry_in_seconds: delay } }, at);
    if (row.status === 'active') {
      await recordTransition(tx, { type: 'degraded', connectionId: row.id, appUrl: opts.appUrl, at, event: { code: e.code } });
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
    return tracked(db.transaction(async (tx) => {
      await setLocal(tx, 'lock_timeout', String(lockTimeoutMs));
      const [row] = await tx
        .select()
        .from(connections)
        .where(
          and(
            inArray(connections.status, ['active', 'degraded', 'error']),
            lte(connections.nextRefreshAt, now()),
            isNotNull(connections.refreshTokenEnc),
          ),
        )
        .orderBy(asc(connections.nextRefreshAt))
        .limit(1)
        .for('update', { skipLocked: true });
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

  /**
   * An API 401 seen by a caller: recorded on the timeline (never with the token), with the generation of the
   * refused token. A "scope does not match" verdict is remembered that way: see terminalReason.
   */
  async function recordApiUnauthorized(connectionId: string, code: 'unauthorized' | 'scope_mismatch', status: number, tokenGeneration?: number): Promise<void> {
    await recordEvent(db, connectionId, { type: 'api_unauthorized', code, tokenGeneration, data: { status } }, now());
  }

  /** Terminal answer from the API (scope mismatch after a fresh token): needs_reauth once per transition. */
  async function markNeedsReauth(connectionId: string, reason: 'scope_mismatch', code: string): Promise<void> {
    await db.transaction(async (tx) => {
      const row = await readRowLocked(tx, connectionId);
      if (!row || row.status === 'needs_reauth' || row.status === 'disconnected') return;
      const at = now();
      await tx
        .update(connections)
        .set({ status: 'needs_reauth', reason, nextRefreshAt: null, lastErrorCode: code, lastErrorMessage: null, updatedAt: at })
        .where(eq(connections.id, connectionId));
      await recordTransition(tx, { type: 'needs_reauth', connectionId, appUrl: opts.appUrl, at, event: { code, data: { reason } } });
    });
  }

  return { getAccessToken, refreshNextDue, drain, recordApiUnauthorized, markNeedsReauth };
}

