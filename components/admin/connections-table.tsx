import { SearchX } from 'lucide-react';
import Link from 'next/link';
import { StatusBadge } from '@/components/status-badge';
import type { AdminConnectionRow } from '@/lib/admin/connections';
import { productLabel } from '@/lib/providers/registry';
import { providerFor } from '@/lib/providers';
import { plainReason } from '@/lib/connections/health';
import { EmptyState } from '../ui/empty-state';
import { Table, TBody, Td, Th, THead, Tr } from '../ui/table';
import { accessExpiry, ago } from './format';

function reasonOf(c: AdminConnectionRow): string | null {
  return plainReason(c.status, c.status === 'degraded' ? (c.reason ?? c.last_error_code) : c.reason, true, providerFor(c.product));
}

function Row({ c, now }: { c: AdminConnectionRow; now: number }) {
  const reason = reasonOf(c);
  return (
    <Tr>
      <Td label="Connection">
        <div className="min-w-0">
          <Link href={`/connections/${c.id}`} className="font-semibold text-blue-700 hover:underline focus-visible:outline-2 focus-visible:outline-blue-700 dark:text-blue-300">
            {productLabel(c.product)}
            <span className="sr-only"> connection of {c.user_email}</span>
          </Link>
          <div className="break-words text-slate-700 dark:text-slate-300">{c.sites.map((s) => s.name).join(', ') || 'no sites'}</div>
          <div className="break-words text-xs text-slate-600 dark:text-slate-400">
            {providerFor(c.product).issuerName} account: {c.account_email || c.account_name || 'unknown'}
          </div>
        </div>
      </Td>
      <Td label="Owner" className="break-all sm:break-words">
        {c.user_email}
      </Td>
      <Td label="Status" className="sm:max-w-xs">
        <div className="min-w-0">
          <StatusBadge status={c.status} />
          {reason && <p className="mt-1 text-slate-700 dark:text-slate-300">{reason}</p>}
        </div>
      </Td>
      <Td label="Last refreshed" className="sm:whitespace-nowrap">
        {ago(c.last_refreshed_at, now)}
      </Td>
      <Td label="Access expires" className="sm:whitespace-nowrap">
        {accessExpiry(c.access_expires_at, now)}
      </Td>
      <Td label="Failures" className="tabular-nums sm:text-right">
        {c.consecutive_failures}
      </Td>
    </Tr>
  );
}

export function ConnectionsTable({ rows, now }: { rows: AdminConnectionRow[]; now: number }) {
  if (rows.length === 0) {
    return <EmptyState icon={SearchX} title="No connections match these filters." />;
  }
  return (
    <Table caption="Connections of every user">
      <THead>
        <tr>
          <Th>Connection</Th>
          <Th>Owner</Th>
          <Th>Status</Th>
          <Th>Last refreshed</Th>
          <Th>Access expires</Th>
          <Th className="text-right">Failures</Th>
        </tr>
      </THead>
      <TBody>
        {rows.map((c) => (
          <Row key={c.id} c={c} now={now} />
        ))}
      </TBody>
    </Table>
  );
}
