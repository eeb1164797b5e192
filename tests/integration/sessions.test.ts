// Server-side sessions (Auth.js database strategy through @auth/drizzle-adapter), read and ended the way the app does.
import { dbFor } from '../../lib/db';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSession,

  endAllSessions,
  endSession,
  listLiveSessions,
  listSessions,
  readSession,
  sessionAdapter,
} from '../../lib/auth/sessions';
import { cleanupTask } from '../../lib/jobs/tasks';
import { hashSecret } from '../../lib/secrets';
import { sessionUser, upsertUser } from '../../lib/users';
import { testSql } from '../helpers/connections';

let sql: Sql;
let ada: { id: string };
let carol: { id: string };

beforeAll(async () => {
  sql = testSql();
  ada = await upsertUser(dbFor(sql), 'ada-sessions@example.com', 'Ada', ['ada-sessions@example.com']);
  carol = await upsertUser(dbFor(sql), 'carol-sessions@example.com', 'Carol', []);
});

afterAll(async () => {
  await sql.end();
});

describe('sessions', () => {
  it('are stored hashed and read back through the adapter Auth.js uses', async () => {
    const { token, expires } = await createSession(dbFor(sql), carol.id);
    expect((await readSession(dbFor(sql), token))?.userId).toBe(carol.id);
    expect((await sql`select 1 from sessions where session_token = ${token}`).length).toBe(0);
    expect((await sql`select 1 from sessions where session_token = ${hashSecret(token)}`).length).toBe(1);
    expect(expires.getTime() - Date.now()).toBeGreaterThan(7.9 * 3600_000);
    expect(expires.getTime() - Date.now()).toBeLessThanOrEqual(8 * 3600_000);
    // The stored hash is not a session token.
    expect(await readSession(dbFor(sql), hashSecret(token))).toBeNull();
  });

  it('end on sign-out: deleteSession (what signOut() calls) kills the token for every copy of the cookie', async () => {
    const { token } = await createSession(dbFor(sql), carol.id);
    await sessionAdapter(dbFor(sql)).deleteSession!(token);
    expect(await readSession(dbFor(sql), token)).toBeNull();
  });

  it('run out after 8 hours, and the cleanup task deletes them', async () => {
    const { token } = await createSession(dbFor(sql), carol.id, new Date(Date.now() - 9 * 3600_000));
    expect(await readSession(dbFor(sql), token)).toBeNull();
    await cleanupTask(dbFor(sql)).run();
    expect((await sql`select 1 from sessions where session_token = ${hashSecret(token)}`).length).toBe(0);
  });

  it('can be listed and ended by an admin, one or all', async () => {
    const db = dbFor(sql);
    await endAllSessions(db, carol.id);
    const one = await createSession(dbFor(sql), carol.id);
    const two = await createSession(dbFor(sql), carol.id);
    const listed = await listSessions(db, carol.id);
    expect(listed).toHaveLength(2);
    expect((await listLiveSessions(db)).filter((s) => s.email === 'carol-sessions@example.com')).toHaveLength(2);
    expect(await endSession(db, ada.id, listed[0].id)).toBe(0); // not Ada's session: nothing ended
    expect(await endSession(db, carol.id, listed[0].id)).toBe(1);
    expect(await readSession(dbFor(sql), one.token)).toBeNull();
    expect(await readSession(dbFor(sql), two.token)).not.toBeNull();
    expect(await endAllSessions(db, carol.id)).toBe(1);
    expect(await readSession(dbFor(sql), two.token)).toBeNull();
  });
});

describe('roles', () => {
  it('follow ADMIN_EMAILS on the next request, not the one at sign-in', async () => {
    const { token } = await createSession(dbFor(sql), ada.id);
    const userId = (await readSession(dbFor(sql), token))!.userId;
    const db = dbFor(sql);
    expect((await sessionUser(db, userId, ['ada-sessions@example.com']))?.role).toBe('admin');
    // Ada is removed from ADMIN_EMAILS: her very next request is a user's, with the same session.
    expect((await sessionUser(db, userId, []))?.role).toBe('user');
    expect((await sql`select role from users where id = ${ada.id}`)[0].role).toBe('user');
    // And added back.
    expect((await sessionUser(db, userId, ['ada-sessions@example.com']))?.role).toBe('admin');
  });
});
