// Request bodies at the service API's edges: nesting that would exhaust a recursive walk, uploads that lie about
// (or omit) their length, and the optional body of the access-token call. Each case is a 4xx (or the 200 an
// optional body promises), never a 500, and the proxy stops reading at its limit.
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../lib/api-keys';
import { MAX_PROXY_BODY_BYTES } from '../../lib/api/proxy';
import { dbFor } from '../../lib/db';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import { APP_URL, appEnv, connectViaSimulator, testSql } from '../helpers/connections';

let sim: Simulator;
let sql: Sql;
let key: string;
let routes: {
  token: typeof import('../../app/api/v1/connections/[id]/access-token/route');
  proxy: typeof import('../../app/api/v1/connections/[id]/proxy/[cloudId]/[...path]/route');
  sessions: typeof import('../../app/api/v1/connect-sessions/route');
  endpoints: typeof import('../../app/api/v1/webhook-endpoints/route');
};

const ctx = <P>(params: P) => ({ params: Promise.resolve(params) });
const post = (path: string, body: BodyInit | undefined, headers: Record<string, string> = {}) =>
  new Request(`${APP_URL}${path}`, { method: 'POST', body, headers: { authorization: `Bearer ${key}`, ...headers }, duplex: 'half' } as RequestInit);
const JSON_TYPE = { 'content-type': 'application/json' };

beforeAll(async () => {
  sim = await startSimulator({ leewaySeconds: 0 });
  Object.assign(process.env, {
    ...appEnv(sim.url),
  });
  sql = testSql();
  key = (await createApiKey(dbFor(sql), 'body limits')).key;
  routes = {
    token: await import('../../app/api/v1/connections/[id]/access-token/route'),
    proxy: await import('../../app/api/v1/connections/[id]/proxy/[cloudId]/[...path]/route'),
    sessions: await import('../../app/api/v1/connect-sessions/route'),
    endpoints: await import('../../app/api/v1/webhook-endpoints/route'),
  };
});

afterAll(async () => {
  await sim.stop();
  await sql.end();
});

describe('deeply nested JSON', () => {
  const nested = '['.repeat(6000) + ']'.repeat(6000);
  const nestedObject = '{"a":'.repeat(6000) + '1' + '}'.repeat(6000);

  it('is a 400 naming the nesting on every JSON route, not a 500', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    const answers = [
      await routes.token.POST(post(`/api/v1/connections/${id}/access-token`, nested, JSON_TYPE), ctx({ id })),
      await routes.token.POST(post(`/api/v1/connections/${id}/access-token`, nestedObject, JSON_TYPE), ctx({ id })),
      await routes.sessions.POST(post('/api/v1/connect-sessions', nested, JSON_TYPE), ctx({})),
      await routes.endpoints.POST(post('/api/v1/webhook-endpoints', nestedObject, JSON_TYPE), ctx({})),
    ];
    for (const res of answers) {
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.error.code).toBe('invalid_request');
      expect(body.error.message).toMatch(/nested deeper/);
    }
  });

  it('still names a control character a few levels down', async () => {
    const res = await routes.sessions.POST(post('/api/v1/connect-sessions', JSON.stringify({ user_email: 'a@b.co', product: { x: ['ok', 'b\u0000d'] } }), JSON_TYPE), ctx({}));
    expect(res.status).toBe(400);
    expect((await res.json()).error.field).toBe('product.x.1');
  });
});

describe('the access-token body is optional', () => {
  it('answers 200 to a POST with no body and no content type', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    const res = await routes.token.POST(post(`/api/v1/connections/${id}/access-token`, undefined), ctx({ id }));
    expect(res.status).toBe(200);
    expect(typeof (await res.json()).access_token).toBe('string');
  });

  it('answers 200 to a POST whose body stream is empty (no length, no content type)', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    const empty = new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
    const res = await routes.token.POST(post(`/api/v1/connections/${id}/access-token`, empty), ctx({ id }));
    expect(res.status).toBe(200);
  });

  it('answers 200 to an empty JSON body', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    const res = await routes.token.POST(post(`/api/v1/connections/${id}/access-token`, '', JSON_TYPE), ctx({ id }));
    expect(res.status).toBe(200);
  });
});

describe('proxy upload limit', () => {
  it('stops reading a chunked upload at the limit and answers 413', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    const [{ cloud_id: cloudId }] = await sql`select cloud_id from connection_sites where connection_id = ${id} limit 1`;
    const chunk = new Uint8Array(1024 * 1024);
    const total = 4 * MAX_PROXY_BODY_BYTES;
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= total) return controller.close();
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const path = ['_echo', 'upload'];
    const res = await routes.proxy.POST(post(`/api/v1/connections/${id}/proxy/${cloudId}/${path.join('/')}`, body), ctx({ id, cloudId, path }));
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('payload_too_large');
    // Read no further than the limit (plus what the stream had queued): not the whole upload.
    expect(pulled).toBeLessThanOrEqual(MAX_PROXY_BODY_BYTES + 4 * chunk.byteLength);
  });
});
