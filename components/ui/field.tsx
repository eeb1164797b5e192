import type { ReactNode } from 'react';

export const INPUT_CLASS =
  'mt-1 block w-full min-w-0 rounded-md bg-white px-2 py-1.5 text-sm text-slate-900 ring-1 ring-inset ring-slate-300 focus-visible:outline-2 focus-visible:outline-blue-700 dark:bg-slate-800 dark:text-slate-100 dark:ring-slate-600 dark:focus-visible:outline-blue-400';
export const LABEL_CLASS = 'block text-sm font-medium text-slate-700 dark:text-slate-300';

/** A labelled form control with an optional hint; the control is passed as children so any input fits. */
export function Field({ label, hint, children }: { label: string; hint?: ReactNode; children: ReactNode }) {
  return (
    <label className={LABEL_CLASS}>
      {label}
      {children}
      {hint && <span className="mt-1 block text-xs font-normal text-slate-600 dark:text-slate-400">{hint}</span>}
    </label>
  );
}
