import type { Metadata } from 'next';
import Link from 'next/link';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { SandboxBanner } from '@/components/sandbox-banner';
import { ProductMark } from '@/components/ui/product-mark';
import { Toaster } from '@/components/ui/toast';
import { UserMenu } from '@/components/user-menu';
import { getConfig } from '@/lib/config';
import './globals.css';

export const metadata: Metadata = {
  title: 'Reconnect',
  description: 'Keeps Atlassian connections alive and shows their health.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page renders per request: its scripts must carry that request's CSP nonce (proxy.ts).
  await connection();
  const { mode } = getConfig();
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-sm focus:shadow dark:focus:bg-slate-900">
          Skip to content
        </a>
        <Toaster>
          {mode === 'sandbox' && <SandboxBanner />}
          <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
            {/* One row at every width: below md the menu shows icons only (components/user-menu.tsx). */}
            <div className="mx-auto flex max-w-6xl items-center justify-between gap-3 px-4 py-3">
              <Link href="/" className="flex shrink-0 items-center gap-2 rounded text-lg font-semibold tracking-tight focus-visible:outline-2 focus-visible:outline-blue-700">
                <ProductMark />
                Reconnect
              </Link>
              <UserMenu />
            </div>
          </header>
          <main id="main" className="mx-auto max-w-6xl px-4 py-6 sm:py-8">
            {children}
          </main>
        </Toaster>
      </body>
    </html>
  );
}
