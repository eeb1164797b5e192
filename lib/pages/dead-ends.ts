// The app's dead ends: every way an OAuth flow or a connect link can stop short, as a page at /problem/{code} that
// says what happened and what to do next. Route handlers answer 303 to these pages; the URL carries only the code
// and whitelisted, harmless details (a product name, a connection id the page checks against the viewer).
import { isProduct, issuerName, LEGACY_SIGN_IN_PRODUCT, productLabel, siteNoun, type Product } from '../providers/registry';
import type { Tone } from '../tone';
import { UNSUBSCRIBE_NOT_VALID } from './unsubscribe-page';

/** What the page knows when it renders: never taken from the URL except the product and connection id. */
export interface DeadEndDetails {
  product?: Product;
  /** The signed-in user's own email (from the session, not the URL). */
  signedInAs?: string;
  /** For account-mismatch: the connection's own account, when the viewer owns it. */
  accountEmail?: string;
  connectionId?: string;
}

/** The one button that leads on: a link, or the app's sign-out (a form: signing out is a POST). */
export type NextAction = { kind: 'link'; label: string; href: string } | { kind: 'sign-out'; label: string };

export interface DeadEnd {
  status: number;
  tone: Tone;
  title: (d: DeadEndDetails) => string;
  /** What happened, in plain words. */
  explanation: (d: DeadEndDetails) => string;
  /** What to do next, in one sentence. */
  nextStep: (d: DeadEndDetails) => string;
  action: (d: DeadEndDetails) => NextAction;
}

// Without a product (an old link), the first provider's wording.
const issuerOf = (d: DeadEndDetails) => issuerName(d.product ?? LEGACY_SIGN_IN_PRODUCT);
const siteOf = (d: DeadEndDetails) => siteNoun(d.product ?? LEGACY_SIGN_IN_PRODUCT, 1);
const productOf = (d: DeadEndDetails, fallback = 'the product') => (d.product ? productLabel(d.product) : fallback);

const HOME: NextAction = { kind: 'link', label: 'Back to your connections', href: '/' };
const SIGN_IN: NextAction = { kind: 'link', label: 'Sign in', href: '/signin' };
/** Home when signed in, sign-in when not: where an interrupted flow starts again. */
const startAgain = (label: string) => (d: DeadEndDetails): NextAction =>
  d.signedInAs ? { kind: 'link', label, href: '/' } : { kind: 'link', label, href: '/signin' };
const homeOrSignIn = (d: DeadEndDetails): NextAction => (d.signedInAs ? HOME : SIGN_IN);
const nothingChanged = (d: DeadEndDetails) =>
  d.signedInAs ? 'Nothing changed: your connections are as they were.' : 'Nothing changed: nobody was signed in.';
// Links come from Reconnect's own mails and from other apps (connect sessions): one sentence for both.
const ASK_FOR_LINK =
  'If it came in an email from Reconnect, open the newest one or reconnect from your connections page; otherwise, ask whoever sent you the link for a new one.';

export const GENERIC_DEAD_END: DeadEnd = {
  status: 400,
  tone: 'bad',
  title: () => 'Something went wrong',
  explanation: (d) => `This step did not complete. ${nothingChanged(d)}`,
  nextStep: (d) => (d.signedInAs ? 'Go back to your connections and try again.' : 'Sign in and try again.'),
  action: startAgain('Try again'),
};

