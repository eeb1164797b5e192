// Atlassian's consent: GET /authorize (consent page or auto-consent) and POST /authorize/decision.
import { CONSENTING_APP_NAME } from '../../../simulator/accounts';
import { consentError, isHttpUrl, type ConsentFlow, type ParsedConsent } from '../../../simulator/consent';
import { redirect, withQuery } from '../../../simulator/http';
import { escapeHtml } from '../../../simulator/pages';
import { KNOWN_SCOPES, SCOPE_DESCRIPTIONS } from './catalog';
import type { AtlassianSimState } from './state';

const AUDIENCE = 'api.atlassian.com';

function splitScopes(raw: string | null): string[] {
  return [...new Set((raw ?? '').split(/\s+/).filter(Boolean))];
}

/** Problems with the client or redirect URI get an error page; scope problems go back to the app. */
function parse(params: URLSearchParams, atlassian: AtlassianSimState): ParsedConsent {
  const fail = (message: string) => consentError(atlassianConsent, message);
  const clientId = params.get('client_id');
  if (!clientId) return fail('Missing client_id.');
  if (clientId !== atlassian.config.clientId) return fail('The app (client_id) is not registered.');
  if (params.get('audience') !== AUDIENCE) return fail(`The audience must be ${AUDIENCE}.`);
  if (params.get('response_type') !== 'code') return fail('Unsupported response_type; only "code" is supported.');
  const redirectUri = params.get('redirect_uri');
  if (!redirectUri) return fail('Missing redirect_uri.');
  if (!isHttpUrl(redirectUri)) return fail('The redirect_uri is not a valid callback URL.');

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
  return { ok: true, request: { clientId, redirectUri, redirectUriGiven: true, scopes, state } };
}

export const atlassianConsent: ConsentFlow<AtlassianSimState> = {
  wording: {
    brand: 'Atlassian',
    title: `${CONSENTING_APP_NAME} is requesting access`,
    heading: `${CONSENTING_APP_NAME} is requesting access to your Atlassian account`,
    signedIn: 'Signed in as',
    listHeading: `${CONSENTING_APP_NAME} would like to:`,
    scopeItem: (scope) => `<li><code>${escapeHtml(scope)}</code> — ${escapeHtml(SCOPE_DESCRIPTIONS[scope] ?? scope)}</li>`,
    action: '/authorize/decision',
    accept: { value: 'accept', label: 'Accept' },
  },
  carriedParams: ['audience', 'client_id', 'scope', 'redirect_uri', 'state', 'response_type', 'prompt'],
  parse,
  codes: (atlassian) => atlassian.codes,
  scopesShown: (request) => request.scopes,
  deniedDescription: 'User did not authorize the request',
};
