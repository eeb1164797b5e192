// Webhook delivery against real receivers on loopback: every request is verified with the
// `standardwebhooks` library, messages come from real state changes (simulator connections), and
// time is driven with the `now` option instead of sleeping.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import postgres, { type Sql } from 'postgres';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { disconnectConnection } from '../../lib/connections/manage';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import { decryptSecret } from '../../lib/crypto';
import { deliverDueWebhooks, type DeliverOptions } from '../../lib/webhooks/deliver';
import { createEndpoint, replayDelivery, sendTestWebhook, updateEndpoint } from '../../lib/webhooks/endpoints';
import { enqueueConnectionWebhook, type WebhookType } from '../../lib/webhooks/outbox';
import { newWebhookSecret } from '../../lib/webhooks/sign';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { APP_URL, connectViaSimulator, TEST_KEYS } from '../helpers/connections';
import { listenOnLoopback, verifies } from '../helpers/webhooks';
import { SIM_PRODUCTS } from '../helpers/sim-products';
import { eq, sql as drizzleSql } from 'drizzle-orm';
import { dbFor, type Tx } from '../../lib/db';
import { connections } from '../../lib/db/schema';

interface Hit {
  id: string;
  timestamp: string;
  signature: string;
  contentType: string | undefined;
  body: string;
  /** Verified with every secret in `receiver.secrets` by the standardwebhooks library. */
  verified: boolean;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (until the server closes). */
  hang?: boolean;
}

interface Receiver {
  url: string;
  hits: Hit[];
  secrets: string[];
  close(): Promise<void>;
}

const receivers: Receiver[] = [];

async function startReceiver(respond: (hit: Hit, n: number) => Reply | Promise<Reply> = () => ({ status: 200 })): Promise<Receiver> {
  const hits: Hit[] = [];
  const receiver: Receiver = { url: '', hits, secrets: [], close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const hit: Hit = {
        id: String(req.headers['webhook-id']),
        timestamp: String(req.headers['webhook-timestamp']),
        signature: String(req.headers['webhook-signature']),
        contentType: req.headers['content-type'],
        body,
        verified: receiver.secrets.length > 0 && receiver.secrets.every((s) => verifies(s, body, req.headers)),
      };
      hits.push(hit);
      const reply = await respond(hit, hits.length);
      if (reply.hang) return;
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.body ?? '');
    });
  });
  Object.assign(receiver, await listenOnLoopback(server));
  receivers.push(receiver);
  return receiver;
}

let db: TestDatabase;
let sql: Sql;
let sim: Simulator;

const ALL: WebhookType[] = ['connection.created', 'connection.reconnected', 'connection.needs_reauth', 'connection.degraded', 'connection.recovered', 'connection.deleted', 'webhook.test'];
const base = (extra: Partial<DeliverOptions> = {}): DeliverOptions => ({ keys: TEST_KEYS, allowPrivate: true, random: () => 0.5, ...extra });
const at = (t: Date, seconds: number) => new Date(t.getTime() + seconds * 1000);
const fixed = (t: Date) => () => t;

async function endpointFor(receiver: Receiver, events: WebhookType[] = ALL) {
  const endpoint = await createEndpoint({ db: dbFor(sql), keys: TEST_KEYS, allowPrivate: true }, { url: receiver.url, events });
  receiver.secrets = [endpoint.secret];
  return endpoint;
}

async function delivery(messageId: string) {
  const [row] = await sql<
    { id: string; status: string; attempts: number; next_attempt_at: Date; last_response_code: number | null; last_error: string | null; delivered_at: Date | null; lease_token: string | null }[]
  >`select id::text, status, attempts, next_attempt_at, last_response_code, last_error, delivered_at, lease_token
    from webhook_deliveries where message_id = ${messageId}`;
  return row;
}

async function messageOf(connectionId: string, type: WebhookType = 'connection.created'): Promise<string> {
  const [row] = await sql<{ id: string }[]>`select id from webhook_messages where connection_id = ${connectionId} and type = ${type}`;
  return row.id;
}

