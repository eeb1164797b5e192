import Link from 'next/link';
import { TIMELINE_FILTERS, type TimelineFilter } from '@/lib/connections/timeline';

/** Filters as plain links (`?kind=`), so they work without JavaScript; the current one is marked. */
export function TimelineFilters({ basePath, current }: { basePath: string; current: TimelineFilter }) {
  return (
    <nav aria-label="Filter events by kind" className="mb-3">
      <ul className="flex flex-wrap gap-2">
        {TIMELINE_FILTERS.map((f) => {
          const active = f.id === current;
          return (
            <li key={f.id}>
              <Link
                href={f.id === 'all' ? basePath : `${basePath}?kind=${f.id}`}
                aria-current={active ? 'page' : undefined}
                className={`inline-flex rounded-full px-3 py-1 text-sm font-medium ring-1 ring-inset focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400 ${
                  active
                    ? 'bg-blue-700 text-white ring-blue-700 dark:bg-blue-600 dark:ring-blue-600'
                    : 'bg-white text-slate-700 ring-slate-300 hover:bg-slate-50 dark:bg-slate-800 dark:text-slate-200 dark:ring-slate-600 dark:hover:bg-slate-700'
                }`}
              >
                {f.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
