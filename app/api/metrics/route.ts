import { getConfig } from '@/lib/config';
import { getDb } from '@/lib/db';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '@/lib/db/unavailable';
import { metricsAuthorized } from '@/lib/metrics-access';
import { renderMetrics } from '@/lib/metrics';

export const dynamic = 'force-dynamic';

const text = (body: string, status: number, headers: Record<string, string> = {}) =>
  new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers } });

// `request` is optional so that tests (and code in this process) may read the open metrics directly.
export async function GET(request?: Request) {
  if (!metricsAuthorized(request?.headers.get('authorization'), getConfig().metricsToken)) {
    return text('Send the metrics token as "Authorization: Bearer <METRICS_TOKEN>".\n', 401, { 'www-authenticate': 'Bearer realm="metrics"' });
  }
  try {
    const { body, contentType } = await renderMetrics(getDb());
    return new Response(body, { headers: { 'content-type': contentType, 'cache-control': 'no-store' } });
  } catch (err) {
    // Connections by status come from the database: while it is away, a scrape fails with 503, never 500.
    if (isDatabaseUnavailable(err)) return text('The database is temporarily unavailable.\n', 503, { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) });
    throw err;
  }
}
