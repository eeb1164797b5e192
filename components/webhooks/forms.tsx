'use client';

import { useActionState, useState, type ReactNode } from 'react';
import {
  createEndpointAction,
  deleteEndpointAction,
  replayDeliveryAction,
  rotateSecretAction,
  sendTestAction,
  setStatusAction,
  updateEventsAction,
  updateUrlAction,
  type WebhookActionState,
} from '@/app/(dashboard)/admin/webhooks/actions';
import type { ActionState } from '@/lib/actions/validated';
import { DANGER, INPUT, LABEL, PRIMARY, SECONDARY } from '../styles';

type Action = (prev: ActionState, formData: FormData) => Promise<ActionState>;


export interface EventOption {
  type: string;
  description: string;
}

function Result({ state, pending }: { state: WebhookActionState; pending: boolean }) {
  const text = pending ? 'Working…' : (state.error ?? state.message ?? '');
  return (
    <p aria-live="polite" className={`text-sm empty:hidden ${state.error && !pending ? 'text-red-700 dark:text-red-300' : 'text-emerald-800 dark:text-emerald-300'}`}>
      {text}
    </p>
  );
}

/** A secret shown once, with a copy button. */
function SecretOnce({ secret }: { secret: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="space-y-1 rounded-md bg-amber-50 p-3 ring-1 ring-amber-600/30 dark:bg-amber-950 dark:ring-amber-700">
      <p className="text-sm font-medium text-amber-900 dark:text-amber-200">Signing secret (shown once)</p>
      <div className="flex flex-wrap items-center gap-2">
        <code data-testid="webhook-secret" className="break-all rounded bg-white px-2 py-1 text-xs text-slate-900 dark:bg-slate-900 dark:text-slate-100">
          {secret}
        </code>
        <button
          type="button"
          className={SECONDARY}
          onClick={() => {
            void navigator.clipboard?.writeText(secret).then(() => setCopied(true));
          }}
        >
          {copied ? 'Copied' : 'Copy secret'}
        </button>
      </div>
    </div>
  );
}

function Form({
  action,
  children,
  confirm,
  className = '',
}: {
  action: Action;
  children: (pending: boolean) => ReactNode;
  confirm?: string;
  className?: string;
}) {
  const [state, formAction, pending] = useActionState<WebhookActionState, FormData>(action, {});
  return (
    <form
      action={formAction}
      aria-busy={pending}
      onSubmit={(e) => {
        if (confirm && !window.confirm(confirm)) e.preventDefault();
      }}
      className={`space-y-2 ${className}`}
    >
      {children(pending)}
      <Result state={state} pending={pending} />
      {state.secret && !pending && <SecretOnce secret={state.secret} />}
    </form>
  );
}

function EventCheckboxes({ options, selected }: { options: EventOption[]; selected: string[] }) {
  return (
    <fieldset className="space-y-1">
      <legend className={LABEL}>Events</legend>
      {options.map((o) => (
        <label key={o.type} className="flex items-start gap-2 text-sm">
          <input type="checkbox" name={`event:${o.type}`} defaultChecked={selected.includes(o.type)} className="mt-0.5" />
          <span>
            <code className="text-xs">{o.type}</code> <span className="text-slate-600 dark:text-slate-400">— {o.description}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}

export function CreateEndpointForm({ options }: { options: EventOption[] }) {
  return (
    <Form action={createEndpointAction}>
      {(pending) => (
        <>
          <label className={LABEL}>
            URL
            <input name="url" type="url" required placeholder="https://example.com/webhooks/reconnect" className={INPUT} />
          </label>
          <EventCheckboxes options={options} selected={options.map((o) => o.type).filter((t) => t !== 'webhook.test')} />
          <button type="submit" disabled={pending} className={PRIMARY}>
            Create endpoint
          </button>
        </>
      )}
    </Form>
  );
}

export function EditEndpointForms({ endpointId, url, events, options }: { endpointId: string; url: string; events: string[]; options: EventOption[] }) {
  return (
    <div className="grid gap-4 md:grid-cols-2">
      <Form action={updateEventsAction}>
        {(pending) => (
          <>
            <input type="hidden" name="endpointId" value={endpointId} />
            <EventCheckboxes options={options} selected={events} />
            <button type="submit" disabled={pending} className={SECONDARY}>
              Save events
            </button>
          </>
        )}
      </Form>
      <Form action={updateUrlAction}>
        {(pending) => (
          <>
            <input type="hidden" name="endpointId" value={endpointId} />
            <label className={LABEL}>
              URL
              <input name="url" type="url" required defaultValue={url} className={INPUT} />
            </label>
            <button type="submit" disabled={pending} className={SECONDARY}>
              Save URL
            </button>
          </>
        )}
      </Form>
    </div>
  );
}

function OneButton({
  action,
  fields,
  label,
  variant = 'secondary',
  confirm,
  ariaLabel,
}: {
  action: Action;
  fields: Record<string, string>;
  label: string;
  variant?: 'primary' | 'secondary' | 'danger';
  confirm?: string;
  ariaLabel?: string;
}) {
  const style = variant === 'primary' ? PRIMARY : variant === 'danger' ? DANGER : SECONDARY;
  return (
    <Form action={action} confirm={confirm} className="max-w-md">
      {(pending) => (
        <>
          {Object.entries(fields).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          <button type="submit" disabled={pending} aria-label={ariaLabel} className={style}>
            {label}
          </button>
        </>
      )}
    </Form>
  );
}

export function EndpointButtons({ endpointId, status }: { endpointId: string; status: string }) {
  const fields = { endpointId };
  return (
    <div className="flex flex-wrap items-start gap-3">
      {status !== 'disabled' && <OneButton action={sendTestAction} fields={fields} label="Send test" variant="primary" />}
      <OneButton
        action={rotateSecretAction}
        fields={fields}
        label="Rotate secret"
        confirm="Rotate the signing secret? The old one keeps working alongside the new one for 24 hours."
      />
      {status === 'disabled' ? (
        <OneButton action={setStatusAction} fields={{ ...fields, status: 'active' }} label="Enable" />
      ) : (
        <OneButton action={setStatusAction} fields={{ ...fields, status: 'disabled' }} label="Disable" variant="danger" />
      )}
      <OneButton
        action={deleteEndpointAction}
        fields={fields}
        label="Delete"
        variant="danger"
        confirm="Delete this endpoint and its delivery log? Undelivered messages to it are dropped."
      />
    </div>
  );
}

export function ReplayButton({ deliveryId }: { deliveryId: string }) {
  return <OneButton action={replayDeliveryAction} fields={{ deliveryId }} label="Replay" ariaLabel={`Replay delivery ${deliveryId}`} />;
}
