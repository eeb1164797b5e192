'use client';

import { CircleAlert, CircleCheck } from 'lucide-react';
import { useActionState, useState, type ReactNode } from 'react';
import { advanceClockAction, advanceYearAction, clearFaultsAction, injectFaultAction, userEventAction } from '@/app/(dashboard)/sandbox/actions';
import type { ActionState } from '@/lib/actions/validated';
import { Button } from '../ui/button';
import { cn } from '../ui/cn';
import { Field, Input, Select } from '../ui/field';

type Action = (prev: ActionState, formData: FormData) => Promise<ActionState>;


/** The result of the last submit, next to its controls; its line is always reserved so that nothing below it jumps. */
export function Result({ state, pending }: { state: ActionState; pending: boolean }) {
  const text = pending ? 'Working…' : (state.error ?? state.message ?? '');
  const failed = !!state.error && !pending;
  const Icon = failed ? CircleAlert : CircleCheck;
  return (
    <p aria-live="polite" className={`flex min-h-5 items-start gap-1.5 text-sm ${failed ? 'text-red-700 dark:text-red-300' : 'text-emerald-800 dark:text-emerald-300'}`}>
      {text && !pending && <Icon aria-hidden="true" className="mt-0.5 size-4 shrink-0" />}
      <span className="min-w-0 break-words">{text}</span>
    </p>
  );
}

function Form({ action, children, className }: { action: Action; children: (pending: boolean) => ReactNode; className?: string }) {
  const [state, formAction, pending] = useActionState(action, {});
  return (
    <form action={formAction} aria-busy={pending} className={cn('space-y-3', className)}>
      {children(pending)}
      <Result state={state} pending={pending} />
    </form>
  );
}

export interface UserOption {
  email: string;
  label: string;
}

/** The simulator user a form acts for (its field is named `email`). */
export function UserSelect({ label, users, email, onChange }: { label: string; users: UserOption[]; email: string; onChange: (email: string) => void }) {
  return (
    <Field label={label}>
      {(control) => (
        <Select {...control} name="email" value={email} onChange={(e) => onChange(e.target.value)}>
          {users.map((u) => (
            <option key={u.email} value={u.email}>
              {u.label}
            </option>
          ))}
        </Select>
      )}
    </Field>
  );
}

export function UserEventsForm({ users, defaultEmail }: { users: UserOption[]; defaultEmail: string }) {
  // Controlled, so that the chosen user stays chosen after React resets the form following an action.
  const [email, setEmail] = useState(defaultEmail);
  return (
    <Form action={userEventAction}>
      {(pending) => (
        <>
          <UserSelect label="Simulator user" users={users} email={email} onChange={setEmail} />
          <div className="flex flex-wrap gap-2">
            <Button type="submit" name="event" value="revoke" disabled={pending} variant="danger">
              Revoke app access
            </Button>
            <Button type="submit" name="event" value="password" disabled={pending} variant="secondary">
              Change password
            </Button>
            <Button type="submit" name="event" value="scopes-changed" disabled={pending} variant="secondary">
              Change scopes
            </Button>
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
            <Button type="submit" disabled={pending} variant="secondary">
              Advance 91 days
            </Button>
          </>
        )}
      </Form>
      <Form action={advanceYearAction}>
        {(pending) => (
          <div className="flex flex-wrap gap-2">
            {/* Each button posts its own days (the submitter's name/value). */}
            <Button type="submit" name="days" value="340" disabled={pending} variant="secondary">
              Advance 340 days
            </Button>
            <Button type="submit" name="days" value="366" disabled={pending} variant="secondary">
              Advance 366 days
            </Button>
          </div>
        )}
      </Form>
      <Form action={advanceClockAction}>
        {(pending) => (
          <div className="flex flex-wrap items-end gap-2">
            <Field label="Days">
              {(control) => <Input {...control} type="number" name="days" min={1} max={3650} step={1} defaultValue={1} required className="w-24" />}
            </Field>
            <Button type="submit" disabled={pending} variant="secondary">
              Advance clock
            </Button>
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

/** A provider the fault form can aim at: passed in by the page, so no provider code reaches the browser bundle. */
export interface ProviderOption {
  id: string;
  name: string;
}

export function FaultForm({ providers }: { providers: ProviderOption[] }) {
  const [target, setTarget] = useState('token');
  return (
    <Form action={injectFaultAction}>
      {(pending) => (
        <>
          {/* Two columns at most: four side by side in a half-width panel cut the options short ("Token endpoi"). */}
          <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 sm:items-end">
            <Field label="Where (500s, timeouts, 429s)">
              {(control) => (
                <Select {...control} name="target" value={target} onChange={(e) => setTarget(e.target.value)}>
                  <option value="token">Token endpoint</option>
                  <option value="api">API calls</option>
                  <option value="all">Both</option>
                </Select>
              )}
            </Field>
            <Field label="Which provider">
              {(control) => (
                <Select {...control} name="provider" defaultValue="all">
                  <option value="all">{providers.map((p) => p.name).join(' and ')}</option>
                  {providers.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name} only
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <Field label="For how many requests">
              {(control) => <Input {...control} type="number" name="count" min={1} step={1} placeholder="until cleared" />}
            </Field>
            <Field label="Retry-After (seconds)">
              {(control) => <Input {...control} type="number" name="retryAfter" min={0} step={1} defaultValue={30} />}
            </Field>
          </div>
          <div className="flex flex-wrap gap-2">
            {FAULTS.map((f) => (
              <Button key={f.kind} type="submit" name="kind" value={f.kind} disabled={pending} variant="secondary">
                {f.label}
              </Button>
            ))}
          </div>
        </>
      )}
    </Form>
  );
}

/** `active`: how many failures are in force; with none, there is nothing to clear and the button says so by being off. */
export function ClearFaultsForm({ active }: { active: number }) {
  return (
    <Form action={clearFaultsAction}>
      {(pending) => (
        <Button type="submit" disabled={pending || active === 0} variant={active > 0 ? 'primary' : 'secondary'}>
          Clear failures
        </Button>
      )}
    </Form>
  );
}
