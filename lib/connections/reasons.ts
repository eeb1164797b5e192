// Short, plain labels for failure codes and reasons, as an admin scans them in a list.
const CODE_LABEL: Record<string, string> = {
  invalid_grant: 'Refresh token refused: revoked, reused or expired',
  unauthorized_client: 'Refresh token refused: grant revoked',
  invalid_client: "App's client credentials rejected",
  invalid_refresh_token: 'Bitbucket: "Invalid refresh_token" (revoked, reused or expired)',
  invalid_request: 'Refresh request refused as malformed',
  scope_mismatch: 'Permissions no longer match what the app needs',
  timeout: 'Atlassian did not answer in time',
  outcome_unknown: 'Connection to Atlassian dropped mid-refresh',
  server_error: 'Atlassian server error',
  rate_limited: 'Rate-limited by Atlassian',
  network: 'Atlassian could not be reached',
  bad_response: 'Unreadable answer from Atlassian',
  lock_timeout: 'Another refresh took too long',
};

const NEEDS_REAUTH_LABEL: Record<string, string> = {
  revoked: 'Access revoked or password changed',
  inactivity_expired: 'Expired after 90 days without use',
  consent_expired: 'Consent’s year ran out (renew)',
  scope_mismatch: 'Permissions no longer match what the app needs',
  token_lost: 'Refresh interrupted; saved token no longer accepted',
};

/** A failure event's code in words. */
export function failureCodeLabel(code: string | null): string {
  if (!code) return 'Unknown reason';
  return CODE_LABEL[code] ?? code.replace(/_/g, ' ');
}

/** A current needs_reauth / degraded / error reason in words. */
export function currentReasonLabel(status: string, reason: string | null): string {
  if (status === 'needs_reauth') return NEEDS_REAUTH_LABEL[reason ?? ''] ?? 'Needs a new consent';
  if (status === 'error') return `Configuration error — ${failureCodeLabel(reason ?? 'invalid_client')}`;
  return `Retrying — ${failureCodeLabel(reason)}`;
}
