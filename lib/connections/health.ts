// The health model as people read it: one badge word and one plain sentence per state.
import type { Tone } from '../tone';

export const STATUS_LABEL: Record<string, { label: string; tone: Tone }> = {
  active: { label: 'Healthy', tone: 'ok' },
  degraded: { label: 'Retrying', tone: 'warn' },
  needs_reauth: { label: 'Needs reconnect', tone: 'bad' },
  error: { label: 'Configuration error', tone: 'bad' },
  disconnected: { label: 'Disconnected', tone: 'muted' },
};

// Worded for the provider that issued the tokens ("Atlassian", "Bitbucket").
const NEEDS_REAUTH_REASON: Record<string, (issuer: string) => string> = {
  revoked: (p) =>
    p === 'Atlassian'
      ? 'Access was revoked in Atlassian or your password changed. Reconnect to resume syncing.'
      : `${p} no longer accepts this connection: access was revoked or the app's permissions changed. Reconnect to resume syncing.`,
  inactivity_expired: (p) =>
    p === 'Atlassian'
      ? 'Atlassian expired this connection after 90 days without use. Reconnect to resume syncing.'
      : `${p} expired this connection after 3 months without use. Reconnect to resume syncing.`,
  scope_mismatch: (p) => `The permissions ${p} holds for this app no longer match what it needs. Reconnect to grant them again.`,
  token_lost: (p) => `A refresh was interrupted and ${p} no longer accepts the saved token. Reconnect to resume syncing.`,
};

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

/** `consentExpiredText`: the provider's own sentence for a family that reached its absolute lifetime. */
export function plainReason(status: string, reason: string | null, tokenStillValid = true, issuer = 'Atlassian', consentExpiredText?: string | null): string | null {
  if (status === 'needs_reauth' && reason === 'consent_expired') {
    return consentExpiredText ?? `${issuer} ended access a fixed time after consent. Renew to continue.`;
  }
  if (status === 'needs_reauth') {
    return NEEDS_REAUTH_REASON[reason ?? '']?.(issuer) ?? 'Only a new consent can fix this connection. Reconnect to resume syncing.';
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

/** When a "Retrying" connection tries again: "in 10 s", "in 3 min", "now"; null when nothing is scheduled. */
export function nextRetryIn(status: string, nextRefreshAt: Date | null, now: number): string | null {
  if (status !== 'degraded' || !nextRefreshAt) return null;
  const seconds = Math.ceil((nextRefreshAt.getTime() - now) / 1000);
  if (seconds <= 0) return 'now';
  if (seconds < 120) return `in ${seconds} s`;
  if (seconds < 7200) return `in ${Math.round(seconds / 60)} min`;
  return `in ${Math.round(seconds / 3600)} h`;
}
