import type { ReactNode } from 'react';
import { cn } from './cn';

interface CardProps {
  title?: ReactNode;
  description?: ReactNode;
  /** Short (a status badge): it stays beside the title, which wraps instead. */
  actions?: ReactNode;
  children?: ReactNode;
  className?: string;
  /** The heading level of the title; cards under a page's h1 default to h2. */
  as?: 'h2' | 'h3';
  id?: string;
  'aria-label'?: string;
  'data-testid'?: string;
}

/** The one box of the app: a titled panel with optional actions at the top right. */
export function Card({ title, description, actions, children, className, as: Heading = 'h2', ...rest }: CardProps) {
  return (
    <section
      className={cn('min-w-0 rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:p-5 dark:bg-slate-900 dark:ring-slate-800', className)}
      {...rest}
    >
      {(title || actions) && (
        // One row: the title takes the room and wraps within it, the actions (short: a status badge) stay beside it.
        <div className="mb-3 flex items-start justify-between gap-2">
          <div className="min-w-0 flex-1">
            {title && <Heading className="text-base font-semibold break-words">{title}</Heading>}
            {description && <p className="mt-0.5 text-sm text-slate-600 dark:text-slate-400">{description}</p>}
          </div>
          {actions && <div className="flex shrink-0 flex-wrap items-center justify-end gap-2">{actions}</div>}
        </div>
      )}
      {children}
    </section>
  );
}
