// Renewal (docs/connection-states.md, "The year"): the consent time, renew_by, the window's one transition per
// family (webhook + mail, two workers racing), renewal on the same id, and the reason at the edges.
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbFor } from '../../lib/db';
import { recordEnteredWindows } from '../../lib/jobs/renewal';
import { smtpSender, smtpTransport } from '../../lib/notifications/mailer';
import { sendDueNotifications } from '../../lib/notifications/send';
import { SimulatorControl } from '../../lib/providers/atlassian/simulator/client';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import { createEndpoint } from '../../lib/webhooks/endpoints';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { APP_URL, connectViaSimulator, engineFor, expireAccessTokens, reconnectViaSimulator, storedTokens, TEST_KEYS, testSql } from '../helpers/connections';
import { linkIn, startTestMailServer, type TestMailServer } from '../helpers/mail';

const DAY = 86_400_000;
const YEAR = 365 * DAY;

let db: TestDatabase;
let sim: Simulator;
let control: SimulatorControl;
let sql: Sql;
let markerSql: Sql;
let smtp: TestMailServer;

beforeAll(async () => {
  db = await createTestDatabase('renewal');
  sim = await startSimulator({ leewaySeconds: 0 });
  control = new SimulatorControl(sim.url);
  sql = testSql(10, db.url);
  markerSql = testSql(4, db.url);
  smtp = await startTestMailServer();
});

afterAll(async () => {
  await smtp?.stop();
  await sim?.stop();
  await sql?.end();
  await markerSql?.end();
  await db?.drop();
});

interface ConsentRow {
  consented_at: Date | null;
  renew_by: Date | null;
  renew_warned_at: Date | null;
  token_generation: number;
  status: string;
  reason: string | null;
}

async function consentOf(id: string): Promise<ConsentRow> {
  const [row] = await sql<ConsentRow[]>`
    select consented_at, renew_by, renew_warned_at, token_generation, status, reason from connections where id = ${id}`;
  return row!;
}

/** Moves a connection's consent (and so its renew_by) as if it had consented at `at`. */
async function consentedAt(id: string, at: Date): Promise<void> {
  await sql`update connections set consented_at = ${at}, renew_by = ${new Date(at.getTime() + YEAR)}, renew_warned_at = null where id = ${id}`;
}

const countOf = async (query: Promise<{ n: number }[]>) => (await query)[0]!.n;

describe('consent time', () => {
  it('is set by each code exchange, untouched by refreshes (storms included), and reset by a renewal on the same id', async () => {
    const before = Date.now();
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com', 'jira');
    const first = await consentOf(id);
    expect(first.consented_at!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(first.consented_at!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(first.renew_by!.getTime() - first.consented_at!.getTime()).toBe(YEAR);

    // Storms: many callers at once on an expired token, three rounds, then the worker's own refreshes.
    const engine = engineFor(sql, markerSql, sim.url);
    for (let round = 0; round < 3; round++) {
      await expireAccessTokens(sql, [id]);
      const answers = await Promise.all(Array.from({ length: 12 }, () => engine.getAccessToken(id)));
      expect(answers.some((a) => a.refreshed)).toBe(true);
    }
    await sql`update connections set next_refresh_at = now() - interval '1 second' where id = ${id}`;
    expect(await engine.refreshNextDue()).toMatchObject({ id, outcome: 'refreshed' });
    const refreshed = await consentOf(id);
    expect(refreshed.token_generation).toBeGreaterThanOrEqual(first.token_generation + 4);
    expect(refreshed.consented_at).toEqual(first.consented_at);
    expect(refreshed.renew_by).toEqual(first.renew_by);

    // A renewal (a new consent through the reconnect flow): same row, a new family, a new year.
    await sql`update connections set renew_warned_at = now() where id = ${id}`;
    await consentedAt(id, new Date(Date.now() - 340 * DAY));
    await sql`update connections set renew_warned_at = now() where id = ${id}`;
    const gen = await reconnectViaSimulator(sql, sim.url, id, 'alice@example.com', 'jira');
    const renewed = await consentOf(id);
    expect(renewed.token_generation).toBe(gen);
    expect(renewed.consented_at!.getTime()).toBeGreaterThanOrEqual(before);
    expect(renewed.renew_by!.getTime() - renewed.consented_at!.getTime()).toBe(YEAR);
    expect(renewed.renew_warned_at).toBeNull(); // the next family warns again, a year later
    const [event] = await sql<{ code: string | null }[]>`
      select code from connection_events where connection_id = ${id} and type = 'reconnected' order by id desc limit 1`;
    expect(event!.code).toBe('renewed'); // the timeline says "Renewed"
  });

  it('a Bitbucket connection records its consent but has no renew_by (Bitbucket documents no absolute lifetime)', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'bob@example.com', 'bitbucket');
    const row = await consentOf(id);
    expect(row.consented_at).not.toBeNull();
    expect(row.renew_by).toBeNull();
    // No window either: the scan never warns it, however far the clock goes.
    await recordEnteredWindows({ db: dbFor(sql), appUrl: APP_URL, warningDays: 30, now: () => new Date(Date.now() + 5 * YEAR) });
    expect((await consentOf(id)).renew_warned_at).toBeNull();
    expect(await countOf(sql`select count(*)::int as n from webhook_messages where connection_id = ${id} and type = 'connection.expiring'`)).toBe(0);
  });
});

