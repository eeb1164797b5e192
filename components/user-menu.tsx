import { BookOpen, FlaskConical, LogOut, Plug, ShieldCheck } from 'lucide-react';
import { signOutAction } from '@/app/(dashboard)/actions';
import { currentUserIfReachable } from '@/lib/auth/session';
import { getConfig } from '@/lib/config';
import { Button } from './ui/button';
import { NavLink } from './ui/nav-link';

const ICON = 'size-4 shrink-0';

/** The header's navigation for a signed-in user (current page marked) and the sign-out button. */
export async function UserMenu() {
  // While the database is away the page shows the unavailable page (lib/pages/database-page.ts): no menu then.
  const user = await currentUserIfReachable();
  if (!user) return null;
  const sandbox = getConfig().mode === 'sandbox';
  return (
    <div className="flex min-w-0 flex-wrap items-center justify-end gap-x-2 gap-y-1">
      <nav aria-label="Main" className="flex flex-wrap items-center gap-1">
        <NavLink href="/" exact also={['/connections']}>
          <Plug aria-hidden="true" className={ICON} />
          Connections
        </NavLink>
        {user.role === 'admin' && (
          <NavLink href="/admin">
            <ShieldCheck aria-hidden="true" className={ICON} />
            Admin
          </NavLink>
        )}
        <NavLink href="/docs/api">
          <BookOpen aria-hidden="true" className={ICON} />
          API
        </NavLink>
        {sandbox && (
          <NavLink href="/sandbox">
            <FlaskConical aria-hidden="true" className={ICON} />
            Sandbox
          </NavLink>
        )}
      </nav>
      <div className="flex min-w-0 items-center gap-2">
        <span className="max-w-[12rem] truncate text-sm text-slate-600 dark:text-slate-400" title={user.email}>
          {user.email}
        </span>
        <form action={signOutAction}>
          <Button type="submit" variant="ghost">
            <LogOut aria-hidden="true" className={ICON} />
            Sign out
          </Button>
        </form>
      </div>
    </div>
  );
}

