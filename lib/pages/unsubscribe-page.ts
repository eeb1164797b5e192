import type { UnsubscribeTarget } from '../notifications/preferences';

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#0f172a}
@media (prefers-color-scheme:dark){body{background:#020617;color:#e2e8f0}a{color:#93c5fd}}
h1{font-size:1.4rem}p{line-height:1.5}a{color:#1d4ed8}form{display:flex;flex-wrap:wrap;gap:.5rem}
button{font:inherit;font-weight:600;border-radius:.375rem;padding:.4rem .8rem;border:1px solid #cbd5e1;background:#fff;color:#0f172a;cursor:pointer}
button.primary{background:#1d4ed8;border-color:#1d4ed8;color:#fff}`;

/** The confirmation page of a mail's unsubscribe link (GET never unsubscribes: link scanners open links). */
export function unsubscribePage(action: string, target: UnsubscribeTarget | undefined, done?: 'mail' | 'all'): Response {
  let main: string;
  if (!target) {
    main = '<h1>Link not valid</h1><p role="alert">This unsubscribe link is not valid. You can turn emails off on your connections page.</p><p><a href="/">Your connections</a></p>';
  } else if (done) {
    const what = done === 'all' ? 'any notification email' : escape(target.what);
    main = `<h1>You are unsubscribed</h1><p role="status">${escape(target.email)} will not get ${what} from Reconnect any more. You can turn them on again on <a href="/">your connections page</a>.</p>`;
  } else {
    main = `<h1>Unsubscribe</h1><p>Stop sending ${escape(target.what)} to ${escape(target.email)}?</p>
<form method="post" action="${escape(action)}"><button class="primary" type="submit" name="scope" value="mail">Unsubscribe</button>
<button type="submit" name="scope" value="all">Stop all Reconnect emails</button></form>`;
  }
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Unsubscribe · Reconnect</title><style>${STYLE}</style></head><body><main>${main}</main></body></html>`;
  return new Response(body, { status: target ? 200 : 404, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
}
