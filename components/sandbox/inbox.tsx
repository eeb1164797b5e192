import { MailOpen } from 'lucide-react';
import type { InboxMail } from '@/lib/notifications/inbox';
import { EmptyState } from '../ui/empty-state';
import { Panel } from './sim-state';

// Links open in a new tab (the preview is a sandboxed frame without scripts).
const withNewTabLinks = (html: string) => (/<head[^>]*>/i.test(html) ? html.replace(/<head([^>]*)>/i, '<head$1><base target="_blank">') : `<base target="_blank">${html}`);

/** The mail the sandbox's mail catcher received: what an owner would find in their mailbox. */
export function Inbox({ mails, note }: { mails: InboxMail[]; note: string }) {
  return (
    <Panel id="inbox-heading" title="Inbox" description={note}>
      {mails.length === 0 ? (
        <EmptyState icon={MailOpen} title="No mail yet">
          Break a connection (Revoke app access, then Test connection) and its owner’s email shows up here within seconds.
        </EmptyState>
      ) : (
        <ul aria-label="Received mail" className="space-y-4">
          {mails.map((m) => (
            <li key={m.id}>
              <article aria-label={`Mail: ${m.subject}`} className="space-y-2 rounded-md border border-slate-200 p-3 dark:border-slate-700">
                <h3 className="font-semibold">{m.subject}</h3>
                <p className="text-sm text-slate-600 dark:text-slate-400">
                  To <span className="break-all">{m.to}</span> ·{' '}
                  <time dateTime={m.receivedAt.toISOString()}>{m.receivedAt.toISOString().replace('T', ' ').slice(0, 19)} UTC</time>
                </p>
                {m.html && (
                  <iframe
                    title={`Mail body: ${m.subject}`}
                    srcDoc={withNewTabLinks(m.html)}
                    sandbox="allow-popups allow-popups-to-escape-sandbox"
                    className="h-[34rem] w-full rounded border border-slate-200 bg-white dark:border-slate-700"
                  />
                )}
                {m.text && (
                  <details className="text-sm">
                    <summary className="cursor-pointer rounded focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400">Plain-text version</summary>
                    <pre className="mt-2 whitespace-pre-wrap break-words text-xs">{m.text}</pre>
                  </details>
                )}
              </article>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
