// The owner's mail about one connection: it needs reconnecting (with the single-use Reconnect link),
// its year is running out (with the single-use Renew link), or it has been retrying for a long time. Product, sites and the reason in plain words; never a token.
import { Link, Section, Text } from '@react-email/components';
import { COLORS, MailLayout, paragraph, PrimaryButton } from './layout';

export interface ConnectionMailProps {
  kind: 'needs_reauth' | 'degraded' | 'expiring';
  product: string;
  /** Already made inert (quoted, no link-like text: lib/notifications/inert-name.ts), like `account`. */
  sites: string[];
  account: string | null;
  /** Who issued the tokens: "Atlassian" or "Bitbucket". */
  issuer: string;
  reason: string;
  /** needs_reauth: the single-use reconnect link; degraded: the connection's page. */
  actionUrl: string;
  linkExpiresAt: string | null;
  connectionUrl: string;
  unsubscribeUrl: string;
  degradedHours?: number;
  /** expiring: when the family ends (text), and the provider's sentence about its absolute lifetime. */
  renewBy?: string;
  consentExpiredText?: string;
}

export function connectionMailSubject(p: Pick<ConnectionMailProps, 'kind' | 'product' | 'degradedHours' | 'renewBy'>): string {
  if (p.kind === 'expiring') return `Renew your ${p.product} connection before ${p.renewBy}`;
  return p.kind === 'needs_reauth'
    ? `Your ${p.product} connection needs to be reconnected`
    : `Your ${p.product} connection has been retrying for ${p.degradedHours} hours`;
}

const BUTTON = { needs_reauth: 'Reconnect', expiring: 'Renew', degraded: 'Open the connection' } as const;

function Body(p: ConnectionMailProps) {
  if (p.kind === 'expiring') {
    return (
      <>
        <Text style={paragraph}>
          {p.issuer} ends this connection’s access on {p.renewBy}, one year after you consented, however often it is used.{' '}
          {p.consentExpiredText ?? ''}
        </Text>
        <Text style={paragraph}>Renewing takes one click and a consent in {p.issuer}: the connection keeps its id, history and webhooks.</Text>
      </>
    );
  }
  return (
    <>
      <Text style={{ ...paragraph, color: p.kind === 'needs_reauth' ? COLORS.bad : COLORS.text }}>{p.reason}</Text>
      {p.kind === 'needs_reauth' ? (
        <Text style={paragraph}>Until you reconnect, the tools that sync with {p.product} through Reconnect stay stopped.</Text>
      ) : (
        <Text style={paragraph}>Nothing is needed from you yet: this mail is only so that you know.</Text>
      )}
    </>
  );
}

const sitesText = (sites: string[]) => (sites.length === 0 ? 'no site' : sites.join(', '));

export function ConnectionMail(p: ConnectionMailProps) {
  const title = connectionMailSubject(p);
  const footer = (
    <>
      <Text style={{ margin: '4px 0' }}>
        You get this mail because you own this connection in Reconnect.{' '}
        <Link href={p.unsubscribeUrl} style={{ color: COLORS.muted, textDecoration: 'underline' }}>
          Turn off these emails
        </Link>{' '}
        or change it on{' '}
        <Link href={p.connectionUrl} style={{ color: COLORS.muted, textDecoration: 'underline' }}>
          the connection’s page
        </Link>
        .
      </Text>
    </>
  );
  return (
    <MailLayout preview={p.kind === 'expiring' ? title : p.reason} title={title} footer={footer}>
      <Text style={paragraph}>
        <strong>{p.product}</strong> on {sitesText(p.sites)}
        {p.account ? ` (${p.issuer} account ${p.account})` : ''}.
      </Text>
      <Body {...p} />
      <Section style={{ margin: '20px 0' }}>
        <PrimaryButton href={p.actionUrl}>{BUTTON[p.kind]}</PrimaryButton>
      </Section>
      {p.linkExpiresAt && (
        <Text style={{ ...paragraph, fontSize: 12, color: COLORS.muted }}>
          The {BUTTON[p.kind]} button works once, until {p.linkExpiresAt}. It asks you to sign in first if you are signed out.
        </Text>
      )}
    </MailLayout>
  );
}
