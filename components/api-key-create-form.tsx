'use client';

import { useActionState } from 'react';
import { createApiKeyAction, type ApiKeyActionState } from '@/app/(dashboard)/admin/api-keys/actions';

export function ApiKeyCreateForm() {
  const [state, action, pending] = useActionState<ApiKeyActionState, FormData>(createApiKeyAction, {});
  return (
    <form action={action} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-end gap-2">
        <label className="flex flex-col text-sm">
          Name
          <input name="name" required maxLength={100} placeholder="e.g. sync-service" className="mt-1 rounded-md border border-slate-300 px-2 py-1.5 dark:border-slate-600 dark:bg-slate-800" />
        </label>
        <button type="submit" disabled={pending} className="rounded-md bg-blue-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-blue-800 disabled:opacity-60">
          {pending ? 'Creating…' : 'Create API key'}
        </button>
      </div>
      <p aria-live="polite" className={`text-sm empty:hidden ${state.error ? 'text-red-700 dark:text-red-300' : 'text-emerald-800 dark:text-emerald-300'}`}>
        {state.error ?? state.message ?? ''}
      </p>
      {state.key && (
        <output aria-label="New API key" className="block break-all rounded bg-slate-100 p-2 font-mono text-sm dark:bg-slate-800">
          {state.key}
        </output>
      )}
    </form>
  );
}
