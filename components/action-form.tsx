'use client';

import { useActionState, useEffect, useRef } from 'react';
import type { ActionState } from '@/lib/actions/validated';
import { Button, type ButtonVariant } from './ui/button';
import { ConfirmButton } from './ui/confirm-dialog';
import { useToast } from './ui/toast';

type Action = (prev: ActionState, formData: FormData) => Promise<ActionState>;

interface Props {
  action: Action;
  fields: Record<string, string>;
  /** The button's accessible name (and its text, unless `shortLabel` is given). */
  label: string;
  /** Shorter visible text where `label` is long because it names its row (e.g. "Replay" for "Replay delivery 42"). */
  shortLabel?: string;
  pendingLabel: string;
  variant?: ButtonVariant;
  /** Ask first, in a dialog: the question, and the label of the button that goes ahead. */
  confirm?: { title: string; body?: string; confirmLabel: string };
}

/** One button posting to a server action, with its pending state; the result appears as a toast. */
export function ActionForm({ action, fields, label, shortLabel, pendingLabel, variant = 'secondary', confirm }: Props) {
  const [state, formAction, pending] = useActionState(action, {});
  const form = useRef<HTMLFormElement>(null);
  const toast = useToast();
  useEffect(() => {
    if (state.error) toast('bad', state.error);
    else if (state.message) toast('ok', state.message);
  }, [state, toast]);
  return (
    <form ref={form} action={formAction} className="inline-flex">
      {Object.entries(fields).map(([name, value]) => (
        // defaultValue: React rewrites a controlled value on every re-render (the page polls), which would make
        // what is posted depend on timing; a hidden input's default is its value, updated when the prop changes.
        <input key={name} type="hidden" name={name} defaultValue={value} />
      ))}
      {confirm ? (
        <ConfirmButton
          label={pending ? pendingLabel : label}
          shortLabel={pending || !shortLabel ? undefined : shortLabel}
          title={confirm.title}
          confirmLabel={confirm.confirmLabel}
          variant={variant}
          disabled={pending}
          onConfirm={() => form.current?.requestSubmit()}
        >
          {confirm.body}
        </ConfirmButton>
      ) : (
        <Button type="submit" disabled={pending} aria-label={label} variant={variant}>
          {pending ? pendingLabel : (shortLabel ?? label)}
        </Button>
      )}
    </form>
  );
}
