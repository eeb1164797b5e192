// The webhook worker step: claims due deliveries from the outbox, sends them signed, records outcomes.
// Claims, leases and retries follow the outbox rules (lib/outbox/lease.ts): at least once, never twice at
// the same time, the same webhook-id on every attempt.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { and, asc, eq, inArray, isNull, lte, ne, notExists, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../db';
import { webhookDeliveries as d, webhookEndpoints as e, webhookMessages as m } from '../db/schema';
import { decryptSecret, type KeyRing } from '../crypto';
import { drainDue, leaseDue, leaseHeld as heldBy, nextAttemptAt, type Lease } from '../outbox/lease';
import { parseRetryAfter } from '../retry-after';
import { signWebhook } from './sign';
import { checkWebhookUrl, checkWebhookUrlSyntax, ForbiddenAddressError, guardedLookup, type HostLookup } from './ssrf';

/** Seconds to wait after the 1st, 2nd, … failed attempt; after the last one the delivery fails. */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = [5, 300, 1800, 7200, 18000, 36000, 86400];
export const DEFAULT_DELIVERY_TIMEOUT_MS = 15_000;
/** Added to the timeout to make a claim's lease: time for the claim, the send and the outcome write. */
export const LEASE_MARGIN_MS = 30_000;
const DEFAULT_LIMIT = 100;
const BATCH_SIZE = 25;
/** A consumer's Retry-After is honoured up to one day. */
const MAX_RETRY_AFTER_SECONDS = 86_400;
const MAX_RESPONSE_BYTES = 64 * 1024;
const MAX_ERROR_LENGTH = 500;

export type DeliveryOutcome = 'succeeded' | 'retrying' | 'failed' | 'endpoint_disabled';

export interface DeliverOptions {
  keys: KeyRing;
  /** Allow private, loopback and link-local targets (WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  now?: () => Date;
  /**
   * Sends with this fetch (`redirect: 'manual'`, after checking the URL) instead of the built-in
   * transport, which pins the connection to the address it checked.
   */
  fetch?: typeof fetch;
  /** Most deliveries attempted by one call (default 100). */
  limit?: number;
  timeoutMs?: number;
  /** Retry delays in seconds (default 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 24 h). */
  schedule?: readonly number[];
  /** In [0, 1), for the ±20 % jitter (default Math.random). */
  random?: () => number;
  /** Host resolution for the built-in transport (default node:dns); for tests. */
  lookup?: HostLookup;
  /** Called once per attempt with its outcome; for metrics. */
  onAttempt?: (outcome: DeliveryOutcome) => void;
}

export interface DeliverResult {
  attempted: number;
  succeeded: number;
  failed: number;
}

interface SendResult {
  status: number;
  retryAfter: string | null;
  body: string;
}

type Attempt = { ok: true; status: number } | { ok: false; status: number | null; error: string; retryAfter: string | null };

export async function deliverDueWebhooks(db: Executor, opts: DeliverOptions): Promise<DeliverResult> {
  const now = opts.now ?? (() => new Date());
  const limit = opts.limit ?? DEFAULT_LIMIT;
  const result: DeliverResult = { attempted: 0, succeeded: 0, failed: 0 };
  result.attempted = await drainDue(limit, BATCH_SIZE, (batch) => claimDue(db, opts, batch, now()), async (claimed) => {
    const outcomes = await Promise.allSettled(claimed.map((c) => deliverOne(db, opts, c, now)));
    for (const o of outcomes) {
      if (o.status === 'rejected') throw o.reason; // the database failed: the lease brings the delivery back
      if (o.value === 'succeeded') result.succeeded++;
      else result.failed++;
    }
  });
  return result;
}

/**
 * Due pending deliveries of enabled endpoints, oldest first, each the oldest pending one of its
 * connection for its endpoint (in order per connection), leased; with what sending them needs.
 */
