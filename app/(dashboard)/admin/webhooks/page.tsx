import type { Metadata } from 'next';
import Link from 'next/link';
import { AutoRefresh } from '@/components/auto-refresh';
import { ago, duration, renderTime } from '@/components/time';
import { CreateEndpointForm, EditEndpointForms, EndpointButtons, ReplayButton, type EventOption } from '@/components/webhooks/forms';
import { requireAdmin } from '@/lib/auth/session';
import { getConfig } from '@/lib/config';
import { getDb } from '@/lib/db';
import { DELIVERY_STATUSES, isEndpointId, listDeliveries, listEndpoints, type DeliveryStatus, type WebhookEndpointView } from '@/lib/webhooks/endpoints';
import { WEBHOOK_TYPES, type WebhookType } from '@/lib/webhooks/outbox';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Webhooks — Reconnect admin' };

type Search = Promise<Record<string, string | string[] | undefined>>;

const EVENT_DESCRIPTIONS: Record<WebhookType, string> = {
  'connection.created': 'a user connected Jira or Confluence',
  'connection.reconnected': 'a connection was repaired with a new consent',
  'connection.needs_reauth': 'a connection needs its user to reconnect',
  'connection.degraded': 'refreshes started failing temporarily',
  'connection.recovered': 'a degraded connection works again',
  'connection.deleted': 'a connection was disconnected',
  'webhook.test': 'test messages sent from this page',
};

const OPTIONS: EventOption[] = WEBHOOK_TYPES.map((type) => ({ type, description: EVENT_DESCRIPTIONS[type] }));

const ENDPOINT_BADGE: Record<string, { label: string; className: string }> = {
  active: { label: 'Active', className: 'bg-emerald-100 text-emerald-900 ring-emerald-600/30 dark:bg-emerald-950 dark:text-emerald-200' },
  failing: { label: 'Failing', className: 'bg-red-100 text-red-900 ring-red-600/30 dark:bg-red-950 dark:text-red-200' },
  disabled: { label: 'Disabled', className: 'bg-slate-100 text-slate-700 ring-slate-500/30 dark:bg-slate-800 dark:text-slate-300' },
};

const DELIVERY_BADGE: Record<DeliveryStatus, string> = {
  pending: 'bg-amber-100 text-amber-900 ring-amber-600/30 dark:bg-amber-950 dark:text-amber-200',
  succeeded: 'bg-emerald-100 text-emerald-900 ring-emerald-600/30 dark:bg-emerald-950 dark:text-emerald-200',
  failed: 'bg-red-100 text-red-900 ring-red-600/30 dark:bg-red-950 dark:text-red-200',
};

const BADGE = 'inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 ring-inset';

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function EndpointCard({ e, now }: { e: WebhookEndpointView; now: number }) {
  const badge = ENDPOINT_BADGE[e.status] ?? ENDPOINT_BADGE.disabled;
  return (
    <li className="space-y-3 rounded-lg border border-slate-200 p-4 dark:border-slate-700" data-testid="webhook-endpoint">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <span className={`${BADGE} ${badge.className}`}>{badge.label}</span>
        <code className="break-all text-sm font-medium">{e.url}</code>
      </div>
      {e.status === 'failing' && (
        <p className="text-sm text-red-800 dark:text-red-300">
          Deliveries to this endpoint failed after every retry. It still receives new messages; a successful delivery makes it active
          again. Replay failed deliveries below once it is fixed.
        </p>
      )}
      {e.status === 'disabled' && (
        <p className="text-sm text-slate-700 dark:text-slate-300">
          {e.disabled_reason ?? 'Disabled.'} Nothing is sent to it; its pending deliveries resume in order when it is enabled.
        </p>
      )}
      <div className="flex flex-wrap items-center gap-1 text-sm text-slate-700 dark:text-slate-300">
        <span className="mr-1">Events:</span>
        {e.events.map((t) => (
          <code key={t} className="rounded bg-slate-100 px-1 text-xs dark:bg-slate-800">
            {t}
          </code>
        ))}
      </div>
      <p className="text-xs text-slate-600 dark:text-slate-400">
        Created {ago(e.created_at, now)}
        {e.previous_secret_expires_at &&
          ` · secret rotated: the previous secret still signs for ${duration(e.previous_secret_expires_at.getTime() - now)}`}
        {' · '}
        <Link href={`/admin/webhooks?endpoint=${e.id}`} className="text-blue-700 underline dark:text-blue-300">
          its deliveries
        </Link>
      </p>
      <EndpointButtons endpointId={e.id} status={e.status} />
      <details className="rounded-md bg-slate-50 p-3 dark:bg-slate-900">
        <summary className="cursor-pointer text-sm font-medium">Edit events or URL</summary>
        <div className="mt-3">
          <EditEndpointForms endpointId={e.id} url={e.url} events={e.events} options={OPTIONS} />
        </div>
      </details>
    </li>
  );
}

