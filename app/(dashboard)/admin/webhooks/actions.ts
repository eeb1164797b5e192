'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { validatedActionWithAdmin, type ActionState } from '@/lib/actions/validated';
import type { SessionUser } from '@/lib/auth/session';
import { getConfig } from '@/lib/config';
import { getDb } from '@/lib/db';
import {
  createEndpoint,
  deleteEndpoint,
  replayDelivery,
  sendTestWebhook,
  updateEndpoint,
  WebhookEndpointDisabledError,
  WebhookEndpointInputError,
  type EndpointContext,
} from '@/lib/webhooks/endpoints';
import { WEBHOOK_TYPES, type WebhookType } from '@/lib/webhooks/outbox';

/** An action's answer; `secret` is set once, right after a creation or a rotation. */
export interface WebhookActionState extends ActionState {
  secret?: string;
}

const GONE: ActionState = { error: 'That webhook endpoint no longer exists.' };
const PAGE = '/admin/webhooks';

// Every action is a public POST endpoint: the session and the admin role are checked before anything runs.
function adminAction<S extends z.ZodType>(schema: S, fn: (data: z.infer<S>, user: SessionUser) => Promise<WebhookActionState>) {
  return validatedActionWithAdmin(schema, async (data, user) => {
    const result = await fn(data, user);
    revalidatePath(PAGE);
    return result;
  });
}

function context(): EndpointContext {
  const config = getConfig();
  return { db: getDb(), keys: config.encryptionKeys, allowPrivate: config.webhookAllowPrivate };
}

// Checkboxes arrive as `event:<type>` fields (FormData keeps one value per name through the validator).
const withEvents = <T extends z.ZodRawShape>(shape: T) =>
  z.looseObject(shape).transform((data, ctx) => {
    const events = WEBHOOK_TYPES.filter((t) => (data as Record<string, unknown>)[`event:${t}`] !== undefined);
    if (events.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['events'], message: 'Choose at least one event type.' });
      return z.NEVER;
    }
    return { ...data, events: events as WebhookType[] };
  });

const endpointId = z.string().uuid('That webhook endpoint was not found.');

function inputError(err: unknown): WebhookActionState {
  if (err instanceof WebhookEndpointInputError) return { error: err.detail.replace(/^the URL/, 'The URL'), fieldErrors: { [err.field]: err.detail } };
  throw err;
}

export const createEndpointAction = adminAction(
  withEvents({ url: z.string().trim().min(1, 'Enter the URL that receives the webhooks.').max(2048, 'The URL is too long.') }),
  async ({ url, events }) => {
    try {
      const endpoint = await createEndpoint(context(), { url, events });
      return {
        ok: true,
        message: 'Endpoint created. Copy its signing secret now: it is not shown again.',
        secret: endpoint.secret,
      };
    } catch (err) {
      return inputError(err);
    }
  },
);

export const updateEventsAction = adminAction(withEvents({ endpointId }), async ({ endpointId: id, events }) => {
  const endpoint = await updateEndpoint(context(), id, { events });
  return endpoint ? { ok: true, message: `Now subscribed to ${endpoint.events.length} event type${endpoint.events.length === 1 ? '' : 's'}.` } : GONE;
});

export const updateUrlAction = adminAction(
  z.object({ endpointId, url: z.string().trim().min(1, 'Enter the URL that receives the webhooks.').max(2048, 'The URL is too long.') }),
  async ({ endpointId: id, url }) => {
    try {
      const endpoint = await updateEndpoint(context(), id, { url });
      return endpoint ? { ok: true, message: 'URL saved.' } : GONE;
    } catch (err) {
      return inputError(err);
    }
  },
);

export const rotateSecretAction = adminAction(z.object({ endpointId }), async ({ endpointId: id }) => {
  const endpoint = await updateEndpoint(context(), id, { rotate_secret: true });
  if (!endpoint?.secret) return GONE;
  return {
    ok: true,
    message: 'New signing secret below; copy it now. For 24 hours deliveries carry signatures with both the old and the new secret.',
    secret: endpoint.secret,
  };
});

export const setStatusAction = adminAction(
  z.object({ endpointId, status: z.enum(['active', 'disabled'], 'Choose enable or disable.') }),
  async ({ endpointId: id, status }) => {
    const endpoint = await updateEndpoint(context(), id, { status });
    if (!endpoint) return GONE;
    return { ok: true, message: status === 'active' ? 'Enabled: pending deliveries resume.' : 'Disabled: nothing is sent to it until it is enabled.' };
  },
);

export const deleteEndpointAction = adminAction(z.object({ endpointId }), async ({ endpointId: id }) =>
  (await deleteEndpoint(getDb(), id)) ? { ok: true, message: 'Endpoint deleted with its delivery log.' } : GONE,
);

export const sendTestAction = adminAction(z.object({ endpointId }), async ({ endpointId: id }) => {
  try {
    const messageId = await sendTestWebhook(getDb(), id);
    return messageId ? { ok: true, message: `Test message ${messageId} queued; the worker sends it within seconds.` } : GONE;
  } catch (err) {
    if (err instanceof WebhookEndpointDisabledError) return { error: err.message };
    throw err;
  }
});

export const replayDeliveryAction = adminAction(
  z.object({ deliveryId: z.string().regex(/^\d{1,18}$/, 'That delivery was not found.') }),
  async ({ deliveryId }) =>
    (await replayDelivery(getDb(), deliveryId))
      ? { ok: true, message: 'Queued again: it is sent at the next worker run.' }
      : { error: 'That delivery was not found, or it is being sent right now.' },
);
