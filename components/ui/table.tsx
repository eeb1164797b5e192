import type { ComponentProps, ReactNode } from 'react';
import { cn } from './cn';

/**
 * The app's one table. From the sm breakpoint up it is a normal table; below it every row becomes a stacked
 * block and each cell shows its column name (the `label` of <Td>), so nothing scrolls sideways on a phone.
 */
export function Table({ caption, children }: { caption: string; children: ReactNode }) {
  return (
    <div className="min-w-0 overflow-x-auto rounded-lg ring-1 ring-slate-200 dark:ring-slate-800">
      <table className="block w-full text-left text-sm sm:table sm:table-auto">
        <caption className="sr-only">{caption}</caption>
        {children}
      </table>
    </div>
  );
}

export function THead({ children }: { children: ReactNode }) {
  return (
    <thead className="sr-only bg-slate-50 text-xs uppercase tracking-wide text-slate-600 sm:not-sr-only sm:table-header-group dark:bg-slate-800/60 dark:text-slate-300">
      {children}
    </thead>
  );
}

export function TBody({ children }: { children: ReactNode }) {
  return <tbody className="block divide-y divide-slate-200 sm:table-row-group dark:divide-slate-800">{children}</tbody>;
}

export function Tr({ className, ...rest }: ComponentProps<'tr'>) {
  return <tr className={cn('block bg-white p-3 sm:table-row sm:p-0 dark:bg-slate-900', className)} {...rest} />;
}

export function Th({ className, scope = 'col', ...rest }: ComponentProps<'th'>) {
  return <th scope={scope} className={cn('px-3 py-2 font-semibold', className)} {...rest} />;
}

type TdProps = ComponentProps<'td'> & { label?: string };

export function Td({ label, className, ...rest }: TdProps) {
  return (
    <td
      data-label={label}
      className={cn(
        'flex min-w-0 gap-2 break-words py-1 align-top sm:table-cell sm:px-3 sm:py-2',
        label && "before:w-28 before:shrink-0 before:font-medium before:text-slate-600 before:content-[attr(data-label)] sm:before:content-none dark:before:text-slate-400",
        className,
      )}
      {...rest}
    />
  );
}
