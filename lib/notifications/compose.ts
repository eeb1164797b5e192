// Turns a notification into the mail to send: subject, HTML and text rendered from the React templates,
// the Message-ID and RFC 8058 one-click unsubscribe headers. Never a token beyond the mail's own links, and no
// link but ours: whatever a provider named (sites, accounts) enters a mail through inertName, in both parts.
import { render } from '@react-email/render';
import { createElement, type ReactElement } from 'react';
import { productLabel, type Product } from '../providers/registry';
import { providerFor } from '../providers';
import { plainReason } from '../connections/health';
import { inertName } from './inert-name';
import { messageIdFor, unsubscribeUrl } from './links';
import type { OutgoingMail } from './mailer';
import { ConnectionMail, connectionMailSubject, type ConnectionMailProps } from './templates/connection-mail';
import { DigestMail, digestSubject, type DigestMailProps } from './templates/digest-mail';

export interface ConnectionMailInput {
  kind: 'needs_reauth' | 'degraded' | 'expiring';
  connectionId: string;
  product: Product;
  status: string;
  reason: string | null;
  sites: string[];
  account: string | null;
  reconnectUrl: string | null;
  linkExpiresAt: Date | null;
  degradedHours: number;
  /** Renewal reminders: when the family ends. */
  renewBy?: Date | null;
}

export interface Envelope {
  notificationId: string;
  to: string;
  from: string;
  appUrl: string;
  unsubscribeToken: string;
}

async function finish(env: Envelope, subject: string, element: ReactElement): Promise<OutgoingMail> {
  const listUnsubscribe = unsubscribeUrl(env.appUrl, env.unsubscribeToken);
  return {
    from: env.from,
    to: env.to,
    subject,
    html: await render(element),
    text: await render(element, { plainText: true }),
    messageId: messageIdFor(env.notificationId, env.appUrl),
    headers: { 'List-Unsubscribe': `<${listUnsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  };
}

const dateText = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export function connectionMail(env: Envelope, c: ConnectionMailInput): Promise<OutgoingMail> {
  const connectionUrl = `${env.appUrl}/connections/${c.connectionId}`;
  const props: ConnectionMailProps = {
    kind: c.kind,
    product: productLabel(c.product),
    sites: c.sites.map(inertName),
    account: c.account ? inertName(c.account) : null,
    issuer: providerFor(c.product).issuerName,
    reason: plainReason(c.status, c.reason, true, providerFor(c.product)) ?? '',
    actionUrl: c.kind !== 'degraded' && c.reconnectUrl ? c.reconnectUrl : connectionUrl,
    linkExpiresAt: c.linkExpiresAt ? dateText(c.linkExpiresAt) : null,
    connectionUrl,
    unsubscribeUrl: unsubscribeUrl(env.appUrl, env.unsubscribeToken),
    degradedHours: c.degradedHours,
    renewBy: c.renewBy ? dateText(c.renewBy) : undefined,
    consentExpiredText: providerFor(c.product).consentExpiredText ?? undefined,
  };
  return finish(env, connectionMailSubject(props), createElement(ConnectionMail, props));
}

export function digestMail(env: Envelope, d: Omit<DigestMailProps, 'adminUrl' | 'unsubscribeUrl'>): Promise<OutgoingMail> {
  const renewThisWeek = d.renewThisWeek?.map((r) => ({ ...r, owner: inertName(r.owner) }));
  const props: DigestMailProps = { ...d, renewThisWeek, adminUrl: `${env.appUrl}/admin`, unsubscribeUrl: unsubscribeUrl(env.appUrl, env.unsubscribeToken) };
  return finish(env, digestSubject(props), createElement(DigestMail, props));
}
