import { checkDatabase } from '@/lib/db/health';

export const dynamic = 'force-dynamic';

export async function GET() {
  const database = await checkDatabase();
  const ok = database === 'ok';
  return Response.json({ status: ok ? 'ok' : 'unavailable', database }, { status: ok ? 200 : 503 });
}
