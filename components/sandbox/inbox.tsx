import { ChevronRight, MailOpen } from 'lucide-react';
import type { InboxMail } from '@/lib/notifications/inbox';
import { EmptyState } from '../ui/empty-state';
import { Panel } from './sim-state';

// Links open in a new tab (the preview is a sandboxed frame without scripts).
const withNewTabLinks = (html: string) => (/<head[^>]*>/i.test(html) ? html.replace(/<head([^>]*)>/i, '<head$1><base target="_blank">') : `<base target="_blank">${html}`);

const FOCUS = 'focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400';

/**
 * The mail the sandbox's mail catcher received: what an owner would find in their mailbox. The newest mail is open;
 * older ones fold to a line (subject, recipient, time) and open on a click, so that the page stays short.
 */
export function Inbox({ mails, note }: { mails: InboxMail[]; note: string }) {
  return (
    <Panel id="inbox-heading" title="Inbox" description={note}>
      {mails.length === 0 ? (
        <EmptyState icon={MailOpen} title="No mail yet">
          Break a connection (Revoke app access, then Test connection) and its owner’s email shows up here within seconds.
        </EmptyState>
      ) : (
        <ul aria-label="Received mail" className="space-y-2">
          {mails.map((m, i) => (
            <li key={m.id}>
              <article aria-label={`Mail: ${m.subject}`} className="rounded-md border border-slate-200 dark:border-slate-700">
                <details open={i === 0} className="group">
                  <summary
                    className={`grid cursor-pointer list-none grid-cols-[auto_minmax(0,1fr)] items-start gap-x-2 gap-y-0.5 rounded-md p-3 hover:bg-slate-50 dark:hover:bg-slate-800/60 [&::-webkit-details-marker]:hidden ${FOCUS}`}
                  >
                    <ChevronRight aria-hidden="true" className="mt-1 size-4 transition-transform group-open:rotate-90" />
                    <h3 className="font-semibold break-words">{m.subject}</h3>
                    <span className="col-start-2 text-sm text-slate-600 dark:text-slate-400">
                      To <span className="break-all">{m.to}</span> ·{' '}
                      <time dateTime={m.receivedAt.toISOString()}>{m.receivedAt.toISOString().replace('T', ' ').slice(0, 19)} UTC</time>
                    </span>
                  </summary>
                  <div className="space-y-2 px-3 pb-3">
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
                        <summary className={`cursor-pointer rounded ${FOCUS}`}>Plain-text version</summary>
                        <pre className="mt-2 whitespace-pre-wrap break-words text-xs">{m.text}</pre>
                      </details>
                    )}
                  </div>
                </details>
              </article>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
