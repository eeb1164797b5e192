import { getConnection } from '@/lib/api/connections';
import { notFound } from '@/lib/api/errors';
import { apiJson, withApiKey } from '@/lib/api/http';
import type { ConnectionTestJson } from '@/lib/api/schemas';
import { testConnection } from '@/lib/connections/manage';
import { getSql } from '@/lib/db';
import { appProductApi } from '@/lib/tokens/app-api';

export const dynamic = 'force-dynamic';

export const POST = withApiKey(async (_request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  if (!(await getConnection(getSql(), id))) return notFound(id);
  const result = await testConnection(getSql(), appProductApi(), id);
  return apiJson({ ok: result.ok, message: result.message } satisfies ConnectionTestJson);
});
