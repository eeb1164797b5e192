'use client';

import { useActionState, useState } from 'react';
import { bitbucketEventAction } from '@/app/(dashboard)/sandbox/bitbucket-actions';
import { Button } from '../ui/button';
import { Field, Select } from '../ui/field';
import { Result, type UserOption } from './forms';

export function BitbucketEventsForm({ users, defaultEmail }: { users: UserOption[]; defaultEmail: string }) {
  const [state, formAction, pending] = useActionState(bitbucketEventAction, {});
  const [email, setEmail] = useState(defaultEmail);
  return (
    <form action={formAction} aria-busy={pending} className="space-y-3">
      <Field label="Bitbucket user">
        {(control) => (
          <Select {...control} name="email" value={email} onChange={(e) => setEmail(e.target.value)}>
            {users.map((u) => (
              <option key={u.email} value={u.email}>
                {u.label}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <div className="flex flex-wrap gap-2">
        <Button type="submit" name="event" value="revoke" disabled={pending} variant="danger">
          Revoke Bitbucket access
        </Button>
        <Button type="submit" name="event" value="permissions" disabled={pending}>
          Change consumer permissions
        </Button>
      </div>
      <Result state={state} pending={pending} />
    </form>
  );
}
