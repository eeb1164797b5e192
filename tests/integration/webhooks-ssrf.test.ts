// SSRF: webhook targets on private, loopback or link-local addresses are refused unless allowed, when an
// endpoint is saved and again when a delivery connects; redirects are never followed.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres, { type Sql } from 'postgres';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliverDueWebhooks } from '../../lib/webhooks/deliver';
import { createEndpoint, sendTestWebhook, WebhookEndpointInputError } from '../../lib/webhooks/endpoints';
import { checkWebhookUrl, forbiddenAddressKind, type HostLookup } from '../../lib/webhooks/ssrf';
import { TEST_KEYS } from '../helpers/connections';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { dbFor } from '../../lib/db';

interface Receiver {
  url: string;
  port: number;
  requests: { path: string; verified: boolean }[];
  secret: string;
}

let db: TestDatabase;
let sql: Sql;
const servers: Server[] = [];

async function startReceiver(reply: (path: string) => { status: number; headers?: Record<string, string> } = () => ({ status: 200 })): Promise<Receiver> {
  const receiver: Receiver = { url: '', port: 0, requests: [], secret: '' };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let verified = false;
      try {
        new Webhook(receiver.secret).verify(body, req.headers as Record<string, string>);
        verified = true;
      } catch {
        verified = false;
      }
      receiver.requests.push({ path: req.url ?? '', verified });
      const r = reply(req.url ?? '');
      res.writeHead(r.status, r.headers ?? {});
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}/hooks`;
  return receiver;
}

const resolvesTo =
  (...addresses: string[]): HostLookup =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

async function deliveryRow() {
  const [row] = await sql<{ status: string; attempts: number; last_response_code: number | null; last_error: string | null }[]>`
    select status, attempts, last_response_code, last_error from webhook_deliveries`;
  return row;
}

beforeAll(async () => {
  db = await createTestDatabase('webhooks_ssrf');
  sql = postgres(db.url, { max: 5, onnotice: () => {} });
});

afterAll(async () => {
  await sql.end();
  await db.drop();
});

beforeEach(async () => {
  await sql`truncate webhook_endpoints, webhook_messages, webhook_deliveries cascade`;
});

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('forbiddenAddressKind', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.10', 'private'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['169.254.169.254', 'linkLocal'],
    ['169.254.1.1', 'linkLocal'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.1', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['192.175.48.1', 'as112'],
    ['192.52.193.1', 'amt'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456:789a::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['fe80::1%eth0', 'linkLocal'],
    ['fec0::1', 'deprecatedSiteLocal'],
    ['ff02::1', 'multicast'],
    // IPv4-mapped (ipv4Mapped, ::ffff:0:0/96) addresses are judged as the IPv4 address they map to.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:a9fe:a9fe', 'linkLocal'],
    ['::127.0.0.1', 'loopback'],
    ['::7f00:1', 'reserved'], // IPv4-compatible, outside 2000::/3
    ['::ffff:0:127.0.0.1', 'rfc6145'], // IPv4-translated
    ['::ffff:0:808:808', 'rfc6145'],
    ['64:ff9b::a00:1', 'rfc6052'], // NAT64
    ['64:ff9b::808:808', 'rfc6052'],
    ['64:ff9b:1::1', 'rfc6052'],
    ['2002:7f00:1::', '6to4'],
    ['2002:808:808::', '6to4'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
    ['2001:2::1', 'benchmarking'],
    ['2001:db8::1', 'reserved'],
    ['100::1', 'discard'],
    ['5f00::1', 'segmentRouting'],
    ['4000::1', 'reserved'], // unallocated: outside 2000::/3
    ['not-an-ip', 'invalid'],
  ])('%s is %s', (address, kind) => {
    expect(forbiddenAddressKind(address)).toBe(kind);
  });

  it.each(['8.8.8.8', '93.184.215.14', '172.32.0.1', '100.128.0.1', '169.253.255.255', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2a00:1450::1'])(
    '%s is public',
    (address) => {
      expect(forbiddenAddressKind(address)).toBeUndefined();
    },
  );
});

describe('checkWebhookUrl', () => {
  it.each([
    ['http://127.0.0.1:8080/hook', 'loopback'],
    ['http://[::1]:8080/hook', 'loopback'],
    ['http://[::ffff:127.0.0.1]/hook', 'loopback'],
    ['http://[::ffff:169.254.169.254]/', 'link-local'],
    ['http://[::ffff:0:127.0.0.1]/', 'IPv4-translated (rfc6145)'],
    ['http://[64:ff9b::7f00:1]/', 'NAT64 (rfc6052)'],
    ['http://[2002:7f00:1::]/', '6to4'],
    ['http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', 'Teredo'],
    ['http://100.64.0.1/', 'private (carrier-grade NAT)'],
    ['http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['http://10.0.0.5/hook', 'private'],
    ['https://192.168.0.1/hook', 'private'],
    ['http://[fd00::1]/hook', 'private (unique local)'],
    ['http://[fe80::1]/hook', 'link-local'],
    ['http://0.0.0.0:3000/', 'unspecified'],
    ['http://2130706433/hook', 'loopback'], // 127.0.0.1 written as one number
    ['http://0x7f.1/hook', 'loopback'],
    ['http://localhost:3000/hook', 'loopback'], // a DNS name resolving to loopback
  ])('refuses %s (%s) unless private targets are allowed', async (url, kind) => {
    const refused = await checkWebhookUrl(url, { allowPrivate: false });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.reason).toMatch(new RegExp(`an? ${kind.replace(/[()]/g, '\\$&')} address`));
    expect((await checkWebhookUrl(url, { allowPrivate: true })).ok).toBe(true);
  });

  it.each([
    ['ftp://example.com/hook', 'http or https'],
    ['file:///etc/passwd', 'http or https'],
    ['javascript:alert(1)', 'http or https'],
    ['https://user:pass@93.184.215.14/hook', 'user name or password'],
    ['not a url', 'valid absolute URL'],
    ['/relative/path', 'valid absolute URL'],
  ])('refuses %s even when private targets are allowed', async (url, reason) => {
    for (const allowPrivate of [false, true]) {
      const check = await checkWebhookUrl(url, { allowPrivate });
      expect(check.ok).toBe(false);
      expect(!check.ok && check.reason).toContain(reason);
    }
  });

  it('accepts a public address and a name resolving only to public addresses', async () => {
    expect((await checkWebhookUrl('https://93.184.215.14/hook', { allowPrivate: false })).ok).toBe(true);
    expect((await checkWebhookUrl('https://hooks.example.com/x', { allowPrivate: false, lookup: resolvesTo('93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c') })).ok).toBe(true);
  });

  it('refuses a name when any of its addresses is private, and a name that does not resolve', async () => {
    const mixed = await checkWebhookUrl('https://hooks.example.com/x', { allowPrivate: false, lookup: resolvesTo('93.184.215.14', '10.0.0.7') });
    expect(mixed).toEqual({ ok: false, reason: expect.stringContaining('private address (10.0.0.7)') });
    const mapped = await checkWebhookUrl('https://hooks.example.com/x', { allowPrivate: false, lookup: resolvesTo('::ffff:169.254.169.254') });
    expect(mapped).toEqual({ ok: false, reason: expect.stringContaining('link-local') });
    const missing = await checkWebhookUrl('https://no-such-host.invalid/x', { allowPrivate: false });
    expect(missing).toEqual({ ok: false, reason: expect.stringContaining('does not resolve') });
  });

  it('createEndpoint refuses a private target (field url) and writes nothing', async () => {
    const attempt = createEndpoint({ db: dbFor(sql), keys: TEST_KEYS, allowPrivate: false }, { url: 'http://localhost:9/hook', events: ['webhook.test'] });
    await expect(attempt).rejects.toBeInstanceOf(WebhookEndpointInputError);
    await expect(attempt).rejects.toMatchObject({ field: 'url' });
    expect(await sql`select 1 from webhook_endpoints`).toHaveLength(0);
  });
});

describe('at delivery time', () => {
  it('refuses to connect to loopback when private targets are not allowed (literal and DNS name)', async () => {
    const receiver = await startReceiver();
    for (const url of [receiver.url, `http://localhost:${receiver.port}/hooks`]) {
      await sql`truncate webhook_endpoints cascade`;
      // Saved while allowed (e.g. the setting changed since): the worker still checks.
      const endpoint = await createEndpoint({ db: dbFor(sql), keys: TEST_KEYS, allowPrivate: true }, { url, events: ['webhook.test'] });
      await sendTestWebhook(dbFor(sql), endpoint.id);
      expect(await deliverDueWebhooks(dbFor(sql), { keys: TEST_KEYS, allowPrivate: false })).toEqual({ attempted: 1, succeeded: 0, failed: 1 });
      expect(await deliveryRow()).toMatchObject({ status: 'pending', attempts: 1, last_response_code: null, last_error: expect.stringContaining('loopback address') });
    }
    expect(receiver.requests).toHaveLength(0);
  });

  it.each([
    ['::ffff:0:127.0.0.1', 'rfc6145'],
    ['64:ff9b::7f00:1', 'rfc6052'],
    ['2002:7f00:1::', '6to4'],
    ['100.64.0.1', 'carrier-grade NAT'],
  ])('refuses to connect when the host resolves to %s (%s), whatever was checked when it was saved', async (address, words) => {
    const receiver = await startReceiver();
    const endpoint = await createEndpoint(
      { db: dbFor(sql), keys: TEST_KEYS, allowPrivate: false, lookup: resolvesTo('93.184.215.14') },
      { url: `http://hooks.translated.test:${receiver.port}/hooks`, events: ['webhook.test'] },
    );
    await sendTestWebhook(dbFor(sql), endpoint.id);
    const result = await deliverDueWebhooks(dbFor(sql), { keys: TEST_KEYS, allowPrivate: false, lookup: resolvesTo(address) });
    expect(result).toEqual({ attempted: 1, succeeded: 0, failed: 1 });
    expect((await deliveryRow()).last_error).toContain(words);
    expect(receiver.requests).toHaveLength(0);
  });

  it('re-resolves the host when sending: a name that now points to loopback is refused (DNS rebinding)', async () => {
    const receiver = await startReceiver();
    const host = 'hooks.rebind.test';
    const url = `http://${host}:${receiver.port}/hooks`;
    // Public when saved…
    const endpoint = await createEndpoint({ db: dbFor(sql), keys: TEST_KEYS, allowPrivate: false, lookup: resolvesTo('93.184.215.14') }, { url, events: ['webhook.test'] });
    receiver.secret = endpoint.secret;
    await sendTestWebhook(dbFor(sql), endpoint.id);
    // …loopback when sending.
    const result = await deliverDueWebhooks(dbFor(sql), { keys: TEST_KEYS, allowPrivate: false, lookup: resolvesTo('127.0.0.1') });
    expect(result).toEqual({ attempted: 1, succeeded: 0, failed: 1 });
    expect((await deliveryRow()).last_error).toContain('loopback address (127.0.0.1)');
    // An answer that flips between checks cannot slip through either: each answer is judged where it is used.
    let calls = 0;
    const flipping: HostLookup = async (name) => (calls++ % 2 === 0 ? resolvesTo('93.184.215.14') : resolvesTo('127.0.0.1'))(name);
    await sql`update webhook_deliveries set next_attempt_at = now() - interval '1 second'`;
    for (let i = 0; i < 2; i++) {
      await deliverDueWebhooks(dbFor(sql), { keys: TEST_KEYS, allowPrivate: false, lookup: flipping, timeoutMs: 1000 });
      await sql`update webhook_deliveries set next_attempt_at = now() - interval '1 second'`;
    }
    expect(calls).toBeGreaterThan(0);
    expect(receiver.requests).toHaveLength(0);
    // With private targets allowed (dev, sandbox, tests) the same host is reached.
    const allowed = await deliverDueWebhooks(dbFor(sql), { keys: TEST_KEYS, allowPrivate: true, lookup: resolvesTo('127.0.0.1') });
    expect(allowed).toEqual({ attempted: 1, succeeded: 1, failed: 0 });
    expect(receiver.requests).toEqual([{ path: '/hooks', verified: true }]);
  });

  it.each([
    ['the built-in transport', undefined],
    ['an injected fetch', globalThis.fetch],
  ])('a redirect is a failed attempt and is not followed (%s)', async (_name, fetchImpl) => {
    const target = await startReceiver();
    const redirecting = await startReceiver(() => ({ status: 302, headers: { location: target.url } }));
    const endpoint = await createEndpoint({ db: dbFor(sql), keys: TEST_KEYS, allowPrivate: true }, { url: redirecting.url, events: ['webhook.test'] });
    redirecting.secret = endpoint.secret;
    await sendTestWebhook(dbFor(sql), endpoint.id);
    const result = await deliverDueWebhooks(dbFor(sql), { keys: TEST_KEYS, allowPrivate: true, fetch: fetchImpl });
    expect(result).toEqual({ attempted: 1, succeeded: 0, failed: 1 });
    expect(redirecting.requests).toEqual([{ path: '/hooks', verified: true }]);
    expect(target.requests).toHaveLength(0);
    expect(await deliveryRow()).toMatchObject({ status: 'pending', attempts: 1, last_response_code: 302, last_error: expect.stringContaining('redirects are not followed') });
  });

  it('an injected fetch is also refused a loopback target when private targets are not allowed', async () => {
    const receiver = await startReceiver();
    const endpoint = await createEndpoint({ db: dbFor(sql), keys: TEST_KEYS, allowPrivate: true }, { url: `http://localhost:${receiver.port}/x`, events: ['webhook.test'] });
    await sendTestWebhook(dbFor(sql), endpoint.id);
    const result = await deliverDueWebhooks(dbFor(sql), { keys: TEST_KEYS, allowPrivate: false, fetch: globalThis.fetch });
    expect(result.failed).toBe(1);
    expect((await deliveryRow()).last_error).toContain('loopback');
    expect(receiver.requests).toHaveLength(0);
  });
});
