import { listConnections } from '@/lib/connections/queries';

export const dynamic = 'force-dynamic';

export default async function HomePage() {
  const connections = await listConnections();
  return (
    <section aria-labelledby="connections-heading" className="space-y-4">
      <h1 id="connections-heading" className="text-2xl font-semibold">
        Connections
      </h1>
      {connections.length === 0 ? (
        <p className="text-slate-600 dark:text-slate-400">No connections yet.</p>
      ) : (
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900">
          {connections.map((c) => (
            <li key={c.id} className="flex flex-wrap items-center justify-between gap-2 px-4 py-3">
              <span className="font-medium capitalize">{c.product}</span>
              <span className="text-sm text-slate-600 dark:text-slate-400">
                {c.sites.map((s) => s.name).join(', ') || 'no sites'} · {c.userEmail}
              </span>
              <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs dark:bg-slate-800">{c.status}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
