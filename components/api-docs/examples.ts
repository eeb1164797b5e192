// curl and TypeScript-client examples for each operation of the reference page. Keyed by the
// document's operationIds (from the client's generated types): a new operation without examples
// does not compile.
import type { operations } from '@/client/src/types';
import { PUBLIC_PRODUCTS } from '@/lib/providers/registry';

const EXAMPLE_PRODUCT = PUBLIC_PRODUCTS[0];

export interface Example {
  /** JSON body sent by the curl example, if any. */
  body?: unknown;
  /** Extra curl query string. */
  query?: string;
  client: string;
}

const ID = '$CONNECTION_ID';

export const EXAMPLES: Record<keyof operations, Example> = {
  listConnections: {
    query: '?status=needs_reauth&limit=50',
    client: `const page = await reconnect.connections.list({ status: 'needs_reauth', limit: 50 });
for (const c of page.data) console.log(c.id, c.product, c.reason);
// next page: reconnect.connections.list({ cursor: page.next_cursor! })`,
  },
  getConnection: { client: `const connection = await reconnect.connections.get(connectionId);` },
  deleteConnection: { client: `await reconnect.connections.delete(connectionId);` },
  getAccessToken: {
    body: { min_validity_seconds: 300 },
    client: `// The retry loop done right: on a 401 from Atlassian the token goes back as
// rejected_token and the callback runs once more with a fresh one.
const me = await reconnect.withToken(connectionId, async (token, sites) =>
  fetch(\`\${sites[0].api_base_url}/rest/api/3/myself\`, { headers: { authorization: \`Bearer \${token}\` } }),
);

// Or by hand:
const { access_token, expires_at, sites } = await reconnect.accessToken(connectionId, { minValiditySeconds: 300 });`,
  },
  testConnection: { client: `const { ok, message } = await reconnect.connections.test(connectionId);` },
  proxyGet: {
    client: `const res = await reconnect.proxy(connectionId, cloudId, 'rest/api/3/search/jql?jql=project%20%3D%20ACME&fields=summary');
const { issues } = await res.json();`,
  },
  proxyPost: {
    body: { fields: { project: { key: 'ACME' }, summary: 'Hello', issuetype: { name: 'Task' } } },
    client: `const res = await reconnect.proxy(connectionId, cloudId, 'rest/api/3/issue', {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ fields: { project: { key: 'ACME' }, summary: 'Hello', issuetype: { name: 'Task' } } }),
});`,
  },
  proxyPut: {
    body: { fields: { summary: 'Renamed' } },
    client: `await reconnect.proxy(connectionId, cloudId, 'rest/api/3/issue/ACME-1', {
  method: 'PUT',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ fields: { summary: 'Renamed' } }),
});`,
  },
  proxyPatch: {
    body: { name: 'New name' },
    client: `await reconnect.proxy(connectionId, cloudId, 'some/api/path', { method: 'PATCH', body: JSON.stringify({ name: 'New name' }) });`,
  },
  proxyDelete: { client: `await reconnect.proxy(connectionId, cloudId, 'rest/api/3/issue/ACME-1', { method: 'DELETE' });` },
  createConnectSession: {
    body: { user_email: 'alice@example.com', product: EXAMPLE_PRODUCT },
    client: `const { url } = await reconnect.connectSessions.create({ user_email: 'alice@example.com', product: '${EXAMPLE_PRODUCT}' });
// or, to repair a connection: reconnect.connectSessions.create({ connection_id: connectionId })`,
  },
  listWebhookEndpoints: { client: `const { data } = await reconnect.webhookEndpoints.list();` },
  createWebhookEndpoint: {
    body: { url: 'https://worker.example.com/reconnect-webhooks', events: ['connection.needs_reauth', 'connection.reconnected'] },
    client: `const { id, secret } = await reconnect.webhookEndpoints.create({
  url: 'https://worker.example.com/reconnect-webhooks',
  events: ['connection.needs_reauth', 'connection.reconnected'],
});
// store secret (whsec_…): it is shown only now`,
  },
  getWebhookEndpoint: { client: `const endpoint = await reconnect.webhookEndpoints.get(endpointId);` },
  updateWebhookEndpoint: {
    body: { rotate_secret: true },
    client: `const { secret } = await reconnect.webhookEndpoints.update(endpointId, { rotate_secret: true });`,
  },
  deleteWebhookEndpoint: { client: `await reconnect.webhookEndpoints.delete(endpointId);` },
  getOpenApiDocument: { client: `const doc = await fetch(\`\${baseUrl}/api/v1/openapi.json\`).then((r) => r.json());` },
};

const placeholder = (path: string) =>
  path.replace('{id}', path.startsWith('/api/v1/webhook-endpoints') ? '$ENDPOINT_ID' : ID).replace('{cloud_id}', '$CLOUD_ID').replace('{path}', 'rest/api/3/myself');

export function curlFor(baseUrl: string, method: string, path: string, example: Example, isPublic: boolean): string {
  const lines = [`curl -X ${method.toUpperCase()} "${baseUrl}${placeholder(path)}${example.query ?? ''}"`];
  if (!isPublic) lines.push(`  -H "Authorization: Bearer $RECONNECT_API_KEY"`);
  if (example.body !== undefined) {
    lines.push(`  -H "Content-Type: application/json"`, `  -d '${JSON.stringify(example.body)}'`);
  }
  return lines.join(' \\\n');
}

export const clientSetup = (baseUrl: string) => `import { Reconnect } from '@reconnect/client';

const reconnect = new Reconnect({ baseUrl: '${baseUrl}', apiKey: process.env.RECONNECT_API_KEY! });`;

export const verifyExample = `import { verifyWebhook, InvalidWebhookError } from '@reconnect/client/webhooks';

// body: the raw request body, exactly as received (not re-serialised JSON)
try {
  const event = verifyWebhook(request.headers, body, process.env.RECONNECT_WEBHOOK_SECRET!);
  if (event.type === 'connection.reconnected') resumeSync(event.data.connection_id);
  return new Response(null, { status: 204 });
} catch (err) {
  if (err instanceof InvalidWebhookError) return new Response(null, { status: 400 });
  throw err;
}`;

export const standardWebhooksExample = `import { Webhook } from 'standardwebhooks';

const event = new Webhook(secret).verify(body, {
  'webhook-id': headers['webhook-id'],
  'webhook-timestamp': headers['webhook-timestamp'],
  'webhook-signature': headers['webhook-signature'],
}); // throws when the signature or timestamp does not check out`;
