import Link from 'next/link';
import { StatusBadge } from '@/components/status-badge';
import type { AdminConnectionRow } from '@/lib/admin/connections';
import { productLabel } from '@/lib/atlassian/products';
import { providerFor } from '@/lib/providers';
import { plainReason } from '@/lib/connections/health';
import { accessExpiry, ago } from './format';

const TH = 'px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400';
const TD = 'px-3 py-3 align-top text-sm';
/** Columns shown from md up; below that, their values are stacked in the first cell. */
const WIDE = 'hidden md:table-cell';

function reasonOf(c: AdminConnectionRow): string | null {
  return plainReason(c.status, c.status === 'degraded' ? (c.reason ?? c.last_error_code) : c.reason, true, providerFor(c.product).issuerName);
}

function ConnectionCell({ c, now }: { c: AdminConnectionRow; now: number }) {
  const reason = reasonOf(c);
  return (
    <td className={TD}>
      <Link href={`/connections/${c.id}`} className="font-semibold text-blue-700 hover:underline dark:text-blue-300">
        {productLabel(c.product)}
        <span className="sr-only"> connection of {c.user_email}</span>
      </Link>
      <div className="break-words text-slate-700 dark:text-slate-300">{c.sites.map((s) => s.name).join(', ') || 'no sites'}</div>
      <div className="break-words text-xs text-slate-500 dark:text-slate-400">{providerFor(c.product).issuerName} account: {c.account_email || c.account_name || 'unknown'}</div>
      <div className="mt-2 space-y-1 md:hidden">
        <div className="break-words text-slate-700 dark:text-slate-300">{c.user_email}</div>
        <StatusBadge status={c.status} />
        {reason && <p className="text-slate-700 dark:text-slate-300">{reason}</p>}
        <p className="text-xs text-slate-500 dark:text-slate-400">
          Refreshed {ago(c.last_refreshed_at, now)} · access {accessExpiry(c.access_expires_at, now)} · {c.consecutive_failures} failures
        </p>
      </div>
    </td>
  );
}

function Row({ c, now }: { c: AdminConnectionRow; now: number }) {
  const reason = reasonOf(c);
  return (
    <tr className="border-t border-slate-200 dark:border-slate-800">
      <ConnectionCell c={c} now={now} />
      <td className={`${TD} ${WIDE} break-words`}>{c.user_email}</td>
      <td className={`${TD} ${WIDE} max-w-xs`}>
        <StatusBadge status={c.status} />
        {reason && <p className="mt-1 text-slate-700 dark:text-slate-300">{reason}</p>}
      </td>
      <td className={`${TD} ${WIDE} whitespace-nowrap`}>{ago(c.last_refreshed_at, now)}</td>
      <td className={`${TD} ${WIDE} whitespace-nowrap`}>{accessExpiry(c.access_expires_at, now)}</td>
      <td className={`${TD} ${WIDE} text-right tabular-nums`}>{c.consecutive_failures}</td>
    </tr>
  );
}

export function ConnectionsTable({ rows, now }: { rows: AdminConnectionRow[]; now: number }) {
  if (rows.length === 0) {
    return (
      <p className="rounded-lg border border-dashed border-slate-300 p-8 text-center text-slate-600 dark:border-slate-700 dark:text-slate-400">
        No connections match these filters.
      </p>
    );
  }
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <table className="w-full table-fixed md:table-auto">
        <caption className="sr-only">Connections of every user</caption>
        <thead className="bg-slate-50 dark:bg-slate-950">
          <tr>
            <th scope="col" className={TH}>Connection</th>
            <th scope="col" className={`${TH} ${WIDE}`}>Owner</th>
            <th scope="col" className={`${TH} ${WIDE}`}>Status</th>
            <th scope="col" className={`${TH} ${WIDE}`}>Last refreshed</th>
            <th scope="col" className={`${TH} ${WIDE}`}>Access expires</th>
            <th scope="col" className={`${TH} ${WIDE} text-right`}>Failures</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <Row key={c.id} c={c} now={now} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