const DEAD_ENDS: Record<string, DeadEnd> = {
  cancelled: {
    status: 400,
    tone: 'info',
    title: () => 'You cancelled',
    explanation: (d) => `You cancelled on ${issuerOf(d)}’s consent screen. ${nothingChanged(d)}`,
    nextStep: (d) =>
      d.signedInAs
        ? `To connect ${productOf(d, 'a product')}, press its Connect button again and choose Accept.`
        : 'To use Reconnect, sign in again and choose Accept.',
    action: homeOrSignIn,
  },
  'oauth-failed': {
    status: 502,
    tone: 'bad',
    title: (d) => `${issuerOf(d)} did not finish`,
    explanation: (d) => `${issuerOf(d)} did not complete the authorization, or did not say who you are. ${nothingChanged(d)}`,
    nextStep: () => 'Try again in a moment. If it keeps happening, ask an admin to check the server’s app settings.',
    action: startAgain('Try again'),
  },
  'oauth-expired': {
    status: 400,
    tone: 'warn',
    title: () => 'This took too long',
    explanation: (d) => `A sign-in or connection has to be finished within 10 minutes of starting it, and this one expired. ${nothingChanged(d)}`,
    nextStep: () => 'Start again from this browser.',
    action: startAgain('Start again'),
  },
  'oauth-used': {
    status: 400,
    tone: 'info',
    title: () => 'Already finished',
    explanation: (d) => `This step was already completed — perhaps the page was reloaded or opened twice. ${nothingChanged(d)}`,
    nextStep: (d) => (d.signedInAs ? 'Your connections show where things stand.' : 'Sign in to see your connections.'),
    action: homeOrSignIn,
  },
  'oauth-invalid': {
    status: 400,
    tone: 'bad',
    title: () => 'This address is not valid',
    explanation: (d) => `This address does not belong to a sign-in or connection that Reconnect started. ${nothingChanged(d)}`,
    nextStep: () => 'Start again from Reconnect rather than from a copied address.',
    action: startAgain('Start again'),
  },
  'other-browser': {
    status: 403,
    tone: 'warn',
    title: () => 'Started in another browser',
    explanation: () =>
      'This sign-in or connection was started in another browser (or its cookie expired), so it cannot be finished here. ' +
      'For your safety nothing changed: nobody was signed in and no account was connected.',
    nextStep: () => 'Start again from this browser.',
    action: startAgain('Start again'),
  },
  'other-user': {
    status: 403,
    tone: 'warn',
    title: () => 'Started by another user',
    explanation: () => 'This connection was started by another Reconnect user, so it cannot finish under your account. Nothing changed.',
    nextStep: () => 'Sign in as the user who started it, or start again yourself.',
    action: homeOrSignIn,
  },
  'email-not-verified': {
    status: 403,
    tone: 'warn',
    title: () => 'Email not verified',
    explanation: (d) => `${issuerOf(d)} has not verified the email address of this account, and Reconnect signs people in by their verified email. Nothing changed.`,
    nextStep: (d) => `Verify the address in your ${issuerOf(d)} account settings, then sign in again.`,
    action: () => ({ kind: 'link', label: 'Sign in again', href: '/signin' }),
  },
  'signin-other-account': {
    status: 403,
    tone: 'warn',
    title: () => 'Signed in with another account',
    explanation: (d) =>
      `This email address belongs to a Reconnect user who signs in with a different ${issuerOf(d)} account, and Reconnect ` +
      'never lets an email address alone decide who you are. Nothing changed: nobody was signed in.',
    nextStep: (d) => `Sign in again and choose the ${issuerOf(d)} account you used before. If that account is gone, ask an admin to release the old one.`,
    action: () => ({ kind: 'link', label: 'Sign in again', href: '/signin' }),
  },
  'email-not-accepted': {
    status: 403,
    tone: 'warn',
    title: () => 'Email address not accepted',
    explanation: (d) =>
      `The email address of this ${issuerOf(d)} account is written with look-alike characters (such as full-width letters) ` +
      'that read as another, plain address, so Reconnect does not sign it in. Nothing changed: nobody was signed in.',
    nextStep: (d) => `Sign in with a ${issuerOf(d)} account whose email address is written in plain letters.`,
    action: () => ({ kind: 'link', label: 'Sign in again', href: '/signin' }),
  },
  'no-sites': {
    status: 400,
    tone: 'warn',
    title: (d) => (d.product ? `No ${productOf(d)} ${siteOf(d)} to connect` : 'Nothing to connect'),
    explanation: (d) => `Your ${issuerOf(d)} account has no ${productOf(d)} ${siteOf(d)} this app can access. Nothing changed.`,
    nextStep: (d) => `Ask to be added to a ${productOf(d)} ${siteOf(d)}, or connect with another account.`,
    action: homeOrSignIn,
  },
  'no-refresh-token': {
    status: 400,
    tone: 'bad',
    title: () => 'No lasting access granted',
    explanation: (d) =>
      `${issuerOf(d)} granted access without a refresh token (offline access), so Reconnect could not keep the connection alive. Nothing changed.`,
    nextStep: () => 'Try again. If it keeps happening, ask an admin to check that the app asks for offline access.',
    action: startAgain('Try again'),
  },
  'product-not-configured': {
    status: 400,
    tone: 'warn',
    title: (d) => `${productOf(d, 'This product')} is not set up here`,
    explanation: (d) => `This server has no app configured for ${productOf(d, 'this product')}, so it cannot be connected. Nothing changed.`,
    nextStep: () => 'Ask an admin to configure it.',
    action: homeOrSignIn,
  },
  'connection-not-found': {
    status: 404,
    tone: 'warn',
    title: () => 'Connection not found',
    explanation: () => 'That connection no longer exists, or it is not yours. Nothing changed.',
    nextStep: () => 'Your connections show what you can reconnect.',
    action: homeOrSignIn,
  },
  'account-mismatch': {
    status: 409,
    tone: 'warn',
    title: (d) => `Wrong ${issuerOf(d)} account`,
    explanation: (d) =>
      `You chose a different ${issuerOf(d)} account from the one this ${productOf(d)} connection belongs to` +
      `${d.accountEmail ? ` (${d.accountEmail})` : ''}. Nothing changed: the connection keeps its own account.`,
    nextStep: (d) => `Reconnect again and, on ${issuerOf(d)}’s screen, choose the connection’s own account.`,
    action: (d) =>
      d.connectionId && d.product
        ? { kind: 'link', label: `Reconnect ${productLabel(d.product)}`, href: `/connections/${d.connectionId}/reconnect` }
        : homeOrSignIn(d),
  },
  'link-not-found': {
    status: 404,
    tone: 'bad',
    title: () => 'This link is not valid',
    explanation: () => 'Reconnect does not know this link: it may have been copied only in part.',
    nextStep: () => `Check that you opened the whole link. ${ASK_FOR_LINK}`,
    action: homeOrSignIn,
  },
  'link-used': {
    status: 410,
    tone: 'warn',
    title: () => 'This link was already used',
    explanation: () => 'Each connect link works once, and this one has been used.',
    nextStep: (d) => `${ASK_FOR_LINK}${d.signedInAs ? ' Your connections show what is already connected.' : ''}`,
    action: homeOrSignIn,
  },
  'link-expired': {
    status: 410,
    tone: 'warn',
    title: () => 'This link has expired',
    explanation: () => 'Connect links work for a limited time (30 minutes; the Reconnect links in emails, 7 days), and this one is past it.',
    nextStep: () => ASK_FOR_LINK,
    action: homeOrSignIn,
  },
  'link-withdrawn': {
    status: 410,
    tone: 'info',
    title: () => 'This link is no longer valid',
    explanation: () =>
      'The connection this link was for has been reconnected, or works again, since the link was sent, so the link was withdrawn. Nothing changed.',
    nextStep: (d) => (d.signedInAs ? 'Your connections show where things stand.' : 'Sign in to see where your connections stand.'),
    action: homeOrSignIn,
  },
  'link-wrong-user': {
    status: 403,
    tone: 'warn',
    title: () => 'This link is for someone else',
    explanation: (d) =>
      `This link was made for another person${d.signedInAs ? `, and you are signed in as ${d.signedInAs}` : ''}. Nothing changed, and the link still works for them.`,
    nextStep: () => 'If it was meant for you under another account: sign out, open the link again, and sign in with that account.',
    action: (d) => (d.signedInAs ? { kind: 'sign-out', label: 'Sign out' } : SIGN_IN),
  },
  'link-not-owner': {
    status: 403,
    tone: 'warn',
    title: () => 'Not your connection',
    explanation: () => 'The connection this link would reconnect belongs to another user: only its owner can reconnect it. Nothing changed.',
    nextStep: () => ASK_FOR_LINK,
    action: homeOrSignIn,
  },
  // A mail's unsubscribe link that Reconnect does not know (lib/pages/unsubscribe-page.ts).
  [UNSUBSCRIBE_NOT_VALID]: {
    status: 404,
    tone: 'bad',
    title: () => 'Link not valid',
    explanation: () => 'This unsubscribe link is not valid.',
    nextStep: () => 'You can turn emails off on your connections page.',
    action: () => ({ kind: 'link', label: 'Your connections', href: '/' }),
  },
  'signin-failed': {
    status: 400,
    tone: 'bad',
    title: () => 'Sign-in did not complete',
    explanation: () => 'Signing in stopped before it finished. Nobody was signed in.',
    nextStep: () => 'Sign in again.',
    action: () => ({ kind: 'link', label: 'Sign in again', href: '/signin' }),
  },
};

