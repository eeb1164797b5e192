import { KeyRound } from 'lucide-react';
import { ActionForm } from '@/components/action-form';
import { ApiKeyCreateForm } from '@/components/api-key-create-form';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Notice } from '@/components/ui/notice';
import { PageHeader } from '@/components/ui/page-header';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { listApiKeys } from '@/lib/api-keys';
import { requireAdmin } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { revokeApiKeyAction } from './actions';
import { databasePage } from '@/lib/pages/database-page';
import { adminPageMetadata } from '../title';

export const dynamic = 'force-dynamic';

export const generateMetadata = adminPageMetadata('API keys');

const day = (d: Date | null) => (d ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '—');

async function ApiKeysPage() {
  await requireAdmin();
  const keys = await listApiKeys(getDb());
  return (
    <div className="space-y-6">
      <PageHeader
        title="API keys"
        icon={KeyRound}
        description={
          <>
            Backend services call the service API with <code>Authorization: Bearer &lt;key&gt;</code>. A key is shown once, when it is
            created; only its hash is stored.
          </>
        }
      />
      {/* Keys have no scopes (docs/service-api.md): the admin must know what handing one out gives away. */}
      <Notice tone="warn" title="Every key has full access">
        <p>
          Any API key reads every connection’s access token, for every user, and can call the products’ APIs with it through the
          proxy. It also creates connect links, disconnects connections and manages webhook endpoints. Keys have no scopes.
        </p>
        <p>Give a key only to a service you trust with all of that, one key per service, and revoke it when the service stops.</p>
      </Notice>
      <Card title="Create a key">
        {/* Keyed by the revoked count: a revoke remounts the form, so a key shown once does not linger. */}
        <ApiKeyCreateForm key={keys.filter((k) => k.revoked_at).length} />
      </Card>
      {keys.length === 0 ? (
        <EmptyState icon={KeyRound} title="No API keys yet">
          Create one above for each service that calls Reconnect.
        </EmptyState>
      ) : (
        <Table caption="API keys">
          <THead>
            <tr>
              <Th>Name</Th>
              <Th>Key</Th>
              <Th>Created</Th>
              <Th>Last used</Th>
              <Th>Status</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </THead>
          <TBody>
            {keys.map((k) => (
              <Tr key={k.id}>
                <Td label="Name" className="font-medium">
                  {k.name}
                </Td>
                <Td label="Key" className="font-mono">
                  {k.prefix}…
                </Td>
                <Td label="Created">{day(k.created_at)}</Td>
                <Td label="Last used">{day(k.last_used_at)}</Td>
                <Td label="Status">
                  {k.revoked_at ? (
                    <span className="flex flex-wrap items-center gap-x-2">
                      <Badge tone="muted">Revoked</Badge>
                      <span className="text-xs text-slate-600 dark:text-slate-400">{day(k.revoked_at)}</span>
                    </span>
                  ) : (
                    <Badge tone="ok">Active</Badge>
                  )}
                </Td>
                <Td className="sm:text-right">
                  {!k.revoked_at && (
                    <ActionForm
                      action={revokeApiKeyAction}
                      fields={{ id: k.id }}
                      label={`Revoke ${k.name}`}
                      pendingLabel="Revoking…"
                      variant="danger"
                      confirm={{ title: `Revoke "${k.name}"?`, body: 'Services using this key stop working at once.', confirmLabel: 'Revoke key' }}
                    />
                  )}
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
    </div>
  );
}

export default databasePage(ApiKeysPage);
