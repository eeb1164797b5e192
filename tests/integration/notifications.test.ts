// Owner notifications against a real SMTP server on loopback (smtp-server), mail parsed with mailparser:
// one mail per transition, none for a blip, late but not lost when SMTP is down, 5xx recorded as failed,
// one-click unsubscribe without a session. The token engine, simulator and Postgres are the real ones.
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetConfigForTests } from '../../lib/config';
import { closeDb, getDb } from '../../lib/db';
import { metrics } from '../../lib/metrics';
import { smtpSender, smtpTransport } from '../../lib/notifications/mailer';
import { sendDueNotifications, type NotifyOptions } from '../../lib/notifications/send';
import { SimulatorControl } from '../../lib/providers/atlassian/simulator/client';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import { hashSecret } from '../../lib/secrets';
import { ConnectionUnavailableError } from '../../lib/connections/errors';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { APP_URL, connectViaSimulator, engineFor, expireAccessTokens, reconnectViaSimulator } from '../helpers/connections';
import { linkIn, startTestMailServer, type TestMailServer } from '../helpers/mail';
import { dbFor } from '../../lib/db';

const SECRET = 'notifications-test-secret-0123456789';
let db: TestDatabase;
let sql: Sql;
let sim: Simulator;
let control: SimulatorControl;
let smtp: TestMailServer;
const savedUrl = process.env.DATABASE_URL;

const HOUR = 3_600_000;

function notifier(extra: Partial<NotifyOptions> = {}): NotifyOptions {
  return {
    db: getDb(),
    send: smtpSender(smtpTransport(smtp.url, 3_000)),
    from: 'Reconnect <reconnect@example.test>',
    appUrl: APP_URL,
    secret: SECRET,
    degradedAfterHours: 24,
    random: () => 0.5,
    onOutcome: (outcome) => metrics().notifications.inc({ outcome }),
    ...extra,
  };
}

const runWorker = (at = new Date(), extra: Partial<NotifyOptions> = {}) => sendDueNotifications(notifier({ now: () => at, ...extra }));

async function notificationRows(connectionId: string) {
  return sql<{ id: string; kind: string; status: string; attempts: number; next_attempt_at: Date; last_response_code: number | null }[]>`
    select id, kind, status, attempts, next_attempt_at, last_response_code from notifications where connection_id = ${connectionId} order by created_at`;
}

async function timeline(connectionId: string, prefix = 'notification_') {
  const rows = await sql<{ type: string }[]>`select type from connection_events where connection_id = ${connectionId} and type like ${`${prefix}%`} order by id`;
  return rows.map((r) => r.type);
}

/** A dead grant: revoked at Atlassian, access token expired, so the next refresh learns it. */
async function killGrant(email: string, id: string) {
  await control.revokeApp(email);
  await expireAccessTokens(sql, [id]);
}

