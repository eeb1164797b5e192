import Link from 'next/link';
import { disconnectAction, reconnectConnection, setConnectionEmailsAction, testConnectionAction } from '@/app/(dashboard)/actions';
import { productLabel } from '@/lib/atlassian/products';
import { providerFor, siteNoun } from '@/lib/providers';
import { nextRetryIn, plainReason, showsTokenExpiry } from '@/lib/connections/health';
import type { ConnectionView } from '@/lib/connections/queries';
import { ActionForm } from './action-form';
import { StatusBadge } from './status-badge';
import { ago, duration } from './time';

const DAY = 86_400_000;

function expiresIn(c: ConnectionView, now: number): string {
  if (!c.access_expires_at) return 'no token';
  const left = c.access_expires_at.getTime() - now;
  return left > 0 ? duration(left) : 'expired (refreshed on next use)';
}

/** `emails`: the owner's mail switch for this connection (undefined: not shown, e.g. to an admin). */
export function ConnectionCard({ c, now, keepaliveDays, emails }: { c: ConnectionView; now: number; keepaliveDays: number; emails?: boolean }) {
  const label = productLabel(c.product);
  const tokenValid = !!c.access_expires_at && c.access_expires_at.getTime() > now;
  const reason = plainReason(c.status, c.status === 'degraded' ? (c.reason ?? c.last_error_code) : c.reason, tokenValid, providerFor(c.product).issuerName);
  const idleDays = c.last_used_at ? Math.floor((now - c.last_used_at.getTime()) / DAY) : null;
  const needsReauth = c.status === 'needs_reauth';
  const issuer = providerFor(c.product).issuerName;
  const sitesTerm = siteNoun(c.product);
  return (
    <li aria-label={`${label} connection`} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-lg font-semibold">
          <Link href={`/connections/${c.id}`} className="hover:underline">
            {label}
          </Link>{' '}
          <span className="text-sm font-normal text-slate-600 dark:text-slate-400">{c.sites.map((s) => s.name).join(', ')}</span>
        </h2>
        <StatusBadge status={c.status} />
      </div>
      {reason && (
        <p className={`mt-2 text-sm ${needsReauth ? 'font-medium text-red-800 dark:text-red-300' : 'text-slate-700 dark:text-slate-300'}`}>{reason}</p>
      )}
      <dl className="mt-3 grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-2">
        <Detail term={`${issuer} account`} value={c.account_email || c.account_name || 'unknown'} />
        <Detail term="Last refreshed" value={ago(c.last_refreshed_at, now)} />
        {showsTokenExpiry(c.status) && <Detail term="Access token expires in" value={expiresIn(c, now)} />}
        {nextRetryIn(c.status, c.next_refresh_at, now) && <Detail term="Next retry" value={nextRetryIn(c.status, c.next_refresh_at, now)!} />}
        <Detail
          term="Idle for"
          value={idleDays === null ? 'never used' : `${idleDays} day${idleDays === 1 ? '' : 's'}${idleDays >= keepaliveDays ? ' — kept alive by Reconnect' : ''}`}
        />
        <Detail term={sitesTerm[0].toUpperCase() + sitesTerm.slice(1)} value={c.sites.map((s) => s.url.replace(/^https:\/\//, '')).join(', ')} />
        <Detail term="Scopes" value={c.scopes.filter((s) => s !== 'offline_access').join(' ')} />
      </dl>
      <div className="mt-4 flex flex-wrap items-start gap-2">
        <ActionForm
          action={reconnectConnection}
          fields={{ connectionId: c.id }}
          label={`Reconnect ${label}`}
          pendingLabel={`Opening ${issuer}…`}
          variant={needsReauth ? 'primary' : 'secondary'}
        />
        <ActionForm action={testConnectionAction} fields={{ connectionId: c.id }} label="Test connection" pendingLabel="Testing…" />
        <ActionForm
          action={disconnectAction}
          fields={{ connectionId: c.id }}
          label="Disconnect"
          pendingLabel="Disconnecting…"
          variant="danger"
          confirm={{ title: `Disconnect ${label}?`, body: 'Its tokens will be deleted. Services using this connection stop working until it is connected again.', confirmLabel: 'Disconnect' }}
        />
        {emails !== undefined && (
          <ActionForm
            action={setConnectionEmailsAction}
            fields={{ connectionId: c.id, enabled: emails ? 'off' : 'on' }}
            label={emails ? 'Turn off emails' : 'Turn on emails'}
            pendingLabel="Saving…"
          />
        )}
      </div>
    </li>
  );
}

function Detail({ term, value }: { term: string; value: string }) {
  return (
    <div className="flex gap-2">
      <dt className="text-slate-500 dark:text-slate-400">{term}:</dt>
      <dd className="break-words">{value}</dd>
    </div>
  );
}
