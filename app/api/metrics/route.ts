import { getSql } from '@/lib/db';
import { renderMetrics } from '@/lib/metrics';

export const dynamic = 'force-dynamic';

export async function GET() {
  const { body, contentType } = await renderMetrics(getSql());
  return new Response(body, { headers: { 'content-type': contentType, 'cache-control': 'no-store' } });
}