async function counter(outcome: string): Promise<number> {
  const m = await metrics().notifications.get();
  return m.values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

beforeAll(async () => {
  db = await createTestDatabase('notifications');
  process.env.DATABASE_URL = db.url; // getDb() and the unsubscribe route use this database
  resetConfigForTests();
  sql = postgres(db.url, { max: 10, onnotice: () => {} });
  sim = await startSimulator({ leewaySeconds: 0 });
  control = new SimulatorControl(sim.url);
  smtp = await startTestMailServer();
});

afterAll(async () => {
  await smtp.stop();
  await closeDb();
  await sql.end();
  await sim.stop();
  await db.drop();
  process.env.DATABASE_URL = savedUrl;
});

beforeEach(async () => {
  await sql`truncate notifications, connect_sessions, webhook_messages, connections, users cascade`;
  await control.reset();
  await control.clearFaults();
  await smtp.up(); // a test that failed mid-outage must not leave the server down for the next
  smtp.inbox.length = 0;
  smtp.mode = 'accept';
});

describe('owner notifications', () => {
  it('a 200-caller storm on a dead connection sends exactly one mail, with a working single-use Reconnect link and no secret', async () => {
    const { id, tokens } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    await killGrant('alice@example.com', id);
    // Four engines with their own pools (as four app instances), 50 callers each.
    const pools = Array.from({ length: 4 }, () => [postgres(db.url, { max: 5, onnotice: () => {} }), postgres(db.url, { max: 2, onnotice: () => {} })] as const);
    try {
      const engines = pools.map(([main, marker]) => engineFor(main, marker, sim.url));
      const calls = engines.flatMap((e) => Array.from({ length: 50 }, () => e.getAccessToken(id).then(() => 'token', (err: unknown) => (err as ConnectionUnavailableError).code)));
      const answers = await Promise.all(calls);
      expect(answers).toHaveLength(200);
      expect(new Set(answers)).toEqual(new Set(['needs_reauth']));
    } finally {
      for (const [main, marker] of pools) await Promise.all([main.end(), marker.end()]);
    }
    const sentBefore = await counter('sent');
    expect(await runWorker()).toMatchObject({ attempted: 1, sent: 1 });
    expect(await runWorker(new Date(Date.now() + 30 * 86_400_000))).toMatchObject({ attempted: 0 });

    expect(smtp.inbox).toHaveLength(1);
    const [mail] = smtp.inbox;
    expect(mail.to).toBe('alice@example.com');
    expect(mail.subject).toBe('Your Jira connection needs to be reconnected');
    expect(mail.text).toContain('Access was revoked in Atlassian or your password changed');
    expect(mail.messageId).toMatch(/^<[0-9a-f]{32}@localhost>$/);
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(mail.headers['list-unsubscribe']).toMatch(new RegExp(`^<${APP_URL}/api/notifications/unsubscribe/[A-Za-z0-9_-]{43}>$`));
    // The Reconnect button: a connect session for this connection, stored hashed, valid 7 days.
    const link = linkIn(mail, `${APP_URL}/connect/`)!;
    expect(link).toBeDefined();
    const token = link.slice(`${APP_URL}/connect/`.length);
    const [session] = await sql<{ connection_id: string; user_email: string; expires_at: Date; used_at: Date | null }[]>`
      select connection_id, user_email, expires_at, used_at from connect_sessions where token_hash = ${hashSecret(token)}`;
    expect(session).toMatchObject({ connection_id: id, user_email: 'alice@example.com', used_at: null });
    expect(Math.round((session.expires_at.getTime() - Date.now()) / 86_400_000)).toBe(7);
    expect(await sql`select 1 from connect_sessions where token_hash = ${token}`).toHaveLength(0);
    // No secret and no internal id but the connection's in the mail.
    const whole = JSON.stringify(mail);
    const [row] = await notificationRows(id);
    const [user] = await sql<{ id: string }[]>`select id from users where email = 'alice@example.com'`;
    for (const secret of [tokens.accessToken, tokens.refreshToken!, SECRET, row.id, user.id]) expect(whole).not.toContain(secret);

    expect(await notificationRows(id)).toMatchObject([{ kind: 'needs_reauth', status: 'sent', attempts: 1 }]);
    expect(await timeline(id)).toEqual(['notification_sent']);
    expect(await counter('sent')).toBe(sentBefore + 1);
    const scraped = await (await (await import('../../app/api/metrics/route')).GET()).text();
    expect(scraped).toContain(`reconnect_notifications_total{outcome="sent"} ${sentBefore + 1}`);
    // The webhook outbox got its one message from the same transition.
    expect(await sql`select 1 from webhook_messages where connection_id = ${id} and type = 'connection.needs_reauth'`).toHaveLength(1);
  });

  it('a site or account name a provider controls reads as quoted text in both parts of the mail, never as a link', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    // What a hostile site admin could name their site, and an account address: the names as the provider reported them.
    const hostile = 'Acme — your access ended, sign in again at https://evil.example/login or write to help@evil.example';
    await sql`update connection_sites set name = ${hostile} where connection_id = ${id} and name = 'Acme'`;
    await sql`update connections set account_email = 'owner@evil.example' where id = ${id}`;
    await killGrant('alice@example.com', id);
    await expect(engineFor(sql, sql, sim.url).getAccessToken(id)).rejects.toMatchObject({ code: 'needs_reauth' });
    expect(await runWorker()).toMatchObject({ sent: 1 });
    const [mail] = smtp.inbox;
    const html = (mail.html || '').replaceAll('&#x27;', "'").replaceAll('&quot;', '"');
    const text = mail.text ?? '';
    for (const part of [text, html]) {
      expect(part).toContain('“Acme — your access ended, sign in again at https[:]//evil[.]example/login or wr…”');
      expect(part).toContain('“Globex”');
      expect(part).toContain('account “owner[at]evil[.]example”');
      expect(part).not.toMatch(/evil\.example|@evil/);
    }
    // The only URLs in the text part are the app's own (the Reconnect link, the connection's page, the unsubscribe link).
    const urls = text.match(/[a-z][a-z\d+.-]*:\/\/[^\s<>\])]+/giu) ?? [];
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url.startsWith(`${APP_URL}/`), url).toBe(true);
    // And in the HTML, every link's target.
    for (const [, href] of html.matchAll(/href="([^"]+)"/g)) expect(href!.startsWith(`${APP_URL}/`), href).toBe(true);
  });

  it('a transient blip sends nothing; a degraded spell that lasts NOTIFY_DEGRADED_AFTER_HOURS sends one mail', async () => {
    const blip = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    const engine = engineFor(sql, sql, sim.url);
    await control.addFault({ kind: 'status', status: 503, target: 'token', count: 1 });
    await expireAccessTokens(sql, [blip.id]);
    await expect(engine.getAccessToken(blip.id)).rejects.toMatchObject({ code: 'temporarily_unavailable' });
    expect((await sql`select status from connections where id = ${blip.id}`)[0].status).toBe('degraded');
    await sql`update connections set next_refresh_at = now() - interval '1 second' where id = ${blip.id}`;
    expect(await engine.refreshNextDue()).toEqual({ id: blip.id, outcome: 'refreshed' }); // the worker's retry: recovered
    expect(await runWorker(new Date(Date.now() + 48 * HOUR))).toMatchObject({ attempted: 0 });
    expect(smtp.inbox).toHaveLength(0);
    expect(await notificationRows(blip.id)).toMatchObject([{ kind: 'degraded', status: 'cancelled' }]);

    const long = await connectViaSimulator(sql, sim.url, 'bob@example.com', 'confluence');
    await control.addFault({ kind: 'status', status: 503, target: 'token', count: 1 });
    await expireAccessTokens(sql, [long.id]);
    await expect(engine.getAccessToken(long.id)).rejects.toMatchObject({ code: 'temporarily_unavailable' });
    expect(await runWorker(new Date(Date.now() + 23 * HOUR))).toMatchObject({ attempted: 0 });
    expect(await runWorker(new Date(Date.now() + 25 * HOUR))).toMatchObject({ attempted: 1, sent: 1 });
    expect(await runWorker(new Date(Date.now() + 50 * HOUR))).toMatchObject({ attempted: 0 });
    expect(smtp.inbox.map((m) => [m.to, m.subject])).toEqual([['bob@example.com', 'Your Confluence connection has been retrying for 24 hours']]);
    expect(await timeline(long.id)).toEqual(['notification_sent']);
  });

  it('SMTP down for a while: retried with backoff, the mail arrives late, once', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    await killGrant('alice@example.com', id);
    await expect(engineFor(sql, sql, sim.url).getAccessToken(id)).rejects.toMatchObject({ code: 'needs_reauth' });
    await smtp.down();
    let at = new Date();
    expect(await runWorker(at)).toMatchObject({ attempted: 1, retrying: 1 });
    let [row] = await notificationRows(id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row.next_attempt_at.getTime()).toBeGreaterThan(at.getTime());
    expect(await runWorker(at)).toMatchObject({ attempted: 0 }); // not before its backoff
    at = row.next_attempt_at;
    expect(await runWorker(at)).toMatchObject({ attempted: 1, retrying: 1 });
    [row] = await notificationRows(id);
    expect(row).toMatchObject({ status: 'pending', attempts: 2 });
    await smtp.up();
    expect(await runWorker(row.next_attempt_at)).toMatchObject({ attempted: 1, sent: 1 });
    expect(smtp.inbox.map((m) => m.to)).toEqual(['alice@example.com']);
    expect(await notificationRows(id)).toMatchObject([{ status: 'sent', attempts: 3 }]);
    expect(await timeline(id)).toEqual(['notification_sent']);
  });

  it('a permanent SMTP refusal (5xx) is recorded as failed, on the timeline, and not retried', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    await killGrant('alice@example.com', id);
    await expect(engineFor(sql, sql, sim.url).getAccessToken(id)).rejects.toMatchObject({ code: 'needs_reauth' });
    smtp.mode = 'reject';
    const failedBefore = await counter('failed');
    expect(await runWorker()).toMatchObject({ attempted: 1, failed: 1 });
    expect(await runWorker(new Date(Date.now() + 7 * 86_400_000))).toMatchObject({ attempted: 0 });
    expect(await notificationRows(id)).toMatchObject([{ status: 'failed', attempts: 1, last_response_code: 550 }]);
    expect(await timeline(id)).toEqual(['notification_failed']);
    expect(await counter('failed')).toBe(failedBefore + 1);
  });

  it('after recovery no further mail until the next transition; reconnecting cancels an unsent one', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    await killGrant('alice@example.com', id);
    await expect(engineFor(sql, sql, sim.url).getAccessToken(id)).rejects.toMatchObject({ code: 'needs_reauth' });
    // Reconnected before the worker ran: the mail is no longer wanted.
    await reconnectViaSimulator(sql, sim.url, id, 'alice@example.com');
    expect(await runWorker()).toMatchObject({ attempted: 0 });
    expect(smtp.inbox).toHaveLength(0);
    expect(await notificationRows(id)).toMatchObject([{ status: 'cancelled' }]);
  });

  it('an owner who turned a connection off gets nothing; the timeline says it was suppressed', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    await sql`update connections set notifications_enabled = false where id = ${id}`;
    await killGrant('alice@example.com', id);
    await expect(engineFor(sql, sql, sim.url).getAccessToken(id)).rejects.toMatchObject({ code: 'needs_reauth' });
    expect(await runWorker()).toMatchObject({ attempted: 1, suppressed: 1 });
    expect(smtp.inbox).toHaveLength(0);
    expect(await timeline(id)).toEqual(['notification_suppressed']);
  });
});

