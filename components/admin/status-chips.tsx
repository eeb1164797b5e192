import Link from 'next/link';
import { statusLabel } from '@/lib/connections/health';
import { areLowerBounds, countShown, type StatusCounts } from '@/lib/admin/counts';
import { adminHref, type AdminQuery } from '@/lib/admin/params';
import { CONNECTION_STATUSES, type ConnectionStatus } from '@/lib/db/schema';
import { formatCount } from './format';

const CHIP = 'inline-flex items-center gap-2 rounded-full px-3 py-1.5 text-sm font-medium ring-1 ring-inset focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400';
const IDLE = 'bg-white text-slate-800 ring-slate-300 hover:bg-slate-50 dark:bg-slate-900 dark:text-slate-200 dark:ring-slate-700 dark:hover:bg-slate-800';
const ACTIVE = 'bg-blue-700 text-white ring-blue-700 dark:bg-blue-600 dark:ring-blue-600';

function Chip({ label, count, atLeast, href, current }: { label: string; count: number; atLeast: boolean; href: string; current: boolean }) {
  return (
    <li>
      <Link href={href} aria-current={current ? 'page' : undefined} className={`${CHIP} ${current ? ACTIVE : IDLE}`}>
        {label}
        <span className="tabular-nums font-normal">{`${formatCount(count)}${atLeast ? '+' : ''}`}</span>
      </Link>
    </li>
  );
}

/** Counts per status under the other filters; each chip filters the list by its status. */
export function StatusChips({ query, counts }: { query: AdminQuery; counts: StatusCounts }) {
  const atLeast = areLowerBounds(counts); // a large filtered view: counted up to a cap, "1,000+"
  const chip = (status: ConnectionStatus) => (
    <Chip key={status} label={statusLabel(status).label} count={counts[status]} atLeast={atLeast} href={adminHref(query, { status })} current={query.status === status} />
  );
  return (
    <nav aria-label="Filter by status">
      <ul className="flex flex-wrap gap-2">
        <Chip label="All" count={countShown(counts)} atLeast={atLeast} href={adminHref(query, { status: undefined })} current={!query.status} />
        {CONNECTION_STATUSES.map(chip)}
      </ul>
    </nav>
  );
}