/** The page for a code; an unknown code gets the generic one (never a 500). */
export function deadEnd(code: string): DeadEnd {
  return Object.hasOwn(DEAD_ENDS, code) ? DEAD_ENDS[code]! : GENERIC_DEAD_END;
}

export const DEAD_END_CODES = Object.keys(DEAD_ENDS);

/** The HTTP status of /problem/{code} (set by proxy.ts: a page cannot choose its own status). */
export function deadEndStatus(pathname: string): number | undefined {
  const match = /^\/problem\/([^/]+)\/?$/.exec(pathname);
  if (!match) return undefined;
  try {
    return deadEnd(decodeURIComponent(match[1]!)).status;
  } catch {
    return GENERIC_DEAD_END.status; // malformed %-escapes: the generic page, never a 500
  }
}

// ---- From a flow's failure code to its page -------------------------------------------------------------------

const CALLBACK_CODES: Record<string, string> = {
  access_denied: 'cancelled',
  other_browser: 'other-browser',
  state_used: 'oauth-used',
  state_expired: 'oauth-expired',
  missing_state: 'oauth-invalid',
  unknown_state: 'oauth-invalid',
  missing_code: 'oauth-invalid',
  state_mismatch: 'other-user',
  email_not_verified: 'email-not-verified',
  email_look_alike: 'email-not-accepted',
  signin_account_mismatch: 'signin-other-account',
  no_sites: 'no-sites',
  product_not_configured: 'product-not-configured',
  connection_not_found: 'connection-not-found',
  account_mismatch: 'account-mismatch',
  authorization_error: 'oauth-failed',
  code_exchange_failed: 'oauth-failed',
  sites_unavailable: 'oauth-failed',
  no_refresh_token: 'no-refresh-token',
};

