import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { count } from 'drizzle-orm';
import type { Executor } from './db';
import { connections, webhookDeliveries } from './db/schema';

interface Metrics {
  registry: Registry;
  refreshes: Counter<'outcome' | 'product'>;
  refreshSeconds: Histogram<'outcome' | 'product'>;
  deliveries: Counter<'outcome'>;
  notifications: Counter<'outcome'>;
}

const globalKey = Symbol.for('reconnect.metrics');
type WithMetrics = typeof globalThis & { [globalKey]?: Metrics };

function create(): Metrics {
  const registry = new Registry();
  return {
    registry,
    refreshes: new Counter({ name: 'reconnect_token_refreshes_total', help: 'Token-endpoint refreshes by outcome and product', labelNames: ['outcome', 'product'], registers: [registry] }),
    refreshSeconds: new Histogram({
      name: 'reconnect_token_refresh_duration_seconds',
      help: 'Duration of token-endpoint refresh requests',
      labelNames: ['outcome', 'product'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
      registers: [registry],
    }),
    deliveries: new Counter({ name: 'reconnect_webhook_deliveries_total', help: 'Webhook delivery attempts by outcome', labelNames: ['outcome'], registers: [registry] }),
    notifications: new Counter({
      name: 'reconnect_notifications_total',
      help: 'Notification mails by outcome (sent, retrying, failed, suppressed, cancelled)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}

/** One registry per process (kept on globalThis so that dev reloads do not register twice). */
export function metrics(): Metrics {
  const g = globalThis as WithMetrics;
  g[globalKey] ??= create();
  return g[globalKey];
}

export function recordRefresh(outcome: string, seconds: number, product: string): void {
  metrics().refreshes.inc({ outcome, product });
  metrics().refreshSeconds.observe({ outcome, product }, seconds);
}

/** The exposition, with gauges read from the database at scrape time (they are shared by all instances). */
export async function renderMetrics(db: Executor): Promise<{ body: string; contentType: string }> {
  const m = metrics();
  const gauges = new Registry();
  const byStatus = new Gauge({ name: 'reconnect_connections', help: 'Connections by status and product', labelNames: ['status', 'product'], registers: [gauges] });
  const pending = new Gauge({ name: 'reconnect_webhook_deliveries', help: 'Webhook deliveries by status', labelNames: ['status'], registers: [gauges] });
  const rows = await db
    .select({ status: connections.status, product: connections.product, n: count() })
    .from(connections)
    .groupBy(connections.status, connections.product);
  for (const r of rows) {
    byStatus.set({ status: r.status, product: r.product }, r.n);
  }
  for (const r of await db.select({ status: webhookDeliveries.status, n: count() }).from(webhookDeliveries).groupBy(webhookDeliveries.status)) {
    pending.set({ status: r.status }, r.n);
  }
  const merged = Registry.merge([m.registry, gauges]);
  return { body: await merged.metrics(), contentType: merged.contentType };
}
