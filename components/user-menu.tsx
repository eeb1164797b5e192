import Link from 'next/link';
import { signOutAction } from '@/app/(dashboard)/actions';
import { currentUser } from '@/lib/auth/session';
import { getConfig } from '@/lib/config';

export async function UserMenu() {
  const user = await currentUser();
  if (!user) return null;
  const sandbox = getConfig().mode === 'sandbox';
  return (
    <nav aria-label="Account" className="flex min-w-0 flex-wrap items-center justify-end gap-x-4 gap-y-1 text-sm">
      {user.role === 'admin' && (
        <Link href="/admin" className="hover:underline">
          Admin
        </Link>
      )}
      <Link href="/docs/api" className="hover:underline">
        API
      </Link>
      {sandbox && (
        <Link href="/sandbox" className="hover:underline">
          Sandbox
        </Link>
      )}
      <span className="max-w-[12rem] truncate text-slate-600 dark:text-slate-400" title={user.email}>
        {user.email}
      </span>
      <form action={signOutAction}>
        <button type="submit" className="rounded-md px-2 py-1 ring-1 ring-slate-300 hover:bg-slate-50 dark:ring-slate-600 dark:hover:bg-slate-800">
          Sign out
        </button>
      </form>
    </nav>
  );
}
