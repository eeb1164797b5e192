// How people read a Bitbucket connection: the card, the timeline, the admin list and the mails all take these
// words, so that they never disagree. A Bitbucket grant reaches workspaces, and it dies when the user revokes
// the consumer or an admin edits the consumer's permissions (no password change involved).
import type { ProviderWording } from '../../oauth/contract';

export const BITBUCKET_WORDING: ProviderWording = {
  issuerName: 'Bitbucket',
  siteNoun: 'workspace',
  consentExpiredText: null,
  needsReauthText: {
    revoked: "Bitbucket no longer accepts this connection: access was revoked or the app's permissions changed. Reconnect to resume syncing.",
    inactivity_expired: 'Bitbucket expired this connection after 3 months without use. Reconnect to resume syncing.',
  },
};
