import { statusLabel } from '@/lib/connections/health';
import { areLowerBounds, countShown, type StatusCounts } from '@/lib/admin/counts';
import { adminHref, type AdminQuery } from '@/lib/admin/params';
import { CONNECTION_STATUSES, type ConnectionStatus } from '@/lib/db/schema';
import { FilterChip } from '../ui/filter-chip';
import { formatCount } from './format';

function Chip({ label, count, atLeast, href, current }: { label: string; count: number; atLeast: boolean; href: string; current: boolean }) {
  return (
    <li>
      <FilterChip href={href} current={current}>
        {label}
        <span className="tabular-nums font-normal">{`${formatCount(count)}${atLeast ? '+' : ''}`}</span>
      </FilterChip>
    </li>
  );
}

/**
 * Counts per status under the other filters; each chip filters the list by its status. "Renew soon" (every live
 * connection inside its renewal window) toggles that filter on top of the others.
 */
export function StatusChips({ query, counts, renewSoon }: { query: AdminQuery; counts: StatusCounts; renewSoon?: { count: number; atLeast: boolean } }) {
  const atLeast = areLowerBounds(counts); // a large filtered view: counted up to a cap, "1,000+"
  const chip = (status: ConnectionStatus) => (
    <Chip key={status} label={statusLabel(status).label} count={counts[status]} atLeast={atLeast} href={adminHref(query, { status })} current={query.status === status} />
  );
  return (
    <nav aria-label="Filter by status">
      <ul className="flex flex-wrap gap-2">
        <Chip label="All" count={countShown(counts)} atLeast={atLeast} href={adminHref(query, { status: undefined })} current={!query.status} />
        {CONNECTION_STATUSES.map(chip)}
        {renewSoon && (
          <Chip
            label="Renew soon"
            count={renewSoon.count}
            atLeast={renewSoon.atLeast}
            href={adminHref(query, { renew: query.renew ? undefined : 'soon' })}
            current={query.renew === 'soon'}
          />
        )}
      </ul>
    </nav>
  );
}
