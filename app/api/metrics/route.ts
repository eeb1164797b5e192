import { getDb } from '@/lib/db';
import { renderMetrics } from '@/lib/metrics';

export const dynamic = 'force-dynamic';

export async function GET() {
  const { body, contentType } = await renderMetrics(getDb());
  return new Response(body, { headers: { 'content-type': contentType, 'cache-control': 'no-store' } });
}
