import type { ReactNode } from 'react';
import type { Counters, GrantView } from '@/lib/providers/atlassian/simulator/client';
import type { ActiveFault } from '@/lib/simulator/faults';
import { Card } from '../ui/card';
import { providerName } from '@/lib/providers/registry';

/** One panel of the sandbox page: a Card whose title names its region. */
export function Panel({ id, title, description, children }: { id: string; title: string; description?: ReactNode; children: ReactNode }) {
  return (
    <Card id={id} title={title} description={description} aria-label={title}>
      <div className="space-y-4">{children}</div>
    </Card>
  );
}

const COUNTER_LABEL: Record<keyof Counters, string> = {
  token_calls: 'Token endpoint calls',
  authorization_code_grants: 'Code exchanges (connects)',
  refreshes: 'Refreshes',
  reuses_within_leeway: 'Reuses within the leeway',
  rejected_reuses: 'Rejected reuses',
  dead_token_responses: 'Dead-token answers',
  api_calls: 'API calls',
  api_unauthorized: 'API 401 answers',
};

export function CounterList({ counters }: { counters: Counters | null }) {
  if (!counters) return <p className="text-sm text-slate-600 dark:text-slate-400">Unavailable.</p>;
  return (
    <dl aria-label="Simulator counters" className="grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-2">
      {(Object.keys(COUNTER_LABEL) as (keyof Counters)[]).map((key) => (
        <div key={key} className="flex justify-between gap-2 border-b border-slate-200 py-1 dark:border-slate-800">
          <dt className="text-slate-600 dark:text-slate-400">{COUNTER_LABEL[key]}</dt>
          <dd className="font-medium tabular-nums">{counters[key] ?? 0}</dd>
        </div>
      ))}
    </dl>
  );
}

const WHERE: Record<string, string> = { token: 'Token endpoint', api: 'API', all: 'Token endpoint and API' };

export function describeFault(f: ActiveFault): string {
  const only = f.provider ? ` (${providerName(f.provider)} only)` : '';
  const where = `${WHERE[f.target] ?? f.target}${only}`;
  switch (f.kind) {
    case 'status':
      return `${where}: answers ${f.status}`;
    case 'timeout':
      return `${where}: never answers (timeout)`;
    case 'rate_limit':
      return `${where}: answers 429${f.retry_after_seconds === null ? ' without Retry-After' : `, Retry-After ${f.retry_after_seconds ?? 30} s`}`;
    case 'latency':
      return `${where}: ${f.ms} ms slower`;
    case 'drop_after_rotate':
      return `Token endpoint${only}: rotates, then drops the connection`;
    case 'invalid_client':
      return `Token endpoint${only}: rejects the app credentials (invalid_client)`;
  }
}

export function FaultList({ faults }: { faults: ActiveFault[] }) {
  if (faults.length === 0) return <p className="text-sm text-slate-600 dark:text-slate-400">None: Atlassian answers normally.</p>;
  return (
    <ul aria-label="Active failures" className="space-y-1 text-sm">
      {faults.map((f) => (
        <li key={f.id} className="flex flex-wrap justify-between gap-x-4 rounded-md bg-amber-50 px-3 py-1.5 text-amber-950 ring-1 ring-amber-600/20 dark:bg-amber-950 dark:text-amber-100">
          <span>{describeFault(f)}</span>
          <span className="text-amber-800 dark:text-amber-300">
            {f.remaining === null ? 'until cleared' : `${f.remaining} more request${f.remaining === 1 ? '' : 's'}`}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** Each shown simulator user with a summary of their grants (Atlassian grants or Bitbucket token families). */
export function GrantList({ label, emails, grants }: { label: string; emails: string[]; grants: GrantView[] }) {
  return (
    <ul aria-label={label} className="space-y-1 text-sm">
      {emails.map((email) => (
        <li key={email} className="flex flex-wrap justify-between gap-x-4">
          <span className="break-all">{email}</span>
          <span className="text-slate-600 dark:text-slate-400">
            <GrantSummary email={email} grants={grants} />
          </span>
        </li>
      ))}
    </ul>
  );
}

function GrantSummary({ email, grants }: { email: string; grants: GrantView[] }) {
  const mine = grants.filter((g) => g.user_email === email);
  const live = mine.filter((g) => !g.revoked).length;
  const dead = mine.length - live;
  if (mine.length === 0) return <>no grants yet</>;
  return (
    <>
      {live} live grant{live === 1 ? '' : 's'}
      {dead > 0 && `, ${dead} dead`}
    </>
  );
}
