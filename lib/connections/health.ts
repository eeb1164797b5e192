// The health model as people read it: one badge word and one plain sentence per state.
import type { ProviderWording } from '../oauth/contract';
import type { Tone } from '../tone';

export const STATUS_LABEL: Record<string, { label: string; tone: Tone }> = {
  active: { label: 'Healthy', tone: 'ok' },
  degraded: { label: 'Retrying', tone: 'warn' },
  needs_reauth: { label: 'Needs reconnect', tone: 'bad' },
  error: { label: 'Configuration error', tone: 'bad' },
  disconnected: { label: 'Disconnected', tone: 'muted' },
};

// Worded by the provider that issued the tokens (lib/providers/<provider>/wording.ts), or in its name.
const NEEDS_REAUTH_REASON: Record<string, (w: ProviderWording) => string> = {
  revoked: (w) => w.needsReauthText.revoked,
  inactivity_expired: (w) => w.needsReauthText.inactivity_expired,
  consent_expired: (w) => w.consentExpiredText ?? `${w.issuerName} ended access a fixed time after consent. Renew to continue.`,
  scope_mismatch: (w) => `The permissions ${w.issuerName} holds for this app no longer match what it needs. Reconnect to grant them again.`,
  token_lost: (w) => `A refresh was interrupted and ${w.issuerName} no longer accepts the saved token. Reconnect to resume syncing.`,
};

/**
 * Why a connection needs a reconnect, in the provider's own words: the card, the timeline and the mails say the
 * same sentence. Undefined for a reason without wording.
 */
export function needsReauthText(reason: string | null | undefined, wording: ProviderWording): string | undefined {
  return Object.hasOwn(NEEDS_REAUTH_REASON, reason ?? '') ? NEEDS_REAUTH_REASON[reason!]!(wording) : undefined;
}

const TRANSIENT_REASON: Record<string, (issuer: string) => string> = {
  timeout: (p) => `${p} did not answer in time`,
  outcome_unknown: (p) => `the connection to ${p} dropped mid-refresh`,
  server_error: (p) => `${p} answered with a server error`,
  rate_limited: (p) => `${p} is rate-limiting requests`,
  network: (p) => `${p} could not be reached`,
  bad_response: (p) => `${p} sent an answer we could not read`,
  lock_timeout: () => 'another refresh took too long',
};

export function statusLabel(status: string) {
  return STATUS_LABEL[status] ?? { label: status, tone: 'muted' as const };
}

/** A state's plain sentence, worded by the provider that issued the tokens (`providerFor(product)` is one). */
export function plainReason(status: string, reason: string | null, tokenStillValid: boolean, wording: ProviderWording): string | null {
  const issuer = wording.issuerName;
  if (status === 'needs_reauth') {
    return needsReauthText(reason, wording) ?? 'Only a new consent can fix this connection. Reconnect to resume syncing.';
  }
  if (status === 'degraded') {
    const why = TRANSIENT_REASON[reason ?? '']?.(issuer) ?? `${issuer} had a temporary problem`;
    const access = tokenStillValid ? 'the current access keeps working until it expires' : 'calls wait until a refresh succeeds';
    return `Last refresh failed: ${why}. Reconnect retries by itself; ${access}.`;
  }
  if (status === 'error') {
    const what = reason === 'invalid_request' ? `${issuer} refused this app’s refresh requests as malformed` : `${issuer} rejected this app’s credentials`;
    return `Configuration error — contact your admin. ${what}.`;
  }
  return null;
}

/** The token's expiry is worth showing only while the connection refreshes by itself. */
export function showsTokenExpiry(status: string): boolean {
  return status === 'active' || status === 'degraded';
}

/**
 * The card's "Idle for": days since the connection's token was last used. "Kept alive by Reconnect" only while
 * Reconnect still refreshes it by itself (Healthy or Retrying): a dead connection is never said to be kept alive.
 */
export function idleText(status: string, idleDays: number | null, keepaliveDays: number): string {
  if (idleDays === null) return 'never used';
  const days = `${idleDays} day${idleDays === 1 ? '' : 's'}`;
  return showsTokenExpiry(status) && idleDays >= keepaliveDays ? `${days} — kept alive by Reconnect` : days;
}

/** When a "Retrying" connection tries again: "in 10 s", "in 3 min", "now"; null when nothing is scheduled. */
export function nextRetryIn(status: string, nextRefreshAt: Date | null, now: number): string | null {
  if (status !== 'degraded' || !nextRefreshAt) return null;
  const seconds = Math.ceil((nextRefreshAt.getTime() - now) / 1000);
  if (seconds <= 0) return 'now';
  if (seconds < 120) return `in ${seconds} s`;
  if (seconds < 7200) return `in ${Math.round(seconds / 60)} min`;
  return `in ${Math.round(seconds / 3600)} h`;
}
