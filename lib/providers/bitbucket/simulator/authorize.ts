// Bitbucket's consent: GET /site/oauth2/authorize (consent page, or auto-consent) and POST to the same path (the
// decision). Bitbucket takes no scope parameter: the consumer's permissions are what the user grants.
import { CONSENTING_APP_NAME } from '../../../simulator/accounts';
import { consentError, isHttpUrl, type ConsentFlow, type ParsedConsent } from '../../../simulator/consent';
import { escapeHtml } from '../../../simulator/pages';
import { BITBUCKET_SCOPE_DESCRIPTIONS } from './catalog';
import type { BitbucketSimState } from './state';

export const BITBUCKET_AUTHORIZE_PATH = '/site/oauth2/authorize';

function parse(params: URLSearchParams, bitbucket: BitbucketSimState): ParsedConsent {
  const fail = (message: string) => consentError(bitbucketConsent, message);
  const config = bitbucket.config;
  const clientId = params.get('client_id');
  if (!clientId) return fail('Missing client_id.');
  if (clientId !== config.consumerKey) return fail('Invalid client_id: no OAuth consumer has this key.');
  if (params.get('response_type') !== 'code') return fail('Unsupported response_type; only "code" is supported.');
  const given = params.get('redirect_uri');
  if (given !== null && !isHttpUrl(given)) return fail('The redirect_uri is not a valid URL.');
  if (config.callbackUrl !== null && given !== null && given !== config.callbackUrl) {
    return fail("The redirect_uri does not match the OAuth consumer's callback URL.");
  }
  const redirectUri = config.callbackUrl ?? given;
  if (!redirectUri) return fail('This OAuth consumer has no callback URL.');
  const request = { clientId, redirectUri, redirectUriGiven: given !== null, scopes: [], state: params.get('state') };
  return { ok: true, request };
}

export const bitbucketConsent: ConsentFlow<BitbucketSimState> = {
  wording: {
    brand: 'Bitbucket',
    title: 'Confirm access to your account',
    heading: `${CONSENTING_APP_NAME} is requesting access to your Bitbucket account`,
    signedIn: 'Logged in as',
    listHeading: 'This app will be able to:',
    scopeItem: (scope) =>
      `<li>${escapeHtml(BITBUCKET_SCOPE_DESCRIPTIONS[scope] ?? scope)} (<code>${escapeHtml(scope)}</code>)</li>`,
    action: BITBUCKET_AUTHORIZE_PATH,
    accept: { value: 'grant', label: 'Grant access' },
  },
  carriedParams: ['client_id', 'response_type', 'state', 'redirect_uri'],
  parse,
  codes: (bitbucket) => bitbucket.codes,
  scopesShown: (_request, bitbucket) => bitbucket.config.scopes,
  deniedDescription: 'The user denied access.',
};
