'use client';

import { useActionState, useState, type ReactNode } from 'react';
import { advanceClockAction, clearFaultsAction, injectFaultAction, userEventAction } from '@/app/(dashboard)/sandbox/actions';
import type { ActionState } from '@/lib/actions/validated';
import { DANGER, INPUT, LABEL, PRIMARY, SECONDARY } from '../styles';

type Action = (prev: ActionState, formData: FormData) => Promise<ActionState>;


/** The result of the last submit; its line is always reserved so that nothing below it jumps. */
function Result({ state, pending }: { state: ActionState; pending: boolean }) {
  const text = pending ? 'Working…' : (state.error ?? state.message ?? '');
  return (
    <p
      aria-live="polite"
      className={`min-h-5 text-sm ${state.error && !pending ? 'text-red-700 dark:text-red-300' : 'text-emerald-800 dark:text-emerald-300'}`}
    >
      {text}
    </p>
  );
}

function Form({ action, children, className = '' }: { action: Action; children: (pending: boolean) => ReactNode; className?: string }) {
  const [state, formAction, pending] = useActionState(action, {});
  return (
    <form action={formAction} aria-busy={pending} className={`space-y-2 ${className}`}>
      {children(pending)}
      <Result state={state} pending={pending} />
    </form>
  );
}

export interface UserOption {
  email: string;
  label: string;
}

export function UserEventsForm({ users, defaultEmail }: { users: UserOption[]; defaultEmail: string }) {
  // Controlled, so that the chosen user stays chosen after React resets the form following an action.
  const [email, setEmail] = useState(defaultEmail);
  return (
    <Form action={userEventAction}>
      {(pending) => (
        <>
          <label className={LABEL}>
            Simulator user
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
              Revoke app access
            </button>
            <button type="submit" name="event" value="password" disabled={pending} className={SECONDARY}>
              Change password
            </button>
            <button type="submit" name="event" value="scopes-changed" disabled={pending} className={SECONDARY}>
              Change scopes
            </button>
          </div>
        </>
      )}
    </Form>
  );
}

export function ClockForms() {
  return (
    <div className="space-y-3">
      <Form action={advanceClockAction}>
        {(pending) => (
          <>
            <input type="hidden" name="days" value="91" />
            <button type="submit" disabled={pending} className={SECONDARY}>
              Advance 91 days
            </button>
          </>
        )}
      </Form>
      <Form action={advanceClockAction}>
        {(pending) => (
          <div className="flex flex-wrap items-end gap-2">
            <label className={LABEL}>
              Days
              <input type="number" name="days" min={1} max={3650} step={1} defaultValue={1} required className={`${INPUT} w-24`} />
            </label>
            <button type="submit" disabled={pending} className={SECONDARY}>
              Advance clock
            </button>
          </div>
        )}
      </Form>
    </div>
  );
}

const FAULTS = [
  { kind: 'server_error', label: 'Inject 500 errors' },
  { kind: 'timeout', label: 'Inject timeouts' },
  { kind: 'rate_limit', label: 'Inject 429 rate limit' },
  { kind: 'drop_after_rotate', label: 'Inject drop after rotate' },
  { kind: 'invalid_client', label: 'Inject invalid_client' },
] as const;

export function FaultForm() {
  const [target, setTarget] = useState('token');
  return (
    <Form action={injectFaultAction}>
      {(pending) => (
        <>
          <div className="grid grid-cols-1 gap-3 sm:grid-cols-4 sm:items-end">
            <label className={LABEL}>
              Where (500s, timeouts, 429s)
              <select name="target" value={target} onChange={(e) => setTarget(e.target.value)} className={INPUT}>
                <option value="token">Token endpoint</option>
                <option value="api">API calls</option>
                <option value="all">Both</option>
              </select>
            </label>
            <label className={LABEL}>
              Which provider
              <select name="provider" defaultValue="all" className={INPUT}>
                <option value="all">Atlassian and Bitbucket</option>
                <option value="atlassian">Atlassian only</option>
                <option value="bitbucket">Bitbucket only</option>
              </select>
            </label>
            <label className={LABEL}>
              For how many requests
              <input type="number" name="count" min={1} step={1} placeholder="until cleared" className={INPUT} />
            </label>
            <label className={LABEL}>
              Retry-After (seconds)
              <input type="number" name="retryAfter" min={0} step={1} defaultValue={30} className={INPUT} />
            </label>
          </div>
          <div className="flex flex-wrap gap-2">
            {FAULTS.map((f) => (
              <button key={f.kind} type="submit" name="kind" value={f.kind} disabled={pending} className={SECONDARY}>
                {f.label}
              </button>
            ))}
          </div>
        </>
      )}
    </Form>
  );
}

export function ClearFaultsForm() {
  return (
    <Form action={clearFaultsAction}>
      {(pending) => (
        <button type="submit" disabled={pending} className={PRIMARY}>
          Clear failures
        </button>
      )}
    </Form>
  );
}
