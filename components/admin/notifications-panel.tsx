import Link from 'next/link';
import { setAdminDigestAction } from '@/app/(dashboard)/actions';
import type { FailedNotification, MailSetup } from '@/lib/notifications/admin';
import { ActionForm } from '../action-form';
import { Card } from '../ui/card';
import { Notice } from '../ui/notice';

const KIND: Record<string, string> = { needs_reauth: 'Needs reconnect', degraded: 'Still retrying', digest: 'Daily digest' };

function FailedMails({ failed }: { failed: FailedNotification[] }) {
  return (
    <div className="space-y-1">
      <h3 className="text-sm font-semibold text-red-800 dark:text-red-300">Mails that could not be delivered</h3>
      <ul aria-label="Failed notifications" className="divide-y divide-slate-200 text-sm dark:divide-slate-800">
        {failed.map((f) => (
          <li key={f.id} className="flex flex-wrap gap-x-3 py-1.5">
            <time className="tabular-nums text-slate-600 dark:text-slate-400" dateTime={f.updatedAt.toISOString()}>
              {f.updatedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC
            </time>
            <span>{KIND[f.kind] ?? f.kind}</span>
            <span className="break-all">to {f.email}</span>
            {f.connectionId && (
              <Link href={`/connections/${f.connectionId}`} className="text-blue-700 hover:underline focus-visible:outline-2 focus-visible:outline-blue-700 dark:text-blue-300">
                connection
              </Link>
            )}
            <span className="basis-full break-words text-slate-600 dark:text-slate-400">{f.lastError}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Mail on the admin page: whether it is on, the outbox at a glance, permanent failures, the digest opt-in. */
export function NotificationsPanel({ setup, counts, failed, digest }: { setup: MailSetup; counts: Record<string, number>; failed: FailedNotification[]; digest: boolean }) {
  return (
    <Card title="Email notifications" aria-label="Email notifications">
      <div className="space-y-3">
        {setup.on ? (
          <p className="text-sm text-slate-700 dark:text-slate-300">{setup.text}</p>
        ) : (
          <Notice tone="warn" role="status">
            {setup.text}
          </Notice>
        )}
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Sent {counts.sent ?? 0} · waiting {counts.pending ?? 0} · failed {counts.failed ?? 0} · not sent because turned off {counts.suppressed ?? 0}
        </p>
        {failed.length > 0 && <FailedMails failed={failed} />}
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <span className="min-w-0 flex-1">
            {digest ? 'You get a daily digest when something is broken.' : 'Daily digest: a summary mail for you, only on days when something is broken.'}
          </span>
          <ActionForm
            action={setAdminDigestAction}
            fields={{ enabled: digest ? 'off' : 'on' }}
            label={digest ? 'Stop the daily digest' : 'Send me the daily digest'}
            pendingLabel="Saving…"
          />
        </div>
      </div>
    </Card>
  );
}
