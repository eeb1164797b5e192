// An app process SIGKILLed mid-delivery (a real OS process running deliverDueWebhooks): no webhook is
// lost, a resend carries the same webhook-id, order per connection holds, and the next worker run
// after the lease recovers on its own. Verified against a loopback receiver and the rows in Postgres.
import { spawn } from 'node:child_process';
import { createServer, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import postgres, { type Sql } from 'postgres';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import { deliverDueWebhooks, LEASE_MARGIN_MS } from '../../lib/webhooks/deliver';
import { createEndpoint } from '../../lib/webhooks/endpoints';
import { enqueueConnectionWebhook } from '../../lib/webhooks/outbox';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { APP_URL, connectViaSimulator, TEST_KEYS } from '../helpers/connections';
import { listenOnLoopback, verifies } from '../helpers/webhooks';
import { dbFor } from '../../lib/db';

const TIMEOUT_MS = 5_000;
const CHILD = fileURLToPath(new URL('../fixtures/deliver-once.ts', import.meta.url));

interface Hit {
  id: string;
  verified: boolean;
}

interface Receiver {
  url: string;
  hits: Hit[];
  secret: string;
  firstArrived: Promise<void>;
  close(): Promise<void>;
}

/** What the receiver does with the first request; it signals `ready` once the child is mid-delivery. */
type FirstReply = (res: ServerResponse, ready: () => void) => void;

let db: TestDatabase;
let sql: Sql;
let sim: Simulator;
let receiver: Receiver | undefined;

async function startReceiver(first: FirstReply): Promise<Receiver> {
  let ready!: () => void;
  const r: Receiver = { url: '', hits: [], secret: '', firstArrived: new Promise((resolve) => (ready = resolve)), close: async () => {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      r.hits.push({ id: String(req.headers['webhook-id']), verified: verifies(r.secret, body, req.headers) });
      if (r.hits.length === 1) first(res, ready);
      else res.writeHead(200).end('ok');
    });
  });
  Object.assign(r, await listenOnLoopback(server));
  return r;
}

/** Two messages for one connection (created, then degraded), for an endpoint at the receiver. */
async function queueTwo(r: Receiver): Promise<[string, string]> {
  const endpoint = await createEndpoint({ db: dbFor(sql), keys: TEST_KEYS, allowPrivate: true }, { url: r.url, events: ['connection.created', 'connection.degraded'] });
  r.secret = endpoint.secret;
  const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
  await dbFor(sql).transaction((tx) => enqueueConnectionWebhook(tx, 'connection.degraded', id, APP_URL));
  const rows = await sql<{ id: string }[]>`select id from webhook_messages where connection_id = ${id} order by created_at`;
  return [rows[0].id, rows[1].id];
}

/** Runs the deliverer as its own process, SIGKILLs it once the receiver is ready, returns its exit signal. */
async function killMidDelivery(r: Receiver): Promise<NodeJS.Signals | null> {
  // node --import tsx (not the tsx wrapper): the signal must reach the process doing the work.
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, DELIVER_DB: db.url, DELIVER_KEY: TEST_KEYS.current.toString('base64'), DELIVER_TIMEOUT_MS: String(TIMEOUT_MS) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += String(d)));
  child.stderr.on('data', (d) => (output += String(d)));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  const early = exited.then(() => Promise.reject(new Error(`the deliverer exited before being killed: ${output}`)));
  await Promise.race([r.firstArrived, early]);
  early.catch(() => {});
  child.kill('SIGKILL');
  return exited;
}

async function delivery(messageId: string) {
  const [row] = await sql<{ status: string; attempts: number; next_attempt_at: Date; lease_token: string | null }[]>`
    select status, attempts, next_attempt_at, lease_token from webhook_deliveries where message_id = ${messageId}`;
  return row;
}

const recover = (at: Date) => deliverDueWebhooks(dbFor(sql), { keys: TEST_KEYS, allowPrivate: true, timeoutMs: TIMEOUT_MS, now: () => at });

/** Kills a deliverer mid-send of the first message, then checks that nothing moves until the lease ends. */
async function killAndCheckLeased(first: FirstReply): Promise<{ r: Receiver; ids: [string, string]; leaseEnd: Date }> {
  receiver = await startReceiver(first);
  const ids = await queueTwo(receiver);
  const started = Date.now();
  expect(await killMidDelivery(receiver)).toBe('SIGKILL');
  expect(receiver.hits.map((h) => h.id)).toEqual([ids[0]]);

  const [killed, waiting] = [await delivery(ids[0]), await delivery(ids[1])];
  expect(killed).toMatchObject({ status: 'pending', attempts: 0 });
  expect(killed.lease_token).not.toBeNull();
  expect(waiting).toMatchObject({ status: 'pending', attempts: 0, lease_token: null });
  const leaseEnd = killed.next_attempt_at;
  expect(leaseEnd.getTime() - started).toBeGreaterThanOrEqual(TIMEOUT_MS + LEASE_MARGIN_MS);
  expect(leaseEnd.getTime() - Date.now()).toBeLessThanOrEqual(TIMEOUT_MS + LEASE_MARGIN_MS);

  expect((await recover(new Date())).attempted).toBe(0);
  expect((await recover(new Date(leaseEnd.getTime() - 1))).attempted).toBe(0);
  expect(receiver.hits).toHaveLength(1);
  return { r: receiver, ids, leaseEnd };
}

async function expectRecovered(r: Receiver, ids: [string, string], leaseEnd: Date) {
  expect(await recover(leaseEnd)).toEqual({ attempted: 2, succeeded: 2, failed: 0 });
  expect(r.hits.map((h) => h.id)).toEqual([ids[0], ids[0], ids[1]]);
  expect(r.hits.every((h) => h.verified)).toBe(true);
  for (const id of ids) expect(await delivery(id)).toMatchObject({ status: 'succeeded', attempts: 1, lease_token: null });
  expect((await recover(new Date(leaseEnd.getTime() + 7 * 86_400_000))).attempted).toBe(0);
  expect(r.hits).toHaveLength(3);
}

beforeAll(async () => {
  db = await createTestDatabase('webhooks_sigkill');
  sql = postgres(db.url, { max: 5, onnotice: () => {} });
  sim = await startSimulator();
});

afterAll(async () => {
  await sql.end();
  await sim.stop();
  await db.drop();
});

beforeEach(async () => {
  await sql`truncate webhook_endpoints, webhook_messages, webhook_deliveries, connections, users cascade`;
});

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('a deliverer process SIGKILLed mid-delivery', () => {
  it('before the consumer answers: still pending, nothing recorded, order kept; resent with the same webhook-id after the lease', async () => {
    const { r, ids, leaseEnd } = await killAndCheckLeased((_res, ready) => ready());
    await expectRecovered(r, ids, leaseEnd);
  });

  it('after the consumer answered 200 but before the outcome was written: sent exactly once more, same webhook-id', async () => {
    const { r, ids, leaseEnd } = await killAndCheckLeased((res, ready) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('accepted, more to co', () => setTimeout(ready, 300));
    });
    await expectRecovered(r, ids, leaseEnd);
  });
});
