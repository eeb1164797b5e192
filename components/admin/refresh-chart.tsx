'use client';

import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';

export interface ChartDay {
  label: string;
  succeeded: number;
  failed: number;
}

const SUCCESS = '#059669'; // emerald-600
const FAILURE = '#dc2626'; // red-600
const TICK = { fill: 'currentColor', fontSize: 12 };

/**
 * Refresh successes and failures per day, fed by the server. Failures are usually a few percent of
 * successes, so each series has its own axis (successes left, failures right) to stay visible.
 */
export function RefreshChart({ days }: { days: ChartDay[] }) {
  return (
    <BarChart responsive data={days} style={{ width: '100%', height: 260 }} margin={{ top: 8, right: 4, bottom: 0, left: 4 }}>
      <CartesianGrid vertical={false} stroke="currentColor" strokeOpacity={0.15} />
      <XAxis dataKey="label" tick={TICK} stroke="currentColor" strokeOpacity={0.4} />
      <YAxis yAxisId="succeeded" allowDecimals={false} tick={{ ...TICK, fill: SUCCESS }} stroke={SUCCESS} width={56} />
      <YAxis yAxisId="failed" orientation="right" allowDecimals={false} tick={{ ...TICK, fill: FAILURE }} stroke={FAILURE} width={48} />
      <Tooltip contentStyle={{ color: '#0f172a' }} cursor={{ fill: 'currentColor', fillOpacity: 0.08 }} />
      <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
      <Bar yAxisId="succeeded" dataKey="succeeded" name="Succeeded (left axis)" fill={SUCCESS} radius={[3, 3, 0, 0]} />
      <Bar yAxisId="failed" dataKey="failed" name="Failed (right axis)" fill={FAILURE} radius={[3, 3, 0, 0]} />
    </BarChart>
  );
}
