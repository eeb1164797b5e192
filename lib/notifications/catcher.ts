// Sandbox mode with no SMTP_URL: a local mail catcher beside the simulator. What it receives is kept in
// the database (sandbox_mail) and shown in the Inbox on /sandbox, so the whole loop works with no mail account.
import { createDb, endDb } from '../db';
import * as schema from '../db/schema';
import { startSmtpReceiver, type SmtpReceiver } from './smtp-receiver';

export const DEFAULT_MAIL_CATCHER_PORT = 4025;

/**
 * Starts the catcher unless mail is configured or this is live mode: on SANDBOX_MAIL_PORT when chosen (taken: an
 * error naming it), else on its usual port or any free one. Sets SMTP_URL in `env` for the app it starts.
 * Returns a stop function, or undefined when not started.
 */
export async function startMailCatcher(
  config: { mode: 'sandbox' | 'live'; smtpUrl?: string; sandboxPorts: { mail?: number } },
  env: NodeJS.ProcessEnv,
  log: (m: string) => void,
): Promise<(() => Promise<void>) | undefined> {
  if (config.mode !== 'sandbox' || config.smtpUrl) return undefined;
  const db = createDb(env.DATABASE_URL!, { max: 2 });
  const store = async (mail: Parameters<Parameters<typeof startSmtpReceiver>[0]>[0]) => {
    await db.insert(schema.sandboxMail).values({
      messageId: mail.messageId,
      from: mail.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      headers: mail.headers,
    });
  };
  let receiver: SmtpReceiver;
  const chosen = config.sandboxPorts.mail;
  try {
    receiver = await startSmtpReceiver(store, chosen ?? DEFAULT_MAIL_CATCHER_PORT);
  } catch (err) {
    if (chosen !== undefined) {
      await endDb(db);
      throw new Error(`SANDBOX_MAIL_PORT=${chosen}: the mail catcher cannot listen there (${err instanceof Error ? err.message : String(err)})`);
    }
    receiver = await startSmtpReceiver(store, 0);
  }
  env.SMTP_URL = receiver.url;
  log(`sandbox mode: mail catcher at ${receiver.url} (its mail is in the Inbox on /sandbox)`);
  return async () => {
    await receiver.stop();
    await endDb(db);
  };
}
