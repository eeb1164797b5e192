import type { Metadata } from 'next';
import { LogOut } from 'lucide-react';
import { DeadEndView } from '@/components/dead-end';
import { currentUser } from '@/lib/auth/session';
import { databasePage } from '@/lib/pages/database-page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Signed out · Reconnect' };

// Where "Sign out" lands (and next-auth's own sign-out page, pages.signOut). Reached while still signed in
// (e.g. GET /api/auth/signout, which must not sign out by itself), it offers the sign-out button instead.
async function SignedOutPage() {
  const user = await currentUser();
  if (user) {
    return (
      <DeadEndView
        tone="info"
        icon={LogOut}
        title="Sign out?"
        explanation={`You are still signed in as ${user.email}.`}
        nextStep="Sign out to end your session on this server, or go back to your connections."
        actions={[
          { kind: 'sign-out', label: 'Sign out' },
          { kind: 'link', label: 'Back to your connections', href: '/' },
        ]}
      />
    );
  }
  return (
    <DeadEndView
      tone="info"
      icon={LogOut}
      title="You are signed out"
      explanation="Your session has ended on the server: this browser, and any copy of its cookie, no longer has access."
      nextStep="Sign in again when you want to see your connections."
      actions={[{ kind: 'link', label: 'Sign in again', href: '/signin' }]}
    />
  );
}

export default databasePage(SignedOutPage);
