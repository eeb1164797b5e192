import type { Sql } from 'postgres';
import type { KeyRing } from '../tokens/crypto';

/** What the OAuth flows need: passed in, so that tests and the app share one code path. */
export interface FlowContext {
  sql: Sql;
  keys: KeyRing;
  appUrl: string;
  adminEmails: string[];
  atlassian: { authUrl: string; apiUrl: string; clientId: string; clientSecret: string };
  now?: () => Date;
  refreshMarginSeconds?: number;
}

export const callbackUrl = (ctx: FlowContext) => `${ctx.appUrl}/api/oauth/callback`;
