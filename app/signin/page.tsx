import { redirect } from 'next/navigation';
import { currentUser } from '@/lib/auth/session';
import { productLabel } from '@/lib/atlassian/products';
import { getConfig } from '@/lib/config';
import { safeRedirect, safeRedirectPath } from '@/lib/flows/redirect';
import { startSignIn } from './actions';

export const dynamic = 'force-dynamic';

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string; error?: string }> }) {
  const { next, error } = await searchParams;
  const config = getConfig();
  if (await currentUser()) redirect(safeRedirect(next, config.appUrl));
  const sandbox = config.mode === 'sandbox';
  // Atlassian's 3LO app signs people in; a server with only a Bitbucket consumer signs them in with Bitbucket.
  const issuer = config.products.includes('jira') ? 'Atlassian' : 'Bitbucket';
  const products = config.products.map(productLabel).join(', ').replace(/, ([^,]*)$/, ' and $1');
  return (
    <section className="mx-auto max-w-md space-y-6 rounded-lg border border-slate-200 bg-white p-8 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <h1 className="text-2xl font-semibold">Sign in</h1>
      <p className="text-slate-700 dark:text-slate-300">
        Reconnect keeps your {products} connections alive. Sign in with your {issuer} account to see them.
      </p>
      {error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {error === 'rate_limited' ? 'Too many sign-in attempts from here. Wait a minute and try again.' : 'Sign-in did not complete. Please try again.'}
        </p>
      )}
      <form action={startSignIn}>
        <input type="hidden" name="next" value={safeRedirectPath(next, config.appUrl)} />
        <button type="submit" className="w-full rounded-md bg-blue-700 px-4 py-2 font-semibold text-white hover:bg-blue-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700">
          Sign in with {issuer}
        </button>
      </form>
      {sandbox && (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Sandbox: the simulator lets you pick a seeded user — admin@example.com (admin), alice@example.com or bob@example.com; uma@example.com has an unverified email and is refused.
        </p>
      )}
    </section>
  );
}
