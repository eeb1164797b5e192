import type { Metadata } from 'next';
import { ApiReference } from '@/components/api-docs/api-reference';
import type { Document } from '@/components/api-docs/openapi-types';
import { buildOpenApiDocument } from '@/lib/api/openapi';
import { getConfig } from '@/lib/config';

export const metadata: Metadata = { title: 'Service API reference · Reconnect' };
export const dynamic = 'force-dynamic';

// Public like the document itself: it describes the API, it holds no data.
export default function ApiDocsPage() {
  return <ApiReference doc={buildOpenApiDocument() as unknown as Document} baseUrl={getConfig().appUrl.replace(/\/+$/, '')} />;
}
