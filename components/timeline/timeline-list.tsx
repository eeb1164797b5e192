import type { TimelineRow } from '@/lib/connections/timeline';
import { EventIcon } from './event-icon';

/** "2026-11-28 07:10:25 UTC": exact and the same for every reader (the server renders it). */
function utc(d: Date): string {
  return `${d.toISOString().replace('T', ' ').slice(0, 19)} UTC`;
}

function When({ row }: { row: TimelineRow }) {
  const latest = <time dateTime={row.latest.created_at.toISOString()}>{utc(row.latest.created_at)}</time>;
  if (row.count === 1) return latest;
  return (
    <>
      <time dateTime={row.earliest.created_at.toISOString()}>{utc(row.earliest.created_at)}</time>
      {' – '}
      {latest}
    </>
  );
}

/** The folded timeline: one list item per run of like events, newest first. */
export function TimelineList({ rows }: { rows: TimelineRow[] }) {
  return (
    <ol aria-label="Events" className="divide-y divide-slate-200 dark:divide-slate-800">
      {rows.map((row) => (
        <li key={row.latest.id} data-testid="timeline-row" data-type={row.latest.type} className="flex gap-3 py-3 text-sm">
          <EventIcon icon={row.text.icon} tone={row.text.tone} />
          <div className="min-w-0 flex-1 space-y-0.5">
            <p className="flex flex-wrap items-baseline gap-x-2 font-medium">
              <span className="min-w-0 break-words">{row.text.title}</span>
              {row.count > 1 && (
                <span data-testid="timeline-count" className="rounded-full bg-slate-100 px-2 text-xs font-semibold text-slate-700 dark:bg-slate-800 dark:text-slate-200">
                  <span aria-hidden="true">×{row.count}</span>
                  <span className="sr-only">{row.count} times</span>
                </span>
              )}
            </p>
            <p className="break-words text-slate-700 dark:text-slate-300">{row.text.detail}</p>
            {!row.text.known && row.latest.code && (
              <p className="text-slate-600 dark:text-slate-400">
                Code: <code className="rounded bg-slate-100 px-1 dark:bg-slate-800">{row.latest.code}</code>
              </p>
            )}
            <p className="text-xs text-slate-600 tabular-nums dark:text-slate-400">
              <When row={row} />
            </p>
          </div>
        </li>
      ))}
    </ol>
  );
}
