import Link from 'next/link';
import { disconnectAction, reconnectConnection, setConnectionEmailsAction, testConnectionAction } from '@/app/(dashboard)/actions';
import { productLabel } from '@/lib/providers/registry';
import { providerFor, siteNoun } from '@/lib/providers';
import { idleText, nextRetryIn, plainReason, showsTokenExpiry, statusLabel } from '@/lib/connections/health';
import { daysLeft, inRenewalWindow } from '@/lib/connections/renewal';
import type { ConnectionView } from '@/lib/connections/queries';
import { ActionForm } from './action-form';
import { StatusBadge } from './status-badge';
import { ago, duration } from './time';
import { Card } from './ui/card';
import { Notice } from './ui/notice';

const DAY = 86_400_000;

function expiresIn(c: ConnectionView, now: number): string {
  if (!c.access_expires_at) return 'no token';
  const left = c.access_expires_at.getTime() - now;
  return left > 0 ? duration(left) : 'expired (refreshed on next use)';
}

const dayText = (d: Date) => d.toISOString().slice(0, 10);

/** "Renew soon": the family's year ends within the window; the date and the days left. */
function RenewSoon({ renewBy, now, issuer }: { renewBy: Date; now: number; issuer: string }) {
  const left = daysLeft(renewBy, new Date(now));
  return (
    <div className="mb-3">
      <Notice tone="warn">
        <p>
          <strong>Renew soon</strong>: {issuer} ends this connection’s access on {dayText(renewBy)} ({left} day{left === 1 ? '' : 's'} left), one year
          after consent, however often it is used. Renew to continue.
        </p>
      </Notice>
    </div>
  );
}

/**
 * `emails`: the owner's mail switch for this connection (undefined: not shown, e.g. to an admin).
 * `renewWarningDays`: RENEW_WARNING_DAYS (the card says "Renew soon" within it).
 */
export function ConnectionCard({ c, now, keepaliveDays, renewWarningDays = 30, emails }: { c: ConnectionView; now: number; keepaliveDays: number; renewWarningDays?: number; emails?: boolean }) {
  const label = productLabel(c.product);
  const tokenValid = !!c.access_expires_at && c.access_expires_at.getTime() > now;
  const reason = plainReason(c.status, c.status === 'degraded' ? (c.reason ?? c.last_error_code) : c.reason, tokenValid, providerFor(c.product));
  const tone = statusLabel(c.status).tone;
  const idleDays = c.last_used_at ? Math.floor((now - c.last_used_at.getTime()) / DAY) : null;
  const needsReauth = c.status === 'needs_reauth';
  const issuer = providerFor(c.product).issuerName;
  const sitesTerm = siteNoun(c.product);
  const renewSoon = inRenewalWindow(c.status, c.renew_by, new Date(now), renewWarningDays);
  const title = (
    <>
      <Link href={`/connections/${c.id}`} className="rounded text-lg text-blue-700 hover:underline focus-visible:outline-2 focus-visible:outline-blue-700 dark:text-blue-300">
        {label}
      </Link>{' '}
      <span className="text-sm font-normal text-slate-600 dark:text-slate-400">{c.sites.map((s) => s.name).join(', ')}</span>
    </>
  );
  return (
    <li aria-label={`${label} connection`}>
      <Card title={title} actions={<StatusBadge status={c.status} />}>
        {renewSoon && <RenewSoon renewBy={c.renew_by!} now={now} issuer={issuer} />}
        {reason && (
          <div className="mb-3">
            <Notice tone={tone === 'muted' ? 'info' : tone}>
              <p className={needsReauth ? 'font-medium' : undefined}>{reason}</p>
            </Notice>
          </div>
        )}
        <dl className="grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-2">
          <Detail term={`${issuer} account`} value={c.account_email || c.account_name || 'unknown'} />
          <Detail term="Last refreshed" value={ago(c.last_refreshed_at, now)} />
          {showsTokenExpiry(c.status) && <Detail term="Access token expires in" value={expiresIn(c, now)} />}
          {nextRetryIn(c.status, c.next_refresh_at, now) && <Detail term="Next retry" value={nextRetryIn(c.status, c.next_refresh_at, now)!} />}
          <Detail term="Idle for" value={idleText(c.status, idleDays, keepaliveDays)} />
          <Detail term={sitesTerm[0].toUpperCase() + sitesTerm.slice(1)} value={c.sites.map((s) => s.url.replace(/^https:\/\//, '')).join(', ')} />
          <Detail term="Scopes" value={c.scopes.filter((s) => s !== 'offline_access').join(' ')} />
          {c.renew_by && c.status !== 'needs_reauth' && <Detail term="Renew by" value={dayText(c.renew_by)} />}
        </dl>
        <div className="mt-4 flex flex-wrap items-center gap-2 border-t border-slate-200 pt-4 dark:border-slate-800">
          {renewSoon && (
            <ActionForm action={reconnectConnection} fields={{ connectionId: c.id }} label={`Renew ${label}`} pendingLabel={`Opening ${issuer}…`} variant="primary" />
          )}
          <ActionForm
            action={reconnectConnection}
            fields={{ connectionId: c.id }}
            label={`Reconnect ${label}`}
            pendingLabel={`Opening ${issuer}…`}
            variant={needsReauth ? 'primary' : 'secondary'}
          />
          <ActionForm action={testConnectionAction} fields={{ connectionId: c.id }} label="Test connection" pendingLabel="Testing…" />
          {emails !== undefined && (
            <ActionForm
              action={setConnectionEmailsAction}
              fields={{ connectionId: c.id, enabled: emails ? 'off' : 'on' }}
              label={emails ? 'Turn off emails' : 'Turn on emails'}
              pendingLabel="Saving…"
              variant="ghost"
            />
          )}
          <ActionForm
            action={disconnectAction}
            fields={{ connectionId: c.id }}
            label="Disconnect"
            pendingLabel="Disconnecting…"
            variant="danger"
            confirm={{ title: `Disconnect ${label}?`, body: 'Its tokens will be deleted. Services using this connection stop working until it is connected again.', confirmLabel: 'Disconnect' }}
          />
        </div>
      </Card>
    </li>
  );
}

function Detail({ term, value }: { term: string; value: string }) {
  return (
    <div className="flex min-w-0 gap-2">
      <dt className="shrink-0 text-slate-600 dark:text-slate-400">{term}:</dt>
      <dd className="min-w-0 break-words">{value}</dd>
    </div>
  );
}
