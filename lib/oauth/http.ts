// The HTTP every provider's client shares: a bearer GET of JSON and a token POST, each under a hard
// timeout, never following redirects (a redirect would carry the token or the client secret elsewhere).
import type { z } from 'zod';
import { apiErrorFromThrown, ProviderApiError, tokenErrorFromThrown, type TokenRequestKind } from './errors';
import type { ApiClientConfig, OAuthClientConfig, TokenSet } from './types';

export const DEFAULT_TIMEOUT_MS = 15_000;

/** How a provider reads a non-2xx API answer. */
export type ApiErrorMapper = (status: number, headers: Headers, body: unknown) => ProviderApiError;

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** GET `url` with the access token; the body must match `schema`. Throws ProviderApiError. */
export async function getJson<T>(cfg: ApiClientConfig, url: string, accessToken: string, schema: z.ZodType<T>, errorFor: ApiErrorMapper): Promise<T> {
  let res: Response;
  let body: unknown;
  try {
    res = await (cfg.fetch ?? globalThis.fetch)(url, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    body = parseJson(await res.text());
  } catch (err) {
    throw apiErrorFromThrown(err);
  }
  if (res.status < 200 || res.status >= 300) throw errorFor(res.status, res.headers, body);
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ProviderApiError('bad_response', { status: res.status });
  return parsed.data;
}

/** POSTs to a token endpoint; only sends (fetch's own errors propagate). */
export function postTokenRequest(cfg: OAuthClientConfig, url: string, init: { headers: Record<string, string>; body: string }): Promise<Response> {
  return (cfg.fetch ?? globalThis.fetch)(url, {
    method: 'POST',
    headers: { accept: 'application/json', ...init.headers },
    body: init.body,
    redirect: 'manual',
    signal: AbortSignal.timeout(cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS),
  });
}

/** send + process, every failure a TokenEndpointError. */
export async function requestTokens(kind: TokenRequestKind, send: () => Promise<Response>, process: (res: Response) => Promise<TokenSet>): Promise<TokenSet> {
  try {
    return await process(await send());
  } catch (err) {
    throw tokenErrorFromThrown(err, kind);
  }
}

// Field names only: zod's messages could quote the values, which may be tokens.
export function invalidFields(error: z.ZodError): string {
  const fields = new Set(error.issues.map((issue) => issue.path.join('.') || '(body)'));
  return `invalid: ${[...fields].join(', ')}`;
}
