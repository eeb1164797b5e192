import { getConnection } from '@/lib/api/connections';
import { notFound } from '@/lib/api/errors';
import { apiJson, withApiKey } from '@/lib/api/http';
import type { ConnectionTestJson } from '@/lib/api/schemas';
import { testConnection } from '@/lib/connections/manage';
import { getDb } from '@/lib/db';
import { appProductApi } from '@/lib/tokens/app-api';

export const dynamic = 'force-dynamic';

export const POST = withApiKey(async (_request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  if (!(await getConnection(getDb(), id))) return notFound(id);
  const result = await testConnection(getDb(), appProductApi(), id);
  return apiJson({ ok: result.ok, message: result.message } satisfies ConnectionTestJson);
});
