const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A small self-contained HTML page for answers that come from route handlers (e.g. the OAuth callback). */
export function messagePage(title: string, message: string, status: number, link = { href: '/', label: 'Back to your connections' }): Response {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · Reconnect</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#0f172a}
@media (prefers-color-scheme:dark){body{background:#020617;color:#e2e8f0}a{color:#93c5fd}}
h1{font-size:1.4rem}p{line-height:1.5}a{color:#1d4ed8}</style></head>
<body><main><h1>${escape(title)}</h1><p role="alert">${escape(message)}</p><p><a href="${escape(link.href)}">${escape(link.label)}</a></p></main></body></html>`;
  return new Response(body, { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
}
