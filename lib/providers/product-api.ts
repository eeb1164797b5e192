// Calls a product's API with a connection's token (Atlassian: {API}/ex/{product}/{cloudId}/…;
// Bitbucket: {BB_API}/…, the URL is the product's provider's to build). On a 401 it asks for a fresh
// token with `rejectedToken` (so a peer's newer token is used, and at most one refresh is made)
// and retries once; a second "scope does not match" means only a new consent can fix it.
import type { ProductApps } from './apps';
import { providerFor, type Product } from './registry';

export interface TokenSource {
  getAccessToken(connectionId: string, o?: { rejectedToken?: string }): Promise<{ accessToken: string; tokenGeneration?: number }>;
  /** `tokenGeneration`: the generation of the token the API refused, so that a verdict stays with its grant. */
  recordApiUnauthorized(connectionId: string, code: 'unauthorized' | 'scope_mismatch', status: number, tokenGeneration?: number): Promise<void>;
  markNeedsReauth(connectionId: string, reason: 'scope_mismatch', code: string): Promise<void>;
}

export interface ProductApiConfig {
  apps: ProductApps;
  tokens: TokenSource;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export interface ProductApiRequest {
  connectionId: string;
  product: Product;
  /** Atlassian: the cloud id. Bitbucket: the first segment of the path under {BB_API} (e.g. "2.0"). */
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

async function unauthorizedKind(res: Response, product: Product): Promise<'unauthorized' | 'scope_mismatch' | null> {
  if (res.status !== 401) return null;
  const text = await res.clone().text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: classify the text itself
  }
  return providerFor(product).classifyApiRefusal(401, body);
}

/** The upstream URL of a request; throws when the product is not configured or the path escapes its API. */
export function productRequestUrl(cfg: Pick<ProductApiConfig, 'apps'>, req: Pick<ProductApiRequest, 'product' | 'cloudId' | 'path'>): string {
  const app = cfg.apps(req.product);
  if (!app) throw new Error(`${req.product} is not configured`);
  return providerFor(req.product).apiRequestUrl(app, req.cloudId, req.path);
}

export async function callProductApi(cfg: ProductApiConfig, req: ProductApiRequest): Promise<Response> {
  const url = productRequestUrl(cfg, req);
  const first = await cfg.tokens.getAccessToken(req.connectionId);
  const res = await send(cfg, req, url, first.accessToken);
  const firstKind = await unauthorizedKind(res, req.product);
  if (!firstKind) return res;
  await cfg.tokens.recordApiUnauthorized(req.connectionId, firstKind, 401, first.tokenGeneration);
  const fresh = await cfg.tokens.getAccessToken(req.connectionId, { rejectedToken: first.accessToken });
  const retry = await send(cfg, req, url, fresh.accessToken);
  const retryKind = await unauthorizedKind(retry, req.product);
  if (!retryKind) return retry;
  await cfg.tokens.recordApiUnauthorized(req.connectionId, retryKind, 401, fresh.tokenGeneration);
  if (retryKind === 'scope_mismatch') await cfg.tokens.markNeedsReauth(req.connectionId, 'scope_mismatch', retryKind);
  return retry;
}
