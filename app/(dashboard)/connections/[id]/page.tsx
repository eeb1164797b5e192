import { ArrowLeft, History, Plug } from 'lucide-react';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { AutoRefresh } from '@/components/auto-refresh';
import { ConnectionCard } from '@/components/connection-card';
import { TimelineFilters } from '@/components/timeline/timeline-filters';
import { TimelineList } from '@/components/timeline/timeline-list';
import { Card } from '@/components/ui/card';
import { renderTime } from '@/components/time';
import { EmptyState } from '@/components/ui/empty-state';
import { Notice } from '@/components/ui/notice';
import { PageHeader } from '@/components/ui/page-header';
import { LinkButton } from '@/components/ui/button';
import { productLabel } from '@/lib/providers/registry';
import { currentUser, requireUser, type SessionUser } from '@/lib/auth/session';
import { getConfig } from '@/lib/config';
import { getConnectionView } from '@/lib/connections/queries';
import { filterTypes, foldEvents, parseTimelineFilter, TIMELINE_FILTERS } from '@/lib/connections/timeline';
import { listTimelineEvents } from '@/lib/connections/timeline-events';
import { getDb } from '@/lib/db';
import { isUuid } from '@/lib/ids';
import { queryId } from '@/lib/input';
import { connectionNotificationSwitches, userNotificationSettings } from '@/lib/notifications/preferences';
import { providerFor } from '@/lib/providers';
import { databasePage } from '@/lib/pages/database-page';
import { pageTitle } from '@/lib/pages/titles';

export const dynamic = 'force-dynamic';

const PAGE = 50;

type Search = { before?: string; kind?: string };
type Params = Promise<{ id: string }>;

/** The connection the viewer may see (its owner, or an admin); undefined for anyone else. */
async function visibleConnection(user: SessionUser, id: string) {
  const conn = isUuid(id) ? await getConnectionView(getDb(), id) : undefined;
  return conn && (conn.user_id === user.id || user.role === 'admin') ? conn : undefined;
}

// "Jira connection (alice@example.com) · Reconnect": the product and the account, so that two tabs tell apart.
// A connection the viewer may not see is "Page not found" (notFound() here makes Next use app/not-found.tsx's title).
export const generateMetadata = databasePage(async ({ params }: { params: Params }): Promise<Metadata> => {
  const { id } = await params;
  const user = await currentUser();
  if (!user) return { title: pageTitle('Connection') }; // the page sends them to sign in
  const conn = await visibleConnection(user, id);
  if (!conn) notFound();
  const who = conn.account_email ?? conn.sites.map((s) => s.name).join(', ');
  return { title: pageTitle(`${productLabel(conn.product)} connection${who ? ` (${who})` : ''}`) };
});

async function ConnectionPage({ params, searchParams }: { params: Params; searchParams: Promise<Search> }) {
  const { id } = await params;
  const user = await requireUser(`/connections/${id}`);
  const db = getDb();
  const conn = await visibleConnection(user, id);
  if (!conn) notFound();
  const search = await searchParams;
  const before = Number(queryId(search.before)) || undefined;
  const requested = typeof search.kind === 'string' ? search.kind : undefined;
  const filter = parseTimelineFilter(requested) ?? 'all';
  const page = await listTimelineEvents(db, id, { before, types: filterTypes(filter), limit: PAGE });
  const rows = foldEvents(page.events, providerFor(conn.product)); // the card's words
  const now = renderTime(); // the one clock of every page (docs/architecture.md, Clocks)
  // The owner's switch for this connection, unless every email of theirs is off (My connections turns them on again).
  const owner = conn.user_id === user.id;
  const emails = owner && (await userNotificationSettings(db, user.id)).notificationsEnabled ? (await connectionNotificationSwitches(db, [id])).get(id) : undefined;
  const label = productLabel(conn.product);
  const basePath = `/connections/${id}`;
  const kindQuery = filter === 'all' ? '' : `kind=${filter}&`;
  const filterLabel = TIMELINE_FILTERS.find((f) => f.id === filter)!.label;
  return (
    <div className="space-y-6">
      <PageHeader
        icon={Plug}
        title={`${label} connection`}
        description={`${conn.sites.map((s) => s.name).join(', ') || 'No sites'} — its health, and everything that happened to it.`}
        actions={
          <>
            <AutoRefresh />
            <LinkButton href="/" variant="ghost">
              <ArrowLeft aria-hidden="true" className="size-4" /> My connections
            </LinkButton>
          </>
        }
      />
      {conn.status === 'disconnected' ? (
        <Notice tone="info" title="This connection was disconnected.">
          <p>Its tokens are deleted; its history is kept below.</p>
        </Notice>
      ) : (
        <ul>
          <ConnectionCard c={conn} now={now} keepaliveDays={getConfig().keepaliveIdleDays} renewWarningDays={getConfig().renewWarningDays} emails={emails} />
        </ul>
      )}
      <Card title="Timeline" description="Newest first. Repeated events are folded into one row with a count. Times in UTC.">
        <TimelineFilters basePath={basePath} current={filter} />
        {requested !== undefined && parseTimelineFilter(requested) === undefined && (
          <div className="mb-3">
            <Notice tone="warn">
              <p>There is no filter of that name; showing all events.</p>
            </Notice>
          </div>
        )}
        {rows.length === 0 ? (
          <EmptyState icon={History} title={before ? 'No older events.' : filter === 'all' ? 'No events yet.' : `No events of the kind “${filterLabel}”.`}>
            {filter !== 'all' && <p>Choose “All” to see every event.</p>}
          </EmptyState>
        ) : (
          <TimelineList rows={rows} />
        )}
        {(page.nextBefore || before) && (
          <nav aria-label="Timeline pages" className="mt-3 flex flex-wrap gap-2">
            {before && (
              <LinkButton href={filter === 'all' ? basePath : `${basePath}?kind=${filter}`} variant="secondary">
                Newest events
              </LinkButton>
            )}
            {page.nextBefore && (
              <LinkButton href={`${basePath}?${kindQuery}before=${page.nextBefore}`} variant="secondary">
                Older events →
              </LinkButton>
            )}
          </nav>
        )}
      </Card>
    </div>
  );
}

export default databasePage(ConnectionPage);
