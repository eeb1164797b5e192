import type { LucideIcon } from 'lucide-react';
import type { ReactNode } from 'react';

interface EmptyStateProps {
  icon?: LucideIcon;
  title: ReactNode;
  children?: ReactNode;
  action?: ReactNode;
}

/** What a list shows when it has nothing yet: why, and the first step. */
export function EmptyState({ icon: Icon, title, children, action }: EmptyStateProps) {
  return (
    <div className="flex flex-col items-center gap-2 rounded-lg border border-dashed border-slate-300 px-4 py-8 text-center dark:border-slate-700">
      {Icon && <Icon aria-hidden="true" className="size-8 text-slate-500 dark:text-slate-400" />}
      <p className="font-semibold">{title}</p>
      {children && <div className="max-w-prose text-sm text-slate-600 dark:text-slate-400">{children}</div>}
      {action && <div className="pt-2">{action}</div>}
    </div>
  );
}
