import { cookies } from 'next/headers';
import { getConfig } from '../config';
import { newSecret } from '../secrets';
import { cookieOptions, FLOW_TTL_SECONDS, flowCookieName } from './cookies';

/**
 * This browser's OAuth-flow nonce (httpOnly cookie), created when missing and kept alive for as long as a state
 * lasts. One nonce per browser, so flows started in two tabs both finish. Server actions and route handlers only.
 */
export async function browserFlowNonce(): Promise<string> {
  const appUrl = getConfig().appUrl;
  const jar = await cookies();
  const nonce = jar.get(flowCookieName(appUrl))?.value || newSecret();
  jar.set(flowCookieName(appUrl), nonce, cookieOptions(appUrl, FLOW_TTL_SECONDS));
  return nonce;
}

/** The nonce the calling browser sent, if any (the callback compares it with the state's). */
export async function sentFlowNonce(): Promise<string | null> {
  return (await cookies()).get(flowCookieName(getConfig().appUrl))?.value ?? null;
}
