import { cva } from 'class-variance-authority';
import Link from 'next/link';
import type { ComponentProps } from 'react';
import { cn } from './cn';

const chipVariants = cva(
  'inline-flex items-center gap-2 rounded-full px-3 py-1.5 text-sm font-medium ring-1 ring-inset focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400',
  {
    variants: {
      current: {
        true: 'bg-blue-700 text-white ring-blue-700 dark:bg-blue-600 dark:ring-blue-600',
        false: 'bg-white text-slate-800 ring-slate-300 hover:bg-slate-50 dark:bg-slate-800 dark:text-slate-200 dark:ring-slate-600 dark:hover:bg-slate-700',
      },
    },
    defaultVariants: { current: false },
  },
);

/** A filter as a plain link (works without JavaScript); the one in force is filled and marked aria-current. */
export function FilterChip({ current, className, ...rest }: ComponentProps<typeof Link> & { current: boolean }) {
  return <Link aria-current={current ? 'page' : undefined} className={cn(chipVariants({ current }), className)} {...rest} />;
}
