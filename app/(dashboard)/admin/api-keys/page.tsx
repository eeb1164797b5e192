import { ActionForm } from '@/components/action-form';
import { ApiKeyCreateForm } from '@/components/api-key-create-form';
import { listApiKeys } from '@/lib/api-keys';
import { requireAdmin } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { revokeApiKeyAction } from './actions';

export const dynamic = 'force-dynamic';

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : '—');

export default async function ApiKeysPage() {
  await requireAdmin();
  const keys = await listApiKeys(getDb());
  return (
    <section aria-labelledby="keys-heading" className="space-y-6">
      <h1 id="keys-heading" className="text-2xl font-semibold">
        API keys
      </h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Backend services call the service API with <code>Authorization: Bearer &lt;key&gt;</code>. A key is shown once, when it is
        created; only its hash is stored.
      </p>
      {/* Keyed by the revoked count: a revoke remounts the form, so a key shown once does not linger. */}
      <ApiKeyCreateForm key={keys.filter((k) => k.revoked_at).length} />
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm">
          <thead>
            <tr className="border-b border-slate-200 dark:border-slate-700">
              <th className="py-2 pr-4">Name</th>
              <th className="py-2 pr-4">Key</th>
              <th className="py-2 pr-4">Created</th>
              <th className="py-2 pr-4">Last used</th>
              <th className="py-2 pr-4">Status</th>
              <th className="py-2">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id} className="border-b border-slate-100 align-top dark:border-slate-800">
                <td className="py-2 pr-4 font-medium">{k.name}</td>
                <td className="py-2 pr-4 font-mono">{k.prefix}…</td>
                <td className="py-2 pr-4">{day(k.created_at)}</td>
                <td className="py-2 pr-4">{day(k.last_used_at)}</td>
                <td className="py-2 pr-4">{k.revoked_at ? `Revoked ${day(k.revoked_at)}` : 'Active'}</td>
                <td className="py-2">
                  {!k.revoked_at && (
                    <ActionForm action={revokeApiKeyAction} fields={{ id: k.id }} label={`Revoke ${k.name}`} pendingLabel="Revoking…" variant="danger" confirm={{ title: `Revoke "${k.name}"?`, body: 'Services using this key stop working at once.', confirmLabel: 'Revoke key' }} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {keys.length === 0 && <p className="py-4 text-sm text-slate-600 dark:text-slate-400">No API keys yet.</p>}
      </div>
    </section>
  );
}
