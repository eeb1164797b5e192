// The connection timeline as people read it: every event row becomes a plain title and detail, a tone and
// an icon name; repeated events fold into one row; filters group event types by kind. Framework-free.
import type { ProviderWording } from '../oauth/contract';
import type { Tone } from '../tone';
import { CONNECTION_EVENT_TYPES, type ConnectionEventType } from './events';
import { needsReauthText } from './health';

export type TimelineIcon = 'connected' | 'reconnected' | 'disconnected' | 'refreshed' | 'retrying' | 'recovered' | 'broken' | 'config' | 'api' | 'test-ok' | 'test-failed' | 'mail' | 'mail-failed' | 'mail-off';

/** One row of connection_events, as the timeline query reads it (selected fields of `data` only, never a token). */
export interface TimelineEvent {
  id: number;
  type: string;
  code: string | null;
  message: string | null;
  token_generation: number | null;
  created_at: Date;
  /** data->>'reason' (needs_reauth) */
  reason?: string | null;
  /** data->>'retry_in_seconds' (refresh_failed) */
  retry_in_seconds?: number | null;
  /** data->>'status' (api_unauthorized) */
  status?: number | null;
  /** data->>'sites' (connected) */
  sites?: number | null;
}

export interface EventText {
  title: string;
  detail: string;
  tone: Tone;
  icon: TimelineIcon;
  /** False when a type or code has no plain wording yet (the row then shows the raw code). */
  known: boolean;
}

type Phrase = (issuer: string) => string;

/** Every code the writers store, in words: token-endpoint, API, connection-error, notification and test codes. */
const CODE_PHRASE: Record<string, Phrase> = {
  // Token endpoint (lib/oauth/errors.ts TokenErrorCode, Atlassian and Bitbucket)
  invalid_grant: (p) => `${p} no longer accepts the saved refresh token`,
  invalid_refresh_token: (p) => `${p} no longer accepts the saved refresh token`,
  unauthorized_client: (p) => `${p} no longer allows this app to refresh`,
  invalid_client: (p) => `${p} rejected the app credentials`,
  invalid_request: (p) => `${p} refused the refresh request as malformed`,
  network: (p) => `${p} could not be reached`,
  timeout: (p) => `${p} did not answer in time`,
  server_error: (p) => `${p} answered with a server error`,
  rate_limited: (p) => `${p} is rate-limiting requests`,
  outcome_unknown: (p) => `the connection to ${p} dropped mid-refresh`,
  bad_response: (p) => `${p} sent an answer we could not read`,
  // API calls (ApiErrorCode)
  unauthorized: (p) => `${p} refused the access token`,
  scope_mismatch: (p) => `the permissions ${p} holds for this app no longer match what it needs`,
  unexpected_status: (p) => `${p} gave an unexpected answer`,
  // Why a connection cannot give a token (ConnectionErrorCode), seen by tests
  not_found: () => 'the connection no longer exists',
  needs_reauth: () => 'the connection needs a reconnect',
  configuration_error: (p) => `${p} rejected the app credentials; an admin must fix the configuration`,
  temporarily_unavailable: (p) => `${p} is temporarily unavailable`,
  lock_timeout: () => 'another refresh took too long',
  // Tests that worked
  ok: () => 'the connection works',
  // Notification kinds (NOTIFICATION_KINDS)
  degraded: () => 'refreshes keep failing',
  expiring: () => 'renewing the connection before its year runs out',
  digest: () => 'the daily summary of broken connections',
};

/** needs_reauth's data.reason: a short title here; the sentence is the card's (lib/connections/health.ts, in the provider's words). */
const REASON_TITLE: Record<string, string> = {
  revoked: 'access revoked',
  inactivity_expired: 'unused too long',
  scope_mismatch: 'permissions changed',
  consent_expired: 'the year ran out',
  token_lost: 'refresh interrupted',
};

const HTTP_NAME: Record<number, string> = { 400: 'bad request', 401: 'not signed in', 403: 'forbidden', 404: 'not found', 429: 'too many requests', 500: 'server error', 502: 'bad gateway', 503: 'unavailable', 504: 'gateway timeout' };

function httpPhrase(status: number, who: string): string {
  const name = HTTP_NAME[status] ?? (status >= 500 ? 'server error' : 'refused');
  return `${who} answered HTTP ${status} (${name})`;
}

