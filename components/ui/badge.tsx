import { cva } from 'class-variance-authority';
import type { ComponentProps } from 'react';
import type { Tone } from '@/lib/tone';
import { cn } from './cn';

export const badgeVariants = cva('inline-flex items-center gap-1 whitespace-nowrap rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 ring-inset', {
  variants: {
    tone: {
      ok: 'bg-emerald-100 text-emerald-900 ring-emerald-600/30 dark:bg-emerald-950 dark:text-emerald-200',
      warn: 'bg-amber-100 text-amber-900 ring-amber-600/30 dark:bg-amber-950 dark:text-amber-200',
      bad: 'bg-red-100 text-red-900 ring-red-600/30 dark:bg-red-950 dark:text-red-200',
      muted: 'bg-slate-100 text-slate-700 ring-slate-500/30 dark:bg-slate-800 dark:text-slate-300',
      info: 'bg-blue-100 text-blue-900 ring-blue-600/30 dark:bg-blue-950 dark:text-blue-200',
    } satisfies Record<Tone, string>,
  },
  defaultVariants: { tone: 'muted' },
});

export function Badge({ tone, className, ...rest }: ComponentProps<'span'> & { tone?: Tone }) {
  return <span className={cn(badgeVariants({ tone }), className)} {...rest} />;
}
