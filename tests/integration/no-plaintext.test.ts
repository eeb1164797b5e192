// Tokens at rest are ciphertext only (SPEC §4 rule 8): after real connects, refreshes, a
// transient failure and a revocation, a dump of the whole database holds no token the
// simulator ever issued, nor the client secret, in clear or base64/base64url/hex encoded.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CLIENT_SECRET } from '../../lib/config';
import { SimulatorControl } from '../../lib/providers/atlassian/simulator/client';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import { ConnectionUnavailableError } from '../../lib/connections/errors';
import { connectViaSimulator, engineFor, expireAccessTokens, testSql } from '../helpers/connections';

const run = promisify(execFile);

let sim: Simulator;
let proxy: RecordingProxy;
let control: SimulatorControl;
let sql: Sql;
let markerSql: Sql;

interface RecordingProxy {
  url: string;
  /** Every access and refresh token found in a /oauth/token answer that reached the app. */
  tokens: Set<string>;
  stop(): Promise<void>;
}

// Sits between the app and the simulator and writes down every token the simulator hands out,
// so that the test knows all of them, including the ones the token engine never returns.
async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const tokens = new Set<string>();
  const server: Server = createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      const out = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          const answer: Buffer[] = [];
          up.on('data', (c: Buffer) => answer.push(c));
          up.on('end', () => {
            const bytes = Buffer.concat(answer);
            if (req.url?.startsWith('/oauth/token')) {
              try {
                const json = JSON.parse(bytes.toString('utf8')) as { access_token?: unknown; refresh_token?: unknown };
                for (const t of [json.access_token, json.refresh_token]) if (typeof t === 'string') tokens.add(t);
              } catch {
                // an error page: no token in it
              }
            }
            const headers = { ...up.headers };
            delete headers['transfer-encoding'];
            headers['content-length'] = String(bytes.length);
            res.writeHead(up.statusCode ?? 502, headers);
            res.end(bytes);
          });
        },
      );
      out.on('error', () => res.destroy());
      out.end(Buffer.concat(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tokens,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The forms a secret could take if stored without encryption: as is, base64/base64url (at any byte offset), hex. */
function leakForms(secret: string): string[] {
  const forms = new Set([secret]);
  const bytes = Buffer.from(secret, 'utf8');
  for (let offset = 0; offset < 3; offset++) {
    // With `offset` bytes before it, the characters from `offset + 1` on depend on the secret alone;
    // the last 4 may depend on what follows.
    const shifted = Buffer.concat([Buffer.alloc(offset, 0x20), bytes]);
    for (const encoding of ['base64', 'base64url'] as const) {
      forms.add(shifted.toString(encoding).slice(offset === 0 ? 0 : offset + 1, -4));
    }
  }
  forms.add(bytes.toString('hex'));
  // A JWT-shaped access token: its random signature alone is a leak too (the header is the same for all).
  const parts = secret.split('.');
  if (parts.length === 3) forms.add(parts[2]);
  return [...forms].filter((f) => f.length >= 12);
}

function pgDumpCandidates(): string[] {
  const onPath = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, 'pg_dump'));
  const root = '/usr/lib/postgresql';
  const versioned = existsSync(root)
    ? readdirSync(root)
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => path.join(root, v, 'bin', 'pg_dump'))
    : [];
  return [...versioned, ...onPath].filter((p) => existsSync(p));
}

