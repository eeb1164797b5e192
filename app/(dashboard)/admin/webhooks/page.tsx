import { Inbox, Webhook } from 'lucide-react';
import Link from 'next/link';
import { AutoRefresh } from '@/components/auto-refresh';
import { ago, duration, renderTime } from '@/components/time';
import { CreateEndpointForm, EditEndpointForms, EndpointButtons, ReplayButton, type EventOption } from '@/components/webhooks/forms';
import { Badge } from '@/components/ui/badge';
import type { Tone } from '@/lib/tone';
import { LinkButton } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Notice } from '@/components/ui/notice';
import { PageHeader } from '@/components/ui/page-header';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { requireAdmin } from '@/lib/auth/session';
import { getConfig } from '@/lib/config';
import { getDb } from '@/lib/db';
import { DELIVERY_STATUSES, isEndpointId, listDeliveries, listEndpoints, type DeliveryStatus, type DeliveryView, type WebhookEndpointView } from '@/lib/webhooks/endpoints';
import { WEBHOOK_TYPES, type WebhookType } from '@/lib/webhooks/outbox';
import { databasePage } from '@/lib/pages/database-page';
import { adminPageMetadata } from '../title';

export const dynamic = 'force-dynamic';

export const generateMetadata = adminPageMetadata('Webhooks');

type Search = Promise<Record<string, string | string[] | undefined>>;

const EVENT_DESCRIPTIONS: Record<WebhookType, string> = {
  'connection.created': 'a user connected Jira, Confluence or Bitbucket',
  'connection.reconnected': 'a connection was repaired with a new consent',
  'connection.needs_reauth': 'a connection needs its user to reconnect',
  'connection.degraded': 'refreshes started failing temporarily',
  'connection.recovered': 'a degraded connection works again',
  'connection.expiring': 'a connection entered its renewal window: renew before its year runs out',
  'connection.deleted': 'a connection was disconnected',
  'webhook.test': 'test messages sent from this page',
};

// Send test delivers to its endpoint whatever that endpoint subscribes to (it is an explicit check of that one
// endpoint, and nothing else sends webhook.test): so webhook.test is no choice here, the forms say so instead.
const OPTIONS: EventOption[] = WEBHOOK_TYPES.filter((type) => type !== 'webhook.test').map((type) => ({ type, description: EVENT_DESCRIPTIONS[type] }));

const ENDPOINT_BADGE: Record<string, { label: string; tone: Tone }> = {
  active: { label: 'Active', tone: 'ok' },
  failing: { label: 'Failing', tone: 'bad' },
  disabled: { label: 'Disabled', tone: 'muted' },
};

const DELIVERY_TONE: Record<DeliveryStatus, Tone> = { pending: 'warn', succeeded: 'ok', failed: 'bad' };

const LINK = 'text-blue-700 underline hover:no-underline focus-visible:outline-2 focus-visible:outline-blue-700 dark:text-blue-300 dark:focus-visible:outline-blue-400';

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function EndpointCard({ e, now }: { e: WebhookEndpointView; now: number }) {
  const badge = ENDPOINT_BADGE[e.status] ?? ENDPOINT_BADGE.disabled;
  return (
    <li data-testid="webhook-endpoint">
      <Card
        as="h3"
        title={<code className="break-all font-mono text-sm">{e.url}</code>}
        actions={<Badge tone={badge.tone}>{badge.label}</Badge>}
      >
        <div className="space-y-3">
          {e.status === 'failing' && (
            <Notice tone="bad">
              Deliveries to this endpoint failed after every retry. It still receives new messages; a successful delivery makes it active
              again. Replay failed deliveries below once it is fixed.
            </Notice>
          )}
          {e.status === 'disabled' && (
            <Notice tone="info">{e.disabled_reason ?? 'Disabled.'} Nothing is sent to it; its pending deliveries resume in order when it is enabled.</Notice>
          )}
          <div className="flex flex-wrap items-center gap-1 text-sm text-slate-700 dark:text-slate-300">
            <span className="mr-1">Events:</span>
            {e.events.map((t) => (
              <code key={t} className="rounded bg-slate-100 px-1.5 py-0.5 text-xs dark:bg-slate-800">
                {t}
              </code>
            ))}
          </div>
          <p className="text-xs text-slate-600 dark:text-slate-400">
            Created {ago(e.created_at, now)}
            {e.previous_secret_expires_at &&
              ` · secret rotated: the previous secret still signs for ${duration(e.previous_secret_expires_at.getTime() - now)}`}
            {' · '}
            <Link href={`/admin/webhooks?endpoint=${e.id}`} className={LINK}>
              its deliveries
            </Link>
          </p>
          <EndpointButtons endpointId={e.id} status={e.status} />
          <details className="rounded-md bg-slate-50 p-3 dark:bg-slate-800/50">
            <summary className="cursor-pointer rounded text-sm font-medium focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400">
              Edit events or URL
            </summary>
            <div className="mt-3">
              <EditEndpointForms endpointId={e.id} url={e.url} events={e.events} options={OPTIONS} />
            </div>
          </details>
        </div>
      </Card>
    </li>
  );
}

