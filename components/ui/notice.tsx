import { cva } from 'class-variance-authority';
import { CircleAlert, CircleCheck, Info, TriangleAlert, type LucideIcon } from 'lucide-react';
import type { ReactNode } from 'react';
import type { Tone } from '@/lib/tone';

const noticeVariants = cva('flex gap-3 rounded-lg p-3 text-sm ring-1 ring-inset', {
  variants: {
    tone: {
      ok: 'bg-emerald-50 text-emerald-950 ring-emerald-600/30 dark:bg-emerald-950/60 dark:text-emerald-100',
      info: 'bg-blue-50 text-blue-950 ring-blue-600/30 dark:bg-blue-950/60 dark:text-blue-100',
      warn: 'bg-amber-50 text-amber-950 ring-amber-600/30 dark:bg-amber-950/60 dark:text-amber-100',
      bad: 'bg-red-50 text-red-950 ring-red-600/30 dark:bg-red-950/60 dark:text-red-100',
      muted: 'bg-slate-50 text-slate-900 ring-slate-500/30 dark:bg-slate-800/60 dark:text-slate-100',
    } satisfies Record<Tone, string>,
  },
  defaultVariants: { tone: 'info' },
});

/** The icon that says a tone without colour (also used by the dead-end pages). */
export const TONE_ICONS: Record<Tone, LucideIcon> = { ok: CircleCheck, info: Info, warn: TriangleAlert, bad: CircleAlert, muted: Info };

interface NoticeProps {
  tone?: Tone;
  title?: ReactNode;
  children?: ReactNode;
  /** 'alert' for errors the user must see now, 'status' for results; none for static explanations. */
  role?: 'alert' | 'status';
  actions?: ReactNode;
}

/** A coloured message box: errors, warnings, results and explanations all look alike. */
export function Notice({ tone = 'info', title, children, role, actions }: NoticeProps) {
  const Icon = TONE_ICONS[tone];
  return (
    <div role={role} className={noticeVariants({ tone })}>
      <Icon aria-hidden="true" className="mt-0.5 size-4 shrink-0" />
      <div className="min-w-0 flex-1 space-y-1 break-words">
        {title && <p className="font-semibold">{title}</p>}
        {children}
        {actions && <div className="flex flex-wrap gap-2 pt-1">{actions}</div>}
      </div>
    </div>
  );
}

/** A failed load or action, said plainly, with what to do next. */
export function ErrorState({ title, children, actions }: { title: ReactNode; children?: ReactNode; actions?: ReactNode }) {
  return (
    <Notice tone="bad" role="alert" title={title} actions={actions}>
      {children}
    </Notice>
  );
}
