import { cva } from 'class-variance-authority';
import Link from 'next/link';
import type { ComponentProps } from 'react';
import { cn } from './cn';

export type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'ghost';

/** The class list of a button of this variant, for the rare element that cannot be <Button> (e.g. a summary). */
export const buttonVariants = cva(
  'inline-flex items-center justify-center gap-1.5 rounded-md px-3 py-1.5 text-sm font-semibold shadow-sm transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400 disabled:cursor-not-allowed disabled:opacity-60',
  {
    variants: {
      variant: {
        primary: 'bg-blue-700 text-white hover:bg-blue-800 dark:bg-blue-600 dark:hover:bg-blue-500',
        secondary:
          'bg-white text-slate-900 ring-1 ring-inset ring-slate-300 hover:bg-slate-50 dark:bg-slate-800 dark:text-slate-100 dark:ring-slate-600 dark:hover:bg-slate-700',
        danger:
          'bg-white text-red-700 ring-1 ring-inset ring-red-300 hover:bg-red-50 dark:bg-slate-800 dark:text-red-300 dark:ring-red-800 dark:hover:bg-slate-700',
        ghost: 'text-slate-700 shadow-none hover:bg-slate-100 dark:text-slate-200 dark:hover:bg-slate-800',
      } satisfies Record<ButtonVariant, string>,
    },
    defaultVariants: { variant: 'secondary' },
  },
);

type ButtonProps = ComponentProps<'button'> & { variant?: ButtonVariant };

export function Button({ variant, className, type = 'button', ...rest }: ButtonProps) {
  return <button type={type} className={cn(buttonVariants({ variant }), className)} {...rest} />;
}

type LinkButtonProps = ComponentProps<typeof Link> & { variant?: ButtonVariant };

/** A link that looks like a button (navigation, not an action). */
export function LinkButton({ variant, className, ...rest }: LinkButtonProps) {
  return <Link className={cn(buttonVariants({ variant }), className)} {...rest} />;
}