function nextOrDelivered(d: DeliveryView, now: number): string {
  if (d.delivered_at) return `delivered ${ago(d.delivered_at, now)}`;
  if (!d.next_attempt_at) return '—';
  return d.next_attempt_at.getTime() > now ? `in ${duration(d.next_attempt_at.getTime() - now)}` : 'due now';
}

function DeliveriesTable({ deliveries, now }: { deliveries: DeliveryView[]; now: number }) {
  return (
    <Table caption="Webhook deliveries, newest first">
      <THead>
        <tr>
          <Th>Created</Th>
          <Th>Event</Th>
          <Th>Endpoint</Th>
          <Th>Status</Th>
          <Th>Response</Th>
          <Th>Next / delivered</Th>
          <Th>
            <span className="sr-only">Actions</span>
          </Th>
        </tr>
      </THead>
      <TBody>
        {deliveries.map((d) => (
          <Tr key={d.id} data-testid="webhook-delivery">
            <Td label="Created" className="sm:whitespace-nowrap">
              <span title={d.created_at.toISOString()}>{ago(d.created_at, now)}</span>
            </Td>
            <Td label="Event">
              <div className="min-w-0">
                <code className="break-all text-xs">{d.type}</code>
                {d.connection_id && (
                  <div>
                    <Link href={`/connections/${d.connection_id}`} className={`text-xs ${LINK}`}>
                      connection
                    </Link>
                  </div>
                )}
                <div className="break-all font-mono text-xs text-slate-600 dark:text-slate-400" title="webhook-id">
                  {d.message_id}
                </div>
              </div>
            </Td>
            <Td label="Endpoint" className="break-all sm:max-w-[14rem]">
              {d.endpoint_url}
            </Td>
            <Td label="Status">
              <div className="min-w-0">
                <Badge tone={DELIVERY_TONE[d.status]}>{d.status}</Badge>
                <div className="mt-1 text-xs text-slate-600 dark:text-slate-400">
                  {d.attempts} attempt{d.attempts === 1 ? '' : 's'}
                </div>
              </div>
            </Td>
            <Td label="Response" className="sm:max-w-[16rem]">
              <div className="min-w-0">
                {d.last_response_code ?? (d.last_error ? 'no response' : '—')}
                {d.last_error && <div className="break-words text-xs text-red-800 dark:text-red-300">{d.last_error}</div>}
              </div>
            </Td>
            <Td label="Next / delivered" className="sm:whitespace-nowrap">
              {nextOrDelivered(d, now)}
            </Td>
            <Td className="sm:text-right">
              <ReplayButton deliveryId={d.id} />
            </Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}

async function WebhooksPage({ searchParams }: { searchParams: Search }) {
  await requireAdmin();
  const search = await searchParams;
  const db = getDb();
  const now = renderTime();
  const statusParam = one(search.status);
  const status = DELIVERY_STATUSES.find((s) => s === statusParam);
  const endpointParam = one(search.endpoint);
  const endpointId = endpointParam && isEndpointId(endpointParam) ? endpointParam : undefined;
  const before = one(search.before);
  const [endpoints, deliveries] = await Promise.all([
    listEndpoints(db, new Date(now)),
    listDeliveries(db, { status, endpointId, before: before && /^\d{1,18}$/.test(before) ? before : undefined, limit: 50 }),
  ]);
  const filterHref = (s?: string) => {
    const q = new URLSearchParams();
    if (s) q.set('status', s);
    if (endpointId) q.set('endpoint', endpointId);
    const text = q.toString();
    return text ? `/admin/webhooks?${text}` : '/admin/webhooks';
  };
  const nextHref = deliveries.length === 50 ? `${filterHref(status)}${status || endpointId ? '&' : '?'}before=${deliveries[49].id}` : null;
  const allowPrivate = getConfig().webhookAllowPrivate;

  return (
    <div className="space-y-8">
      <PageHeader
        title="Webhooks"
        icon={Webhook}
        actions={<AutoRefresh />}
        description={
          <>
            Backend services learn here when a connection needs re-authorization, degrades, recovers or is removed. Deliveries are signed
            the{' '}
            <a href="https://www.standardwebhooks.com/" className={LINK}>
              Standard Webhooks
            </a>{' '}
            way (verify them with the <code>standardwebhooks</code> library and the endpoint’s secret), sent at least once and in order per
            connection, and retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 24 h before they count as failed.
            {allowPrivate ? ' Private and loopback URLs are allowed (WEBHOOK_ALLOW_PRIVATE).' : ' Private, loopback and link-local URLs are refused.'}
          </>
        }
      />

      <section aria-labelledby="endpoints-heading" className="space-y-4">
        <h2 id="endpoints-heading" className="text-xl font-semibold">
          Endpoints
        </h2>
        {endpoints.length === 0 ? (
          <EmptyState icon={Webhook} title="No endpoints yet">
            Add one below: Reconnect then tells it about every connection change you choose.
          </EmptyState>
        ) : (
          <ul className="space-y-4">
            {endpoints.map((e) => (
              <EndpointCard key={e.id} e={e} now={now} />
            ))}
          </ul>
        )}
        {/* Not collapsible: the new endpoint's secret is shown in this form, once. */}
        <Card title="Add an endpoint" as="h3" aria-label="Add an endpoint">
          <div className="max-w-xl">
            <CreateEndpointForm options={OPTIONS} />
          </div>
        </Card>
      </section>

      <section aria-labelledby="deliveries-heading" className="space-y-4">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id="deliveries-heading" className="text-xl font-semibold">
            Deliveries
          </h2>
          <nav aria-label="Filter deliveries" className="flex flex-wrap gap-2">
            {[undefined, ...DELIVERY_STATUSES].map((s) => (
              <LinkButton key={s ?? 'all'} href={filterHref(s)} aria-current={s === status ? 'page' : undefined} variant={s === status ? 'primary' : 'secondary'}>
                {s ?? 'all'}
              </LinkButton>
            ))}
            {endpointId && (
              <LinkButton href={status ? `/admin/webhooks?status=${status}` : '/admin/webhooks'} variant="ghost">
                all endpoints
              </LinkButton>
            )}
          </nav>
        </div>
        {deliveries.length === 0 ? (
          <EmptyState icon={Inbox} title={`No deliveries${status ? ` with status ${status}` : ''}`}>
            Deliveries appear here when a subscribed event happens, or when you press Send test.
          </EmptyState>
        ) : (
          <DeliveriesTable deliveries={deliveries} now={now} />
        )}
        {nextHref && (
          <LinkButton href={nextHref}>
            Older deliveries
          </LinkButton>
        )}
      </section>
    </div>
  );
}

export default databasePage(WebhooksPage);
