// How people read an Atlassian connection (Jira, Confluence): the card, the timeline, the admin list and the
// mails all take these words, so that they never disagree.
import type { ProviderWording } from '../../oauth/contract';

export const ATLASSIAN_WORDING: ProviderWording = {
  issuerName: 'Atlassian',
  siteNoun: 'site',
  consentExpiredText: 'Atlassian ends access one year after consent. Renew to continue.',
  needsReauthText: {
    revoked: 'Access was revoked in Atlassian or your password changed. Reconnect to resume syncing.',
    inactivity_expired: 'Atlassian expired this connection after 90 days without use. Reconnect to resume syncing.',
  },
};
