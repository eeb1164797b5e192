// One state change, one call: recordTransition writes the timeline event, the webhook message (with a delivery
// per subscribed endpoint) and the owner's mail or its withdrawal, all in the caller's transaction.
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TRANSITION_TYPES, recordTransition, type Transition } from '../../lib/connections/transitions';
import { dbFor } from '../../lib/db';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import { createEndpoint } from '../../lib/webhooks/endpoints';
import { WEBHOOK_TYPES } from '../../lib/webhooks/outbox';
import { APP_URL, connectViaSimulator, TEST_KEYS } from '../helpers/connections';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let db: TestDatabase;
let sql: Sql;
let sim: Simulator;
let connectionId: string;

beforeAll(async () => {
  db = await createTestDatabase('transitions');
  sql = postgres(db.url, { max: 5, onnotice: () => {} });
  sim = await startSimulator();
  await createEndpoint({ db: dbFor(sql), keys: TEST_KEYS, allowPrivate: true }, { url: 'http://127.0.0.1:9/hook', events: [...WEBHOOK_TYPES] });
});

afterAll(async () => {
  await sql.end();
  await sim.stop();
  await db.drop();
});

beforeEach(async () => {
  ({ id: connectionId } = await connectViaSimulator(sql, sim.url, 'alice@example.com'));
});

const record = (t: Omit<Transition, 'connectionId' | 'appUrl'>) => dbFor(sql).transaction((tx) => recordTransition(tx, { ...t, connectionId, appUrl: APP_URL }));

async function written() {
  const events = await sql<{ type: string; code: string | null }[]>`select type, code from connection_events where connection_id = ${connectionId} order by id`;
  const messages = await sql<{ type: string; deliveries: number }[]>`
    select m.type, (select count(*)::int from webhook_deliveries d where d.message_id = m.id) as deliveries
    from webhook_messages m where m.connection_id = ${connectionId} order by m.created_at`;
  const mails = await sql<{ kind: string; status: string }[]>`select kind, status from notifications where connection_id = ${connectionId} order by created_at`;
  return { events, messages, mails };
}

describe('recordTransition', () => {
  it('writes the timeline event, the webhook and the mail once each, and nothing if the change rolls back', async () => {
    const before = await written();
    await expect(
      dbFor(sql).transaction(async (tx) => {
        await recordTransition(tx, { type: 'needs_reauth', connectionId, appUrl: APP_URL, event: { code: 'invalid_grant', data: { reason: 'revoked' } } });
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    expect(await written()).toEqual(before);

    await record({ type: 'needs_reauth', event: { code: 'invalid_grant', data: { reason: 'revoked' } } });
    const after = await written();
    expect(after.events.slice(before.events.length)).toEqual([{ type: 'needs_reauth', code: 'invalid_grant' }]);
    expect(after.messages.slice(before.messages.length)).toEqual([{ type: 'connection.needs_reauth', deliveries: 1 }]);
    expect(after.mails).toEqual([{ kind: 'needs_reauth', status: 'pending' }]);
  });

  it('a needs_reauth withdraws the pending degraded mail; a recovery withdraws what is left', async () => {
    await record({ type: 'degraded', event: { code: 'server_error' } });
    expect((await written()).mails).toEqual([{ kind: 'degraded', status: 'pending' }]);
    await record({ type: 'needs_reauth', event: { code: 'invalid_grant' } });
    expect((await written()).mails).toEqual([
      { kind: 'degraded', status: 'cancelled' },
      { kind: 'needs_reauth', status: 'pending' },
    ]);
    await record({ type: 'recovered' });
    expect((await written()).mails.map((m) => m.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('every transition has its webhook type and its timeline event', async () => {
    for (const type of TRANSITION_TYPES.filter((t) => t !== 'created')) await record({ type });
    const { events, messages } = await written();
    expect(messages.map((m) => m.type)).toEqual(TRANSITION_TYPES.map((t) => `connection.${t}`));
    expect(events.map((e) => e.type)).toEqual(['connected', 'reconnected', 'needs_reauth', 'degraded', 'recovered', 'expiring', 'disconnected']);
    expect(WEBHOOK_TYPES).toEqual([...TRANSITION_TYPES.map((t) => `connection.${t}`), 'webhook.test']);
  });
});
