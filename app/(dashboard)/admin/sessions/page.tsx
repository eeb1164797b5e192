import type { Metadata } from 'next';
import Link from 'next/link';
import { ActionForm } from '@/components/action-form';
import { requireAdmin } from '@/lib/auth/session';
import { listLiveSessions, type LiveSession } from '@/lib/auth/sessions';
import { getDb } from '@/lib/db';
import { endAllSessionsAction, endSessionAction } from './actions';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Sessions — Reconnect' };

const minute = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function byUser(sessions: LiveSession[]): LiveSession[][] {
  const groups = new Map<string, LiveSession[]>();
  for (const s of sessions) groups.set(s.userId, [...(groups.get(s.userId) ?? []), s]);
  return [...groups.values()];
}

export default async function SessionsPage() {
  const admin = await requireAdmin();
  const users = byUser(await listLiveSessions(getDb()));
  return (
    <section aria-labelledby="sessions-heading" className="space-y-6">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 id="sessions-heading" className="text-2xl font-semibold">
          Sessions
        </h1>
        <Link href="/admin" className="text-sm text-blue-700 hover:underline dark:text-blue-300">
          ← All connections
        </Link>
      </div>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Every signed-in browser has a session, kept on the server for at most 8 hours. Ending one signs that browser out at its next
        request, even if someone copied its cookie.
      </p>
      {users.length === 0 && <p className="text-sm text-slate-600 dark:text-slate-400">Nobody is signed in.</p>}
      <ul className="space-y-4">
        {users.map((sessions) => {
          const { userId, email, name } = sessions[0];
          return (
            <li key={userId} aria-label={`Sessions of ${email}`} className="space-y-2 rounded-lg border border-slate-200 p-4 dark:border-slate-800">
              <div className="flex flex-wrap items-start justify-between gap-2">
                <h2 className="font-medium break-all">
                  {name ? `${name} · ` : ''}
                  {email}
                  {userId === admin.id && <span className="text-sm font-normal text-slate-600 dark:text-slate-400"> (you)</span>}
                </h2>
                <ActionForm action={endAllSessionsAction} fields={{ userId }} label={`End all sessions of ${email}`} pendingLabel="Ending…" variant="danger" />
              </div>
              <ul className="space-y-1 text-sm">
                {sessions.map((s) => (
                  <li key={s.id} className="flex flex-wrap items-center justify-between gap-2">
                    <span>
                      Signed in {minute(s.createdAt)}, ends {minute(s.expires)}
                    </span>
                    <ActionForm action={endSessionAction} fields={{ userId, sessionId: s.id }} label={`End session of ${email} from ${minute(s.createdAt)}`} pendingLabel="Ending…" />
                  </li>
                ))}
              </ul>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
