import { FlaskConical } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AutoRefresh } from '@/components/auto-refresh';
import { BitbucketEventsForm } from '@/components/sandbox/bitbucket-forms';
import { ClearFaultsForm, ClockForms, FaultForm, UserEventsForm } from '@/components/sandbox/forms';
import { CounterList, FaultList, GrantList, Panel } from '@/components/sandbox/sim-state';
import { Inbox } from '@/components/sandbox/inbox';
import { Card } from '@/components/ui/card';
import { ErrorState } from '@/components/ui/notice';
import { PageHeader } from '@/components/ui/page-header';
import { requireUser } from '@/lib/auth/session';
import { getConfig } from '@/lib/config';
import { getDb } from '@/lib/db';
import { mailSetup } from '@/lib/notifications/admin';
import { listInbox } from '@/lib/notifications/inbox';
import { isSandbox, readSnapshot, simulatorUrl } from './simulator';
import { BUILT_IN_PROVIDER_IDS, providerName } from '@/lib/providers/registry';
import { databasePage } from '@/lib/pages/database-page';
import { pageTitle } from '@/lib/pages/titles';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: pageTitle('Sandbox control panel') };

function clockText(clock: { now: string; offset_seconds: number } | null): string {
  if (!clock) return 'unknown';
  const days = Math.round(clock.offset_seconds / 86_400);
  const now = `${clock.now.slice(0, 16).replace('T', ' ')} UTC`;
  if (days === 0) return `${now}, in step with real time`;
  return `${now}, ${days} day${days === 1 ? '' : 's'} ahead of real time`;
}

