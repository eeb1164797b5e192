import type { DayOutcomes } from '@/lib/admin/activity';
import { buttonVariants } from '@/components/ui/button';
import { cn } from '@/components/ui/cn';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { formatCount } from './format';
import { RefreshChart, type ChartDay } from './refresh-chart';

const WEEKDAY = new Intl.DateTimeFormat('en-US', { weekday: 'short', day: 'numeric', timeZone: 'UTC' });

function chartDays(outcomes: DayOutcomes[]): ChartDay[] {
  return outcomes.map((d) => ({ label: WEEKDAY.format(new Date(`${d.day}T00:00:00Z`)), succeeded: d.succeeded, failed: d.failed }));
}

/** The chart, its totals for everyone, and its numbers as a table (for screen readers and for exact values). */
export function RefreshActivity({ outcomes }: { outcomes: DayOutcomes[] }) {
  const days = chartDays(outcomes);
  const succeeded = outcomes.reduce((sum, d) => sum + d.succeeded, 0);
  const failed = outcomes.reduce((sum, d) => sum + d.failed, 0);
  return (
    <figure
      aria-labelledby="refresh-chart-title"
      className="min-w-0 rounded-lg bg-white p-4 text-slate-600 shadow-sm ring-1 ring-slate-200 sm:p-5 dark:bg-slate-900 dark:text-slate-400 dark:ring-slate-800"
    >
      <figcaption id="refresh-chart-title" className="text-base font-semibold text-slate-900 dark:text-slate-100">
        Refresh outcomes, last 7 days
      </figcaption>
      <p className="mb-3 text-sm">
        {formatCount(succeeded)} succeeded · {formatCount(failed)} failed (needs reconnect or retrying) · stacked per day, one scale · days in UTC
      </p>
      <div data-testid="refresh-chart">
        <RefreshChart days={days} />
      </div>
      <details className="mt-3">
        <summary className={cn(buttonVariants({ variant: 'ghost' }), 'cursor-pointer')}>Show as table</summary>
        <div className="mt-2">
          <Table caption="Refresh outcomes per day (UTC)">
            <THead>
              <Tr>
                <Th>Day</Th>
                <Th className="sm:text-right">Succeeded</Th>
                <Th className="sm:text-right">Failed</Th>
              </Tr>
            </THead>
            <TBody>
              {outcomes.map((d, i) => (
                <Tr key={d.day} data-day={d.day}>
                  <Th scope="row" className="block px-0! py-1! sm:table-cell sm:px-3! sm:py-2!">
                    <time dateTime={d.day}>{days[i]!.label}</time>
                  </Th>
                  <Td label="Succeeded" className="tabular-nums sm:text-right">
                    {d.succeeded}
                  </Td>
                  <Td label="Failed" className="tabular-nums sm:text-right">
                    {d.failed}
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        </div>
      </details>
    </figure>
  );
}
