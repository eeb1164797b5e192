import Link from 'next/link';
import { setAdminDigestAction } from '@/app/(dashboard)/actions';
import type { FailedNotification, MailSetup } from '@/lib/notifications/admin';
import { ActionForm } from '../action-form';

const KIND: Record<string, string> = { needs_reauth: 'Needs reconnect', degraded: 'Still retrying', digest: 'Daily digest' };

/** Mail on the admin page: whether it is on, the outbox at a glance, permanent failures, the digest opt-in. */
export function NotificationsPanel({ setup, counts, failed, digest }: { setup: MailSetup; counts: Record<string, number>; failed: FailedNotification[]; digest: boolean }) {
  return (
    <section aria-labelledby="mail-heading" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <h2 id="mail-heading" className="text-lg font-semibold">
        Email notifications
      </h2>
      <p role={setup.on ? undefined : 'status'} className={`text-sm ${setup.on ? 'text-slate-700 dark:text-slate-300' : 'font-medium text-amber-800 dark:text-amber-300'}`}>
        {setup.text}
      </p>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Sent {counts.sent ?? 0} · waiting {counts.pending ?? 0} · failed {counts.failed ?? 0} · not sent because turned off {counts.suppressed ?? 0}
      </p>
      {failed.length > 0 && (
        <div className="space-y-1">
          <h3 className="text-sm font-semibold text-red-800 dark:text-red-300">Mails that could not be delivered</h3>
          <ul aria-label="Failed notifications" className="space-y-1 text-sm">
            {failed.map((f) => (
              <li key={f.id} className="flex flex-wrap gap-x-3">
                <time className="text-slate-500 tabular-nums" dateTime={f.updatedAt.toISOString()}>
                  {f.updatedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC
                </time>
                <span>{KIND[f.kind] ?? f.kind}</span>
                <span className="break-all">to {f.email}</span>
                {f.connectionId && (
                  <Link href={`/connections/${f.connectionId}`} className="text-blue-700 hover:underline dark:text-blue-300">
                    connection
                  </Link>
                )}
                <span className="basis-full text-slate-600 dark:text-slate-400">{f.lastError}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <span>{digest ? 'You get a daily digest when something is broken.' : 'Daily digest: a summary mail for you, only on days when something is broken.'}</span>
        <ActionForm
          action={setAdminDigestAction}
          fields={{ enabled: digest ? 'off' : 'on' }}
          label={digest ? 'Stop the daily digest' : 'Send me the daily digest'}
          pendingLabel="Saving…"
        />
      </div>
    </section>
  );
}