/** `pg_dump --data-only` of the test database; the `::text` of every row in `public` when no usable pg_dump exists. */
async function dumpDatabase(url: string): Promise<{ method: string; text: string }> {
  const failures: string[] = [];
  for (const bin of pgDumpCandidates()) {
    try {
      const { stdout } = await run(bin, ['--data-only', '--no-owner', '--dbname', url], { maxBuffer: 512 * 1024 * 1024 });
      return { method: bin, text: stdout };
    } catch (err) {
      const message = (err as { stderr?: string }).stderr ?? String(err);
      // An older pg_dump refuses a newer server: try the next one, then fall back to SQL.
      if (!/version mismatch/i.test(message)) throw new Error(`${bin} failed: ${message}`);
      failures.push(bin);
    }
  }
  const tables = await sql<{ name: string }[]>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`;
  const chunks: string[] = [];
  for (const { name } of tables) {
    const rows = await sql<{ row: string }[]>`select t::text as row from ${sql('public')}.${sql(name)} t`;
    chunks.push(`-- ${name}`, ...rows.map((r) => r.row));
  }
  return { method: `row ::text fallback (no usable pg_dump${failures.length ? `: ${failures.join(', ')} mismatched` : ''})`, text: chunks.join('\n') };
}

function leaksIn(text: string, secrets: Iterable<string>): string[] {
  const found: string[] = [];
  for (const secret of secrets) {
    for (const form of leakForms(secret)) {
      // Report only a short prefix: a failing assertion must not print a whole token.
      if (text.includes(form)) found.push(`${form.slice(0, 8)}… (a form of ${secret.slice(0, 8)}…)`);
    }
  }
  return found;
}

beforeAll(async () => {
  sim = await startSimulator({ leewaySeconds: 0 });
  proxy = await startRecordingProxy(sim.url);
  control = new SimulatorControl(sim.url);
  sql = testSql();
  markerSql = testSql(2);
});

afterAll(async () => {
  await proxy?.stop();
  await sim?.stop();
  await sql?.end();
  await markerSql?.end();
});

describe('no plaintext secrets at rest', () => {
  it('a database dump holds no issued token and no client secret, in any encoding', async () => {
    const via = proxy.url;
    const engine = engineFor(sql, markerSql, via);
    const conns = [
      await connectViaSimulator(sql, via, 'alice@example.com', 'jira'),
      await connectViaSimulator(sql, via, 'bob@example.com', 'confluence'),
      await connectViaSimulator(sql, via, 'admin@example.com', 'jira'),
      await connectViaSimulator(sql, via, 'alice@example.com', 'confluence'),
    ];
    const ids = conns.map((c) => c.id);
    const [aliceJira, bobConfluence, adminJira, aliceConfluence] = ids;

    // Refreshes: twice for one, once after a 401 for another.
    for (let i = 0; i < 2; i++) {
      await expireAccessTokens(sql, [aliceJira]);
      expect((await engine.getAccessToken(aliceJira)).refreshed).toBe(true);
    }
    expect((await engine.getAccessToken(adminJira, { rejectedToken: conns[2].tokens.accessToken })).refreshed).toBe(true);

    // Transient failures (degraded, events, webhooks): one recovers, one stays degraded.
    await control.addFault({ kind: 'status', status: 503, target: 'token', count: 2 });
    await expireAccessTokens(sql, [bobConfluence, aliceConfluence]);
    for (const id of [bobConfluence, aliceConfluence]) {
      await expect(engine.getAccessToken(id)).rejects.toBeInstanceOf(ConnectionUnavailableError);
    }
    await control.clearFaults();
    await sql`update connections set next_refresh_at = now() - interval '1 second' where id = ${bobConfluence}`;
    expect((await engine.getAccessToken(bobConfluence)).refreshed).toBe(true);

    // A revocation (needs_reauth, event, webhook).
    await control.revokeApp('admin@example.com');
    await expireAccessTokens(sql, [adminJira]);
    await expect(engine.getAccessToken(adminJira)).rejects.toMatchObject({ code: 'needs_reauth' });

    // The proxy saw every token the app received: 4 exchanges and 4 refreshes, 2 tokens each.
    for (const c of conns) {
      expect(proxy.tokens).toContain(c.tokens.accessToken);
      expect(proxy.tokens).toContain(c.tokens.refreshToken);
    }
    expect(proxy.tokens.size).toBe(16);
    const secrets = [...proxy.tokens, SANDBOX_CLIENT_SECRET];

    const dump = await dumpDatabase(process.env.DATABASE_URL!);
    // The dump really holds these connections, their ciphertexts, events and outbox messages.
    const stored = await sql<{ id: string; access_token_enc: string; refresh_token_enc: string }[]>`
      select id, access_token_enc, refresh_token_enc from connections where id = any(${ids})`;
    expect(stored).toHaveLength(4);
    const statuses = await sql<{ status: string }[]>`select status from connections where id = any(${ids}) order by array_position(${ids}::uuid[], id)`;
    expect(statuses.map((r) => r.status)).toEqual(['active', 'active', 'needs_reauth', 'degraded']);
    for (const row of stored) {
      expect(dump.text, dump.method).toContain(row.id);
      expect(dump.text, dump.method).toContain(row.access_token_enc);
      expect(dump.text, dump.method).toContain(row.refresh_token_enc);
    }
    expect(leaksIn(dump.text, secrets), dump.method).toEqual([]);

    // Events and outbox messages, row by row (these reach users and webhook receivers).
    const events = await sql<{ type: string; row: string }[]>`
      select e.type, e::text as row from connection_events e where connection_id = any(${ids}) order by id`;
    const messages = await sql<{ type: string; row: string }[]>`
      select m.type, m::text as row from webhook_messages m where connection_id = any(${ids}) order by created_at`;
    expect(new Set(events.map((e) => e.type))).toEqual(
      new Set(['connected', 'refreshed', 'refresh_failed', 'degraded', 'recovered', 'needs_reauth']),
    );
    expect(new Set(messages.map((m) => m.type))).toEqual(
      new Set(['connection.created', 'connection.degraded', 'connection.recovered', 'connection.needs_reauth']),
    );
    for (const r of [...events, ...messages]) expect(leaksIn(r.row, secrets), r.type).toEqual([]);
  });
});
