import type { Metadata } from 'next';
import { LogIn } from 'lucide-react';
import { redirect } from 'next/navigation';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Notice } from '@/components/ui/notice';
import { PageHeader } from '@/components/ui/page-header';
import { currentUser } from '@/lib/auth/session';
import { issuerName, LEGACY_SIGN_IN_PRODUCT, productLabel, signInProduct } from '@/lib/providers/registry';
import { getConfig } from '@/lib/config';
import { getDb } from '@/lib/db';
import { safeRedirect, safeRedirectPath } from '@/lib/auth/redirect';
import { connectLinkPurpose, type ConnectLinkPurpose } from '@/lib/pages/connect-link';
import { startSignIn } from './actions';
import { databasePage } from '@/lib/pages/database-page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Sign in · Reconnect' };

const ERRORS: Record<string, string> = {
  rate_limited: 'Too many sign-in attempts from here. Wait a minute and try again.',
};


/** What a connect link is for, and why two screens follow: one to sign in, one to allow the product. */
function LinkPurpose({ link, signInIssuer }: { link: ConnectLinkPurpose; signInIssuer: string }) {
  const product = productLabel(link.product);
  return (
    <Notice tone="info" title={`This link ${link.reconnect ? 'reconnects' : 'connects'} ${product} for ${link.maskedEmail}`}>
      <p>Sign in as that person. Two screens follow, one after the other:</p>
      <ol className="list-decimal space-y-0.5 pl-5">
        <li>{signInIssuer} signs you in to Reconnect (it shares your name and email only);</li>
        <li>{issuerName(link.product)} asks you to allow Reconnect to use {product} for you.</li>
      </ol>
    </Notice>
  );
}

async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string; error?: string }> }) {
  const { next, error } = await searchParams;
  const config = getConfig();
  if (await currentUser()) redirect(safeRedirect(next, config.appUrl));
  const safeNext = safeRedirectPath(next, config.appUrl);
  const link = await connectLinkPurpose(getDb(), safeNext, config.appUrl);
  // The first configured provider that may sign people in does (Atlassian's 3LO app, else a Bitbucket consumer).
  const issuer = issuerName(signInProduct(config.products) ?? LEGACY_SIGN_IN_PRODUCT);
  const products = config.products.map(productLabel).join(', ').replace(/, ([^,]*)$/, ' and $1');
  const title = link ? `Sign in to ${link.reconnect ? 'reconnect' : 'connect'} ${productLabel(link.product)}` : 'Sign in';
  return (
    <div className="mx-auto max-w-md">
      <Card>
        <PageHeader
          icon={LogIn}
          title={title}
          description={`Reconnect keeps your ${products} connections alive. Sign in with your ${issuer} account to see them.`}
        />
        <div className="-mt-2 space-y-4">
          {link && <LinkPurpose link={link} signInIssuer={issuer} />}
          {error && (
            <Notice tone="bad" role="alert">
              <p>{ERRORS[error] ?? 'Sign-in did not complete. Please try again.'}</p>
            </Notice>
          )}
          <form action={startSignIn}>
            <input type="hidden" name="next" value={safeNext} />
            <Button type="submit" variant="primary" className="w-full py-2">
              Sign in with {issuer}
            </Button>
          </form>
          {config.mode === 'sandbox' && (
            <p className="text-sm text-slate-600 dark:text-slate-400">
              Sandbox: the simulator lets you pick a seeded user — admin@example.com (admin), alice@example.com or bob@example.com; uma@example.com has an unverified email and is refused.
            </p>
          )}
        </div>
      </Card>
    </div>
  );
}

export default databasePage(SignInPage);