async function claimDue(db: Executor, opts: DeliverOptions, batch: number, at: Date) {
  const lease = new Date(at.getTime() + (opts.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS) + LEASE_MARGIN_MS);
  const p = alias(d, 'p');
  const earlierPending = db
    .select({ one: sql<number>`1` })
    .from(p)
    .where(
      and(
        eq(p.endpointId, d.endpointId),
        eq(p.connectionId, d.connectionId),
        eq(p.status, 'pending'),
        sql`(${p.messageCreatedAt}, ${p.id}) < (${d.messageCreatedAt}, ${d.id})`,
      ),
    );
  const due = db
    .select({ id: d.id })
    .from(d)
    .innerJoin(e, eq(e.id, d.endpointId))
    .where(and(eq(d.status, 'pending'), lte(d.nextAttemptAt, at), ne(e.status, 'disabled'), or(isNull(d.connectionId), notExists(earlierPending))))
    .orderBy(asc(d.nextAttemptAt), asc(d.id))
    .limit(batch)
    .for('update', { of: d, skipLocked: true });
  const leases = await leaseDue<number>(db, d, due, lease, at);
  if (leases.length === 0) return [];
  const rows = await db
    .select({
      id: d.id,
      messageId: d.messageId,
      endpointId: d.endpointId,
      url: e.url,
      secretEnc: e.secretEnc,
      previousSecretEnc: e.previousSecretEnc,
      previousSecretExpiresAt: e.previousSecretExpiresAt,
      payload: m.payload,
    })
    .from(d)
    .innerJoin(e, eq(e.id, d.endpointId))
    .innerJoin(m, eq(m.id, d.messageId))
    .where(inArray(d.id, leases.map((l) => l.id)))
    .orderBy(asc(d.id));
  return rows.map((r) => ({ ...r, ...leases.find((l) => l.id === r.id)! }));
}

type Claimed = Awaited<ReturnType<typeof claimDue>>[number] & Lease<number>;

async function deliverOne(db: Executor, opts: DeliverOptions, c: Claimed, now: () => Date): Promise<DeliveryOutcome> {
  const attempt = await attemptDelivery(opts, c, now);
  const at = now();
  let outcome: DeliveryOutcome;
  if (attempt.ok) {
    outcome = await recordSuccess(db, c, attempt.status, at);
  } else if (attempt.status === 410) {
    outcome = await recordGone(db, c, at);
  } else {
    outcome = await recordFailure(db, opts, c, attempt, at);
  }
  opts.onAttempt?.(outcome);
  return outcome;
}

async function attemptDelivery(opts: DeliverOptions, c: Claimed, now: () => Date): Promise<Attempt> {
  try {
    const secrets = [decryptSecret(c.secretEnc, opts.keys)];
    if (c.previousSecretEnc && c.previousSecretExpiresAt && c.previousSecretExpiresAt > now()) {
      secrets.push(decryptSecret(c.previousSecretEnc, opts.keys));
    }
    const body = JSON.stringify(c.payload);
    // The signature's timestamp is the wall clock: consumers compare it with theirs (replay window).
    const headers = { ...signWebhook(c.messageId, body, secrets, new Date()), 'content-type': 'application/json', 'user-agent': 'Reconnect-Webhooks/1' };
    const timeoutMs = opts.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
    const res = opts.fetch
      ? await sendWithFetch(opts.fetch, c.url, body, headers, timeoutMs, opts.allowPrivate, opts.lookup)
      : await sendPinned(c.url, body, headers, timeoutMs, opts.allowPrivate, opts.lookup);
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    const redirect = res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : '';
    const snippet = res.body.trim() ? `: ${res.body.trim()}` : '';
    return { ok: false, status: res.status, retryAfter: res.retryAfter, error: truncate(`HTTP ${res.status}${redirect}${snippet}`) };
  } catch (err) {
    return { ok: false, status: null, retryAfter: null, error: truncate(describeError(err)) };
  }
}

const leaseHeld = (c: Claimed) => heldBy(d, c);

async function recordSuccess(db: Executor, c: Claimed, status: number, at: Date): Promise<DeliveryOutcome> {
  // A success counts even if the lease ran out meanwhile: the consumer has the message.
  const rows = await db
    .update(d)
    .set({ status: 'succeeded', attempts: sql`${d.attempts} + 1`, deliveredAt: at, lastResponseCode: status, lastError: null, leaseToken: null, updatedAt: at })
    .where(and(eq(d.id, c.id), eq(d.status, 'pending')))
    .returning({ id: d.id });
  if (rows.length > 0) {
    await db
      .update(e)
      .set({ status: 'active', disabledReason: null, updatedAt: at })
      .where(and(eq(e.id, c.endpointId), eq(e.status, 'failing')));
  }
  return 'succeeded';
}

