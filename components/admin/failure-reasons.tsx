import Link from 'next/link';
import type { ReactNode } from 'react';
import type { CurrentReasonCount, ReasonCount } from '@/lib/admin/activity';
import { currentReasonLabel, failureCodeLabel } from '@/lib/connections/reasons';
import { adminHref, parseAdminQuery } from '@/lib/admin/params';
import { formatCount } from './format';

const ITEM = 'flex items-baseline justify-between gap-3 py-1.5 text-sm';

function CountList({ label, items, empty }: { label: string; items: { key: string; text: ReactNode; count: number }[]; empty: string }) {
  return (
    <section aria-label={label}>
      <h3 className="text-sm font-semibold text-slate-900 dark:text-slate-100">{label}</h3>
      {items.length === 0 ? (
        <p className="py-1.5 text-sm text-slate-600 dark:text-slate-400">{empty}</p>
      ) : (
        <ol className="divide-y divide-slate-100 dark:divide-slate-800">
          {items.map((item) => (
            <li key={item.key} className={ITEM}>
              <span className="min-w-0 text-slate-700 dark:text-slate-300">{item.text}</span>
              <span className="shrink-0 font-medium tabular-nums">{formatCount(item.count)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function FailureReasons({ codes, current }: { codes: ReasonCount[]; current: CurrentReasonCount[] }) {
  const base = parseAdminQuery({});
  const recent = codes.map((c) => ({
    key: c.code ?? 'none',
    text: (
      <>
        {failureCodeLabel(c.code)} {c.code && <code className="rounded bg-slate-100 px-1 text-xs dark:bg-slate-800">{c.code}</code>}
      </>
    ),
    count: c.count,
  }));
  const now = current.map((r) => ({
    key: `${r.status}:${r.reason}`,
    text: (
      <>
        <Link href={adminHref(base, { status: r.status })} className="hover:underline">
          {currentReasonLabel(r.status, r.reason)}
        </Link>{' '}
        {r.reason && <code className="rounded bg-slate-100 px-1 text-xs dark:bg-slate-800">{r.reason}</code>}
      </>
    ),
    count: r.count,
  }));
  return (
    <div className="space-y-5 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <h2 className="text-base font-semibold">Top failure reasons</h2>
      <CountList label="Failed refreshes, last 7 days" items={recent} empty="No failed refreshes in the last 7 days." />
      <CountList label="Broken right now" items={now} empty="No connection needs reconnecting, is retrying or waits for a configuration fix." />
    </div>
  );
}
