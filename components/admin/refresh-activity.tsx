import type { DayOutcomes } from '@/lib/admin/activity';
import { formatCount } from './format';
import { RefreshChart, type ChartDay } from './refresh-chart';

const WEEKDAY = new Intl.DateTimeFormat('en-US', { weekday: 'short', day: 'numeric', timeZone: 'UTC' });

function chartDays(outcomes: DayOutcomes[]): ChartDay[] {
  return outcomes.map((d) => ({ label: WEEKDAY.format(new Date(`${d.day}T00:00:00Z`)), succeeded: d.succeeded, failed: d.failed }));
}

/** The chart, with its numbers as a table for screen readers and as totals for everyone. */
export function RefreshActivity({ outcomes }: { outcomes: DayOutcomes[] }) {
  const days = chartDays(outcomes);
  const succeeded = outcomes.reduce((sum, d) => sum + d.succeeded, 0);
  const failed = outcomes.reduce((sum, d) => sum + d.failed, 0);
  return (
    <figure aria-labelledby="refresh-chart-title" className="rounded-lg border border-slate-200 bg-white p-4 text-slate-600 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-400">
      <figcaption id="refresh-chart-title" className="text-base font-semibold text-slate-900 dark:text-slate-100">
        Refresh outcomes, last 7 days
      </figcaption>
      <p className="mb-3 text-sm">
        {formatCount(succeeded)} succeeded · {formatCount(failed)} failed (needs reconnect or retrying) · days in UTC
      </p>
      <div data-testid="refresh-chart">
        <RefreshChart days={days} />
      </div>
      <table className="sr-only">
        <caption>Refresh outcomes per day</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">Succeeded</th>
            <th scope="col">Failed</th>
          </tr>
        </thead>
        <tbody>
          {days.map((d) => (
            <tr key={d.label}>
              <th scope="row">{d.label}</th>
              <td>{d.succeeded}</td>
              <td>{d.failed}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
