import { buildOpenApiDocument } from '@/lib/api/openapi';

// The document never changes while the app runs: built once, served without an API key.
let document: ReturnType<typeof buildOpenApiDocument> | undefined;

export function GET(): Response {
  document ??= buildOpenApiDocument();
  return Response.json(document, { headers: { 'cache-control': 'public, max-age=300' } });
}
