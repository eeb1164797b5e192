// What the admin page shows about mail: whether it is on, the outbox by status, the latest failures.
import { count, desc, eq } from 'drizzle-orm';
import type { Config } from '../config';
import type { Db } from '../db';
import { connections, notifications, users } from '../db/schema';

export interface MailSetup {
  on: boolean;
  /** One plain sentence for the admin page; never the SMTP credentials. */
  text: string;
}

export function mailSetup(config: Pick<Config, 'mode' | 'smtpUrl' | 'emailFrom' | 'notifyDegradedAfterHours'>): MailSetup {
  if (!config.smtpUrl) {
    return config.mode === 'live'
      ? { on: false, text: 'Notifications are off: SMTP_URL is not set, so no email is sent. Set SMTP_URL and EMAIL_FROM to turn them on.' }
      : { on: false, text: 'Notifications are off: no mail catcher is running (start the app with npm start) and SMTP_URL is not set.' };
  }
  const url = new URL(config.smtpUrl);
  const where = config.mode === 'sandbox' && url.hostname === '127.0.0.1' ? 'the sandbox mail catcher (see the Inbox on /sandbox)' : url.host;
  return {
    on: true,
    text: `Notifications are on: mail goes through ${where} from ${config.emailFrom}. Owners are told when a connection needs reconnecting, or is still retrying after ${config.notifyDegradedAfterHours} hours.`,
  };
}

export interface FailedNotification {
  id: string;
  kind: string;
  email: string;
  connectionId: string | null;
  product: string | null;
  lastError: string | null;
  updatedAt: Date;
}

export async function notificationOverview(db: Db): Promise<{ counts: Record<string, number>; failed: FailedNotification[] }> {
  const byStatus = await db.select({ status: notifications.status, n: count() }).from(notifications).groupBy(notifications.status);
  const failed = await db
    .select({
      id: notifications.id,
      kind: notifications.kind,
      email: users.email,
      connectionId: notifications.connectionId,
      product: connections.product,
      lastError: notifications.lastError,
      updatedAt: notifications.updatedAt,
    })
    .from(notifications)
    .innerJoin(users, eq(users.id, notifications.userId))
    .leftJoin(connections, eq(connections.id, notifications.connectionId))
    .where(eq(notifications.status, 'failed'))
    .orderBy(desc(notifications.updatedAt))
    .limit(10);
  return { counts: Object.fromEntries(byStatus.map((r) => [r.status, r.n])), failed };
}
