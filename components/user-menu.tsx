import Link from 'next/link';
import { signOutAction } from '@/app/(dashboard)/actions';
import { currentUser } from '@/lib/auth/session';

export async function UserMenu() {
  const user = await currentUser();
  if (!user) return null;
  return (
    <nav aria-label="Account" className="flex items-center gap-4 text-sm">
      {user.role === 'admin' && (
        <Link href="/admin" className="hover:underline">
          Admin
        </Link>
      )}
      <span className="text-slate-600 dark:text-slate-400">{user.email}</span>
      <form action={signOutAction}>
        <button type="submit" className="rounded-md px-2 py-1 ring-1 ring-slate-300 hover:bg-slate-50 dark:ring-slate-600 dark:hover:bg-slate-800">
          Sign out
        </button>
      </form>
    </nav>
  );
}