const LINK_CODES: Record<string, string> = {
  not_found: 'link-not-found',
  used: 'link-used',
  expired: 'link-expired',
  withdrawn: 'link-withdrawn',
  wrong_user: 'link-wrong-user',
  not_owner: 'link-not-owner',
  connection_not_found: 'connection-not-found',
  product_not_configured: 'product-not-configured',
};

/** The safe details a problem URL may carry: a known product, and a connection id only where the page uses it. */
function problemPath(code: string, details: { product?: Product | null; connectionId?: string | null } = {}): string {
  const query = new URLSearchParams();
  if (details.product && isProduct(details.product)) query.set('product', details.product);
  if (code === 'account-mismatch' && details.connectionId) query.set('connection', details.connectionId);
  const search = query.toString();
  return `/problem/${code}${search ? `?${search}` : ''}`;
}

/** Where the OAuth callback sends a browser whose flow failed. */
export function callbackProblemPath(failure: { code: string; product?: Product | null; connectionId?: string | null }): string {
  return problemPath(CALLBACK_CODES[failure.code] ?? 'oauth-failed', failure);
}

/** Where a connect link that cannot be used sends its opener. */
export function linkProblemPath(failure: { code: string; product?: Product | null }): string {
  return problemPath(LINK_CODES[failure.code] ?? 'link-not-found', failure);
}

/** The product named by a problem URL, if it is one we know (anything else is dropped, never echoed). */
export function productParam(value: unknown): Product | undefined {
  return isProduct(value) ? value : undefined;
}
