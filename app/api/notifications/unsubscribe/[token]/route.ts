// One-click unsubscribe (RFC 8058): mail clients POST `List-Unsubscribe=One-Click` here, with no session.
// A person opening the link gets a confirmation page (GET changes nothing), whose form posts here too.
import { getDb } from '@/lib/db';
import { lookupUnsubscribe, unsubscribe } from '@/lib/notifications/preferences';
import { unsubscribePage } from '@/lib/pages/unsubscribe-page';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ token: string }> };

export async function GET(request: Request, { params }: Params) {
  const { token } = await params;
  return unsubscribePage(new URL(request.url).pathname, await lookupUnsubscribe(getDb(), token));
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
  return unsubscribePage(new URL(request.url).pathname, target, target ? scope : undefined);
}
