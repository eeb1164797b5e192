import type { Metadata } from 'next';
import { SearchX } from 'lucide-react';
import { DeadEndView } from '@/components/dead-end';
import { currentUserIfReachable } from '@/lib/auth/session';
import { pageTitle } from '@/lib/pages/titles';

const TITLE = 'Page not found';

export const metadata: Metadata = { title: pageTitle(TITLE) };

// Unknown URLs and ids (notFound()): Next answers 404 and renders this inside the app's layout.
export default async function NotFound() {
  const user = await currentUserIfReachable();
  return (
    <DeadEndView
      icon={SearchX}
      title={TITLE}
      explanation="There is nothing at this address: the page or connection does not exist, was disconnected, or is not yours."
      nextStep={user ? 'Go back to your connections.' : 'Sign in to see your connections.'}
      actions={[user ? { kind: 'link', label: 'Back to your connections', href: '/' } : { kind: 'link', label: 'Sign in', href: '/signin' }]}
    />
  );
}
