import Link from 'next/link';
import { ErrorState } from '../ui/notice';
import { formatCount } from './format';

/** Operator problem (token rule 6, docs/architecture.md): a provider refused the app's credentials or request; users need not reconnect. */
export function ConfigErrorBanner({ count, href }: { count: number; href: string }) {
  if (count === 0) return null;
  const connections = `${formatCount(count)} connection${count === 1 ? '' : 's'}`;
  return (
    <ErrorState
      title="A provider rejected the app's client credentials — check ATLASSIAN_CLIENT_ID / ATLASSIAN_CLIENT_SECRET (Jira, Confluence) or BITBUCKET_CLIENT_ID / BITBUCKET_CLIENT_SECRET (Bitbucket)"
    >
      <p>
        {connections} cannot refresh until the configuration is fixed; their users do not need to reconnect.{' '}
        <Link href={href} className="font-semibold underline focus-visible:outline-2 focus-visible:outline-current">
          Show {count === 1 ? 'it' : 'them'}
        </Link>
      </p>
    </ErrorState>
  );
}
