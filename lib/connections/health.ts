// The health model as people read it: one badge word and one plain sentence per state.
export type BadgeTone = 'ok' | 'warn' | 'bad' | 'muted';

export const STATUS_LABEL: Record<string, { label: string; tone: BadgeTone }> = {
  active: { label: 'Healthy', tone: 'ok' },
  degraded: { label: 'Retrying', tone: 'warn' },
  needs_reauth: { label: 'Needs reconnect', tone: 'bad' },
  error: { label: 'Configuration error', tone: 'bad' },
  disconnected: { label: 'Disconnected', tone: 'muted' },
};

const NEEDS_REAUTH_REASON: Record<string, string> = {
  revoked: 'Access was revoked in Atlassian or your password changed. Reconnect to resume syncing.',
  inactivity_expired: 'Atlassian expired this connection after 90 days without use. Reconnect to resume syncing.',
  scope_mismatch: "The permissions Atlassian holds for this app no longer match what it needs. Reconnect to grant them again.",
  token_lost: 'A refresh was interrupted and Atlassian no longer accepts the saved token. Reconnect to resume syncing.',
};

const TRANSIENT_REASON: Record<string, string> = {
  timeout: 'Atlassian did not answer in time',
  outcome_unknown: 'the connection to Atlassian dropped mid-refresh',
  server_error: 'Atlassian answered with a server error',
  rate_limited: 'Atlassian is rate-limiting requests',
  network: 'Atlassian could not be reached',
  bad_response: 'Atlassian sent an answer we could not read',
  lock_timeout: 'another refresh took too long',
};

export function statusLabel(status: string) {
  return STATUS_LABEL[status] ?? { label: status, tone: 'muted' as const };
}

export function plainReason(status: string, reason: string | null, tokenStillValid = true): string | null {
  if (status === 'needs_reauth') return NEEDS_REAUTH_REASON[reason ?? ''] ?? 'Only a new consent can fix this connection. Reconnect to resume syncing.';
  if (status === 'degraded') {
    const why = TRANSIENT_REASON[reason ?? ''] ?? 'Atlassian had a temporary problem';
    const access = tokenStillValid ? 'the current access keeps working until it expires' : 'calls wait until a refresh succeeds';
    return `Last refresh failed: ${why}. Reconnect retries by itself; ${access}.`;
  }
  if (status === 'error') return 'Configuration error — contact your admin. Atlassian rejected this app’s credentials.';
  return null;
}