// 410 Gone: the consumer asks for no more. The endpoint is disabled; this delivery and the later ones
// stay pending (not sent while it is disabled) and resume in order if an admin enables it again.
async function recordGone(db: Executor, c: Claimed, at: Date): Promise<DeliveryOutcome> {
  await db.transaction(async (tx) => {
    await tx
      .update(d)
      .set({
        attempts: sql`${d.attempts} + 1`,
        lastResponseCode: 410,
        lastError: 'HTTP 410 Gone: the endpoint was disabled',
        nextAttemptAt: at,
        leaseToken: null,
        updatedAt: at,
      })
      .where(leaseHeld(c));
    await tx
      .update(e)
      .set({ status: 'disabled', updatedAt: at, disabledReason: 'The endpoint answered 410 Gone: it asked for no more deliveries.' })
      .where(eq(e.id, c.endpointId));
  });
  return 'endpoint_disabled';
}

async function recordFailure(
  db: Executor,
  opts: DeliverOptions,
  c: Claimed,
  attempt: Extract<Attempt, { ok: false }>,
  at: Date,
): Promise<DeliveryOutcome> {
  const retryAfter = Math.min(parseRetryAfter(attempt.retryAfter, at) ?? 0, MAX_RETRY_AFTER_SECONDS);
  const retryAt = nextAttemptAt(c.attempts + 1, at, { schedule: opts.schedule ?? DEFAULT_RETRY_SCHEDULE, random: opts.random, atLeastSeconds: retryAfter });
  const exhausted = retryAt === undefined;
  const next = retryAt ?? at;
  // Only the holder of the current lease writes a failure (a late, superseded worker changes nothing).
  const rows = await db
    .update(d)
    .set({
      attempts: sql`${d.attempts} + 1`,
      lastResponseCode: attempt.status,
      lastError: attempt.error,
      nextAttemptAt: next,
      leaseToken: null,
      updatedAt: at,
      status: exhausted ? 'failed' : 'pending',
    })
    .where(leaseHeld(c))
    .returning({ id: d.id });
  if (exhausted && rows.length > 0) {
    await db
      .update(e)
      .set({ status: 'failing', updatedAt: at })
      .where(and(eq(e.id, c.endpointId), eq(e.status, 'active')));
  }
  return exhausted ? 'failed' : 'retrying';
}

// The built-in transport: node:http(s) with a lookup that refuses non-public addresses, so the
// address checked is the address connected to. Redirects are never followed (node:http does not).
async function sendPinned(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  allowPrivate: boolean,
  lookup?: HostLookup,
): Promise<SendResult> {
  // An IP-literal host is judged here (no lookup happens for it); a host name by the lookup at connect time.
  const checked = checkWebhookUrlSyntax(rawUrl, { allowPrivate });
  if (!checked.ok) throw new Error(`refused: the URL ${checked.reason}`);
  const url = checked.url;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<SendResult>((resolve, reject) => {
    const req = send(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: guardedLookup(lookup, allowPrivate),
      agent: false,
    });
    const timer = setTimeout(() => req.destroy(new Error(`timed out after ${timeoutMs / 1000} s`)), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.on('response', (res: IncomingMessage) => {
      readLimited(res).then(
        (text) => {
          clearTimeout(timer);
          const retryAfter = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, retryAfter: typeof retryAfter === 'string' ? retryAfter : null, body: text });
        },
        (err: Error) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
    req.end(body);
  });
}

function readLimited(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      if (size >= MAX_RESPONSE_BYTES) return;
      size += chunk.length;
      chunks.push(chunk);
      if (size >= MAX_RESPONSE_BYTES) {
        res.destroy(); // enough to show; the rest is not needed
        resolve(Buffer.concat(chunks).toString('utf8'));
      }
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

async function sendWithFetch(
  fetchFn: typeof fetch,
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  allowPrivate: boolean,
  lookup?: HostLookup,
): Promise<SendResult> {
  const checked = await checkWebhookUrl(rawUrl, { allowPrivate, lookup });
  if (!checked.ok) throw new Error(`refused: the URL ${checked.reason}`);
  const res = await fetchFn(rawUrl, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text().catch(() => '');
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: text.slice(0, MAX_RESPONSE_BYTES) };
}

function describeError(err: unknown): string {
  if (err instanceof ForbiddenAddressError) return err.message;
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timed out';
  const code = (err as { code?: string }).code;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.message && err.message === 'fetch failed') return cause.code ? `${cause.code}: ${cause.message}` : cause.message;
  if (code && !err.message.includes(code)) return `${code}: ${err.message}`;
  return err.message;
}

function truncate(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > MAX_ERROR_LENGTH ? `${oneLine.slice(0, MAX_ERROR_LENGTH - 1)}…` : oneLine;
}
