import { MonitorSmartphone, UserRound } from 'lucide-react';
import { ActionForm } from '@/components/action-form';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { requireAdmin } from '@/lib/auth/session';
import { listLiveSessions, type LiveSession } from '@/lib/auth/sessions';
import { getDb } from '@/lib/db';
import { endAllSessionsAction, endSessionAction } from './actions';
import { databasePage } from '@/lib/pages/database-page';
import { adminPageMetadata } from '../title';

export const dynamic = 'force-dynamic';

export const generateMetadata = adminPageMetadata('Sessions');

const minute = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function byUser(sessions: LiveSession[]): LiveSession[][] {
  const groups = new Map<string, LiveSession[]>();
  for (const s of sessions) groups.set(s.userId, [...(groups.get(s.userId) ?? []), s]);
  return [...groups.values()];
}

function UserSessions({ sessions, isMe }: { sessions: LiveSession[]; isMe: boolean }) {
  const { userId, email, name } = sessions[0];
  const title = (
    <span className="flex flex-wrap items-center gap-2">
      <UserRound aria-hidden="true" className="size-4 shrink-0 text-slate-600 dark:text-slate-400" />
      <span className="break-all">
        {name ? `${name} · ` : ''}
        {email}
      </span>
      {isMe && <Badge tone="info">you</Badge>}
    </span>
  );
  return (
    <li aria-label={`Sessions of ${email}`}>
      <Card
        title={title}
        description={`${sessions.length} signed-in browser${sessions.length === 1 ? '' : 's'}`}
        actions={
          <ActionForm
            action={endAllSessionsAction}
            fields={{ userId }}
            label={`End all sessions of ${email}`}
            shortLabel="End all sessions"
            pendingLabel="Ending…"
            variant="danger"
            // Like Disconnect: a destructive action asks first.
            confirm={{
              title: `End all sessions of ${email}?`,
              body: `Every browser signed in as ${isMe ? 'you (this one too)' : email} is signed out at its next request, even one using a copied cookie.`,
              confirmLabel: 'End all sessions',
            }}
          />
        }
      >
        <ul className="divide-y divide-slate-200 text-sm dark:divide-slate-800">
          {sessions.map((s) => (
            <li key={s.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
              <span className="min-w-0">
                Signed in {minute(s.createdAt)}, ends {minute(s.expires)}
              </span>
              <ActionForm
                action={endSessionAction}
                fields={{ userId, sessionId: s.id }}
                label={`End session of ${email} from ${minute(s.createdAt)}`}
                shortLabel="End session"
                pendingLabel="Ending…"
              />
            </li>
          ))}
        </ul>
      </Card>
    </li>
  );
}

async function SessionsPage() {
  const admin = await requireAdmin();
  const users = byUser(await listLiveSessions(getDb()));
  return (
    <div className="space-y-6">
      <PageHeader
        title="Sessions"
        icon={MonitorSmartphone}
        description="Every signed-in browser has a session, kept on the server for at most 8 hours. Ending one signs that browser out at its next request, even if someone copied its cookie."
      />
      {users.length === 0 ? (
        <EmptyState icon={MonitorSmartphone} title="Nobody is signed in." />
      ) : (
        <ul className="space-y-4">
          {users.map((sessions) => (
            <UserSessions key={sessions[0].userId} sessions={sessions} isMe={sessions[0].userId === admin.id} />
          ))}
        </ul>
      )}
    </div>
  );
}

export default databasePage(SessionsPage);