describe('the renewal window', () => {
  it('two workers racing over connections entering the window: exactly one connection.expiring and one Renew mail per family', async () => {
    // Earlier tests' rows and mails are not this test's.
    await sql`update connections set renew_warned_at = now() where renew_warned_at is null`;
    await sql`update notifications set status = 'cancelled' where status = 'pending'`;
    const endpoint = await createEndpoint(
      { db: dbFor(sql), keys: TEST_KEYS, allowPrivate: true },
      { url: 'http://127.0.0.1:9/hooks', events: ['connection.expiring'] },
    );
    const inWindow: string[] = [];
    for (const [email, product] of [['alice@example.com', 'jira'], ['alice@example.com', 'confluence'], ['bob@example.com', 'jira'], ['bob@example.com', 'confluence']] as const) {
      const { id } = await connectViaSimulator(sql, sim.url, email, product);
      await consentedAt(id, new Date(Date.now() - 340 * DAY)); // 25 days left: inside a 30-day window
      inWindow.push(id);
    }
    const outside = (await connectViaSimulator(sql, sim.url, 'bob@example.com', 'jira')).id;
    await consentedAt(outside, new Date(Date.now() - 300 * DAY)); // 65 days left

    // Two workers, each on its own pool, several rounds at once.
    const other = testSql(4, db.url);
    try {
      const opts = (s: Sql) => ({ db: dbFor(s), appUrl: APP_URL, warningDays: 30, now: () => new Date(), batch: 2 });
      const rounds = await Promise.all([0, 1, 2].flatMap(() => [recordEnteredWindows(opts(sql)), recordEnteredWindows(opts(other))]));
      expect(rounds.reduce((a, b) => a + b, 0)).toBe(inWindow.length);
    } finally {
      await other.end();
    }
    for (const id of inWindow) {
      expect(await countOf(sql`select count(*)::int as n from webhook_messages where connection_id = ${id} and type = 'connection.expiring'`)).toBe(1);
      expect(await countOf(sql`select count(*)::int as n from notifications where connection_id = ${id} and kind = 'expiring'`)).toBe(1);
      expect(await countOf(sql`select count(*)::int as n from connection_events where connection_id = ${id} and type = 'expiring'`)).toBe(1);
      expect(await countOf(sql`select count(*)::int as n from webhook_deliveries d join webhook_messages m on m.id = d.message_id
        where m.connection_id = ${id} and d.endpoint_id = ${endpoint.id}`)).toBe(1);
    }
    expect(await countOf(sql`select count(*)::int as n from webhook_messages where connection_id = ${outside}`)).toBe(1); // only connection.created

    // The webhook's data: renew_by and the reconnect_url, never a token.
    const [message] = await sql<{ payload: { type: string; data: Record<string, unknown> } }[]>`
      select payload from webhook_messages where connection_id = ${inWindow[0]!} and type = 'connection.expiring'`;
    const renewBy = (await consentOf(inWindow[0]!)).renew_by!;
    expect(message!.payload.data).toMatchObject({ renew_by: renewBy.toISOString(), reconnect_url: expect.stringMatching(new RegExp(`^${APP_URL}/connect/[A-Za-z0-9_-]{43}$`)), status: 'active' });
    const tokens = await storedTokens(sql, inWindow[0]!);
    expect(JSON.stringify(message!.payload)).not.toContain(tokens.refresh);

    // One mail per family, with a Renew button: a single-use link valid until renew_by.
    smtp.inbox.length = 0;
    const notify = { db: dbFor(sql), send: smtpSender(smtpTransport(smtp.url, 3_000)), from: 'Reconnect <r@localhost>', appUrl: APP_URL, secret: 'test-secret-test-secret-test-secret', degradedAfterHours: 24 };
    await sendDueNotifications(notify);
    const renewMails = smtp.inbox.filter((m) => /^Renew your (Jira|Confluence) connection before /.test(m.subject ?? ''));
    expect(renewMails).toHaveLength(inWindow.length);
    const mail = renewMails.find((m) => m.to === 'alice@example.com' && m.subject!.includes('Jira'))!;
    expect(mail.text).toContain('Atlassian ends access one year after consent. Renew to continue.');
    const link = linkIn(mail, `${APP_URL}/connect/`);
    expect(link).toBeDefined();
    const [session] = await sql<{ expires_at: Date; connection_id: string }[]>`select expires_at, connection_id from connect_sessions where connection_id = ${inWindow[0]!}`;
    expect(session).toMatchObject({ expires_at: renewBy, connection_id: inWindow[0] });
    for (const m of renewMails) expect(`${m.html}${m.text}`).not.toContain(tokens.refresh);

    // Later rounds change nothing; a renewal starts a new family, which warns again a year later.
    await recordEnteredWindows({ db: dbFor(sql), appUrl: APP_URL, warningDays: 30, now: () => new Date() });
    await reconnectViaSimulator(sql, sim.url, inWindow[0]!, 'alice@example.com', 'jira');
    expect(await recordEnteredWindows({ db: dbFor(sql), appUrl: APP_URL, warningDays: 30, now: () => new Date() })).toBe(0);
    // 336 days on: the renewed family (and `outside`, whose year started earlier) enter their windows.
    expect(await recordEnteredWindows({ db: dbFor(sql), appUrl: APP_URL, warningDays: 30, now: () => new Date(Date.now() + 336 * DAY) })).toBe(2);
    expect(await countOf(sql`select count(*)::int as n from webhook_messages where connection_id = ${inWindow[0]!} and type = 'connection.expiring'`)).toBe(2);
  });
});

