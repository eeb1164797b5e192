// The consent flow every provider shares: sign-in redirect, the consent page (or auto-consent), the CSRF-checked
// decision, single-use authorization codes and the redirects back to the app. A provider brings its request
// parsing (which parameters it takes, what it refuses) and its wording.
import { DEFAULT_AUTO_CONSENT_EMAIL, findAccount, type SandboxAccount } from './accounts';
import { html, readForm, redirect, withQuery, type Reply, type RequestContext } from './http';
import { consentPage, errorPage, type ConsentWording } from './pages';
import { currentSession } from './session';
import { newAuthorizationCode } from './token-strings';

const CODE_TTL_MS = 10 * 60 * 1000;

export interface AuthCode {
  code: string;
  clientId: string;
  redirectUri: string;
  /** Whether the authorize request named the redirect_uri (then the exchange must repeat it). */
  redirectUriGiven: boolean;
  userEmail: string;
  scopes: string[];
  expiresAt: number;
  used: boolean;
}

export interface ConsentRequest {
  clientId: string;
  redirectUri: string;
  redirectUriGiven: boolean;
  scopes: string[];
  state: string | null;
}

export type ParsedConsent = { ok: true; request: ConsentRequest } | { ok: false; reply: Reply };

/** One provider's consent screen. */
export interface ConsentFlow<S> {
  wording: ConsentWording;
  /** Authorize parameters carried from the consent page to the decision. */
  carriedParams: readonly string[];
  parse(params: URLSearchParams, part: S): ParsedConsent;
  codes(part: S): Map<string, AuthCode>;
  /** The permissions the page lists. */
  scopesShown(request: ConsentRequest, part: S): readonly string[];
  deniedDescription: string;
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hash === '';
  } catch {
    return false;
  }
}

export function consentError<S>(flow: ConsentFlow<S>, message: string): ParsedConsent {
  return { ok: false, reply: html(400, errorPage(flow.wording.brand, 'Something went wrong', message)) };
}

function issueCode<S>(ctx: RequestContext, flow: ConsentFlow<S>, part: S, request: ConsentRequest, account: SandboxAccount) {
  const code = newAuthorizationCode();
  flow.codes(part).set(code, {
    code,
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    redirectUriGiven: request.redirectUriGiven,
    userEmail: account.email,
    scopes: request.scopes,
    expiresAt: ctx.sim.clock.now() + CODE_TTL_MS,
    used: false,
  });
  return redirect(withQuery(request.redirectUri, { code, state: request.state }));
}

function autoConsentAccount(ctx: RequestContext): SandboxAccount | undefined {
  const signedIn = currentSession(ctx);
  if (signedIn) return signedIn.account;
  return findAccount(ctx.url.searchParams.get('login_hint') ?? DEFAULT_AUTO_CONSENT_EMAIL);
}

/** GET authorize: the consent page, a sign-in first, or (auto-consent) a code at once. */
export function showConsent<S>(ctx: RequestContext, flow: ConsentFlow<S>, part: S): Reply {
  const parsed = flow.parse(ctx.url.searchParams, part);
  if (!parsed.ok) return parsed.reply;
  if (ctx.sim.autoConsent) {
    const account = autoConsentAccount(ctx);
    if (!account) return html(400, errorPage(flow.wording.brand, 'Unknown account', 'login_hint names no sandbox account.'));
    return issueCode(ctx, flow, part, parsed.request, account);
  }
  const here = `${ctx.url.pathname}${ctx.url.search}`;
  const signedIn = currentSession(ctx);
  if (!signedIn) return redirect(`/login?continue=${encodeURIComponent(here)}`);
  const fields: Record<string, string> = { csrf_token: signedIn.session.csrfToken };
  for (const name of flow.carriedParams) {
    const value = ctx.url.searchParams.get(name);
    if (value !== null) fields[name] = value;
  }
  const scopes = flow.scopesShown(parsed.request, part);
  return html(200, consentPage(flow.wording, { account: signedIn.account, scopes, fields, switchAccountTo: here }));
}

/** POST of the consent page: Accept (a code) or Cancel (access_denied), from the signed-in user only. */
export async function submitConsent<S>(ctx: RequestContext, flow: ConsentFlow<S>, part: S): Promise<Reply> {
  const form = await readForm(ctx.req);
  const parsed = flow.parse(form, part);
  if (!parsed.ok) return parsed.reply;
  const { brand, accept } = flow.wording;
  const signedIn = currentSession(ctx);
  if (!signedIn || form.get('csrf_token') !== signedIn.session.csrfToken) {
    return html(400, errorPage(brand, 'Your session has changed', 'Start the authorization again from the app.'));
  }
  const decision = form.get('decision');
  if (decision === accept.value) return issueCode(ctx, flow, part, parsed.request, signedIn.account);
  if (decision === 'cancel') {
    const { redirectUri, state } = parsed.request;
    return redirect(withQuery(redirectUri, { error: 'access_denied', error_description: flow.deniedDescription, state }));
  }
  return html(400, errorPage(brand, 'Something went wrong', `Choose ${accept.label} or Cancel.`));
}

/**
 * Takes a code for the exchange: undefined when unknown, used, another client's or expired. A code is used up
 * by the attempt, even when the rest of the request turns out wrong.
 */
export function redeemCode(codes: Map<string, AuthCode>, value: string, clientId: unknown, now: number): AuthCode | undefined {
  const code = codes.get(value);
  if (!code || code.used || code.clientId !== clientId) return undefined;
  code.used = true;
  return now >= code.expiresAt ? undefined : code;
}
