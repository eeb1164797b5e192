import { TIMELINE_FILTERS, type TimelineFilter } from '@/lib/connections/timeline';
import { FilterChip } from '../ui/filter-chip';

/** Filters as plain links (`?kind=`), so they work without JavaScript; the current one is marked. */
export function TimelineFilters({ basePath, current }: { basePath: string; current: TimelineFilter }) {
  return (
    <nav aria-label="Filter events by kind" className="mb-3">
      <ul className="flex flex-wrap gap-2">
        {TIMELINE_FILTERS.map((f) => (
          <li key={f.id}>
            <FilterChip href={f.id === 'all' ? basePath : `${basePath}?kind=${f.id}`} current={f.id === current}>
              {f.label}
            </FilterChip>
          </li>
        ))}
      </ul>
    </nav>
  );
}
