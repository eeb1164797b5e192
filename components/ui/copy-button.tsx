'use client';

import { Check, Copy } from 'lucide-react';
import { useState } from 'react';
import { Button } from './button';

/** Copies a secret or id to the clipboard and says so; the value itself is never logged. */
export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      setCopied(false);
    }
  }
  return (
    <Button onClick={copy} aria-label={label} className="shrink-0">
      {copied ? <Check aria-hidden="true" className="size-4" /> : <Copy aria-hidden="true" className="size-4" />}
      <span aria-live="polite">{copied ? 'Copied' : 'Copy'}</span>
    </Button>
  );
}

/**
 * A secret shown once: monospace, wrapping, with its Copy button beside it. `label` names the Copy button;
 * `name`, if given, makes the value an <output> (a status region) with that accessible name.
 */
export function SecretValue({ value, label, name }: { value: string; label: string; name?: string }) {
  const code = <code className="block min-w-0 break-all rounded bg-slate-100 px-2 py-1 font-mono text-sm text-slate-900 dark:bg-slate-800 dark:text-slate-100">{value}</code>;
  return (
    <div className="flex min-w-0 flex-wrap items-center gap-2">
      {name ? (
        <output aria-label={name} className="block min-w-0 flex-1">
          {code}
        </output>
      ) : (
        <div className="min-w-0 flex-1">{code}</div>
      )}
      <CopyButton value={value} label={label} />
    </div>
  );
}
