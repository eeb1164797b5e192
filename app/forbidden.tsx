import type { Metadata } from 'next';
import { ShieldX } from 'lucide-react';
import { DeadEndView } from '@/components/dead-end';
import { currentUserIfReachable } from '@/lib/auth/session';
import { ADMINS_ONLY, pageTitle } from '@/lib/pages/titles';

export const metadata: Metadata = { title: pageTitle(ADMINS_ONLY) };

// forbidden() (requireAdmin): HTTP 403, inside the app's layout, saying who is signed in.
export default async function Forbidden() {
  const user = await currentUserIfReachable();
  return (
    <DeadEndView
      icon={ShieldX}
      title={ADMINS_ONLY}
      explanation={
        <>
          This page is for admins of Reconnect. You are signed in as <strong className="break-all">{user?.email ?? 'nobody'}</strong>, which is not an admin account.
        </>
      }
      nextStep="Go back to your connections. If you should be an admin, ask one to add your email to ADMIN_EMAILS, or sign in with your admin account."
      actions={[
        { kind: 'link', label: 'Back to your connections', href: '/' },
        { kind: 'sign-out', label: 'Sign in as someone else' },
      ]}
    />
  );
}
