import type { LucideIcon } from 'lucide-react';
import type { ReactNode } from 'react';

interface PageHeaderProps {
  title: ReactNode;
  description?: ReactNode;
  icon?: LucideIcon;
  actions?: ReactNode;
}

/** Every page starts with this: one h1, a sentence saying what the page is for, and its main actions. */
export function PageHeader({ title, description, icon: Icon, actions }: PageHeaderProps) {
  return (
    <div className="mb-6 flex flex-wrap items-end justify-between gap-3">
      <div className="min-w-0">
        <h1 className="flex items-center gap-2 text-2xl font-bold tracking-tight">
          {Icon && <Icon aria-hidden="true" className="size-6 shrink-0 text-blue-700 dark:text-blue-400" />}
          <span className="min-w-0 break-words">{title}</span>
        </h1>
        {description && <p className="mt-1 max-w-prose text-sm text-slate-600 dark:text-slate-400">{description}</p>}
      </div>
      {actions && <div className="flex flex-wrap items-center gap-2">{actions}</div>}
    </div>
  );
}
