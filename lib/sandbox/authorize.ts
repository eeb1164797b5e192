// GET /authorize (consent page or auto-consent) and POST /authorize/decision (Accept / Cancel).
import { DEFAULT_AUTO_CONSENT_EMAIL, findAccount, KNOWN_SCOPES, type SandboxAccount } from './catalog';
import { html, readForm, redirect, withQuery, type Reply, type RequestContext } from './http';
import { consentPage, errorPage } from './pages';
import { currentSession } from './session';
import type { SimState } from './state';
import { newAuthorizationCode } from './token-strings';

const AUDIENCE = 'api.atlassian.com';
const CODE_TTL_MS = 10 * 60 * 1000;
/** The request parameters carried from the consent page to the decision endpoint. */
const CARRIED_PARAMS = ['audience', 'client_id', 'scope', 'redirect_uri', 'state', 'response_type', 'prompt'] as const;

interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state: string | null;
}

type Parsed = { ok: true; request: AuthorizeRequest } | { ok: false; reply: Reply };

function badRequest(message: string): Parsed {
  return { ok: false, reply: html(400, errorPage('Something went wrong', message)) };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hash === '';
  } catch {
    return false;
  }
}

function splitScopes(raw: string | null): string[] {
  return [...new Set((raw ?? '').split(/\s+/).filter(Boolean))];
}

/** Problems with the client or redirect URI get an error page; scope problems go back to the app. */
function parseAuthorizeRequest(params: URLSearchParams, simState: SimState): Parsed {
  const clientId = params.get('client_id');
  if (!clientId) return badRequest('Missing client_id.');
  if (clientId !== simState.config.clientId) return badRequest('The app (client_id) is not registered.');
  if (params.get('audience') !== AUDIENCE) return badRequest(`The audience must be ${AUDIENCE}.`);
  if (params.get('response_type') !== 'code') return badRequest('Unsupported response_type; only "code" is supported.');
  const redirectUri = params.get('redirect_uri');
  if (!redirectUri) return badRequest('Missing redirect_uri.');
  if (!isHttpUrl(redirectUri)) return badRequest('The redirect_uri is not a valid callback URL.');

  const state = params.get('state');
  const scopes = splitScopes(params.get('scope'));
  const unknown = scopes.filter((scope) => !KNOWN_SCOPES.has(scope));
  if (scopes.length === 0 || unknown.length > 0) {
    const description = scopes.length === 0 ? 'No scope requested' : `Unknown scope: ${unknown.join(' ')}`;
    return {
      ok: false,
      reply: redirect(withQuery(redirectUri, { error: 'invalid_scope', error_description: description, state })),
    };
  }
  return { ok: true, request: { clientId, redirectUri, scopes, state } };
}

function issueCode(simState: SimState, request: AuthorizeRequest, account: SandboxAccount): Reply {
  const code = newAuthorizationCode();
  simState.codes.set(code, {
    code,
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    userEmail: account.email,
    scopes: request.scopes,
    expiresAt: simState.clock.now() + CODE_TTL_MS,
    used: false,
  });
  return redirect(withQuery(request.redirectUri, { code, state: request.state }));
}

function denied(request: AuthorizeRequest): Reply {
  return redirect(
    withQuery(request.redirectUri, {
      error: 'access_denied',
      error_description: 'User did not authorize the request',
      state: request.state,
    }),
  );
}

function autoConsentAccount(ctx: RequestContext): SandboxAccount | undefined {
  const signedIn = currentSession(ctx);
  if (signedIn) return signedIn.account;
  return findAccount(ctx.url.searchParams.get('login_hint') ?? DEFAULT_AUTO_CONSENT_EMAIL);
}

export function showAuthorize(ctx: RequestContext): Reply {
  const parsed = parseAuthorizeRequest(ctx.url.searchParams, ctx.state);
  if (!parsed.ok) return parsed.reply;

  if (ctx.state.config.autoConsent) {
    const account = autoConsentAccount(ctx);
    if (!account) return html(400, errorPage('Unknown account', 'login_hint names no sandbox account.'));
    return issueCode(ctx.state, parsed.request, account);
  }

  const here = `${ctx.url.pathname}${ctx.url.search}`;
  const signedIn = currentSession(ctx);
  if (!signedIn) return redirect(`/login?continue=${encodeURIComponent(here)}`);

  const fields: Record<string, string> = { csrf_token: signedIn.session.csrfToken };
  for (const name of CARRIED_PARAMS) {
    const value = ctx.url.searchParams.get(name);
    if (value !== null) fields[name] = value;
  }
  return html(
    200,
    consentPage({ account: signedIn.account, scopes: parsed.request.scopes, fields, switchAccountTo: here }),
  );
}

export async function submitDecision(ctx: RequestContext): Promise<Reply> {
  const form = await readForm(ctx.req);
  const parsed = parseAuthorizeRequest(form, ctx.state);
  if (!parsed.ok) return parsed.reply;

  const signedIn = currentSession(ctx);
  if (!signedIn || form.get('csrf_token') !== signedIn.session.csrfToken) {
    return html(400, errorPage('Your session has changed', 'Start the authorization again from the app.'));
  }
  const decision = form.get('decision');
  if (decision === 'accept') return issueCode(ctx.state, parsed.request, signedIn.account);
  if (decision === 'cancel') return denied(parsed.request);
  return html(400, errorPage('Something went wrong', 'Choose Accept or Cancel.'));
}
