import type { Executor } from '../db';
import type { Product } from '../providers/registry';
import type { ProductApps } from '../providers/apps';
import type { KeyRing } from '../crypto';

/** What the OAuth flows need: passed in, so that tests and the app share one code path. */
export interface FlowContext {
  db: Executor;
  keys: KeyRing;
  appUrl: string;
  adminEmails: string[];
  /** Each product's configured OAuth app (undefined: not configured). */
  apps: ProductApps;
  /** The product whose app signs people in: Atlassian's 3LO app when configured, else Bitbucket's consumer. */
  signInProduct: Product;
  /** The flows' clock (tests move it); the real one by default. */
  now?: () => Date;
  refreshMarginSeconds?: number;
}

export const callbackUrl = (ctx: FlowContext) => `${ctx.appUrl}/api/oauth/callback`;