describe('why a family died, at the edges', () => {
  /** A connection whose grant the simulator then kills (revocation), refreshed by an engine whose clock reads `at`. */
  async function refusedAt(at: Date, setup: (id: string) => Promise<void>): Promise<ConsentRow> {
    const { id } = await connectViaSimulator(sql, sim.url, 'bob@example.com', 'confluence');
    await setup(id);
    await control.revokeApp('bob@example.com');
    await expireAccessTokens(sql, [id]);
    await expect(engineFor(sql, markerSql, sim.url, { now: () => at }).getAccessToken(id)).rejects.toMatchObject({ code: 'needs_reauth' });
    return consentOf(id);
  }

  it('consent_expired from renew_by minus a minute on; revoked just before it', async () => {
    const at = new Date();
    const expired = await refusedAt(at, (id) => sql`update connections set renew_by = ${new Date(at.getTime() + 60_000)} where id = ${id}`.then(() => {}));
    expect(expired).toMatchObject({ status: 'needs_reauth', reason: 'consent_expired' });
    const early = await refusedAt(at, (id) => sql`update connections set renew_by = ${new Date(at.getTime() + 60_001)} where id = ${id}`.then(() => {}));
    expect(early).toMatchObject({ status: 'needs_reauth', reason: 'revoked' });
  });

  it('inactivity_expired only past 90 days without rotation; exactly 90 days is still revoked', async () => {
    const at = new Date();
    const idle = await refusedAt(at, (id) => sql`update connections set refresh_token_issued_at = ${new Date(at.getTime() - 90 * DAY - 1)} where id = ${id}`.then(() => {}));
    expect(idle.reason).toBe('inactivity_expired');
    const edge = await refusedAt(at, (id) => sql`update connections set refresh_token_issued_at = ${new Date(at.getTime() - 90 * DAY)} where id = ${id}`.then(() => {}));
    expect(edge.reason).toBe('revoked');
  });

  it('the simulator ends an Atlassian family 366 days after consent, and the app calls it consent_expired, not revoked', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com', 'jira');
    const offset = 366 * DAY;
    await control.advanceClock(offset / 1000);
    try {
      await expireAccessTokens(sql, [id]);
      const engine = engineFor(sql, markerSql, sim.url, { now: () => new Date(Date.now() + offset) });
      await expect(engine.getAccessToken(id)).rejects.toMatchObject({ code: 'needs_reauth', reason: 'consent_expired' });
      expect(await consentOf(id)).toMatchObject({ status: 'needs_reauth', reason: 'consent_expired' });
    } finally {
      await control.resetClock();
    }
  });
});