export default async function WebhooksPage({ searchParams }: { searchParams: Search }) {
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
      <div className="space-y-2">
        <div className="flex flex-wrap items-center justify-between gap-x-4 gap-y-1">
          <h1 className="text-2xl font-semibold">Webhooks</h1>
          <AutoRefresh />
        </div>
        <p className="text-slate-700 dark:text-slate-300">
          Backend services learn here when a connection needs re-authorization, degrades, recovers or is removed. Deliveries are signed
          the <a href="https://www.standardwebhooks.com/" className="text-blue-700 underline dark:text-blue-300">Standard Webhooks</a> way
          (verify them with the <code>standardwebhooks</code> library and the endpoint’s secret), sent at least once and in order per
          connection, and retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 24 h before they count as failed.
          {allowPrivate ? ' Private and loopback URLs are allowed (WEBHOOK_ALLOW_PRIVATE).' : ' Private, loopback and link-local URLs are refused.'}
        </p>
      </div>

      <section aria-labelledby="endpoints-heading" className="space-y-4">
        <h2 id="endpoints-heading" className="text-lg font-semibold">
          Endpoints
        </h2>
        {endpoints.length === 0 ? (
          <p className="rounded-lg border border-dashed border-slate-300 p-6 text-center text-slate-600 dark:border-slate-700 dark:text-slate-400">
            No endpoints yet. Add one below.
          </p>
        ) : (
          <ul className="space-y-4">
            {endpoints.map((e) => (
              <EndpointCard key={e.id} e={e} now={now} />
            ))}
          </ul>
        )}
        {/* Not collapsible: the new endpoint's secret is shown in this form, once. */}
        <div className="space-y-3 rounded-lg border border-slate-200 p-4 dark:border-slate-700">
          <h3 className="font-medium">Add an endpoint</h3>
          <div className="max-w-xl">
            <CreateEndpointForm options={OPTIONS} />
          </div>
        </div>
      </section>

      <section aria-labelledby="deliveries-heading" className="space-y-4">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="deliveries-heading" className="text-lg font-semibold">
            Deliveries
          </h2>
          <nav aria-label="Filter deliveries" className="flex flex-wrap gap-3 text-sm">
            {[undefined, ...DELIVERY_STATUSES].map((s) => (
              <Link
                key={s ?? 'all'}
                href={filterHref(s)}
                aria-current={s === status ? 'page' : undefined}
                className={s === status ? 'font-semibold underline' : 'text-blue-700 hover:underline dark:text-blue-300'}
              >
                {s ?? 'all'}
              </Link>
            ))}
            {endpointId && (
              <Link href={status ? `/admin/webhooks?status=${status}` : '/admin/webhooks'} className="text-blue-700 hover:underline dark:text-blue-300">
                all endpoints
              </Link>
            )}
          </nav>
        </div>
        {deliveries.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">No deliveries{status ? ` with status ${status}` : ''}.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="min-w-full text-left text-sm">
              <thead className="border-b border-slate-200 text-xs uppercase text-slate-600 dark:border-slate-700 dark:text-slate-400">
                <tr>
                  <th scope="col" className="py-2 pr-3">Created</th>
                  <th scope="col" className="py-2 pr-3">Event</th>
                  <th scope="col" className="py-2 pr-3">Endpoint</th>
                  <th scope="col" className="py-2 pr-3">Status</th>
                  <th scope="col" className="py-2 pr-3">Attempts</th>
                  <th scope="col" className="py-2 pr-3">Response</th>
                  <th scope="col" className="py-2 pr-3">Next / delivered</th>
                  <th scope="col" className="py-2">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {deliveries.map((d) => (
                  <tr key={d.id} data-testid="webhook-delivery" className="align-top">
                    <td className="py-2 pr-3 whitespace-nowrap" title={d.created_at.toISOString()}>
                      {ago(d.created_at, now)}
                    </td>
                    <td className="py-2 pr-3">
                      <code className="text-xs">{d.type}</code>
                      {d.connection_id && (
                        <div>
                          <Link href={`/connections/${d.connection_id}`} className="text-xs text-blue-700 underline dark:text-blue-300">
                            connection
                          </Link>
                        </div>
                      )}
                      <div className="text-xs text-slate-500" title="webhook-id">
                        {d.message_id}
                      </div>
                    </td>
                    <td className="max-w-[16rem] truncate py-2 pr-3" title={d.endpoint_url}>
                      {d.endpoint_url}
                    </td>
                    <td className="py-2 pr-3">
                      <span className={`${BADGE} ${DELIVERY_BADGE[d.status]}`}>{d.status}</span>
                    </td>
                    <td className="py-2 pr-3">{d.attempts}</td>
                    <td className="max-w-[20rem] py-2 pr-3">
                      {d.last_response_code ?? (d.last_error ? 'no response' : '—')}
                      {d.last_error && <div className="break-words text-xs text-red-800 dark:text-red-300">{d.last_error}</div>}
                    </td>
                    <td className="py-2 pr-3 whitespace-nowrap">
                      {d.delivered_at
                        ? `delivered ${ago(d.delivered_at, now)}`
                        : d.next_attempt_at
                          ? d.next_attempt_at.getTime() > now
                            ? `in ${duration(d.next_attempt_at.getTime() - now)}`
                            : 'due now'
                          : '—'}
                    </td>
                    <td className="py-2">
                      <ReplayButton deliveryId={d.id} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {nextHref && (
          <Link href={nextHref} className="text-sm text-blue-700 underline dark:text-blue-300">
            Older deliveries
          </Link>
        )}
      </section>
    </div>
  );
}
