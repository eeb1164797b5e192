import Link from 'next/link';
import { formatCount } from './format';

/** Operator problem (SPEC §4.6): a provider refused the app's credentials or request; users need not reconnect. */
export function ConfigErrorBanner({ count, href }: { count: number; href: string }) {
  if (count === 0) return null;
  const connections = `${formatCount(count)} connection${count === 1 ? '' : 's'}`;
  return (
    <div role="alert" className="rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
      <p className="font-semibold">
        {"A provider rejected the app's client credentials — check ATLASSIAN_CLIENT_ID / ATLASSIAN_CLIENT_SECRET (Jira, Confluence) or BITBUCKET_CLIENT_ID / BITBUCKET_CLIENT_SECRET (Bitbucket)"}
      </p>
      <p className="mt-1">
        {connections} cannot refresh until the configuration is fixed; their users do not need to reconnect.{' '}
        <Link href={href} className="font-medium underline">
          Show {count === 1 ? 'it' : 'them'}
        </Link>
      </p>
    </div>
  );
}
