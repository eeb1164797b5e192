// The webhook worker step: claims due deliveries from the outbox, sends them signed, records outcomes.
//
// At least once, never twice at the same time: a claim is a short transaction (`FOR UPDATE SKIP LOCKED`)
// that moves the delivery's next_attempt_at to the end of a lease and commits before the HTTP call. A
// process that dies mid-send leaves the delivery pending with that lease: it is sent again (same
// webhook-id) once the lease is over. No transaction is open while a consumer is being called.
import { randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Sql } from 'postgres';
import { decryptSecret, type KeyRing } from '../tokens/crypto';
import { signWebhook } from './sign';
import { checkWebhookUrl, checkWebhookUrlSyntax, ForbiddenAddressError, guardedLookup, type HostLookup } from './ssrf';

/** Seconds to wait after the 1st, 2nd, … failed attempt; after the last one the delivery fails. */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = [5, 300, 1800, 7200, 18000, 36000, 86400];
export const DEFAULT_DELIVERY_TIMEOUT_MS = 15_000;
/** Added to the timeout to make a claim's lease: time for the claim, the send and the outcome write. */
export const LEASE_MARGIN_MS = 30_000;
const DEFAULT_LIMIT = 100;
const BATCH_SIZE = 25;
const JITTER = 0.2;
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

interface Claimed {
  id: string; // bigint
  message_id: string;
  endpoint_id: string;
  attempts: number;
  lease_token: string;
  url: string;
  secret_enc: string;
  previous_secret_enc: string | null;
  previous_secret_expires_at: Date | null;
  payload: Record<string, unknown>;
}

interface SendResult {
  status: number;
  retryAfter: string | null;
  body: string;
}

type Attempt = { ok: true; status: number } | { ok: false; status: number | null; error: string; retryAfter: string | null };

export async function deliverDueWebhooks(sql: Sql, opts: DeliverOptions): Promise<DeliverResult> {
  const now = opts.now ?? (() => new Date());
  const limit = opts.limit ?? DEFAULT_LIMIT;
  const result: DeliverResult = { attempted: 0, succeeded: 0, failed: 0 };
  // Batches until nothing is due: a success can make the next message of the same connection due.
  while (result.attempted < limit) {
    const claimed = await claimDue(sql, opts, Math.min(BATCH_SIZE, limit - result.attempted), now());
    if (claimed.length === 0) break;
    result.attempted += claimed.length;
    const outcomes = await Promise.allSettled(claimed.map((d) => deliverOne(sql, opts, d, now)));
    for (const o of outcomes) {
      if (o.status === 'rejected') throw o.reason; // the database failed: the lease brings the delivery back
      if (o.value === 'succeeded') result.succeeded++;
      else result.failed++;
    }
  }
  return result;
}

/**
 * Due pending deliveries of enabled endpoints, oldest first, each the oldest pending one of its
 * connection for its endpoint (in order per connection), locked with SKIP LOCKED and leased in one
 * short transaction.
 */
async function claimDue(sql: Sql, opts: DeliverOptions, batch: number, at: Date): Promise<Claimed[]> {
  const lease = new Date(at.getTime() + (opts.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS) + LEASE_MARGIN_MS);
  const token = randomUUID();
  return sql<Claimed[]>`
    with due as (
      select d.id from webhook_deliveries d
        join webhook_endpoints e on e.id = d.endpoint_id
      where d.status = 'pending' and d.next_attempt_at <= ${at} and e.status <> 'disabled'
        and (d.connection_id is null or not exists (
          select 1 from webhook_deliveries p
          where p.endpoint_id = d.endpoint_id and p.connection_id = d.connection_id and p.status = 'pending'
            and (p.message_created_at, p.id) < (d.message_created_at, d.id)))
      order by d.next_attempt_at, d.id
      limit ${batch}
      for update of d skip locked
    ), claimed as (
      update webhook_deliveries d set next_attempt_at = ${lease}, lease_token = ${token}, updated_at = ${at}
      from due where d.id = due.id
      returning d.id, d.message_id, d.endpoint_id, d.attempts, d.lease_token
    )
    select c.*, e.url, e.secret_enc, e.previous_secret_enc, e.previous_secret_expires_at, m.payload
    from claimed c join webhook_endpoints e on e.id = c.endpoint_id join webhook_messages m on m.id = c.message_id
    order by c.id`;
}

async function deliverOne(sql: Sql, opts: DeliverOptions, d: Claimed, now: () => Date): Promise<DeliveryOutcome> {
  const attempt = await attemptDelivery(opts, d, now);
  const at = now();
  let outcome: DeliveryOutcome;
  if (attempt.ok) {
    outcome = await recordSuccess(sql, d, attempt.status, at);
  } else if (attempt.status === 410) {
    outcome = await recordGone(sql, d, at);
  } else {
    outcome = await recordFailure(sql, opts, d, attempt, at);
  }
  opts.onAttempt?.(outcome);
  return outcome;
}

