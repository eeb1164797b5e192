import { cva } from 'class-variance-authority';
import { useId, type ComponentProps, type ReactNode } from 'react';
import { cn } from './cn';

const controlVariants = cva(
  'block w-full min-w-0 rounded-md bg-white px-2 py-1.5 text-sm text-slate-900 ring-1 ring-inset ring-slate-300 focus-visible:outline-2 focus-visible:outline-blue-700 dark:bg-slate-800 dark:text-slate-100 dark:ring-slate-600 dark:focus-visible:outline-blue-400',
);

/** The look of a field's name: a <label>, or the <legend> of a group of checkboxes. */
export const labelVariants = cva('block text-sm font-medium text-slate-700 dark:text-slate-300');

export function Input({ className, ...rest }: ComponentProps<'input'>) {
  return <input className={cn(controlVariants(), className)} {...rest} />;
}

export function Select({ className, ...rest }: ComponentProps<'select'>) {
  return <select className={cn(controlVariants(), className)} {...rest} />;
}

export function Checkbox({ className, ...rest }: Omit<ComponentProps<'input'>, 'type'>) {
  return <input type="checkbox" className={cn('mt-0.5 size-4 shrink-0 accent-blue-700', className)} {...rest} />;
}

/** What Field hands its control: spread it on the <Input>/<Select> so that the label and hint point at it. */
export interface ControlProps {
  id: string;
  'aria-describedby'?: string;
}

interface FieldProps {
  label: string;
  hint?: ReactNode;
  className?: string;
  children: (control: ControlProps) => ReactNode;
}

/**
 * A labelled form control with an optional hint. The label names its control by `htmlFor`, never by wrapping it:
 * a wrapped <select> would take every option's text into its accessible name.
 */
export function Field({ label, hint, className, children }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className={cn('min-w-0 space-y-1', className)}>
      <label htmlFor={id} className={labelVariants()}>
        {label}
      </label>
      {children({ id, 'aria-describedby': hintId })}
      {hint && (
        <p id={hintId} className="text-xs text-slate-600 dark:text-slate-400">
          {hint}
        </p>
      )}
    </div>
  );
}
