import { getConnection, serializeConnection } from '@/lib/api/connections';
import { notFound } from '@/lib/api/errors';
import { apiJson, withApiKey } from '@/lib/api/http';
import { getConfig } from '@/lib/config';
import { disconnectConnection } from '@/lib/connections/manage';
import { getDb } from '@/lib/db';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

export const GET = withApiKey(async (_request: Request, { params }: Ctx) => {
  const { id } = await params;
  const connection = await getConnection(getDb(), id);
  return connection ? apiJson(serializeConnection(connection)) : notFound(id);
});

export const DELETE = withApiKey(async (_request: Request, { params }: Ctx, apiKey) => {
  const { id } = await params;
  const connection = await getConnection(getDb(), id);
  if (!connection) return notFound(id);
  await disconnectConnection(getDb(), getConfig().appUrl, id, `api key ${apiKey.name}`);
  return new Response(null, { status: 204 });
});
