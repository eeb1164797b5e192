'use client';

import { useActionState, useState } from 'react';
import { bitbucketEventAction } from '@/app/(dashboard)/sandbox/bitbucket-actions';
import { Button } from '../ui/button';
import { Result, UserSelect, type UserOption } from './forms';

export function BitbucketEventsForm({ users, defaultEmail }: { users: UserOption[]; defaultEmail: string }) {
  const [state, formAction, pending] = useActionState(bitbucketEventAction, {});
  const [email, setEmail] = useState(defaultEmail);
  return (
    <form action={formAction} aria-busy={pending} className="space-y-3">
      <UserSelect label="Bitbucket user" users={users} email={email} onChange={setEmail} />
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
