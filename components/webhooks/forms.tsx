'use client';

import { useActionState, useEffect, useRef, type ReactNode } from 'react';
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
import { ActionForm } from '../action-form';
import { Button } from '../ui/button';
import { ConfirmButton } from '../ui/confirm-dialog';
import { SecretValue } from '../ui/copy-button';
import { Checkbox, Field, Input, labelVariants } from '../ui/field';
import { ErrorState, Notice } from '../ui/notice';
import { useToast } from '../ui/toast';

type Action = (prev: WebhookActionState, formData: FormData) => Promise<WebhookActionState>;

export interface EventOption {
  type: string;
  description: string;
}

/** An action's state, with its result sent to a toast; errors also stay inline next to the fields they concern. */
function useWebhookAction(action: Action) {
  const [state, formAction, pending] = useActionState<WebhookActionState, FormData>(action, {});
  const toast = useToast();
  useEffect(() => {
    if (state.error) toast('bad', state.error);
    else if (state.message) toast('ok', state.message);
  }, [state, toast]);
  return { state, formAction, pending };
}

/** A secret shown once, with its Copy button. */
function SecretOnce({ secret }: { secret: string }) {
  return (
    <Notice tone="warn" title="Signing secret (shown once)">
      <SecretValue value={secret} label="Copy signing secret" />
    </Notice>
  );
}

function Form({ action, children }: { action: Action; children: (pending: boolean) => ReactNode }) {
  const { state, formAction, pending } = useWebhookAction(action);
  return (
    <form action={formAction} aria-busy={pending} className="space-y-3">
      {children(pending)}
      {state.error && !pending && <ErrorState title={state.error} />}
      {state.secret && !pending && <SecretOnce secret={state.secret} />}
    </form>
  );
}

/**
 * The event types on offer. A subscribed type that is not on offer (webhook.test, subscribed through the API) is
 * kept as it is; Send test does not depend on it.
 */
function EventCheckboxes({ options, selected }: { options: EventOption[]; selected: string[] }) {
  const kept = selected.filter((type) => !options.some((o) => o.type === type));
  return (
    <fieldset className="space-y-1.5">
      <legend className={labelVariants()}>Events</legend>
      {kept.map((type) => (
        <input key={type} type="hidden" name={`event:${type}`} value="on" />
      ))}
      {options.map((o) => (
        <label key={o.type} className="flex items-start gap-2 text-sm">
          <Checkbox name={`event:${o.type}`} defaultChecked={selected.includes(o.type)} />
          <span className="min-w-0 break-words">
            <code className="text-xs">{o.type}</code> <span className="text-slate-600 dark:text-slate-400">— {o.description}</span>
          </span>
        </label>
      ))}
      <p className="pt-1 text-sm text-slate-600 dark:text-slate-400">
        <strong className="font-medium">Send test</strong> delivers a <code className="text-xs">webhook.test</code> message to its endpoint whatever events are
        chosen here.
      </p>
    </fieldset>
  );
}

export function CreateEndpointForm({ options }: { options: EventOption[] }) {
  return (
    <Form action={createEndpointAction}>
      {(pending) => (
        <>
          <Field label="URL">{(control) => <Input {...control} name="url" type="url" required placeholder="https://example.com/webhooks/reconnect" />}</Field>
          <EventCheckboxes options={options} selected={options.map((o) => o.type)} />
          <Button type="submit" variant="primary" disabled={pending}>
            {pending ? 'Creating…' : 'Create endpoint'}
          </Button>
        </>
      )}
    </Form>
  );
}

export function EditEndpointForms({ endpointId, url, events, options }: { endpointId: string; url: string; events: string[]; options: EventOption[] }) {
  return (
    <div className="grid gap-6 md:grid-cols-2">
      <Form action={updateEventsAction}>
        {(pending) => (
          <>
            <input type="hidden" name="endpointId" value={endpointId} />
            <EventCheckboxes options={options} selected={events} />
            <Button type="submit" disabled={pending}>
              Save events
            </Button>
          </>
        )}
      </Form>
      <Form action={updateUrlAction}>
        {(pending) => (
          <>
            <input type="hidden" name="endpointId" value={endpointId} />
            <Field label="URL">{(control) => <Input {...control} name="url" type="url" required defaultValue={url} />}</Field>
            <Button type="submit" disabled={pending}>
              Save URL
            </Button>
          </>
        )}
      </Form>
    </div>
  );
}

/** Rotating asks first, then shows the new secret once, under the buttons. */
function RotateSecretButton({ endpointId }: { endpointId: string }) {
  const { state, formAction, pending } = useWebhookAction(rotateSecretAction);
  const form = useRef<HTMLFormElement>(null);
  return (
    <form ref={form} action={formAction} aria-busy={pending} className="contents">
      <input type="hidden" name="endpointId" value={endpointId} />
      <ConfirmButton
        label={pending ? 'Rotating…' : 'Rotate secret'}
        title="Rotate the signing secret?"
        confirmLabel="Rotate secret"
        variant="secondary"
        disabled={pending}
        onConfirm={() => form.current?.requestSubmit()}
      >
        The old secret keeps working alongside the new one for 24 hours.
      </ConfirmButton>
      {state.secret && !pending && (
        <div className="basis-full">
          <SecretOnce secret={state.secret} />
        </div>
      )}
    </form>
  );
}

export function EndpointButtons({ endpointId, status }: { endpointId: string; status: string }) {
  const fields = { endpointId };
  return (
    <div className="flex flex-wrap items-center gap-2">
      {status !== 'disabled' && <ActionForm action={sendTestAction} fields={fields} label="Send test" pendingLabel="Sending…" variant="primary" />}
      <RotateSecretButton endpointId={endpointId} />
      {status === 'disabled' ? (
        <ActionForm action={setStatusAction} fields={{ ...fields, status: 'active' }} label="Enable" pendingLabel="Enabling…" />
      ) : (
        <ActionForm
          action={setStatusAction}
          fields={{ ...fields, status: 'disabled' }}
          label="Disable"
          pendingLabel="Disabling…"
          variant="danger"
          confirm={{ title: 'Disable this endpoint?', body: 'Nothing is sent to it until it is enabled again; its deliveries wait.', confirmLabel: 'Disable' }}
        />
      )}
      <ActionForm
        action={deleteEndpointAction}
        fields={fields}
        label="Delete"
        pendingLabel="Deleting…"
        variant="danger"
        confirm={{ title: 'Delete this endpoint?', body: 'Its delivery log goes with it, and undelivered messages to it are dropped.', confirmLabel: 'Delete endpoint' }}
      />
    </div>
  );
}

export function ReplayButton({ deliveryId }: { deliveryId: string }) {
  return <ActionForm action={replayDeliveryAction} fields={{ deliveryId }} label={`Replay delivery ${deliveryId}`} shortLabel="Replay" pendingLabel="Replaying…" />;
}