describe('one-click unsubscribe', () => {
  it('the List-Unsubscribe POST works without a session; GET only shows a confirmation', async () => {
    const route = await import('../../app/api/notifications/unsubscribe/[token]/route');
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    await killGrant('alice@example.com', id);
    await expect(engineFor(sql, sql, sim.url).getAccessToken(id)).rejects.toMatchObject({ code: 'needs_reauth' });
    await runWorker();
    const url = smtp.inbox[0].headers['list-unsubscribe'].slice(1, -1);
    const token = url.split('/').pop()!;
    const ctx = { params: Promise.resolve({ token }) };
    const enabled = async () => (await sql<{ on: boolean }[]>`select notifications_enabled as on from connections where id = ${id}`)[0].on;

    const page = await route.GET(new Request(url), ctx);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Stop sending emails about your Jira connection to alice@example.com?');
    expect(await enabled()).toBe(true);

    // No cookie, no session: exactly what a mail client sends (RFC 8058).
    const body = new URLSearchParams({ 'List-Unsubscribe': 'One-Click' });
    const res = await route.POST(new Request(url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }), ctx);
    expect(res.status).toBe(200);
    expect(await enabled()).toBe(false);
    const [user] = await sql<{ on: boolean }[]>`select notifications_enabled as on from users where email = 'alice@example.com'`;
    expect(user.on).toBe(true); // only this connection's mail

    const bad = await route.POST(new Request(`${APP_URL}/api/notifications/unsubscribe/${'x'.repeat(43)}`, { method: 'POST', body }), { params: Promise.resolve({ token: 'x'.repeat(43) }) });
    expect(bad.status).toBe(404);
  });

  it('a browser is sent to the confirmation page; its form unsubscribes; opened again, the link says it is already done', async () => {
    const route = await import('../../app/api/notifications/unsubscribe/[token]/route');
    const { lookupUnsubscribe } = await import('../../lib/notifications/preferences');
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    await killGrant('alice@example.com', id);
    await expect(engineFor(sql, sql, sim.url).getAccessToken(id)).rejects.toMatchObject({ code: 'needs_reauth' });
    await runWorker();
    const url = smtp.inbox[0].headers['list-unsubscribe'].slice(1, -1);
    const token = url.split('/').pop()!;
    const ctx = { params: Promise.resolve({ token }) };
    const html = { accept: 'text/html,application/xhtml+xml' };

    const opened = await route.GET(new Request(url, { headers: html }), ctx);
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe(`/unsubscribe/${token}`);
    expect(await lookupUnsubscribe(getDb(), token)).toMatchObject({ email: 'alice@example.com', off: null }); // opening changed nothing

    const form = new URLSearchParams({ scope: 'mail' });
    const posted = await route.POST(new Request(url, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } }), ctx);
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe(`/unsubscribe/${token}?done=mail`);
    expect(await lookupUnsubscribe(getDb(), token)).toMatchObject({ off: 'mail' });
    const again = await route.GET(new Request(url), ctx);
    expect(await again.text()).toContain('You are already unsubscribed\nalice@example.com will not get emails about your Jira connection from Reconnect any more.');

    await sql`update users set notifications_enabled = false where email = 'alice@example.com'`;
    expect(await lookupUnsubscribe(getDb(), token)).toMatchObject({ off: 'all' });

    const unknown = { params: Promise.resolve({ token: 'y'.repeat(43) }) };
    const lost = await route.POST(new Request(url, { method: 'POST', body: new URLSearchParams({ scope: 'all' }) }), unknown);
    expect(lost.headers.get('location')).toBe('/problem/unsubscribe-not-valid');
    expect((await route.GET(new Request(url), unknown)).status).toBe(404);
  });
});

