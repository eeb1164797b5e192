// The words of a mail's unsubscribe link, for the page a person sees (app/unsubscribe/[token]) and for the plain
// answer a program gets from a GET of the link itself. A GET never unsubscribes: link scanners open links.
import type { UnsubscribeStatus, UnsubscribeTarget } from '../notifications/preferences';

/** The dead end (/problem/{code}) of a link Reconnect does not know. */
export const UNSUBSCRIBE_NOT_VALID = 'unsubscribe-not-valid';

export const unsubscribeQuestion = (t: UnsubscribeTarget) => `Stop sending ${t.what} to ${t.email}?`;

/** What is off now; `scope` 'all' means every notification email of the recipient. */
export const unsubscribedSentence = (t: UnsubscribeTarget, scope: 'mail' | 'all') =>
  `${t.email} will not get ${scope === 'all' ? 'any notification email' : t.what} from Reconnect any more.`;

/** "You are unsubscribed" right after the click; opening the link again says it was already done. */
export const unsubscribedTitle = (justNow: boolean) => (justNow ? 'You are unsubscribed' : 'You are already unsubscribed');

/** The answer to a GET of the link by a program (no text/html in Accept): the same question, in plain text. */
export function unsubscribeText(status: UnsubscribeStatus | undefined): Response {
  const lines = !status
    ? ['This unsubscribe link is not valid.']
    : status.off
      ? [unsubscribedTitle(false), unsubscribedSentence(status, status.off)]
      : [unsubscribeQuestion(status), 'To unsubscribe, POST List-Unsubscribe=One-Click to this address (RFC 8058), or open it in a browser.'];
  return new Response(`${lines.join('\n')}\n`, {
    status: status ? 200 : 404,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  });
}