async function SandboxPage() {
  if (!isSandbox()) notFound();
  const user = await requireUser('/sandbox');
  const sim = await readSnapshot();
  // Users see the mail sent to them, admins every mail.
  const mails = await listInbox(getDb(), user.role === 'admin' ? null : user.email);
  const setup = mailSetup(getConfig());
  // A user drives the simulator for their own account (and sees only their own grants); an admin for everyone.
  const users = user.role === 'admin' ? sim.users : sim.users.filter((u) => u.email === user.email);
  const options = users.map((u) => ({ email: u.email, label: `${u.name} (${u.email})` }));
  const emails = users.map((u) => u.email); // a user sees their own grants only, an admin everyone's
  const defaultEmail = options.find((o) => o.email === user.email)?.email ?? options[0]?.email ?? '';
  return (
    <div className="space-y-8">
      <PageHeader
        title="Sandbox control panel"
        icon={FlaskConical}
        actions={<AutoRefresh />}
        description="These controls drive the bundled Atlassian simulator, never real Atlassian. Reconnect learns about what you do here the way it would in production: from refresh errors and API answers, since Atlassian sends no notice."
      />

      {!sim.reachable && (
        <ErrorState title={`The simulator did not answer at ${simulatorUrl()}.`}>
          <p>
            Restart the app with <code>npm start</code>, or run <code>npm run simulator</code>.
          </p>
        </ErrorState>
      )}

      <Card title="See the whole lifecycle in two minutes" aria-label="See the whole lifecycle in two minutes">
        <div className="space-y-3">
          <ol className="list-decimal space-y-2 pl-5 text-sm text-slate-800 dark:text-slate-200">
            <li>
              On{' '}
              <Link
                href="/"
                className="font-medium text-blue-700 underline focus-visible:outline-2 focus-visible:outline-blue-700 dark:text-blue-300"
              >
                My connections
              </Link>
              , press <strong>Connect Jira</strong>, then <strong>Accept</strong> on the simulator’s consent screen. The card says{' '}
              <strong>Healthy</strong>.
            </li>
            <li>
              Here, under <em>Atlassian user events</em>, keep your user selected and press <strong>Revoke app access</strong> — as if you
              removed the app from your Atlassian account. Atlassian tells nobody.
            </li>
            <li>
              Back on My connections, press <strong>Test connection</strong>. Atlassian refuses the token and the refresh, and the card
              turns <strong>Needs reconnect</strong> with the reason. (Left alone, the background worker finds out at its next refresh.)
              Within seconds its owner’s email arrives in the <strong>Inbox</strong> below, with its own Reconnect button.
            </li>
            <li>
              Press <strong>Reconnect Jira</strong> and <strong>Accept</strong>: the same connection is <strong>Healthy</strong> again, with
              its whole story on its timeline.
            </li>
          </ol>
          <p className="text-sm text-slate-700 dark:text-slate-300">
            More to try: <strong>Inject 500 errors</strong>, advance the clock by 1 day so that access tokens expire, then Test connection
            shows <strong>Retrying</strong>; clear the failures and the next automatic retry (about 30 seconds later) makes it Healthy
            again. <strong>Advance 91 days</strong> then Test connection: Atlassian expired the unused grant (for real, Reconnect’s
            keep-alive refreshes idle connections long before day 90). <strong>Change scopes</strong>: the API answers 401 “scope does not
            match” and the grant is gone. <strong>Inject invalid_client</strong>: a <strong>Configuration error</strong> for the admin, not
            the user.
          </p>
          <p className="text-sm text-slate-700 dark:text-slate-300">
            Bitbucket works the same way: <strong>Connect Bitbucket</strong> and <strong>Grant access</strong>, then under{' '}
            <em>Bitbucket events</em> press <strong>Revoke Bitbucket access</strong> (or <strong>Change consumer permissions</strong>, which
            kills every Bitbucket connection at once); Test connection shows <strong>Needs reconnect</strong>, and{' '}
            <strong>Reconnect Bitbucket</strong> brings the same connection back with a new token family.
          </p>
        </div>
      </Card>

      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <Panel
          id="users-heading"
          title="Atlassian user events"
          description="What a person can do in Atlassian that silently kills this app’s grants."
        >
          <UserEventsForm users={options} defaultEmail={defaultEmail} />
          <GrantList label="Simulator users" emails={emails} grants={sim.grants} />
        </Panel>

        <Panel
          id="bitbucket-heading"
          title="Bitbucket events"
          description="Bitbucket Cloud runs on its own OAuth consumer: a user can revoke it, and editing its permissions revokes every token it issued."
        >
          <BitbucketEventsForm users={options} defaultEmail={defaultEmail} />
          <GrantList label="Bitbucket token families" emails={emails} grants={sim.bitbucketGrants} />
        </Panel>

        <Panel
          id="clock-heading"
          title="Simulator clock"
          description="Atlassian expires a refresh token after 90 days without use, Bitbucket an unused one after 3 months. Atlassian also ends every token family 365 days after its consent, however often it is refreshed: 340 days (with keep-alive) shows the renewal window, 366 days its end."
        >
          <p className="text-sm">
            Simulator time: <span className="font-medium tabular-nums">{clockText(sim.clock)}</span>
          </p>
          <ClockForms />
        </Panel>

        <Panel
          id="faults-heading"
          title="Provider failures"
          description="Transient failures make a connection Retrying, never dead; invalid_client is an operator error. For an API 401 “scope does not match”, use Change scopes."
        >
          <FaultForm providers={BUILT_IN_PROVIDER_IDS.map((id) => ({ id, name: providerName(id) }))} />
          <h3 className="text-sm font-semibold">Active failures</h3>
          <FaultList faults={sim.faults} />
          <ClearFaultsForm active={sim.faults.length} />
        </Panel>

        <div className="lg:col-span-2">
          <Inbox
            mails={mails}
            note={`${user.role === 'admin' ? 'Every mail' : 'The mail sent to you'} that the local mail catcher received. ${setup.text}`}
          />
        </div>

        <Panel id="counters-heading" title="Simulator counters" description="Requests the simulator has answered since it started.">
          <h3 className="text-sm font-semibold">Atlassian</h3>
          <CounterList counters={sim.counters} />
          <h3 className="text-sm font-semibold">Bitbucket</h3>
          <CounterList counters={sim.bitbucketCounters} />
        </Panel>
      </div>
    </div>
  );
}

export default databasePage(SandboxPage);
