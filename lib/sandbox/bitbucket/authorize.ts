// GET /site/oauth2/authorize (consent page, or auto-consent) and POST /site/oauth2/authorize (the decision).
// Bitbucket takes no scope parameter: the consumer's permissions are what the user grants.
import { DEFAULT_AUTO_CONSENT_EMAIL, CONSENTING_APP_NAME, findAccount, type SandboxAccount } from '../catalog';
import { html, readForm, redirect, withQuery, type Reply, type RequestContext } from '../http';
import { currentSession } from '../session';
import type { SimState } from '../state';
import { newAuthorizationCode } from '../token-strings';
import { bitbucketConsentPage, bitbucketErrorPage } from './pages';

const CODE_TTL_MS = 10 * 60 * 1000;
const CARRIED_PARAMS = ['client_id', 'response_type', 'state', 'redirect_uri'] as const;

interface AuthorizeRequest {
  redirectUri: string;
  redirectUriGiven: boolean;
  state: string | null;
}

type Parsed = { ok: true; request: AuthorizeRequest } | { ok: false; reply: Reply };

const badRequest = (message: string): Parsed => ({
  ok: false,
  reply: html(400, bitbucketErrorPage('Something went wrong', message)),
});

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hash === '';
  } catch {
    return false;
  }
}

function parse(params: URLSearchParams, sim: SimState): Parsed {
  const config = sim.bitbucket.config;
  const clientId = params.get('client_id');
  if (!clientId) return badRequest('Missing client_id.');
  if (clientId !== config.consumerKey) return badRequest('Invalid client_id: no OAuth consumer has this key.');
  if (params.get('response_type') !== 'code') return badRequest('Unsupported response_type; only "code" is supported.');
  const given = params.get('redirect_uri');
  if (given !== null && !isHttpUrl(given)) return badRequest('The redirect_uri is not a valid URL.');
  if (config.callbackUrl !== null && given !== null && given !== config.callbackUrl) {
    return badRequest("The redirect_uri does not match the OAuth consumer's callback URL.");
  }
  const redirectUri = config.callbackUrl ?? given;
  if (!redirectUri) return badRequest('This OAuth consumer has no callback URL.');
  return { ok: true, request: { redirectUri, redirectUriGiven: given !== null, state: params.get('state') } };
}

function issueCode(sim: SimState, request: AuthorizeRequest, account: SandboxAccount): Reply {
  const code = newAuthorizationCode();
  sim.bitbucket.codes.set(code, {
    code,
    consumerKey: sim.bitbucket.config.consumerKey,
    redirectUri: request.redirectUri,
    redirectUriGiven: request.redirectUriGiven,
    userEmail: account.email,
    expiresAt: sim.clock.now() + CODE_TTL_MS,
    used: false,
  });
  return redirect(withQuery(request.redirectUri, { code, state: request.state }));
}

export function showBitbucketAuthorize(ctx: RequestContext): Reply {
  const parsed = parse(ctx.url.searchParams, ctx.state);
  if (!parsed.ok) return parsed.reply;
  const signedIn = currentSession(ctx);
  if (ctx.state.config.autoConsent) {
    const account = signedIn?.account ?? findAccount(DEFAULT_AUTO_CONSENT_EMAIL);
    if (!account) return html(400, bitbucketErrorPage('Unknown account', 'No sandbox account to consent as.'));
    return issueCode(ctx.state, parsed.request, account);
  }
  const here = `${ctx.url.pathname}${ctx.url.search}`;
  if (!signedIn) return redirect(`/login?continue=${encodeURIComponent(here)}`);
  const fields: Record<string, string> = { csrf_token: signedIn.session.csrfToken };
  for (const name of CARRIED_PARAMS) {
    const value = ctx.url.searchParams.get(name);
    if (value !== null) fields[name] = value;
  }
  return html(
    200,
    bitbucketConsentPage({
      consumerName: CONSENTING_APP_NAME,
      account: signedIn.account,
      scopes: ctx.state.bitbucket.config.scopes,
      fields,
      switchAccountTo: here,
    }),
  );
}

export async function submitBitbucketDecision(ctx: RequestContext): Promise<Reply> {
  const form = await readForm(ctx.req);
  const parsed = parse(form, ctx.state);
  if (!parsed.ok) return parsed.reply;
  const signedIn = currentSession(ctx);
  if (!signedIn || form.get('csrf_token') !== signedIn.session.csrfToken) {
    return html(400, bitbucketErrorPage('Your session has changed', 'Start the authorization again from the app.'));
  }
  const decision = form.get('decision');
  if (decision === 'grant') return issueCode(ctx.state, parsed.request, signedIn.account);
  if (decision === 'cancel') {
    return redirect(
      withQuery(parsed.request.redirectUri, {
        error: 'access_denied',
        error_description: 'The user denied access.',
        state: parsed.request.state,
      }),
    );
  }
  return html(400, bitbucketErrorPage('Something went wrong', 'Choose Grant access or Cancel.'));
}
