// `keys rotate`: every secret at rest moves to the current key, none is lost, and a rotation
// running next to live refreshes never puts back a token that a refresh just replaced.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Product } from '../../lib/providers/registry';
import { SimulatorControl } from '../../lib/providers/atlassian/simulator/client';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import { decryptSecret, encryptSecret, keyId, type KeyRing } from '../../lib/crypto';
import { KeyRotationError, reencryptAll } from '../../lib/tokens/rotate';
import { connectViaSimulator, engineFor, expireAccessTokens, storedTokens } from '../helpers/connections';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import postgres from 'postgres';
import { dbFor } from '../../lib/db';

const A = randomBytes(32);
const B = randomBytes(32);
const C = randomBytes(32);
const ONLY_A: KeyRing = { current: A, previous: [] };
const ROTATING: KeyRing = { current: B, previous: [A] };
const ONLY_B: KeyRing = { current: B, previous: [] };

const ENCRYPTED = [
  ['connections', 'access_token_enc'],
  ['connections', 'refresh_token_enc'],
  ['webhook_endpoints', 'secret_enc'],
  ['webhook_endpoints', 'previous_secret_enc'],
] as const;

const USERS = ['alice@example.com', 'bob@example.com', 'admin@example.com'];

// Rotation rewrites the whole database, so this file gets one of its own: the shared test
// database holds other files' rows under other keys.
let db: TestDatabase;
let sim: Simulator;
let control: SimulatorControl;
let sql: Sql;
let markerSql: Sql;

interface Created {
  id: string;
  access: string;
  refresh: string;
}

async function connect(count: number, keys: KeyRing = ONLY_A): Promise<Created[]> {
  const created: Created[] = [];
  for (let i = 0; i < count; i += 10) {
    const chunk = await Promise.all(
      Array.from({ length: Math.min(10, count - i) }, (_, j) => {
        const n = i + j;
        const product: Product = n % 2 === 0 ? 'jira' : 'confluence';
        return connectViaSimulator(sql, sim.url, USERS[n % USERS.length], product, keys);
      }),
    );
    for (const c of chunk) created.push({ id: c.id, access: c.tokens.accessToken, refresh: c.tokens.refreshToken! });
  }
  return created;
}

async function addWebhookEndpoint(secret: string, previous: string | null, keys: KeyRing = ONLY_A): Promise<string> {
  const [{ id }] = await sql<{ id: string }[]>`
    insert into webhook_endpoints (url, events, secret_enc, previous_secret_enc)
    values ('https://hooks.example.com/in', ${['connection.needs_reauth']}, ${encryptSecret(secret, keys)},
            ${previous === null ? null : encryptSecret(previous, keys)})
    returning id`;
  return id;
}

/** Every stored ciphertext, keyed by "table.column:id". */
async function ciphertexts(): Promise<Map<string, string>> {
  const all = new Map<string, string>();
  for (const [table, column] of ENCRYPTED) {
    const rows = await sql<{ id: string; value: string | null }[]>`select id, ${sql(column)} as value from ${sql(table)}`;
    for (const r of rows) if (r.value !== null) all.set(`${table}.${column}:${r.id}`, r.value);
  }
  return all;
}

const kidOf = (ciphertext: string) => ciphertext.split('.')[1];

