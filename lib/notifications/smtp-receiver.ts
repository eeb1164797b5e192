// A small SMTP server on loopback (`smtp-server`) that parses each mail with `mailparser`: the sandbox's
// mail catcher and the tests' real SMTP peer. Plain SMTP on 127.0.0.1 only; no auth, no STARTTLS.
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';

export interface ReceivedMail {
  messageId: string | null;
  from: string;
  to: string;
  subject: string;
  text: string | null;
  html: string | null;
  headers: Record<string, string>;
  date: Date;
}

export interface SmtpReceiver {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * What to do with a mail once it is parsed: resolve to accept it (250), throw an error with a
 * `responseCode` to refuse it (e.g. 550).
 */
export type OnMail = (mail: ReceivedMail) => Promise<void> | void;

const addressText = (a: ParsedMail['to'] | ParsedMail['from']): string =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value.map((v) => v.address ?? '')).join(', ');

export function toReceivedMail(parsed: ParsedMail): ReceivedMail {
  const headers: Record<string, string> = {};
  for (const line of parsed.headerLines) headers[line.key] = line.line.slice(line.line.indexOf(':') + 1).trim();
  return {
    messageId: parsed.messageId ?? null,
    from: addressText(parsed.from),
    to: addressText(parsed.to),
    subject: parsed.subject ?? '',
    text: parsed.text ?? null,
    html: typeof parsed.html === 'string' ? parsed.html : null,
    headers,
    date: parsed.date ?? new Date(),
  };
}

export async function startSmtpReceiver(onMail: OnMail, port = 0): Promise<SmtpReceiver> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 5 * 1024 * 1024,
    onData(stream: SMTPServerDataStream, _session, callback) {
      simpleParser(stream)
        .then((parsed) => onMail(toReceivedMail(parsed)))
        .then(
          () => callback(),
          (err: Error) => callback(err),
        );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => {}); // a client's broken connection must not bring the server down
  const bound = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${bound}`,
    port: bound,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
