// The admin's daily digest, sent only when something is broken: operator errors first, then counts by
// status and the day's new failures by reason.
import { Link, Section, Text } from '@react-email/components';
import { COLORS, MailLayout, paragraph, PrimaryButton } from './layout';

export interface DigestMailProps {
  operatorErrors: number;
  counts: { label: string; count: number }[];
  newFailures: { label: string; count: number }[];
  renewThisWeek?: { product: string; owner: string; renewBy: string }[];
  adminUrl: string;
  unsubscribeUrl: string;
}

export function digestSubject(p: Pick<DigestMailProps, 'counts' | 'renewThisWeek'>): string {
  const broken = p.counts.filter((c) => c.label !== 'Healthy').reduce((n, c) => n + c.count, 0);
  const renew = p.renewThisWeek?.length ?? 0;
  if (broken === 0 && renew > 0) return `Reconnect daily digest: ${renew} connection${renew === 1 ? '' : 's'} to renew this week`;
  return `Reconnect daily digest: ${broken} connection${broken === 1 ? '' : 's'} need attention`;
}

const cell = { fontSize: 14, padding: '4px 12px 4px 0' };

function Table({ rows, caption }: { rows: { label: string; count: number }[]; caption: string }) {
  return (
    <Section style={{ margin: '12px 0' }}>
      <Text style={{ ...paragraph, fontWeight: 600, margin: '4px 0' }}>{caption}</Text>
      <table role="presentation" cellPadding={0} cellSpacing={0}>
        <tbody>
          {rows.map((r) => (
            <tr key={r.label}>
              <td style={cell}>{r.label}</td>
              <td style={{ ...cell, fontWeight: 600, textAlign: 'right' }}>{r.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

/** Connections whose year ends within 7 days: their owners must renew (a new consent) before the date. */
function RenewList({ items }: { items: NonNullable<DigestMailProps['renewThisWeek']> }) {
  return (
    <Section style={{ margin: '12px 0' }}>
      <Text style={{ ...paragraph, fontWeight: 600, margin: '4px 0' }}>To renew within 7 days</Text>
      <table role="presentation" cellPadding={0} cellSpacing={0}>
        <tbody>
          {items.map((r, i) => (
            <tr key={i}>
              <td style={cell}>{r.product}</td>
              <td style={cell}>{r.owner}</td>
              <td style={{ ...cell, fontWeight: 600 }}>by {r.renewBy}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

export function DigestMail(p: DigestMailProps) {
  const footer = (
    <Text style={{ margin: '4px 0' }}>
      You get this digest because you opted in on the admin page.{' '}
      <Link href={p.unsubscribeUrl} style={{ color: COLORS.muted, textDecoration: 'underline' }}>
        Stop the digest
      </Link>
      .
    </Text>
  );
  return (
    <MailLayout preview={digestSubject(p)} title={digestSubject(p)} footer={footer}>
      {p.operatorErrors > 0 && (
        <Text style={{ ...paragraph, color: COLORS.bad, fontWeight: 600 }}>
          Operator error: Atlassian rejects the app’s client credentials (invalid_client) for {p.operatorErrors} connection
          {p.operatorErrors === 1 ? '' : 's'}. Users cannot fix this: check ATLASSIAN_CLIENT_ID and ATLASSIAN_CLIENT_SECRET.
        </Text>
      )}
      <Table caption="Connections by status" rows={p.counts} />
      {p.newFailures.length > 0 ? (
        <Table caption="New failures in the last 24 hours, by reason" rows={p.newFailures} />
      ) : (
        <Text style={paragraph}>No new failures in the last 24 hours.</Text>
      )}
      {p.renewThisWeek && p.renewThisWeek.length > 0 && <RenewList items={p.renewThisWeek} />}
      <Section style={{ margin: '20px 0' }}>
        <PrimaryButton href={p.adminUrl}>Open the admin page</PrimaryButton>
      </Section>
    </MailLayout>
  );
}
