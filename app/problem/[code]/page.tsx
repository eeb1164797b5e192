import type { Metadata } from 'next';
import { DeadEndView } from '@/components/dead-end';
import { currentUser, type SessionUser } from '@/lib/auth/session';
import { findActionableConnection } from '@/lib/connections/access';
import { getConnectionView } from '@/lib/connections/queries';
import { getDb } from '@/lib/db';
import { deadEnd, productParam, type DeadEndDetails, type NextAction } from '@/lib/pages/dead-ends';
import { databasePage } from '@/lib/pages/database-page';
import { deadEndMetadata } from './metadata';

export const dynamic = 'force-dynamic';

interface Props {
  params: Promise<{ code: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export async function generateMetadata({ params, searchParams }: Props): Promise<Metadata> {
  const { code } = await params;
  return deadEndMetadata(code, productParam((await searchParams).product));
}

/** The connection's own account, shown only to its owner. */
async function ownConnection(user: SessionUser | null, id: unknown): Promise<Pick<DeadEndDetails, 'connectionId' | 'accountEmail'>> {
  if (!user || typeof id !== 'string') return {};
  const conn = await findActionableConnection(getDb(), user, id);
  if (!conn || conn.user_id !== user.id) return {};
  const view = await getConnectionView(getDb(), conn.id);
  return { connectionId: conn.id, accountEmail: view?.account_email ?? undefined };
}

// Where route handlers send a flow or link that stopped short (lib/pages/dead-ends.ts); proxy.ts sets its status.
async function ProblemPage({ params, searchParams }: Props) {
  const { code } = await params;
  const query = await searchParams;
  const user = await currentUser();
  const page = deadEnd(code);
  const details: DeadEndDetails = {
    product: productParam(query.product),
    signedInAs: user?.email,
    ...(code === 'account-mismatch' ? await ownConnection(user, query.connection) : {}),
  };
  const action = page.action(details);
  const home: NextAction = { kind: 'link', label: 'Back to your connections', href: '/' };
  const actions = user && !(action.kind === 'link' && action.href === '/') ? [action, home] : [action];
  return (
    <DeadEndView
      tone={page.tone}
      title={page.title(details)}
      explanation={page.explanation(details)}
      nextStep={page.nextStep(details)}
      actions={actions}
    />
  );
}

export default databasePage(ProblemPage);
