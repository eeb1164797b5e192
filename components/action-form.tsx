'use client';

import { useActionState } from 'react';
import type { ActionState } from '@/lib/actions/validated';
import { DANGER, PRIMARY, SECONDARY } from './styles';

type Action = (prev: ActionState, formData: FormData) => Promise<ActionState>;

interface Props {
  action: Action;
  fields: Record<string, string>;
  label: string;
  pendingLabel: string;
  variant?: 'primary' | 'secondary' | 'danger';
  confirm?: string;
}

const VARIANTS = { primary: PRIMARY, secondary: SECONDARY, danger: DANGER };

/** One button posting to a server action, with its pending state and an aria-live result message. */
export function ActionForm({ action, fields, label, pendingLabel, variant = 'secondary', confirm }: Props) {
  const [state, formAction, pending] = useActionState(action, {});
  return (
    <form
      action={formAction}
      onSubmit={(e) => {
        if (confirm && !window.confirm(confirm)) e.preventDefault();
      }}
      className="inline-flex max-w-xs flex-col items-start gap-1"
    >
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button
        type="submit"
        disabled={pending}
        aria-label={label}
        className={VARIANTS[variant]}
      >
        {pending ? pendingLabel : label}
      </button>
      <p aria-live="polite" className={`text-sm empty:hidden ${state.error ? 'text-red-700 dark:text-red-300' : 'text-emerald-800 dark:text-emerald-300'}`}>
        {state.error ?? state.message ?? ''}
      </p>
    </form>
  );
}
