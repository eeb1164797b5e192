import { Plug } from 'lucide-react';
import type { Metadata } from 'next';
import { AutoRefresh } from '@/components/auto-refresh';
import { ConnectButtons } from '@/components/connect-buttons';
import { ConnectionCard } from '@/components/connection-card';
import { NotificationSwitch } from '@/components/notification-switch';
import { renderTime } from '@/components/time';
import { EmptyState } from '@/components/ui/empty-state';
import { Notice } from '@/components/ui/notice';
import { PageHeader } from '@/components/ui/page-header';
import { productLabel } from '@/lib/providers/registry';
import { requireUser } from '@/lib/auth/session';
import { getConfig } from '@/lib/config';
import { listUserConnections } from '@/lib/connections/queries';
import { getDb } from '@/lib/db';
import { mailSetup } from '@/lib/notifications/admin';
import { connectionNotificationSwitches, userNotificationSettings } from '@/lib/notifications/preferences';
import { connectBanner } from '@/lib/pages/connect-banner';
import { databasePage } from '@/lib/pages/database-page';
import { pageTitle } from '@/lib/pages/titles';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: pageTitle('My connections') };

type Search = Promise<Record<string, string | string[] | undefined>>;

async function HomePage({ searchParams }: { searchParams: Search }) {
  const user = await requireUser('/');
  const connections = await listUserConnections(getDb(), user.id);
  const success = connectBanner(await searchParams, connections); // gone once that connection is disconnected
  const settings = await userNotificationSettings(getDb(), user.id);
  const switches = await connectionNotificationSwitches(getDb(), connections.filter((c) => c.user_id === user.id).map((c) => c.id));
  const now = renderTime(); // the one clock of every page (docs/architecture.md, Clocks)
  const products = getConfig().products;
  const empty = connections.length === 0;
  return (
    <div className="space-y-6">
      <PageHeader
        title="My connections"
        icon={Plug}
        description="Reconnect keeps these connections' access alive and tells you when one needs you."
        actions={
          <>
            <AutoRefresh />
            {/* With no connection yet, the Connect buttons live in the empty state instead. */}
            {!empty && <ConnectButtons products={products} />}
          </>
        }
      />
      {success && (
        <Notice tone="ok" role="status">
          {success}
        </Notice>
      )}
      <NotificationSwitch on={settings.notificationsEnabled} mailOn={mailSetup(getConfig()).on} />
      {empty ? (
        <EmptyState icon={Plug} title="Connect your first app" action={<ConnectButtons products={products} />}>
          No connections yet. Connect {products.map(productLabel).join(', ').replace(/, ([^,]*)$/, ' or $1')} to keep their access alive here.
        </EmptyState>
      ) : (
        <ul className="space-y-4">
          {connections.map((c) => (
            <ConnectionCard
              key={c.id}
              c={c}
              now={now}
              keepaliveDays={getConfig().keepaliveIdleDays}
              renewWarningDays={getConfig().renewWarningDays}
              // With every email off, a card's own switch would offer to turn off what is already off.
              emails={settings.notificationsEnabled ? switches.get(c.id) : undefined}
            />
          ))}
        </ul>
      )}
    </div>
  );
}

export default databasePage(HomePage);
