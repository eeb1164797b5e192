import { AutoRefresh } from '@/components/auto-refresh';
import { ConnectButtons } from '@/components/connect-buttons';
import { ConnectionCard } from '@/components/connection-card';
import { productLabel, isProduct } from '@/lib/atlassian/products';
import { requireUser } from '@/lib/auth/session';
import { getConfig } from '@/lib/config';
import { listUserConnections } from '@/lib/connections/queries';
import { getDb } from '@/lib/db';
import { mailSetup } from '@/lib/notifications/admin';
import { connectionNotificationSwitches, userNotificationSettings } from '@/lib/notifications/preferences';
import { NotificationSwitch } from '@/components/notification-switch';
import { now as healthNow } from '@/lib/clock'; // sandbox: the simulator's clock

export const dynamic = 'force-dynamic';

type Search = Promise<Record<string, string | string[] | undefined>>;

function successMessage(search: Record<string, string | string[] | undefined>): string | null {
  const connected = search.connected;
  const reconnected = search.reconnected;
  if (isProduct(connected)) return `${productLabel(connected)} connected.`;
  if (isProduct(reconnected)) return `${productLabel(reconnected)} reconnected — it is healthy again.`;
  return null;
}

export default async function HomePage({ searchParams }: { searchParams: Search }) {
  const user = await requireUser('/');
  const connections = await listUserConnections(getDb(), user.id);
  const success = successMessage(await searchParams);
  const settings = await userNotificationSettings(getDb(), user.id);
  const switches = await connectionNotificationSwitches(getDb(), connections.filter((c) => c.user_id === user.id).map((c) => c.id));
  const now = healthNow().getTime();
  const products = getConfig().products;
  return (
    <section aria-labelledby="connections-heading" className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
          <h1 id="connections-heading" className="text-2xl font-semibold">
            My connections
          </h1>
          <AutoRefresh />
        </div>
        <ConnectButtons products={products} />
      </div>
      {success && (
        <p role="status" className="rounded-md bg-emerald-50 px-4 py-3 text-sm font-medium text-emerald-900 ring-1 ring-emerald-600/20 dark:bg-emerald-950 dark:text-emerald-200">
          {success}
        </p>
      )}
      <NotificationSwitch on={settings.notificationsEnabled} mailOn={mailSetup(getConfig()).on} />
      {connections.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 p-8 text-center text-slate-600 dark:border-slate-700 dark:text-slate-400">
          No connections yet. Connect {products.map(productLabel).join(', ').replace(/, ([^,]*)$/, ' or $1')} to keep their access alive here.
        </p>
      ) : (
        <ul className="space-y-4">
          {connections.map((c) => (
            <ConnectionCard key={c.id} c={c} now={now} keepaliveDays={getConfig().keepaliveIdleDays} emails={switches.get(c.id)} />
          ))}
        </ul>
      )}
    </section>
  );
}
