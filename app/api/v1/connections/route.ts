import { listConnectionsPage } from '@/lib/api/connections';
import { apiError, apiJson, withApiKey } from '@/lib/api/http';
import { listConnectionsQuery } from '@/lib/api/schemas';
import { getDb } from '@/lib/db';

export const dynamic = 'force-dynamic';

export const GET = withApiKey(async (request: Request) => {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const parsed = listConnectionsQuery.safeParse(params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.code === 'unrecognized_keys' ? issue.keys[0] : String(issue.path[0]);
    return apiError(400, 'invalid_request', `Invalid query parameter "${field}": ${issue.message}`, { field });
  }
  const page = await listConnectionsPage(getDb(), parsed.data);
  if ('error' in page) return apiError(400, 'invalid_request', 'Invalid query parameter "cursor": not a cursor from a previous page', { field: 'cursor' });
  return apiJson(page);
});