async function rejection(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

function runCli(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = { ...process.env };
  for (const name of Object.keys(base)) if (name.startsWith('ATLASSIAN_') || name.startsWith('TOKEN_ENCRYPTION_')) delete base[name];
  return new Promise((resolve, reject) => {
    const child = spawn('node_modules/.bin/tsx', ['cli/index.ts', 'keys', 'rotate'], {
      cwd: process.cwd(),
      env: { ...base, AUTH_SECRET: 'key-rotation-test-auth-secret', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  db = await createTestDatabase('keyrot');
  sim = await startSimulator({ leewaySeconds: 0 });
  control = new SimulatorControl(sim.url);
  sql = postgres(db.url, { max: 10, onnotice: () => {} });
  markerSql = postgres(db.url, { max: 2, onnotice: () => {} });
});

afterAll(async () => {
  await sim?.stop();
  await sql?.end();
  await markerSql?.end();
  await db?.drop();
});

beforeEach(async () => {
  await sql`truncate users, connections, webhook_endpoints, webhook_messages, refresh_attempts cascade`;
});

describe('reencryptAll', () => {
  it('moves every secret to the new key, keeps every value, and a B-only engine serves and refreshes them', async () => {
    const conns = await connect(5);
    const endpoints = [
      { id: await addWebhookEndpoint('whsec_current_one', 'whsec_previous_one'), secret: 'whsec_current_one', previous: 'whsec_previous_one' },
      { id: await addWebhookEndpoint('whsec_current_two', null), secret: 'whsec_current_two', previous: null },
    ];
    const before = await ciphertexts();
    expect(before.size).toBe(5 * 2 + 3);
    expect(new Set([...before.values()].map(kidOf))).toEqual(new Set([keyId(A)]));
    const generations = await Promise.all(conns.map(async (c) => (await storedTokens(sql, c.id, ONLY_A)).generation));

    // Batches of 2: pagination must reach every row, across both tables.
    expect(await reencryptAll(dbFor(sql), ROTATING, { batchSize: 2 })).toEqual({ scanned: 13, reencrypted: 13 });

    const after = await ciphertexts();
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    expect(new Set([...after.values()].map(kidOf))).toEqual(new Set([keyId(B)]));
    for (const [i, c] of conns.entries()) {
      expect(await storedTokens(sql, c.id, ONLY_B)).toEqual({ access: c.access, refresh: c.refresh, generation: generations[i] });
    }
    for (const e of endpoints) {
      const [row] = await sql<{ secret_enc: string; previous_secret_enc: string | null }[]>`
        select secret_enc, previous_secret_enc from webhook_endpoints where id = ${e.id}`;
      expect(decryptSecret(row.secret_enc, ONLY_B)).toBe(e.secret);
      expect(row.previous_secret_enc === null ? null : decryptSecret(row.previous_secret_enc, ONLY_B)).toBe(e.previous);
    }

    // A second run finds nothing to do.
    expect(await reencryptAll(dbFor(sql), ROTATING, { batchSize: 2 })).toEqual({ scanned: 13, reencrypted: 0 });
    expect(await ciphertexts()).toEqual(after);

    // The app, now without key A, serves the stored tokens and refreshes with the rotated refresh tokens.
    const engine = engineFor(sql, markerSql, sim.url, { keys: ONLY_B });
    for (const c of conns) {
      const served = await engine.getAccessToken(c.id);
      expect(served).toMatchObject({ accessToken: c.access, refreshed: false });
    }
    await expireAccessTokens(sql, conns.map((c) => c.id));
    const counters = await control.counters();
    for (const c of conns) {
      const fresh = await engine.getAccessToken(c.id);
      expect(fresh.refreshed).toBe(true);
      expect(fresh.accessToken).not.toBe(c.access);
      const me = await fetch(`${sim.url}/me`, { headers: { authorization: `Bearer ${fresh.accessToken}` } });
      expect(me.status).toBe(200);
      const now = await storedTokens(sql, c.id, ONLY_B);
      expect(now.refresh).not.toBe(c.refresh);
      expect(now.access).toBe(fresh.accessToken);
    }
    const later = await control.counters();
    expect(later.refreshes - counters.refreshes).toBe(conns.length);
    expect(later.rejected_reuses - counters.rejected_reuses).toBe(0);
    expect(later.dead_token_responses - counters.dead_token_responses).toBe(0);
  });

  it('fails loudly, naming the row and no secret, when the old key is missing, and writes nothing', async () => {
    const conns = await connect(3);
    await addWebhookEndpoint('whsec_kept', null);
    const before = await ciphertexts();

    const err = await rejection(reencryptAll(dbFor(sql), ONLY_B));
    expect(err).toBeInstanceOf(KeyRotationError);
    const failed = err as KeyRotationError;
    expect(failed.table).toBe('connections');
    expect(conns.map((c) => c.id)).toContain(failed.rowId);
    expect(err.message).toContain(`row ${failed.rowId}`);
    expect(err.message).toContain(`No key with id ${keyId(A)}`);
    for (const c of conns) {
      expect(err.message).not.toContain(c.access);
      expect(err.message).not.toContain(c.refresh);
    }
    expect(await ciphertexts()).toEqual(before);
  });

  it('rolls back the whole batch when one row in it cannot be decrypted', async () => {
    const conns = await connect(4);
    const ids = conns.map((c) => c.id).sort();
    const bad = ids[ids.length - 1]; // locked and read last: the rows before it are already re-encrypted in memory
    const orphan = conns.find((c) => c.id === bad)!;
    await sql`update connections set refresh_token_enc = ${encryptSecret(orphan.refresh, { current: C, previous: [] })} where id = ${bad}`;
    const before = await ciphertexts();

    const err = await rejection(reencryptAll(dbFor(sql), ROTATING));
    expect(err).toBeInstanceOf(KeyRotationError);
    expect(err.message).toContain(`connections.refresh_token_enc of row ${bad}`);
    expect(err.message).toContain(`No key with id ${keyId(C)}`);
    expect(await ciphertexts()).toEqual(before);

    // A plaintext left in a column is refused, and the error does not repeat it.
    const plaintext = 'plaintext-refresh-token-that-must-not-be-echoed';
    await sql`update connections set refresh_token_enc = ${plaintext} where id = ${bad}`;
    const plainErr = await rejection(reencryptAll(dbFor(sql), ROTATING));
    expect(plainErr).toBeInstanceOf(KeyRotationError);
    expect(plainErr.message).toContain(`row ${bad}`);
    expect(plainErr.message).toContain('malformed');
    expect(plainErr.message).not.toContain(plaintext);
    expect(await ciphertexts()).toEqual(new Map([...before, [`connections.refresh_token_enc:${bad}`, plaintext]]));

    // With the missing key back in the ring, everything moves to B.
    await sql`update connections set refresh_token_enc = ${before.get(`connections.refresh_token_enc:${bad}`)!} where id = ${bad}`;
    expect(await reencryptAll(dbFor(sql), { current: B, previous: [A, C] })).toEqual({ scanned: 8, reencrypted: 8 });
    expect(new Set([...(await ciphertexts()).values()].map(kidOf))).toEqual(new Set([keyId(B)]));
    for (const c of conns) expect(await storedTokens(sql, c.id, ONLY_B)).toMatchObject({ access: c.access, refresh: c.refresh });
  });

  it('keeps every token when it runs while 100 concurrent callers refresh expired tokens', async () => {
    const conns = await connect(50);
    const ids = conns.map((c) => c.id);
    await expireAccessTokens(sql, ids);
    const counters = await control.counters();
    // Two app instances during the rollout (B current, A still accepted), each with its own pool and single flight.
    const otherSql = postgres(db.url, { max: 10, onnotice: () => {} });
    const engines = [engineFor(sql, markerSql, sim.url, { keys: ROTATING }), engineFor(otherSql, markerSql, sim.url, { keys: ROTATING })];
    const rotationSql = postgres(db.url, { max: 2, onnotice: () => {} });
    try {
      const calls = Array.from({ length: 100 }, (_, i) => engines[i % 2].getAccessToken(ids[Math.floor(i / 2)]));
      const [rotation, ...served] = await Promise.all([reencryptAll(dbFor(rotationSql), ROTATING, { batchSize: 3 }), ...calls]);
      expect(rotation.scanned).toBe(100);

      const midCounters = await control.counters();
      expect(midCounters.refreshes - counters.refreshes).toBe(50);
      expect(midCounters.rejected_reuses - counters.rejected_reuses).toBe(0);
      expect(midCounters.dead_token_responses - counters.dead_token_responses).toBe(0);
      const cipher = await ciphertexts();
      expect(cipher.size).toBe(100);
      expect(new Set([...cipher.values()].map(kidOf))).toEqual(new Set([keyId(B)]));
      for (const [n, c] of conns.entries()) {
        const now = await storedTokens(sql, c.id, ONLY_B);
        const seen = new Set([served[2 * n].accessToken, served[2 * n + 1].accessToken]);
        expect(seen).toEqual(new Set([now.access]));
        expect(now.access).not.toBe(c.access);
        expect(now.refresh).not.toBe(c.refresh);
      }
    } finally {
      await otherSql.end();
      await rotationSql.end();
    }

    // Every connection still refreshes once more, with only key B.
    await expireAccessTokens(sql, ids);
    const engine = engineFor(sql, markerSql, sim.url, { keys: ONLY_B });
    const again = await Promise.all(ids.map((id) => engine.getAccessToken(id)));
    expect(again.every((t) => t.refreshed)).toBe(true);
    const end = await control.counters();
    expect(end.refreshes - counters.refreshes).toBe(100);
    expect(end.rejected_reuses - counters.rejected_reuses).toBe(0);
    expect(end.dead_token_responses - counters.dead_token_responses).toBe(0);
    const statuses = await sql<{ status: string }[]>`select distinct status from connections`;
    expect(statuses.map((s) => s.status)).toEqual(['active']);
  });
});

describe('npm run cli -- keys rotate', () => {
  it('exits non-zero naming the row when a key is missing, then re-encrypts with the old key as previous', async () => {
    const conns = await connect(2);
    const before = await ciphertexts();

    const failed = await runCli({ DATABASE_URL: db.url, TOKEN_ENCRYPTION_KEY: C.toString('base64') });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toMatch(/^error: Cannot re-encrypt connections\.(access|refresh)_token_enc of row [0-9a-f-]{36}: No key with id /);
    expect(await ciphertexts()).toEqual(before);

    const ok = await runCli({
      DATABASE_URL: db.url,
      TOKEN_ENCRYPTION_KEY: B.toString('base64'),
      TOKEN_ENCRYPTION_KEY_PREVIOUS: A.toString('base64'),
    });
    expect(ok).toEqual({ code: 0, stdout: 're-encrypted 4 of 4 secrets\n', stderr: '' });
    expect(new Set([...(await ciphertexts()).values()].map(kidOf))).toEqual(new Set([keyId(B)]));
    for (const c of conns) {
      expect(await storedTokens(sql, c.id, ONLY_B)).toMatchObject({ access: c.access, refresh: c.refresh });
      for (const out of [failed.stderr, ok.stdout]) {
        expect(out).not.toContain(c.access);
        expect(out).not.toContain(c.refresh);
      }
    }
  });
});
