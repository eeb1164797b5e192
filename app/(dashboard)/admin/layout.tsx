import type { ReactNode } from 'react';
import { NavLink } from '@/components/ui/nav-link';
import { currentUser } from '@/lib/auth/session';
import { databasePage } from '@/lib/pages/database-page';

const TABS = [
  { href: '/admin', label: 'Overview', exact: true },
  { href: '/admin/webhooks', label: 'Webhooks' },
  { href: '/admin/api-keys', label: 'API keys' },
  { href: '/admin/sessions', label: 'Sessions' },
];

/** The admin area's tabs; each page still checks the role itself before loading anything. */
async function AdminLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  return (
    <div className="space-y-6">
      {user?.role === 'admin' && (
        <nav aria-label="Admin" className="-mt-2 flex flex-wrap gap-1 border-b border-slate-200 pb-2 dark:border-slate-800">
          {TABS.map((t) => (
            <NavLink key={t.href} href={t.href} exact={t.exact}>
              {t.label}
            </NavLink>
          ))}
        </nav>
      )}
      {children}
    </div>
  );
}

export default databasePage(AdminLayout);
