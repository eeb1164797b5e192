// The service API's shared pieces: error bodies, API-key auth, and JSON body parsing.
import { createLogger } from '../log';
import type { z } from 'zod';
import { verifyApiKey, type ApiKeyIdentity } from '../api-keys';
import { errorMessage, getDb } from '../db';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../db/unavailable';
import { clientAddress } from '../client-address';
import { checkJsonText, CONTROL_CHARS_MESSAGE, MAX_JSON_DEPTH } from '../input';
import { RateLimiter } from '../rate-limit';

export const MAX_BODY_BYTES = 64 * 1024;

const NO_STORE = { 'cache-control': 'no-store' };
const JSON_TYPE = { 'content-type': 'application/json' };

/** A JSON answer that no cache keeps (API answers may carry tokens or secrets). */
export function apiJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  // JSON.stringify and plain header objects: Response.json and a Headers copy cost about twice as much per call.
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_TYPE, ...NO_STORE, ...headers } });
}

/** `{"error": {"code", "message", ...extra}}` with `status`. */
export function apiError(status: number, code: string, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Response {
  return apiJson({ error: { ...extra, code, message } }, status, headers);
}

function bearer(request: Request): string | undefined {
  const header = request.headers.get('authorization');
  const match = header ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null;
  return match?.[1];
}

// Guessing keys: 20 wrong keys a minute from one client, then 429 to its wrong keys until the minute is
// over. All clients together get 300 a minute too, in case many addresses guess at once.
const keyFailures = new RateLimiter('api_key_failures', 20, 60);
const allKeyFailures = new RateLimiter('api_key_failures_all', 300, 60);

const rateLimited = (wait: number) =>
  apiError(429, 'rate_limited', 'Too many requests with a wrong API key; wait and retry.', {}, { 'retry-after': String(wait) });

/** Counts a wrong key; seconds to wait once this client, or all clients together, went over the limit. */
async function countKeyFailure(client: string): Promise<number> {
  const db = getDb();
  const [mine, all] = await Promise.all([keyFailures.hit(db, client), allKeyFailures.hit(db, 'all')]);
  return Math.max(mine.refused ? mine.wait : 0, all.refused ? all.wait : 0);
}

/** 503 `database_unavailable` with Retry-After: the database is restarting or unreachable; nothing changed. */
export const databaseUnavailable = () =>
  apiError(
    503,
    'database_unavailable',
    'The database is temporarily unavailable (restarting or unreachable). Nothing changed; retry shortly.',
    {},
    { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) },
  );

const unauthorized = (message: string) =>
  apiError(401, 'unauthorized', message, {}, { 'www-authenticate': 'Bearer realm="reconnect"' });

/**
 * Wraps a route handler: answers 401 unless `Authorization: Bearer <key>` names an active API key,
 * answers 503 `database_unavailable` while the database is away, and turns any other unexpected exception into a
 * 500 JSON error (logged, with no detail sent out).
 */
export function withApiKey<C>(handler: (request: Request, context: C, apiKey: ApiKeyIdentity) => Promise<Response>) {
  return withApiKeyLoading<C, undefined>(
    async (key) => {
      const apiKey = await verifyApiKey(getDb(), key);
      return apiKey && { apiKey, loaded: undefined };
    },
    (request, context, apiKey) => handler(request, context, apiKey),
  );
}

/**
 * withApiKey, for a route that reads what it needs in the same statement as the key (`authenticate`
 * answers undefined when the key is not an active one): the handler gets what was loaded.
 */
export function withApiKeyLoading<C, T>(
  authenticate: (key: string, context: C) => Promise<{ apiKey: ApiKeyIdentity; loaded: T } | undefined>,
  handler: (request: Request, context: C, apiKey: ApiKeyIdentity, loaded: T) => Promise<Response>,
) {
  return async (request: Request, context: C): Promise<Response> => {
    try {
      const key = bearer(request);
      if (!key) return unauthorized('Missing API key: send it as "Authorization: Bearer <key>".');
      // The key is checked first: wrong keys sent in someone else's name must never lock out a right one,
      // and a right key costs no rate-limit read or write.
      const found = await authenticate(key, context);
      if (found) return await handler(request, context, found.apiKey, found.loaded);
      const client = clientAddress(request.headers);
      const known = keyFailures.knownWait(client);
      if (known > 0) return rateLimited(known);
      const wait = await countKeyFailure(client);
      return wait > 0 ? rateLimited(wait) : unauthorized('Invalid or revoked API key.');
    } catch (err) {
      if (isDatabaseUnavailable(err)) return databaseUnavailable();
      createLogger('api').error(`unexpected error: ${errorMessage(err)}`);
      return apiError(500, 'internal_error', 'The request failed unexpectedly. Nothing is known to have changed; try again.');
    }
  };
}

function isJson(contentType: string | null): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

const tooLarge = () => apiError(413, 'payload_too_large', `The request body is larger than ${MAX_BODY_BYTES / 1024} KiB.`);

/**
 * The body's bytes, counted while they stream in: undefined once they pass `max` (read no further, whatever
 * Content-Length said, so a chunked upload cannot make the server hold more than `max`).
 */
export async function readBodyLimited(request: Request, max: number): Promise<Buffer | undefined> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) return undefined;
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function fieldOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) return [...issue.path, issue.keys[0]].join('.');
  return issue.path.map(String).join('.');
}

/**
 * The body parsed with `schema`, or the error Response to return as is: 415 unless the content type
 * is JSON, 413 over 64 KiB, 400 `invalid_request` for bad JSON, nesting deeper than MAX_JSON_DEPTH, control
 * characters in any string, or bad fields (the first bad field is named in `field` and in the message).
 * An absent or empty body is `{}`, so that a route whose fields are all optional takes a bare POST.
 */
export async function parseJsonBody<S extends z.ZodType>(request: Request, schema: S): Promise<z.infer<S> | Response> {
  const bytes = await readBodyLimited(request, MAX_BODY_BYTES);
  if (bytes === undefined) return tooLarge();
  const text = bytes.toString('utf8');
  if (text.trim() !== '' && !isJson(request.headers.get('content-type'))) {
    return apiError(415, 'unsupported_media_type', 'Send the request body as JSON, with "Content-Type: application/json".');
  }
  let json: unknown;
  try {
    json = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    return apiError(400, 'invalid_request', 'The request body is not valid JSON.');
  }
  const check = checkJsonText(json);
  if (check?.kind === 'too_deep') return apiError(400, 'invalid_request', `Invalid request body: nested deeper than ${MAX_JSON_DEPTH} levels.`);
  if (check?.path === '') return apiError(400, 'invalid_request', `Invalid request body: ${CONTROL_CHARS_MESSAGE}.`);
  if (check) return apiError(400, 'invalid_request', `Invalid field "${check.path}": ${CONTROL_CHARS_MESSAGE}.`, { field: check.path });
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue ? fieldOf(issue) : '';
  const detail = `${(issue?.message ?? 'not accepted').replace(/\.$/, '')}.`;
  if (!field) return apiError(400, 'invalid_request', `Invalid request body: ${detail}`);
  return apiError(400, 'invalid_request', `Invalid field "${field}": ${detail}`, { field });
}