async function attemptDelivery(opts: DeliverOptions, d: Claimed, now: () => Date): Promise<Attempt> {
  try {
    const secrets = [decryptSecret(d.secret_enc, opts.keys)];
    if (d.previous_secret_enc && d.previous_secret_expires_at && d.previous_secret_expires_at > now()) {
      secrets.push(decryptSecret(d.previous_secret_enc, opts.keys));
    }
    const body = JSON.stringify(d.payload);
    // The signature's timestamp is the wall clock: consumers compare it with theirs (replay window).
    const headers = { ...signWebhook(d.message_id, body, secrets, new Date()), 'content-type': 'application/json', 'user-agent': 'Reconnect-Webhooks/1' };
    const timeoutMs = opts.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
    const res = opts.fetch
      ? await sendWithFetch(opts.fetch, d.url, body, headers, timeoutMs, opts.allowPrivate, opts.lookup)
      : await sendPinned(d.url, body, headers, timeoutMs, opts.allowPrivate, opts.lookup);
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    const redirect = res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : '';
    const snippet = res.body.trim() ? `: ${res.body.trim()}` : '';
    return { ok: false, status: res.status, retryAfter: res.retryAfter, error: truncate(`HTTP ${res.status}${redirect}${snippet}`) };
  } catch (err) {
    return { ok: false, status: null, retryAfter: null, error: truncate(describeError(err)) };
  }
}

async function recordSuccess(sql: Sql, d: Claimed, status: number, at: Date): Promise<DeliveryOutcome> {
  // A success counts even if the lease ran out meanwhile: the consumer has the message.
  const rows = await sql`
    update webhook_deliveries set status = 'succeeded', attempts = attempts + 1, delivered_at = ${at},
      last_response_code = ${status}, last_error = null, lease_token = null, updated_at = ${at}
    where id = ${d.id} and status = 'pending' returning 1`;
  if (rows.length > 0) {
    await sql`update webhook_endpoints set status = 'active', disabled_reason = null, updated_at = ${at}
              where id = ${d.endpoint_id} and status = 'failing'`;
  }
  return 'succeeded';
}

// 410 Gone: the consumer asks for no more. The endpoint is disabled; this delivery and the later ones
// stay pending (not sent while it is disabled) and resume in order if an admin enables it again.
async function recordGone(sql: Sql, d: Claimed, at: Date): Promise<DeliveryOutcome> {
  await sql.begin(async (tx) => {
    await tx`update webhook_deliveries set attempts = attempts + 1, last_response_code = 410,
               last_error = 'HTTP 410 Gone: the endpoint was disabled', next_attempt_at = ${at}, lease_token = null, updated_at = ${at}
             where id = ${d.id} and lease_token = ${d.lease_token} and status = 'pending'`;
    await tx`update webhook_endpoints set status = 'disabled', updated_at = ${at},
               disabled_reason = 'The endpoint answered 410 Gone: it asked for no more deliveries.'
             where id = ${d.endpoint_id}`;
  });
  return 'endpoint_disabled';
}

async function recordFailure(
  sql: Sql,
  opts: DeliverOptions,
  d: Claimed,
  attempt: Extract<Attempt, { ok: false }>,
  at: Date,
): Promise<DeliveryOutcome> {
  const schedule = opts.schedule ?? DEFAULT_RETRY_SCHEDULE;
  const failedAttempts = d.attempts + 1;
  const exhausted = failedAttempts > schedule.length;
  let next = at;
  if (!exhausted) {
    const jittered = schedule[failedAttempts - 1] * (1 - JITTER + 2 * JITTER * (opts.random ?? Math.random)());
    const retryAfter = parseRetryAfter(attempt.retryAfter, at) ?? 0;
    next = new Date(at.getTime() + Math.max(jittered, retryAfter) * 1000);
  }
  // Only the holder of the current lease writes a failure (a late, superseded worker changes nothing).
  const rows = await sql`
    update webhook_deliveries set attempts = attempts + 1, last_response_code = ${attempt.status},
      last_error = ${attempt.error}, next_attempt_at = ${next}, lease_token = null, updated_at = ${at},
      status = ${exhausted ? 'failed' : 'pending'}
    where id = ${d.id} and lease_token = ${d.lease_token} and status = 'pending' returning 1`;
  if (exhausted && rows.length > 0) {
    await sql`update webhook_endpoints set status = 'failing', updated_at = ${at}
              where id = ${d.endpoint_id} and status = 'active'`;
  }
  return exhausted ? 'failed' : 'retrying';
}

/** Seconds to wait from a Retry-After header (delta-seconds or HTTP date), capped at one day. */
export function parseRetryAfter(value: string | null, at: Date): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  let seconds: number;
  if (/^\d+$/.test(text)) seconds = Number(text);
  else {
    const date = Date.parse(text);
    if (Number.isNaN(date)) return undefined;
    seconds = (date - at.getTime()) / 1000;
  }
  if (!(seconds > 0)) return undefined;
  return Math.min(seconds, MAX_RETRY_AFTER_SECONDS);
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
