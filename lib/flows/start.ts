import type { Product } from '../providers/registry';
import { providerFor } from '../providers';
import { hashSecret, newSecret } from '../secrets';
import { callbackUrl, type FlowContext } from './context';
import { oauthStates } from '../db/schema';
import { FLOW_TTL_SECONDS } from '../auth/cookies';

const STATE_TTL_MS = FLOW_TTL_SECONDS * 1000;

export type FlowStart =
  | { purpose: 'signin'; redirectTo?: string }
  | { purpose: 'connect'; userId: string; product: Product; connectSessionId?: string }
  | { purpose: 'reconnect'; userId: string; product: Product; connectionId: string; connectSessionId?: string };

/** The product's app is not configured: no flow can start (the API answers 400 product_not_configured). */
export class ProductNotConfiguredError extends Error {
  readonly code = 'product_not_configured';
  constructor(readonly product: Product) {
    super(`${product} is not configured on this server.`);
  }
}

/**
 * Stores a single-use state (hashed, 10 minutes) bound to the starting browser's cookie nonce, and returns
 * the provider's authorize URL carrying it. Only that browser can finish the flow (login CSRF, grant planting).
 */
export async function startFlow(ctx: FlowContext, flow: FlowStart, browserNonce: string): Promise<string> {
  if (!browserNonce) throw new Error('startFlow needs the browser nonce');
  const product = flow.purpose === 'signin' ? ctx.signInProduct : flow.product;
  const app = ctx.apps(product);
  if (!app) throw new ProductNotConfiguredError(product);
  const state = newSecret();
  const now = ctx.now?.() ?? new Date();
  await ctx.db.insert(oauthStates).values({
    stateHash: hashSecret(state),
    purpose: flow.purpose,
    userId: 'userId' in flow ? flow.userId : null,
    product,
    connectionId: flow.purpose === 'reconnect' ? flow.connectionId : null,
    connectSessionId: 'connectSessionId' in flow ? (flow.connectSessionId ?? null) : null,
    redirectTo: flow.purpose === 'signin' ? (flow.redirectTo ?? null) : null,
    browserNonceHash: hashSecret(browserNonce),
    expiresAt: new Date(now.getTime() + STATE_TTL_MS),
  });
  const purpose = flow.purpose === 'signin' ? 'signin' : 'connect';
  return providerFor(product).authorizeUrl(app, { state, redirectUri: callbackUrl(ctx), purpose });
}
