'use client';

import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';

export interface ChartDay {
  label: string;
  succeeded: number;
  failed: number;
}

// Both pass 3:1 against the card in light (white) and dark (slate-900) mode: emerald-600 3.8 / 4.9, red-600 4.8 / 4.0.
export const SUCCESS_COLOUR = '#059669';
export const FAILURE_COLOUR = '#dc2626';
const TICK = { fill: 'currentColor', fontSize: 12 };

const legendText = (value: string) => <span className="text-slate-700 dark:text-slate-300">{value}</span>;

/**
 * Refresh successes and failures per day on one axis, stacked: a day's bar is all its refreshes, the red part
 * its failures, so heights compare honestly. Hovering a day shows both numbers.
 */
export function RefreshChart({ days }: { days: ChartDay[] }) {
  return (
    <BarChart
      responsive
      data={days}
      title="Refresh successes and failures per day, stacked on one scale"
      desc="Use the arrow keys to read each day's numbers, or open Show as table below."
      style={{ width: '100%', height: 260 }}
      margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
    >
      <CartesianGrid vertical={false} stroke="currentColor" strokeOpacity={0.15} />
      <XAxis dataKey="label" tick={TICK} stroke="currentColor" strokeOpacity={0.4} />
      <YAxis allowDecimals={false} tick={TICK} stroke="currentColor" strokeOpacity={0.4} width={48} />
      <Tooltip
        contentStyle={{ color: '#0f172a', background: '#fff', borderRadius: 6, borderColor: '#cbd5e1' }}
        cursor={{ fill: 'currentColor', fillOpacity: 0.08 }}
      />
      <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} formatter={legendText} />
      <Bar dataKey="succeeded" name="Succeeded" stackId="refreshes" fill={SUCCESS_COLOUR} />
      <Bar dataKey="failed" name="Failed" stackId="refreshes" fill={FAILURE_COLOUR} radius={[3, 3, 0, 0]} />
    </BarChart>
  );
}
