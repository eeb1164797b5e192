import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AutoRefresh } from '@/components/auto-refresh';
import { ConnectionCard } from '@/components/connection-card';
import { requireUser } from '@/lib/auth/session';
import { getConfig } from '@/lib/config';
import { getConnectionView, listEvents } from '@/lib/connections/queries';
import { getDb } from '@/lib/db';
import { connectionNotificationSwitches } from '@/lib/notifications/preferences';
import { now as healthNow } from '@/lib/clock'; // sandbox: the simulator's clock
import { queryId } from '@/lib/input';
import { isUuid } from '@/lib/ids';

export const dynamic = 'force-dynamic';

const PAGE = 50;

const EVENT_LABEL: Record<string, string> = {
  connected: 'Connected',
  reconnected: 'Reconnected',
  refreshed: 'Token refreshed',
  refresh_failed: 'Refresh failed',
  degraded: 'Retrying',
  recovered: 'Recovered',
  needs_reauth: 'Needs reconnect',
  configuration_error: 'Configuration error',
  api_unauthorized: 'API answered 401',
  test: 'Connection test',
  disconnected: 'Disconnected',
  notification_sent: 'Email sent to the owner',
  notification_failed: 'Email failed',
  notification_suppressed: 'Email not sent (turned off)',
};

export default async function ConnectionPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ before?: string }> }) {
  const { id } = await params;
  const user = await requireUser(`/connections/${id}`);
  const db = getDb();
  const conn = isUuid(id) ? await getConnectionView(db, id) : undefined;
  if (!conn || (conn.user_id !== user.id && user.role !== 'admin')) notFound();
  const before = Number(queryId((await searchParams).before)) || undefined;
  const events = await listEvents(db, id, before, PAGE);
  const now = healthNow().getTime();
  const emails = conn.user_id === user.id ? (await connectionNotificationSwitches(getDb(), [id])).get(id) : undefined;
  return (
    <div className="space-y-8">
      <div className="flex flex-wrap items-center justify-between gap-x-4 gap-y-1">
        <Link href="/" className="text-sm text-blue-700 hover:underline dark:text-blue-300">
          ← My connections
        </Link>
        <AutoRefresh />
      </div>
      {conn.status === 'disconnected' ? (
        <p className="text-slate-600 dark:text-slate-400">This connection was disconnected. Its history is kept below.</p>
      ) : (
        <ul>
          <ConnectionCard c={conn} now={now} keepaliveDays={getConfig().keepaliveIdleDays} emails={emails} />
        </ul>
      )}
      <section aria-labelledby="timeline-heading" className="space-y-3">
        <h2 id="timeline-heading" className="text-xl font-semibold">
          Timeline
        </h2>
        <ol className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900">
          {events.map((e) => (
            <li key={e.id} className="flex flex-wrap items-baseline gap-x-4 gap-y-1 px-4 py-2 text-sm">
              <time dateTime={e.created_at.toISOString()} className="w-44 shrink-0 text-slate-500 tabular-nums">
                {e.created_at.toISOString().replace('T', ' ').slice(0, 19)} UTC
              </time>
              <span className="font-medium">{EVENT_LABEL[e.type] ?? e.type}</span>
              {e.code && <code className="rounded bg-slate-100 px-1.5 text-xs dark:bg-slate-800">{e.code}</code>}
              {e.token_generation !== null && <span className="text-slate-500">generation {e.token_generation}</span>}
              {e.message && <span className="basis-full text-slate-600 dark:text-slate-400">{e.message}</span>}
            </li>
          ))}
        </ol>
        {events.length === PAGE && (
          <Link href={`/connections/${id}?before=${events[events.length - 1].id}`} className="text-sm text-blue-700 hover:underline dark:text-blue-300">
            Older events →
          </Link>
        )}
      </section>
    </div>
  );
}