/** A code in words; `known` false when no wording exists (the raw code is returned so that nothing is hidden). */
export function codePhrase(code: string | null, issuer: string): { text: string; known: boolean } {
  if (!code) return { text: `${issuer} gave no reason`, known: true };
  const http = /^http_(\d{3})$/.exec(code);
  if (http) return { text: httpPhrase(Number(http[1]), issuer), known: true };
  const smtp = /^smtp_(\d{3})$/.exec(code);
  if (smtp) return { text: `the mail server refused it (SMTP ${smtp[1]})`, known: true };
  const phrase = CODE_PHRASE[code];
  return phrase ? { text: phrase(issuer), known: true } : { text: code, known: false };
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const generation = (e: TimelineEvent) => (e.token_generation === null ? '' : ` (token generation ${e.token_generation})`);

function retryIn(seconds: number | null | undefined): string {
  if (!seconds || seconds <= 0) return '';
  if (seconds < 90) return ` Next try in ${Math.round(seconds)} s.`;
  if (seconds < 5400) return ` Next try in ${Math.round(seconds / 60)} min.`;
  return ` Next try in ${Math.round(seconds / 3600)} h.`;
}

type Describer = (e: TimelineEvent, issuer: string, wording: ProviderWording) => EventText;

const fixed = (title: string, detail: string, tone: Tone, icon: TimelineIcon): EventText => ({ title, detail, tone, icon, known: true });

function withCode(e: TimelineEvent, issuer: string, build: (phrase: string) => Omit<EventText, 'known'>): EventText {
  const phrase = codePhrase(e.code, issuer);
  return { ...build(phrase.text), known: phrase.known };
}

const DESCRIBE: Record<ConnectionEventType, Describer> = {
  connected: (e, p, w) =>
    fixed('Connected', `Signed in to ${p} and stored the tokens${e.sites ? ` for ${e.sites} ${w.siteNoun}${e.sites === 1 ? '' : 's'}` : ''}${generation(e)}.`, 'ok', 'connected'),
  reconnected: (e, p) =>
    e.code === 'renewed'
      ? fixed('Renewed', `A new consent in ${p} started a new token family and a new year${generation(e)}.`, 'ok', 'reconnected')
      : fixed('Reconnected', `A new consent in ${p} replaced the old tokens${generation(e)}.`, 'ok', 'reconnected'),
  expiring: (_e, p) => fixed('Renew soon', `${p} ends this connection's access one year after its consent; it is inside its renewal window now. Renew to continue.`, 'warn', 'retrying'),
  refreshed: (e) => fixed('Token refreshed', `The access token was renewed${generation(e)}.`, 'ok', 'refreshed'),
  refresh_failed: (e, p) =>
    withCode(e, p, (why) => ({ title: `Refresh failed: ${why}`, detail: `The refresh did not go through; Reconnect retries by itself.${retryIn(e.retry_in_seconds)}`, tone: 'warn', icon: 'retrying' })),
  degraded: (e, p) => withCode(e, p, (why) => ({ title: 'Retrying', detail: `${cap(why)}. The connection is marked Retrying until a refresh works again.`, tone: 'warn', icon: 'retrying' })),
  recovered: () => fixed('Recovered', 'Refreshes work again; the connection is healthy.', 'ok', 'recovered'),
  needs_reauth: (e, p, w) => {
    const title = Object.hasOwn(REASON_TITLE, e.reason ?? '') ? REASON_TITLE[e.reason!] : undefined;
    const detail = needsReauthText(e.reason, w);
    if (title && detail) return fixed(`Needs reconnect: ${title}`, detail, 'bad', 'broken');
    return withCode(e, p, (why) => ({ title: 'Needs reconnect', detail: `${cap(why)}. Only a new consent can fix this: reconnect.`, tone: 'bad', icon: 'broken' }));
  },
  configuration_error: (e, p) =>
    withCode(e, p, (why) => ({ title: 'Configuration error', detail: `${cap(why)}. An admin must fix the app's settings; refreshes are retried meanwhile.`, tone: 'bad', icon: 'config' })),
  api_unauthorized: (e, p) =>
    withCode(e, p, (why) => ({ title: `API call refused: ${why}`, detail: `A call to ${p} with this connection's token was refused${e.status ? ` (HTTP ${e.status})` : ''}.`, tone: 'warn', icon: 'api' })),
  test: (e, p) =>
    e.code === 'ok'
      ? fixed('Test connection: works', `${p} answered with this connection's token.`, 'ok', 'test-ok')
      : withCode(e, p, (why) => ({ title: 'Test connection: failed', detail: `${cap(why)}.`, tone: 'bad', icon: 'test-failed' })),
  disconnected: () => fixed('Disconnected', 'The tokens were deleted; the history stays.', 'muted', 'disconnected'),
  notification_sent: (e, p) => withCode(e, p, (about) => ({ title: 'Email sent to the owner', detail: `About: ${about}.`, tone: 'info', icon: 'mail' })),
  notification_failed: (e, p) => withCode(e, p, (why) => ({ title: 'Email failed', detail: `The email to the owner was not delivered: ${why}.`, tone: 'warn', icon: 'mail-failed' })),
  notification_suppressed: (e, p) =>
    withCode(e, p, (about) => ({ title: 'Email not sent (turned off)', detail: `The owner turned emails off for this connection. About: ${about}.`, tone: 'muted', icon: 'mail-off' })),
};

function isEventType(type: string): type is ConnectionEventType {
  return (CONNECTION_EVENT_TYPES as readonly string[]).includes(type);
}

/**
 * An event in words, in the vocabulary of the provider that issued the tokens (`providerFor(product)` is one,
 * lib/providers/<provider>/wording.ts): the same words as the connection's card.
 */
export function describeEvent(e: TimelineEvent, wording: ProviderWording): EventText {
  if (!isEventType(e.type)) return { title: e.type, detail: e.code ?? '', tone: 'muted', icon: 'api', known: false };
  return DESCRIBE[e.type](e, wording.issuerName, wording);
}

// ---- Folding -----------------------------------------------------------------------------------------

export interface TimelineRow {
  /** The newest event of the run (its id keys the row). */
  latest: TimelineEvent;
  /** The oldest event of the run. */
  earliest: TimelineEvent;
  count: number;
  text: EventText;
}

/** Same kind and same outcome: one row. Token generations differ from refresh to refresh and do not split a run. */
const foldKey = (e: TimelineEvent) => `${e.type}\u0000${e.code ?? ''}\u0000${e.reason ?? ''}`;

/** Folds consecutive events (newest first) of the same kind and outcome into one row with a count. */
export function foldEvents(events: readonly TimelineEvent[], wording: ProviderWording): TimelineRow[] {
  const rows: TimelineRow[] = [];
  for (const e of events) {
    const last = rows.at(-1);
    if (last && foldKey(last.earliest) === foldKey(e)) {
      last.earliest = e;
      last.count += 1;
    } else {
      rows.push({ latest: e, earliest: e, count: 1, text: describeEvent(e, wording) });
    }
  }
  return rows;
}

// ---- Filters -----------------------------------------------------------------------------------------

export type TimelineFilter = 'all' | 'refreshes' | 'problems' | 'tests' | 'changes' | 'emails';

export const TIMELINE_FILTERS: readonly { id: TimelineFilter; label: string; types: readonly ConnectionEventType[] | null }[] = [
  { id: 'all', label: 'All', types: null },
  { id: 'refreshes', label: 'Refreshes', types: ['refreshed', 'refresh_failed', 'recovered'] },
  { id: 'problems', label: 'Problems', types: ['refresh_failed', 'degraded', 'needs_reauth', 'configuration_error', 'api_unauthorized', 'notification_failed'] },
  { id: 'tests', label: 'Tests', types: ['test'] },
  { id: 'changes', label: 'Connection changes', types: ['connected', 'reconnected', 'expiring', 'degraded', 'recovered', 'needs_reauth', 'configuration_error', 'disconnected'] },
  { id: 'emails', label: 'Emails', types: ['notification_sent', 'notification_failed', 'notification_suppressed'] },
];

/** The filter named by `?kind=`; undefined for a name that is not a filter (absent means all). */
export function parseTimelineFilter(value: string | undefined): TimelineFilter | undefined {
  if (value === undefined || value === '') return 'all';
  return TIMELINE_FILTERS.find((f) => f.id === value)?.id;
}

export function filterTypes(filter: TimelineFilter): readonly ConnectionEventType[] | null {
  return TIMELINE_FILTERS.find((f) => f.id === filter)!.types;
}
