import { eq } from 'drizzle-orm';
import type { Product } from '../providers/registry';
import { providerFor } from '../providers';
import { hashSecret, newSecret } from '../secrets';
import { callbackUrl, type FlowContext } from './context';
import { connectSessions, oauthStates } from '../db/schema';
import { connectLinkToken } from '../auth/redirect';
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
  const { redirectTo, connectSessionId } = await returnAfter(ctx, flow);
  await ctx.db.insert(oauthStates).values({
    stateHash: hashSecret(state),
    purpose: flow.purpose,
    userId: 'userId' in flow ? flow.userId : null,
    product,
    connectionId: flow.purpose === 'reconnect' ? flow.connectionId : null,
    connectSessionId,
    redirectTo,
    browserNonceHash: hashSecret(browserNonce),
    expiresAt: new Date(now.getTime() + STATE_TTL_MS),
  });
  const purpose = flow.purpose === 'signin' ? 'signin' : 'connect';
  return providerFor(product).authorizeUrl(app, { state, redirectUri: callbackUrl(ctx), purpose });
}

/**
 * Where the flow leads once it is done. A sign-in that is a detour on the way to a connect link stores the link's id,
 * never its token (a bearer secret: a copy of the table must not hold working links); the callback then opens the
 * link by its id for the browser that opened it (resumeConnectSession in lib/connect-sessions.ts).
 */
async function returnAfter(ctx: FlowContext, flow: FlowStart): Promise<{ redirectTo: string | null; connectSessionId: string | null }> {
  if (flow.purpose !== 'signin') return { redirectTo: null, connectSessionId: flow.connectSessionId ?? null };
  const token = connectLinkToken(flow.redirectTo, ctx.appUrl);
  if (!token) return { redirectTo: flow.redirectTo ?? null, connectSessionId: null };
  const [link] = await ctx.db.select({ id: connectSessions.id }).from(connectSessions).where(eq(connectSessions.tokenHash, hashSecret(token)));
  // An unknown link: home after sign-in (opening it again says it is not valid).
  return { redirectTo: null, connectSessionId: link?.id ?? null };
}
