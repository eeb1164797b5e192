// Outgoing mail through SMTP (nodemailer). The URL's credentials go to nodemailer only: never logged,
// and errors are described by their SMTP code and the server's text, which never echo a password.
import nodemailer, { type Transporter } from 'nodemailer';

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  messageId: string;
  headers: Record<string, string>;
}

export type SendMail = (mail: OutgoingMail) => Promise<void>;

export const SEND_TIMEOUT_MS = 15_000;

export function smtpTransport(smtpUrl: string, timeoutMs = SEND_TIMEOUT_MS): Transporter {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  return nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    logger: false,
  });
}

export function smtpSender(transport: Transporter): SendMail {
  return async (m) => {
    await transport.sendMail({ from: m.from, to: m.to, subject: m.subject, html: m.html, text: m.text, messageId: m.messageId, headers: m.headers });
  };
}

/** An SMTP 5xx answer: the server refuses this mail for good (retrying will not help). */
export function isPermanentSmtpError(err: unknown): boolean {
  const code = (err as { responseCode?: unknown })?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

export function smtpResponseCode(err: unknown): number | null {
  const code = (err as { responseCode?: unknown })?.responseCode;
  return typeof code === 'number' ? code : null;
}

export function describeSmtpError(err: unknown): string {
  const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
  const text = e?.response ?? e?.message ?? String(err);
  const prefix = e?.code && !text.includes(e.code) ? `${e.code}: ` : '';
  const oneLine = `${prefix}${text}`.replace(/\s+/g, ' ');
  return oneLine.length > 300 ? `${oneLine.slice(0, 299)}…` : oneLine;
}
