// One-click unsubscribe (RFC 8058): mail clients POST `List-Unsubscribe=One-Click` here, with no session.
// A person opening the link is sent on to its confirmation page (/unsubscribe/{token}), whose form posts here
// too; a program that GETs it gets the same question in plain text. A GET changes nothing.
import { getDb } from '@/lib/db';
import { lookupUnsubscribe, unsubscribe } from '@/lib/notifications/preferences';
import { UNSUBSCRIBE_NOT_VALID, unsubscribeText } from '@/lib/pages/unsubscribe-page';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ token: string }> };

function redirectTo(location: string): Response {
  return new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } });
}

const pagePath = (token: string) => `/unsubscribe/${encodeURIComponent(token)}`;

export async function GET(request: Request, { params }: Params) {
  const { token } = await params;
  if (request.headers.get('accept')?.includes('text/html')) return redirectTo(pagePath(token));
  return unsubscribeText(await lookupUnsubscribe(getDb(), token));
}

export async function POST(request: Request, { params }: Params) {
  const { token } = await params;
  const form = await request.formData().catch(() => undefined);
  const oneClick = form?.get('List-Unsubscribe') === 'One-Click';
  const scope = form?.get('scope') === 'all' ? 'all' : 'mail';
  if (!oneClick && form?.get('scope') !== 'mail' && form?.get('scope') !== 'all') {
    return Response.json({ error: { code: 'invalid_body', message: 'send List-Unsubscribe=One-Click (or scope=mail|all)', field: 'List-Unsubscribe' } }, { status: 400 });
  }
  const target = await unsubscribe(getDb(), token, oneClick ? 'mail' : scope);
  if (oneClick) {
    if (!target) return Response.json({ error: { code: 'not_found', message: 'This unsubscribe link is not valid.' } }, { status: 404 });
    return new Response('Unsubscribed.\n', { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });
  }
  // The confirmation page's form: on to the page, which now says what is off.
  return redirectTo(target ? `${pagePath(token)}?done=${scope}` : `/problem/${UNSUBSCRIBE_NOT_VALID}`);
}
