import { MailCheck, MailX } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { getDb } from '@/lib/db';
import { lookupUnsubscribe, type UnsubscribeTarget } from '@/lib/notifications/preferences';
import { UNSUBSCRIBE_NOT_VALID, unsubscribedSentence, unsubscribedTitle, unsubscribeQuestion } from '@/lib/pages/unsubscribe-page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Unsubscribe · Reconnect', robots: { index: false } };

interface Props {
  params: Promise<{ token: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

/** The question, with its two answers; the form posts to the link itself (app/api/notifications/unsubscribe). */
function Ask({ token, target }: { token: string; target: UnsubscribeTarget }) {
  return (
    <>
      <PageHeader icon={MailX} title="Unsubscribe" />
      <p className="-mt-3 text-slate-700 dark:text-slate-300">{unsubscribeQuestion(target)}</p>
      <form method="post" action={`/api/notifications/unsubscribe/${encodeURIComponent(token)}`} className="mt-5 flex flex-wrap items-center gap-2">
        <Button type="submit" name="scope" value="mail" variant="primary">
          Unsubscribe
        </Button>
        <Button type="submit" name="scope" value="all">
          Stop all Reconnect emails
        </Button>
      </form>
    </>
  );
}

function Done({ title, sentence }: { title: string; sentence: string }) {
  return (
    <>
      <PageHeader icon={MailCheck} title={title} />
      <p role="status" className="-mt-3 text-slate-700 dark:text-slate-300">
        {sentence} You can turn them on again on{' '}
        <Link href="/" className="text-blue-700 underline hover:no-underline focus-visible:outline-2 focus-visible:outline-blue-700 dark:text-blue-300">
          your connections page
        </Link>
        .
      </p>
    </>
  );
}

// Where a mail's unsubscribe link leads a person (no session needed): it asks first, then says what is off;
// opened again, it says so instead of asking again. An unknown link is a dead end.
export default async function UnsubscribePage({ params, searchParams }: Props) {
  const { token } = await params;
  const status = await lookupUnsubscribe(getDb(), token);
  if (!status) redirect(`/problem/${UNSUBSCRIBE_NOT_VALID}`);
  const justNow = (await searchParams).done !== undefined;
  return (
    <div className="mx-auto max-w-xl">
      <Card>
        {status.off ? (
          <Done title={unsubscribedTitle(justNow)} sentence={unsubscribedSentence(status, status.off)} />
        ) : (
          <Ask token={token} target={status} />
        )}
      </Card>
    </div>
  );
}