describe('admin digest', () => {
  it('daily, only for admins who opted in, only when something is broken, operator errors first', async () => {
    const { upsertUser } = await import('../../lib/users');
    const { enqueueDueDigests } = await import('../../lib/notifications/digest');
    const admin = await upsertUser(dbFor(sql), 'admin@example.com', 'Ada Admin', ['admin@example.com']);
    await upsertUser(dbFor(sql), 'other-admin@example.com', 'Not opted in', ['other-admin@example.com']);
    const dead = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    const misconfigured = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    expect(await enqueueDueDigests(getDb(), new Date())).toBe(0); // nobody opted in
    await sql`update users set admin_digest = true where id = ${admin.id}`;
    expect(await enqueueDueDigests(getDb(), new Date())).toBe(0); // nothing broken

    await sql`update users set notifications_enabled = false where email in ('alice@example.com', 'bob@example.com')`; // only the digest here
    await killGrant('alice@example.com', dead.id);
    const engine = engineFor(sql, sql, sim.url);
    await expect(engine.getAccessToken(dead.id)).rejects.toMatchObject({ code: 'needs_reauth' });
    await control.addFault({ kind: 'invalid_client', target: 'token' });
    await expireAccessTokens(sql, [misconfigured.id]);
    await expect(engine.getAccessToken(misconfigured.id)).rejects.toMatchObject({ code: 'configuration_error' });
    await control.clearFaults();

    const today = new Date();
    expect(await enqueueDueDigests(getDb(), today)).toBe(1);
    expect(await enqueueDueDigests(getDb(), today)).toBe(0); // once a day
    await runWorker(today);
    expect(smtp.inbox.map((m) => [m.to, m.subject])).toEqual([['admin@example.com', 'Reconnect daily digest: 2 connections need attention']]);
    const text = smtp.inbox[0].text!;
    expect(text).toContain('Operator error');
    expect(text.indexOf('Operator error')).toBeLessThan(text.indexOf('Connections by status'));
    expect(text).toMatch(/Needs reconnect\s+1/);
    expect(text).toMatch(/Configuration error\s+1/);
    expect(text).toContain('Access revoked or password changed');
    expect(smtp.inbox[0].headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(await enqueueDueDigests(getDb(), new Date(today.getTime() + 24 * HOUR))).toBe(1); // the next day
  });
});
