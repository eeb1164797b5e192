import { BookOpen, FlaskConical, LogOut, Plug, ShieldCheck } from 'lucide-react';
import { signOutAction } from '@/app/(dashboard)/actions';
import { currentUserIfReachable } from '@/lib/auth/session';
import { getConfig } from '@/lib/config';
import { Button } from './ui/button';
import { NavLink } from './ui/nav-link';

const ICON = 'size-4 shrink-0';
/** Below md (phones) the header keeps to one row: icons only, each still named by its (visually hidden) word. */
const WORD = 'sr-only md:not-sr-only';

/** The header's navigation for a signed-in user (current page marked) and the sign-out button. */
export async function UserMenu() {
  // While the database is away the page shows the unavailable page (lib/pages/database-page.ts): no menu then.
  const user = await currentUserIfReachable();
  if (!user) return null;
  const sandbox = getConfig().mode === 'sandbox';
  return (
    <div className="flex min-w-0 items-center justify-end gap-x-1 md:gap-x-2">
      <nav aria-label="Main" className="flex items-center gap-1">
        <NavLink href="/" exact also={['/connections']}>
          <Plug aria-hidden="true" className={ICON} />
          <span className={WORD}>Connections</span>
        </NavLink>
        {user.role === 'admin' && (
          <NavLink href="/admin">
            <ShieldCheck aria-hidden="true" className={ICON} />
            <span className={WORD}>Admin</span>
          </NavLink>
        )}
        <NavLink href="/docs/api">
          <BookOpen aria-hidden="true" className={ICON} />
          <span className={WORD}>API</span>
        </NavLink>
        {sandbox && (
          <NavLink href="/sandbox">
            <FlaskConical aria-hidden="true" className={ICON} />
            <span className={WORD}>Sandbox</span>
          </NavLink>
        )}
      </nav>
      <div className="flex min-w-0 items-center gap-2">
        {/* Wide screens show who is signed in; narrower ones say it on the sign-out button's tooltip. */}
        <span className="hidden max-w-[12rem] truncate text-sm text-slate-600 lg:inline dark:text-slate-400" title={user.email}>
          {user.email}
        </span>
        <form action={signOutAction}>
          <Button type="submit" variant="ghost" title={`Signed in as ${user.email}`} className="px-2 md:px-3">
            <LogOut aria-hidden="true" className={ICON} />
            <span className={WORD}>Sign out</span>
          </Button>
        </form>
      </div>
    </div>
  );
}
