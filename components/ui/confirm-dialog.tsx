'use client';

import { useRef, type ReactNode } from 'react';
import { Button, type ButtonVariant } from './button';

interface ConfirmButtonProps {
  /** The button that opens the dialog (its accessible name). */
  label: string;
  /** Shorter visible text where `label` is long because it names its row ("End all sessions" for "End all sessions of …"). */
  shortLabel?: string;
  /** The question the dialog asks, and what confirming does. */
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  variant?: ButtonVariant;
  disabled?: boolean;
  /** Called when the user confirms; typically submits the surrounding form. */
  onConfirm: () => void;
}

/** A button that asks first, in a native modal <dialog> (focus trapped, Escape cancels), instead of window.confirm. */
export function ConfirmButton({ label, shortLabel, title, children, confirmLabel, variant = 'danger', disabled, onConfirm }: ConfirmButtonProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  return (
    <>
      <Button variant={variant} disabled={disabled} aria-label={shortLabel ? label : undefined} onClick={() => dialog.current?.showModal()}>
        {shortLabel ?? label}
      </Button>
      <dialog
        ref={dialog}
        aria-label={title}
        className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg bg-white p-5 text-slate-900 shadow-xl backdrop:bg-slate-950/50 dark:bg-slate-900 dark:text-slate-100"
      >
        <h2 className="text-base font-semibold">{title}</h2>
        {children && <div className="mt-2 text-sm text-slate-700 dark:text-slate-300">{children}</div>}
        <div className="mt-4 flex flex-wrap justify-end gap-2">
          <Button autoFocus onClick={() => dialog.current?.close()}>
            Cancel
          </Button>
          <Button
            variant={variant === 'danger' ? 'danger' : 'primary'}
            onClick={() => {
              dialog.current?.close();
              onConfirm();
            }}
          >
            {confirmLabel}
          </Button>
        </div>
      </dialog>
    </>
  );
}
