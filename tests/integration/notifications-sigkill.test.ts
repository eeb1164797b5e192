// A mail worker SIGKILLed mid-send (a real OS process): the SMTP server has the mail but the worker never
// recorded it. After the lease the mail is sent once more, identical (same Message-ID): one duplicate at
// most, never a loss; the other queued mail goes out exactly once.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, getDb } from '../../lib/db';
import { smtpSender, smtpTransport } from '../../lib/notifications/mailer';
import { NOTIFY_LEASE_MS, sendDueNotifications } from '../../lib/notifications/send';
import { startSmtpReceiver, type ReceivedMail, type SmtpReceiver } from '../../lib/notifications/smtp-receiver';
import { SimulatorControl } from '../../lib/providers/atlassian/simulator/client';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { APP_URL, connectViaSimulator, engineFor, expireAccessTokens } from '../helpers/connections';

const CHILD = fileURLToPath(new URL('../fixtures/notify-once.ts', import.meta.url));
const SECRET = 'sigkill-test-secret-0123456789abcdef';

let db: TestDatabase;
let sql: Sql;
let sim: Simulator;
let smtp: SmtpReceiver;
const inbox: ReceivedMail[] = [];
let firstArrived!: () => void;
const arrived = new Promise<void>((resolve) => (firstArrived = resolve));
const savedUrl = process.env.DATABASE_URL;

beforeAll(async () => {
  db = await createTestDatabase('notify_sigkill');
  process.env.DATABASE_URL = db.url;
  sql = postgres(db.url, { max: 5, onnotice: () => {} });
  sim = await startSimulator({ leewaySeconds: 0 });
  // The first mail is kept, then never answered: the worker is killed while it waits for the 250.
  smtp = await startSmtpReceiver(async (mail) => {
    inbox.push(mail);
    if (inbox.length === 1) {
      firstArrived();
      await new Promise((resolve) => setTimeout(resolve, 60_000));
    }
  });
});

afterAll(async () => {
  await smtp.stop();
  await closeDb();
  await sql.end();
  await sim.stop();
  await db.drop();
  process.env.DATABASE_URL = savedUrl;
});

async function rows() {
  return sql<{ connection_id: string; status: string; attempts: number; next_attempt_at: Date; lease_token: string | null }[]>`
    select connection_id, status, attempts, next_attempt_at, lease_token from notifications order by created_at`;
}

describe('a mail worker process SIGKILLed mid-send', () => {
  it('repeats at most the one mail it was sending, with the same Message-ID, and loses none', async () => {
    const control = new SimulatorControl(sim.url);
    const a = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    const b = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    await control.revokeApp('alice@example.com');
    await control.revokeApp('bob@example.com');
    await expireAccessTokens(sql, [a.id, b.id]);
    const engine = engineFor(sql, sql, sim.url);
    for (const id of [a.id, b.id]) await expect(engine.getAccessToken(id)).rejects.toMatchObject({ code: 'needs_reauth' });

    // node --import tsx (not the tsx wrapper): the signal must reach the process doing the work.
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, DATABASE_URL: db.url, NOTIFY_SMTP_URL: smtp.url, NOTIFY_SECRET: SECRET, NOTIFY_APP_URL: APP_URL },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_c, signal) => resolve(signal)));
    const early = exited.then(() => Promise.reject(new Error(`the worker exited before being killed: ${output}`)));
    await Promise.race([arrived, early]);
    early.catch(() => {});
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // Nothing recorded: both still pending, the first under its lease, the second never claimed or claimed with it.
    const after = await rows();
    expect(after.map((r) => r.status)).toEqual(['pending', 'pending']);
    expect(after.every((r) => r.attempts === 0)).toBe(true);
    expect(inbox).toHaveLength(1);
    const leaseEnd = new Date(Math.max(...after.map((r) => r.next_attempt_at.getTime())));
    expect(leaseEnd.getTime()).toBeLessThanOrEqual(Date.now() + NOTIFY_LEASE_MS);

    const run = (at: Date) =>
      sendDueNotifications({
        db: getDb(),
        send: smtpSender(smtpTransport(smtp.url, 5_000)),
        from: 'Reconnect <reconnect@example.test>',
        appUrl: APP_URL,
        secret: SECRET,
        degradedAfterHours: 24,
        now: () => at,
      });
    expect(await run(new Date())).toMatchObject({ attempted: 0 }); // leased: not before the lease ends
    expect(await run(leaseEnd)).toMatchObject({ attempted: 2, sent: 2 });
    expect(await run(new Date(leaseEnd.getTime() + 7 * 86_400_000))).toMatchObject({ attempted: 0 });

    // Three mails in all: the killed one twice (identical Message-ID), the other once.
    expect(inbox).toHaveLength(3);
    const byId = new Map<string, ReceivedMail[]>();
    for (const m of inbox) byId.set(m.messageId!, [...(byId.get(m.messageId!) ?? []), m]);
    expect([...byId.values()].map((ms) => ms.length).sort()).toEqual([1, 2]);
    const [first, again] = byId.get(inbox[0].messageId!)!;
    expect(again.html).toBe(first.html); // same Reconnect link, same unsubscribe link
    expect(new Set(inbox.map((m) => m.to))).toEqual(new Set(['alice@example.com', 'bob@example.com']));
    expect((await rows()).map((r) => [r.status, r.attempts])).toEqual([['sent', 1], ['sent', 1]]);
  });
});
