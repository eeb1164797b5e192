// The sandbox Inbox: what the local mail catcher received, newest first (a user sees their own mail).
import { desc, eq } from 'drizzle-orm';
import type { Db } from '../db';
import { sandboxMail } from '../db/schema';

export type InboxMail = typeof sandboxMail.$inferSelect;

export async function listInbox(db: Db, to: string | null, limit = 20): Promise<InboxMail[]> {
  const q = db.select().from(sandboxMail);
  return (to ? q.where(eq(sandboxMail.to, to)) : q).orderBy(desc(sandboxMail.id)).limit(limit);
}
