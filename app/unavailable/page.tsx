import type { Metadata } from 'next';
import { DatabaseZap } from 'lucide-react';
import { DeadEndView } from '@/components/dead-end';
import { returnPath } from '@/lib/pages/unavailable';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Temporarily unavailable · Reconnect', robots: { index: false } };

// Shown while the database is away (proxy.ts answers it with 503 and Retry-After). It reads nothing from the database.
export default async function UnavailablePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { from } = await searchParams;
  return (
    <DeadEndView
      tone="warn"
      icon={DatabaseZap}
      title="Temporarily unavailable"
      explanation="Reconnect cannot reach its database right now — it is probably restarting. Nothing you did was lost or changed, and your connections keep their access."
      nextStep="Try again in a few seconds."
      actions={[{ kind: 'link', label: 'Try again', href: returnPath(typeof from === 'string' ? from : undefined) }]}
    />
  );
}
