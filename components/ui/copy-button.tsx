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

/** A secret shown once: monospace, wrapping, with its Copy button beside it. */
export function SecretValue({ value, label }: { value: string; label: string }) {
  return (
    <div className="flex min-w-0 flex-wrap items-center gap-2">
      <code className="min-w-0 flex-1 break-all rounded bg-slate-100 px-2 py-1 font-mono text-sm dark:bg-slate-800">{value}</code>
      <CopyButton value={value} label={label} />
    </div>
  );
}
