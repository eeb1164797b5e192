'use client';

import { useActionState, useState } from 'react';
import { bitbucketEventAction } from '@/app/(dashboard)/sandbox/bitbucket-actions';
import { DANGER, INPUT, LABEL, SECONDARY } from '../styles';
import type { UserOption } from './forms';

export function BitbucketEventsForm({ users, defaultEmail }: { users: UserOption[]; defaultEmail: string }) {
  const [state, formAction, pending] = useActionState(bitbucketEventAction, {});
  const [email, setEmail] = useState(defaultEmail);
  const text = pending ? 'Working…' : (state.error ?? state.message ?? '');
  return (
    <form action={formAction} aria-busy={pending} className="space-y-2">
      <label className={LABEL}>
        Bitbucket user
        <select name="email" value={email} onChange={(e) => setEmail(e.target.value)} className={INPUT}>
          {users.map((u) => (
            <option key={u.email} value={u.email}>
              {u.label}
            </option>
          ))}
        </select>
      </label>
      <div className="flex flex-wrap gap-2">
        <button type="submit" name="event" value="revoke" disabled={pending} className={DANGER}>
          Revoke Bitbucket access
        </button>
        <button type="submit" name="event" value="permissions" disabled={pending} className={SECONDARY}>
          Change consumer permissions
        </button>
      </div>
      <p
        aria-live="polite"
        className={`min-h-5 text-sm ${state.error && !pending ? 'text-red-700 dark:text-red-300' : 'text-emerald-800 dark:text-emerald-300'}`}
      >
        {text}
      </p>
    </form>
  );
}
