// A real SMTP server on loopback for the notification tests: it keeps what arrives (parsed with mailparser)
// and can be switched to refuse mail (5xx) or taken down and brought back on the same port.
import { startSmtpReceiver, type ReceivedMail, type SmtpReceiver } from '../../lib/notifications/smtp-receiver';

export interface TestMailServer {
  url: string;
  inbox: ReceivedMail[];
  /** 'accept' (250) or 'reject' (550: a permanent refusal). */
  mode: 'accept' | 'reject';
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestMailServer(): Promise<TestMailServer> {
  let receiver: SmtpReceiver | undefined;
  const server: TestMailServer = {
    url: '',
    inbox: [],
    mode: 'accept',
    async down() {
      await receiver?.stop();
      receiver = undefined;
    },
    async up() {
      receiver ??= await startSmtpReceiver(onMail, port);
    },
    stop: () => server.down(),
  };
  const onMail = (mail: ReceivedMail) => {
    if (server.mode === 'reject') throw Object.assign(new Error('5.1.1 Mailbox does not exist'), { responseCode: 550 });
    server.inbox.push(mail);
  };
  receiver = await startSmtpReceiver(onMail);
  const port = receiver.port;
  server.url = receiver.url;
  return server;
}

/** The one link of a mail's HTML that starts with `prefix`. */
export function linkIn(mail: ReceivedMail, prefix: string): string | undefined {
  return [...(mail.html ?? '').matchAll(/href="([^"]+)"/g)].map((m) => m[1].replaceAll('&amp;', '&')).find((h) => h.startsWith(prefix));
}
