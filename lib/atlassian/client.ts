// Calls {API}/ex/{product}/{cloudId}/… with a connection's token. On a 401 it asks for a fresh
// token with `rejectedToken` (so a peer's newer token is used, and at most one refresh is made)
// and retries once; a second "scope does not match" means only a new consent can fix it.
import { classifyApiUnauthorized } from './errors';
import type { Product } from './products';
import { productApiUrl } from './urls';

export interface TokenSource {
  getAccessToken(connectionId: string, o?: { rejectedToken?: string }): Promise<{ accessToken: string }>;
  recordApiUnauthorized(connectionId: string, code: 'unauthorized' | 'scope_mismatch', status: number): Promise<void>;
  markNeedsReauth(connectionId: string, reason: 'scope_mismatch', code: string): Promise<void>;
}

export interface ProductApiConfig {
  apiUrl: string;
  tokens: TokenSource;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export interface ProductApiRequest {
  connectionId: string;
  product: Product;
  cloudId: string;
  path: string;
  method?: string;
  headers?: HeadersInit;
  /** Buffered so that the one retry can send it again. */
  body?: string | Uint8Array<ArrayBuffer>;
}

async function send(cfg: ProductApiConfig, req: ProductApiRequest, url: string, token: string): Promise<Response> {
  const headers = new Headers(req.headers);
  headers.set('authorization', `Bearer ${token}`);
  headers.set('accept', headers.get('accept') ?? 'application/json');
  return (cfg.fetch ?? fetch)(url, {
    method: req.method ?? 'GET',
    headers,
    body: req.body,
    redirect: 'manual',
    signal: AbortSignal.timeout(cfg.timeoutMs ?? 30_000),
  });
}

async function unauthorizedKind(res: Response): Promise<'unauthorized' | 'scope_mismatch' | null> {
  if (res.status !== 401) return null;
  const text = await res.clone().text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: classify the text itself
  }
  return classifyApiUnauthorized(401, body);
}

export async function callProductApi(cfg: ProductApiConfig, req: ProductApiRequest): Promise<Response> {
  const url = productApiUrl(cfg.apiUrl, req.product, req.cloudId, req.path);
  const first = await cfg.tokens.getAccessToken(req.connectionId);
  const res = await send(cfg, req, url, first.accessToken);
  const firstKind = await unauthorizedKind(res);
  if (!firstKind) return res;
  await cfg.tokens.recordApiUnauthorized(req.connectionId, firstKind, 401);
  const fresh = await cfg.tokens.getAccessToken(req.connectionId, { rejectedToken: first.accessToken });
  const retry = await send(cfg, req, url, fresh.accessToken);
  const retryKind = await unauthorizedKind(retry);
  if (!retryKind) return retry;
  await cfg.tokens.recordApiUnauthorized(req.connectionId, retryKind, 401);
  if (retryKind === 'scope_mismatch') await cfg.tokens.markNeedsReauth(req.connectionId, 'scope_mismatch', retryKind);
  return retry;
}
