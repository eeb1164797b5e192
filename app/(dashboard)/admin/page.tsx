import { ShieldCheck } from 'lucide-react';
import { ConfigErrorBanner } from '@/components/admin/config-error-banner';
import { ConnectionsTable } from '@/components/admin/connections-table';
import { FailureReasons } from '@/components/admin/failure-reasons';
import { FilterForm } from '@/components/admin/filter-form';
import { Pagination } from '@/components/admin/pagination';
import { RefreshActivity } from '@/components/admin/refresh-activity';
import { StatusChips } from '@/components/admin/status-chips';
import { renderTime } from '@/components/time';
import { ADMIN_PAGE_SIZE } from '@/lib/admin/connections';
import { loadAdminDashboard } from '@/lib/admin/dashboard';
import { adminHref, MIN_SEARCH, parseAdminQuery, searchTooShort, type SearchParams } from '@/lib/admin/params';
import { requireAdmin } from '@/lib/auth/session';
import { getConfig } from '@/lib/config';
import { getDb } from '@/lib/db';
import { listedProducts } from '@/lib/providers/registry';
import { renewHorizon } from '@/lib/connections/renewal';
import { mailSetup, notificationOverview } from '@/lib/notifications/admin';
import { userNotificationSettings } from '@/lib/notifications/preferences';
import { NotificationsPanel } from '@/components/admin/notifications-panel';
import { Notice } from '@/components/ui/notice';
import { PageHeader } from '@/components/ui/page-header';
import { databasePage } from '@/lib/pages/database-page';
import { adminPageMetadata } from './title';

export const dynamic = 'force-dynamic';

export const generateMetadata = adminPageMetadata('All connections');

async function AdminPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const admin = await requireAdmin(); // before any query: a non-admin is redirected and sees no data
  const search = await searchParams;
  const query = parseAdminQuery(search);
  // One clock for the page, its queries and the stored times (docs/architecture.md, Clocks).
  const now = renderTime();
  const data = await loadAdminDashboard(getDb(), query, new Date(now), renewHorizon(new Date(now), getConfig().renewWarningDays));
  const mail = await notificationOverview(getDb());
  const { adminDigest } = await userNotificationSettings(getDb(), admin.id);
  return (
    <div className="space-y-8">
      <PageHeader
        title="All connections"
        icon={ShieldCheck}
        description="Every user's connections, how their refreshes went this week, and what is broken right now."
      />
      <ConfigErrorBanner count={data.configurationErrors} href={adminHref(parseAdminQuery({}), { status: 'error' })} />
      <section aria-labelledby="overview-heading" className="space-y-3">
        <h2 id="overview-heading" className="sr-only">
          Overview
        </h2>
        <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
          <div className="min-w-0 lg:col-span-2">
            <RefreshActivity outcomes={data.outcomes} />
          </div>
          <FailureReasons codes={data.failureCodes} current={data.currentReasons} />
        </div>
      </section>
      <NotificationsPanel setup={mailSetup(getConfig())} counts={mail.counts} failed={mail.failed} digest={adminDigest} />
      <section aria-labelledby="list-heading" className="space-y-4">
        <h2 id="list-heading" className="text-xl font-semibold">
          Connections
        </h2>
        <StatusChips query={query} counts={data.counts} renewSoon={data.renewSoon} />
        <FilterForm query={query} products={listedProducts(getConfig().testProviders)} />
        {searchTooShort(search) && (
          <Notice tone="warn" role="status">
            Search needs at least {MIN_SEARCH} characters; showing every connection instead.
          </Notice>
        )}
        <p className="text-sm text-slate-600 dark:text-slate-400">
          {ADMIN_PAGE_SIZE} per page. Disconnected connections are hidden unless you choose them.
        </p>
        <ConnectionsTable rows={data.page.rows} now={now} />
        <Pagination query={query} page={data.page} />
      </section>
    </div>
  );
}

export default databasePage(AdminPage);