async function endpointRow(id: string) {
  const [row] = await sql<{ status: string; disabled_reason: string | null }[]>`select status, disabled_reason from webhook_endpoints where id = ${id}`;
  return row;
}

beforeAll(async () => {
  db = await createTestDatabase('webhooks_delivery'); // its own database: other files truncate tables
  sql = postgres(db.url, { max: 10, onnotice: () => {} });
  sim = await startSimulator();
});

afterAll(async () => {
  await sql.end();
  await sim.stop();
  await db.drop();
});

beforeEach(async () => {
  await sql`truncate webhook_endpoints, webhook_messages, webhook_deliveries cascade`;
});

afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

describe('deliverDueWebhooks', () => {
  it.each(SIM_PRODUCTS)('delivers a real %s connection.created, signed, with the SPEC body and no token; only to subscribers', async (product) => {
    const receiver = await startReceiver();
    const other = await startReceiver();
    const endpoint = await endpointFor(receiver, ['connection.created', 'connection.deleted']);
    await endpointFor(other, ['connection.needs_reauth']);
    const { id, tokens } = await connectViaSimulator(sql, sim.url, 'alice@example.com', product);
    const messageId = await messageOf(id);

    const result = await deliverDueWebhooks(dbFor(sql), base());

    expect(result).toEqual({ attempted: 1, succeeded: 1, failed: 0 });
    expect(other.hits).toHaveLength(0);
    expect(receiver.hits).toHaveLength(1);
    const [hit] = receiver.hits;
    expect(hit.verified).toBe(true);
    expect(hit.id).toBe(messageId);
    expect(hit.contentType).toBe('application/json');
    expect(hit.signature).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(Math.abs(Number(hit.timestamp) - Date.now() / 1000)).toBeLessThan(60);
    const body = JSON.parse(hit.body);
    expect(Object.keys(body).sort()).toEqual(['data', 'timestamp', 'type']);
    expect(body.type).toBe('connection.created');
    expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);
    expect(Object.keys(body.data).sort()).toEqual(['connection_id', 'occurred_at', 'product', 'reason', 'reconnect_url', 'renew_by', 'sites', 'status', 'user_email']);
    // Nothing for the user to do: no Reconnect link (needs_reauth and expiring carry one: webhook-reconnect-link.test.ts).
    expect(body.data).toMatchObject({ connection_id: id, product, status: 'active', reason: null, user_email: 'alice@example.com', reconnect_url: null });
    expect(body.data.sites.length).toBeGreaterThan(0);
    for (const site of body.data.sites) expect(Object.keys(site).sort()).toEqual(['cloud_id', 'name', 'url']);
    // Bitbucket's sites are its workspaces, named by their uuid.
    if (product === 'bitbucket') expect(body.data.sites.map((s: { cloud_id: string }) => s.cloud_id).every((c: string) => /^\{[0-9a-f-]+\}$/.test(c))).toBe(true);
    expect(hit.body).not.toContain(tokens.accessToken);
    expect(hit.body).not.toContain(tokens.refreshToken!);
    // The body is the stored payload.
    const [stored] = await sql<{ payload: unknown }[]>`select payload from webhook_messages where id = ${messageId}`;
    expect(body).toEqual(stored.payload);

    const row = await delivery(messageId);
    expect(row).toMatchObject({ status: 'succeeded', attempts: 1, last_response_code: 200, last_error: null, lease_token: null });
    expect(row.delivered_at).toBeInstanceOf(Date);
    expect((await endpointRow(endpoint.id)).status).toBe('active');
    // Nothing is sent twice.
    expect(await deliverDueWebhooks(dbFor(sql), base({ now: fixed(at(new Date(), 7 * 86400)) }))).toEqual({ attempted: 0, succeeded: 0, failed: 0 });
    expect(receiver.hits).toHaveLength(1);
  });

  it('a receiver failing 3 times then succeeding: 4 attempts on the schedule, one webhook-id, one accepted delivery', async () => {
    const receiver = await startReceiver((_hit, n) => (n <= 3 ? { status: 500, body: 'boom' } : { status: 204 }));
    await endpointFor(receiver, ['connection.created']);
    const { id } = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    const messageId = await messageOf(id);
    const t0 = new Date();
    const opts = (t: Date) => base({ now: fixed(t), random: () => 0 }); // jitter at its -20 % end

    expect(await deliverDueWebhooks(dbFor(sql), opts(t0))).toEqual({ attempted: 1, succeeded: 0, failed: 1 });
    let row = await delivery(messageId);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_response_code: 500, last_error: 'HTTP 500: boom' });
    expect(row.next_attempt_at.getTime()).toBe(at(t0, 4).getTime()); // 5 s − 20 %

    // Not due yet: nothing is sent.
    expect((await deliverDueWebhooks(dbFor(sql), opts(at(t0, 3.9)))).attempted).toBe(0);
    const t1 = at(t0, 4);
    expect((await deliverDueWebhooks(dbFor(sql), opts(t1))).failed).toBe(1);
    row = await delivery(messageId);
    expect(row.attempts).toBe(2);
    expect(row.next_attempt_at.getTime()).toBe(at(t1, 240).getTime()); // 300 s − 20 %
    const t2 = at(t1, 240);
    expect((await deliverDueWebhooks(dbFor(sql), opts(t2))).failed).toBe(1);
    row = await delivery(messageId);
    expect(row.next_attempt_at.getTime()).toBe(at(t2, 1440).getTime()); // 1800 s − 20 %
    const t3 = at(t2, 1440);
    expect(await deliverDueWebhooks(dbFor(sql), opts(t3))).toEqual({ attempted: 1, succeeded: 1, failed: 0 });

    expect(receiver.hits).toHaveLength(4);
    expect(new Set(receiver.hits.map((h) => h.id))).toEqual(new Set([messageId]));
    expect(new Set(receiver.hits.map((h) => h.body)).size).toBe(1);
    expect(receiver.hits.every((h) => h.verified)).toBe(true);
    row = await delivery(messageId);
    expect(row).toMatchObject({ status: 'succeeded', attempts: 4, last_response_code: 204, last_error: null });
    expect(row.delivered_at!.getTime()).toBe(t3.getTime());
    expect((await deliverDueWebhooks(dbFor(sql), opts(at(t3, 86400 * 30)))).attempted).toBe(0);
  });

  it('jitter stays within ±20 % of the schedule', async () => {
    const receiver = await startReceiver(() => ({ status: 500 }));
    const endpoint = await endpointFor(receiver);
    const high = await sendTestWebhook(dbFor(sql), endpoint.id);
    const t0 = new Date();
    await deliverDueWebhooks(dbFor(sql), base({ now: fixed(t0), random: () => 0.999999 }));
    const next = (await delivery(high!)).next_attempt_at.getTime() - t0.getTime();
    expect(next).toBeGreaterThan(5990);
    expect(next).toBeLessThanOrEqual(6000);
  });

  it('honours Retry-After (seconds or HTTP date) when longer than the schedule, not when shorter', async () => {
    const replies: Reply[] = [];
    const receiver = await startReceiver(() => replies.shift()!);
    const endpoint = await endpointFor(receiver, ['webhook.test']);
    const cases: [(t0: Date) => Reply, number][] = [
      [() => ({ status: 503, headers: { 'retry-after': '120' } }), 120],
      [(t0) => ({ status: 429, headers: { 'retry-after': new Date(t0.getTime() + 3600_000).toUTCString() } }), 3600],
      [() => ({ status: 503, headers: { 'retry-after': '1' } }), 5],
      [() => ({ status: 503, headers: { 'retry-after': 'soon' } }), 5],
    ];
    for (const [reply, seconds] of cases) {
      await sql`truncate webhook_messages cascade`;
      const messageId = (await sendTestWebhook(dbFor(sql), endpoint.id))!;
      const t0 = new Date(Math.ceil(Date.now() / 1000) * 1000); // whole seconds, like an HTTP date
      const r = reply(t0);
      replies.push(r);
      expect((await deliverDueWebhooks(dbFor(sql), base({ now: fixed(t0) }))).failed).toBe(1);
      const row = await delivery(messageId);
      expect(row.last_response_code).toBe(r.status);
      expect(row.next_attempt_at.getTime()).toBe(at(t0, seconds).getTime());
    }
    expect(receiver.hits).toHaveLength(4);
    expect(receiver.hits.every((h) => h.verified)).toBe(true);
  });

  it('410 disables the endpoint: its pending deliveries stop, and resume in order once it is enabled again', async () => {
    let gone = true;
    const receiver = await startReceiver(() => (gone ? { status: 410 } : { status: 200 }));
    const endpoint = await endpointFor(receiver, ['connection.created']);
    const a = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    const b = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    const t0 = new Date();

    expect(await deliverDueWebhooks(dbFor(sql), base({ now: fixed(t0), limit: 1 }))).toEqual({ attempted: 1, succeeded: 0, failed: 1 });
    expect(await endpointRow(endpoint.id)).toEqual({ status: 'disabled', disabled_reason: expect.stringContaining('410') });
    const first = await delivery(await messageOf(a.id));
    expect(first).toMatchObject({ status: 'pending', attempts: 1, last_response_code: 410 });

    // Disabled: nothing more leaves, however late, and new messages are not queued for it.
    expect((await deliverDueWebhooks(dbFor(sql), base({ now: fixed(at(t0, 86400 * 3)) }))).attempted).toBe(0);
    await connectViaSimulator(sql, sim.url, 'alice@example.com');
    expect((await deliverDueWebhooks(dbFor(sql), base({ now: fixed(at(t0, 86400 * 3)) }))).attempted).toBe(0);
    expect(receiver.hits).toHaveLength(1);
    expect((await delivery(await messageOf(b.id))).status).toBe('pending');

    gone = false;
    await updateEndpoint({ db: dbFor(sql), keys: TEST_KEYS, allowPrivate: true }, endpoint.id, { status: 'active' });
    expect(await deliverDueWebhooks(dbFor(sql), base({ now: fixed(at(t0, 10)) }))).toEqual({ attempted: 2, succeeded: 2, failed: 0 });
    expect(receiver.hits[0].id).toBe(await messageOf(a.id));
    expect(receiver.hits.slice(1).map((h) => h.id).sort()).toEqual([await messageOf(a.id), await messageOf(b.id)].sort());
    expect(receiver.hits.every((h) => h.verified)).toBe(true);
    expect(await endpointRow(endpoint.id)).toEqual({ status: 'active', disabled_reason: null });
  });

  it('keeps order per connection: a message waits while an older one of its connection is pending', async () => {
    let failFirst = true;
    const receiver = await startReceiver((hit) => {
      const type = JSON.parse(hit.body).type;
      if (type === 'connection.created' && failFirst && JSON.parse(hit.body).data.user_email === 'alice@example.com') {
        failFirst = false;
        return { status: 502 };
      }
      return { status: 200 };
    });
    await endpointFor(receiver, ['connection.created', 'connection.deleted']);
    const a = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    expect(await disconnectConnection(dbFor(sql), APP_URL, a.id, 'test')).toBe(true);
    const b = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    const created = await messageOf(a.id);
    const deleted = await messageOf(a.id, 'connection.deleted');
    const t0 = new Date();

    // A's second message is due but waits behind its first; B's is independent.
    expect(await deliverDueWebhooks(dbFor(sql), base({ now: fixed(t0) }))).toEqual({ attempted: 2, succeeded: 1, failed: 1 });
    expect(receiver.hits.map((h) => h.id).sort()).toEqual([created, await messageOf(b.id)].sort());
    expect((await delivery(deleted)).attempts).toBe(0);
    expect((await deliverDueWebhooks(dbFor(sql), base({ now: fixed(at(t0, 1)) }))).attempted).toBe(0);

    // Once the first succeeds, the second follows (in the same run).
    expect(await deliverDueWebhooks(dbFor(sql), base({ now: fixed(at(t0, 5)) }))).toEqual({ attempted: 2, succeeded: 2, failed: 0 });
    const aHits = receiver.hits.filter((h) => JSON.parse(h.body).data.connection_id === a.id);
    expect(aHits.map((h) => h.id)).toEqual([created, created, deleted]);
    expect(receiver.hits.every((h) => h.verified)).toBe(true);
  });

  it('orders by when a state change was written under the row lock, not when its transaction began', async () => {
    const receiver = await startReceiver();
    await endpointFor(receiver, ['connection.degraded', 'connection.recovered']);
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    // T1 begins first but takes the connection's row lock only after T2 has written and committed.
    let go!: () => void;
    const gate = new Promise<void>((r) => (go = r));
    const lock = (tx: Tx) => tx.select({ id: connections.id }).from(connections).where(eq(connections.id, id)).for('update');
    const t1 = dbFor(sql).transaction(async (tx) => {
      await tx.select({ now: drizzleSql`now()` }).from(connections).limit(1);
      await gate;
      await lock(tx);
      await enqueueConnectionWebhook(tx, 'connection.recovered', id, APP_URL);
    });
    await new Promise((r) => setTimeout(r, 30));
    await dbFor(sql).transaction(async (tx) => {
      await lock(tx);
      await enqueueConnectionWebhook(tx, 'connection.degraded', id, APP_URL);
    });
    go();
    await t1;
    expect(await deliverDueWebhooks(dbFor(sql), base())).toEqual({ attempted: 2, succeeded: 2, failed: 0 });
    expect(receiver.hits.map((h) => JSON.parse(h.body).type)).toEqual(['connection.degraded', 'connection.recovered']);
  });

  it('two workers on two pools running at once never send the same delivery twice', async () => {
    const receiver = await startReceiver(async () => {
      await new Promise((r) => setTimeout(r, 20));
      return { status: 200 };
    });
    const endpoint = await endpointFor(receiver);
    for (let i = 0; i < 6; i++) await connectViaSimulator(sql, sim.url, i % 2 ? 'alice@example.com' : 'bob@example.com');
    for (let i = 0; i < 54; i++) await sendTestWebhook(dbFor(sql), endpoint.id);
    const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from webhook_deliveries where status = 'pending'`;
    expect(n).toBe(60);

    const pools = [postgres(db.url, { max: 3, onnotice: () => {} }), postgres(db.url, { max: 3, onnotice: () => {} })];
    try {
      const results = await Promise.all(pools.flatMap((pool) => [deliverDueWebhooks(dbFor(pool), base()), deliverDueWebhooks(dbFor(pool), base())]));
      expect(results.reduce((s, r) => s + r.attempted, 0)).toBe(60);
      expect(results.reduce((s, r) => s + r.succeeded, 0)).toBe(60);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
    expect(receiver.hits).toHaveLength(60);
    expect(new Set(receiver.hits.map((h) => h.id)).size).toBe(60);
    expect(receiver.hits.every((h) => h.verified)).toBe(true);
    const [{ done }] = await sql<{ done: number }[]>`select count(*)::int as done from webhook_deliveries where status = 'succeeded' and attempts = 1`;
    expect(done).toBe(60);
  });

  it('a delivery claimed by a process that dies mid-send is sent again after the lease, with the same webhook-id', async () => {
    let arrived!: () => void;
    const firstArrived = new Promise<void>((r) => (arrived = r));
    const receiver = await startReceiver((_hit, n) => {
      if (n === 1) {
        arrived();
        return { status: 200, hang: true };
      }
      return { status: 200 };
    });
    const endpoint = await endpointFor(receiver, ['connection.created']);
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    const messageId = await messageOf(id);
    const t0 = new Date();
    const deliverUrl = new URL('../../lib/webhooks/deliver.ts', import.meta.url).pathname;
    const dbUrl = new URL('../../lib/db/index.ts', import.meta.url).pathname;
    const script = `
      import { deliverDueWebhooks } from ${JSON.stringify(deliverUrl)};
      import { createDb } from ${JSON.stringify(dbUrl)};
      const db = createDb(process.env.WORKER_DB, { max: 2 });
      const key = Buffer.from(process.env.WORKER_KEY, 'base64');
      await deliverDueWebhooks(db, { keys: { current: key, previous: [] }, allowPrivate: true, now: () => new Date(Number(process.env.WORKER_NOW)) });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, WORKER_DB: db.url, WORKER_KEY: TEST_KEYS.current.toString('base64'), WORKER_NOW: String(t0.getTime()) },
      stdio: 'ignore',
    });
    const exited = new Promise((r) => child.once('exit', r));
    try {
      await firstArrived;
      // Mid-send: leased (next attempt at the lease's end), and no transaction holds the row.
      const leased = await delivery(messageId);
      expect(leased).toMatchObject({ status: 'pending', attempts: 0 });
      expect(leased.lease_token).not.toBeNull();
      expect(leased.next_attempt_at.getTime()).toBe(t0.getTime() + 15_000 + 30_000);
      const locked = await sql.begin((tx) => tx`select id from webhook_deliveries where message_id = ${messageId} for update nowait`);
      expect(locked).toHaveLength(1);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }

    // During the lease nobody sends it; after it, it goes again with the same id.
    expect((await deliverDueWebhooks(dbFor(sql), base({ now: fixed(at(t0, 44)) }))).attempted).toBe(0);
    expect(await deliverDueWebhooks(dbFor(sql), base({ now: fixed(at(t0, 46)) }))).toEqual({ attempted: 1, succeeded: 1, failed: 0 });
    expect(receiver.hits.map((h) => h.id)).toEqual([messageId, messageId]);
    expect(receiver.hits.every((h) => h.verified)).toBe(true);
    expect(await delivery(messageId)).toMatchObject({ status: 'succeeded', attempts: 1, lease_token: null });
    expect((await endpointRow(endpoint.id)).status).toBe('active');
  });

  it('after a secret rotation both signatures are sent for 24 h: a consumer holding either secret verifies', async () => {
    const receiver = await startReceiver();
    const endpoint = await endpointFor(receiver, ['webhook.test']);
    const oldSecret = endpoint.secret;
    const rotated = await updateEndpoint({ db: dbFor(sql), keys: TEST_KEYS, allowPrivate: true }, endpoint.id, { rotate_secret: true });
    const newSecret = rotated!.secret!;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);
    receiver.secrets = [oldSecret, newSecret]; // each must verify on its own
    await sendTestWebhook(dbFor(sql), endpoint.id);
    expect((await deliverDueWebhooks(dbFor(sql), base())).succeeded).toBe(1);
    const [during] = receiver.hits;
    expect(during.signature.split(' ')).toHaveLength(2);
    expect(during.verified).toBe(true);
    const request = { 'webhook-id': during.id, 'webhook-timestamp': during.timestamp, 'webhook-signature': during.signature };
    expect(() => new Webhook(newWebhookSecret()).verify(during.body, request)).toThrow();

    // 25 h later only the new secret signs.
    receiver.secrets = [newSecret];
    const later = new Date(Date.now() + 25 * 3600_000);
    await sendTestWebhook(dbFor(sql), endpoint.id);
    expect((await deliverDueWebhooks(dbFor(sql), base({ now: fixed(later) }))).succeeded).toBe(1);
    const after = receiver.hits[1];
    expect(after.signature.split(' ')).toHaveLength(1);
    expect(after.verified).toBe(true);
    const afterHeaders = { 'webhook-id': after.id, 'webhook-timestamp': after.timestamp, 'webhook-signature': after.signature };
    expect(() => new Webhook(oldSecret).verify(after.body, afterHeaders)).toThrow();
    // The secrets are stored encrypted, the old one until it expires.
    const [row] = await sql<{ secret_enc: string; previous_secret_enc: string }[]>`select secret_enc, previous_secret_enc from webhook_endpoints where id = ${endpoint.id}`;
    expect(row.secret_enc).not.toContain(newSecret.slice(6));
    expect(decryptSecret(row.secret_enc, TEST_KEYS)).toBe(newSecret);
    expect(decryptSecret(row.previous_secret_enc, TEST_KEYS)).toBe(oldSecret);
  });

  it('after the schedule is exhausted the delivery fails and the endpoint is failing; a later success makes it active', async () => {
    let ok = false;
    const receiver = await startReceiver(() => ({ status: ok ? 200 : 500 }));
    const endpoint = await endpointFor(receiver, ['webhook.test']);
    const messageId = (await sendTestWebhook(dbFor(sql), endpoint.id))!;
    const schedule = [5, 10];
    let t = new Date();
    for (let i = 1; i <= 3; i++) {
      expect((await deliverDueWebhooks(dbFor(sql), base({ now: fixed(t), schedule, random: () => 0.5 }))).failed).toBe(1);
      t = (await delivery(messageId)).next_attempt_at;
    }
    expect(await delivery(messageId)).toMatchObject({ status: 'failed', attempts: 3, last_response_code: 500 });
    expect((await endpointRow(endpoint.id)).status).toBe('failing');
    expect((await deliverDueWebhooks(dbFor(sql), base({ now: fixed(at(t, 86400 * 10)), schedule }))).attempted).toBe(0);
    expect(receiver.hits).toHaveLength(3);

    // A replay sends it again (same id) with a fresh schedule; its success makes the endpoint active.
    ok = true;
    expect(await replayDelivery(dbFor(sql), (await delivery(messageId)).id)).toBe(true);
    expect(await delivery(messageId)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await deliverDueWebhooks(dbFor(sql), base({ schedule }))).toEqual({ attempted: 1, succeeded: 1, failed: 0 });
    expect(receiver.hits.map((h) => h.id)).toEqual([messageId, messageId, messageId, messageId]);
    expect(receiver.hits.every((h) => h.verified)).toBe(true);
    expect(await endpointRow(endpoint.id)).toEqual({ status: 'active', disabled_reason: null });
  });

  it('a consumer that does not answer within the timeout is a failed attempt', async () => {
    const receiver = await startReceiver(() => ({ status: 200, hang: true }));
    const endpoint = await endpointFor(receiver, ['webhook.test']);
    const messageId = (await sendTestWebhook(dbFor(sql), endpoint.id))!;
    const started = Date.now();
    expect(await deliverDueWebhooks(dbFor(sql), base({ timeoutMs: 300 }))).toEqual({ attempted: 1, succeeded: 0, failed: 1 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await delivery(messageId)).toMatchObject({ status: 'pending', attempts: 1, last_response_code: null, last_error: 'timed out after 0.3 s' });
    expect(receiver.hits).toHaveLength(1);
  });

  it('a test message goes to that endpoint only, whatever its event filter', async () => {
    const receiver = await startReceiver();
    const other = await startReceiver();
    const endpoint = await endpointFor(receiver, ['connection.deleted']);
    await endpointFor(other, ['webhook.test']);
    const messageId = (await sendTestWebhook(dbFor(sql), endpoint.id))!;
    expect(await deliverDueWebhooks(dbFor(sql), base())).toEqual({ attempted: 1, succeeded: 1, failed: 0 });
    expect(other.hits).toHaveLength(0);
    expect(receiver.hits).toHaveLength(1);
    expect(receiver.hits[0].id).toBe(messageId);
    expect(receiver.hits[0].verified).toBe(true);
    const body = JSON.parse(receiver.hits[0].body);
    expect(body).toMatchObject({ type: 'webhook.test', data: { connection_id: null, endpoint_id: endpoint.id, sites: [] } });
  });
});
