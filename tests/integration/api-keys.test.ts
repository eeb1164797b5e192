import { spawnSync } from 'node:child_process';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createApiKey, listApiKeys, recordApiKeyUse, revokeApiKey, verifyApiKey } from '../../lib/api-keys';
import { MAX_BODY_BYTES, parseJsonBody, withApiKey } from '../../lib/api/http';
import { closeDb } from '../../lib/db';
import { hashSecret } from '../../lib/secrets';
import { testSql } from '../helpers/connections';
import { dbFor } from '../../lib/db';

let sql: Sql;

beforeAll(() => {
  sql = testSql();
});

afterAll(async () => {
  await sql.end();
  await closeDb(); // withApiKey uses the app's pool
});

async function keyRow(id: string) {
  const [row] = await sql<{ name: string; prefix: string; key_hash: string; last_used_at: Date | null; revoked_at: Date | null }[]>`
    select name, prefix, key_hash, last_used_at, revoked_at from api_keys where id = ${id}`;
  return row;
}

describe('API keys', () => {
  it('creates an rk_live_ key stored only as its SHA-256 and a short prefix', async () => {
    const created = await createApiKey(dbFor(sql), '  billing sync  ');
    expect(created.name).toBe('billing sync');
    expect(created.key).toMatch(/^rk_live_[A-Za-z0-9_-]{43}$/);
    const row = await keyRow(created.id);
    expect(row.key_hash).toBe(hashSecret(created.key));
    expect(row.prefix).toBe(created.key.slice(0, 12));
    expect(JSON.stringify(row)).not.toContain(created.key.slice(12));
    const other = await createApiKey(dbFor(sql), 'billing sync');
    expect(other.key).not.toBe(created.key);
  });

  it('refuses an empty name', async () => {
    await expect(createApiKey(dbFor(sql), '   ')).rejects.toThrow(/name/);
  });

  it('refuses a name with NUL or another control character, and writes nothing', async () => {
    const before = (await listApiKeys(dbFor(sql))).length;
    for (const name of ['ci\u0000key', 'ci\u001bkey']) await expect(createApiKey(dbFor(sql), name)).rejects.toThrow(/control characters/);
    expect((await listApiKeys(dbFor(sql))).length).toBe(before);
  });

  it('verifies the key and nothing else', async () => {
    const { id, name, key } = await createApiKey(dbFor(sql), 'verify');
    expect(await verifyApiKey(dbFor(sql), key)).toEqual({ id, name });
    const tampered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    for (const wrong of [tampered, key.slice(0, -1), `${key}x`, key.slice(8), '', 'rk_live_', `rk_live_${'a'.repeat(500)}`, null, undefined]) {
      expect(await verifyApiKey(dbFor(sql), wrong)).toBeUndefined();
    }
  });

  it('revokes once; a revoked key no longer verifies', async () => {
    const { id, key } = await createApiKey(dbFor(sql), 'revoke me');
    expect(await revokeApiKey(dbFor(sql), id)).toBe(true);
    expect(await verifyApiKey(dbFor(sql), key)).toBeUndefined();
    expect(await revokeApiKey(dbFor(sql), id)).toBe(false);
    expect(await revokeApiKey(dbFor(sql), '00000000-0000-4000-8000-000000000000')).toBe(false);
    expect(await revokeApiKey(dbFor(sql), "x' or '1'='1")).toBe(false);
    expect((await keyRow(id)).revoked_at).toBeInstanceOf(Date);
  });

  it('lists keys newest first with their state and no hash', async () => {
    const a = await createApiKey(dbFor(sql), 'list a');
    const b = await createApiKey(dbFor(sql), 'list b');
    await revokeApiKey(dbFor(sql), a.id);
    const list = await listApiKeys(dbFor(sql));
    const ids = list.map((k) => k.id);
    expect(ids.indexOf(b.id)).toBeLessThan(ids.indexOf(a.id));
    const shown = list.find((k) => k.id === a.id)!;
    expect(Object.keys(shown).sort()).toEqual(['created_at', 'id', 'last_used_at', 'name', 'prefix', 'revoked_at']);
    expect(shown.revoked_at).toBeInstanceOf(Date);
    expect(list.find((k) => k.id === b.id)!.revoked_at).toBeNull();
    expect(JSON.stringify(list)).not.toContain(hashSecret(a.key));
  });

  it('records last_used_at at most once a minute per key', async () => {
    const { id, key } = await createApiKey(dbFor(sql), 'usage');
    expect((await keyRow(id)).last_used_at).toBeNull();
    await verifyApiKey(dbFor(sql), key);
    const first = await vi.waitFor(async () => {
      const at = (await keyRow(id)).last_used_at;
      expect(at).toBeInstanceOf(Date);
      return at!;
    });
    await new Promise((r) => setTimeout(r, 20));
    await Promise.all([verifyApiKey(dbFor(sql), key), verifyApiKey(dbFor(sql), key)]);
    await new Promise((r) => setTimeout(r, 200));
    expect((await keyRow(id)).last_used_at).toEqual(first);
    // A minute later the next use is recorded again.
    await sql`update api_keys set last_used_at = last_used_at - interval '2 minutes' where id = ${id}`;
    const aged = (await keyRow(id)).last_used_at!;
    await verifyApiKey(dbFor(sql), key);
    await vi.waitFor(async () => expect((await keyRow(id)).last_used_at!.getTime()).toBeGreaterThan(aged.getTime() + 60_000));
  });

  it('writes last_used_at once even when several processes see it stale at once', async () => {
    const { id } = await createApiKey(dbFor(sql), 'usage race');
    const writes = await Promise.all([recordApiKeyUse(dbFor(sql), id), recordApiKeyUse(dbFor(sql), id), recordApiKeyUse(dbFor(sql), id)]);
    expect(writes.filter(Boolean)).toHaveLength(1);
    expect(await recordApiKeyUse(dbFor(sql), id)).toBe(false);
    await sql`update api_keys set last_used_at = now() - interval '61 seconds' where id = ${id}`;
    expect(await recordApiKeyUse(dbFor(sql), id)).toBe(true);
  });
});

describe('withApiKey', () => {
  const handler = withApiKey(async (_request: Request, _ctx: unknown, apiKey) => Response.json({ key: apiKey }));
  const call = (authorization?: string) =>
    handler(new Request('http://app.test/api/v1/x', { headers: authorization ? { authorization } : {} }), undefined);

  async function expect401(res: Response) {
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const body = await res.json();
    expect(body.error.code).toBe('unauthorized');
    expect(typeof body.error.message).toBe('string');
  }

  it('passes the verified key to the handler', async () => {
    const { id, name, key } = await createApiKey(dbFor(sql), 'wrapper');
    const res = await call(`Bearer ${key}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ key: { id, name } });
    expect((await call(`bearer  ${key}`)).status).toBe(200);
  });

  it('answers 401 for a missing, malformed, wrong or revoked key', async () => {
    const { id, key } = await createApiKey(dbFor(sql), 'wrapper 401');
    await expect401(await call());
    await expect401(await call(key));
    await expect401(await call(`Basic ${Buffer.from(`x:${key}`).toString('base64')}`));
    await expect401(await call(`Bearer ${key} extra`));
    await expect401(await call(`Bearer ${key.slice(0, -2)}xx`));
    await revokeApiKey(dbFor(sql), id);
    await expect401(await call(`Bearer ${key}`));
  });

  it('turns an unexpected exception into a 500 JSON error without its detail', async () => {
    const { key } = await createApiKey(dbFor(sql), 'wrapper 500');
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const failing = withApiKey(async () => {
      throw new Error('secret detail');
    });
    const res = await failing(new Request('http://app.test/', { headers: { authorization: `Bearer ${key}` } }), undefined);
    spy.mockRestore();
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text).error.code).toBe('internal_error');
    expect(text).not.toContain('secret detail');
  });
});

describe('parseJsonBody', () => {
  const schema = z.strictObject({ name: z.string().min(1, 'must not be empty'), nested: z.object({ n: z.number() }).optional() });
  const post = (body: BodyInit | null, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    parseJsonBody(new Request('http://app.test/', { method: 'POST', body, headers }), schema);

  async function errorOf(result: unknown, status: number) {
    expect(result).toBeInstanceOf(Response);
    const res = result as Response;
    expect(res.status).toBe(status);
    return (await res.json()).error as { code: string; message: string; field?: string };
  }

  it('returns the parsed data', async () => {
    expect(await post('{"name":"x","nested":{"n":1}}')).toEqual({ name: 'x', nested: { n: 1 } });
    expect(await post('{"name":"x"}', { 'content-type': 'application/json; charset=utf-8' })).toEqual({ name: 'x' });
  });

  it('names the bad field in `field` and in the message', async () => {
    let e = await errorOf(await post('{"name":""}'), 400);
    expect(e).toMatchObject({ code: 'invalid_request', field: 'name' });
    expect(e.message).toContain('"name"');
    expect(e.message).toContain('must not be empty');
    e = await errorOf(await post('{"name":"x","nested":{"n":"1"}}'), 400);
    expect(e.field).toBe('nested.n');
    expect(e.message).toContain('nested.n');
    e = await errorOf(await post('{"name":"x","nmae":"y"}'), 400);
    expect(e.field).toBe('nmae');
    expect(e.message).toContain('nmae');
  });

  it('answers 400 for a body that is not JSON or not an object', async () => {
    expect((await errorOf(await post('{"name":'), 400)).code).toBe('invalid_request');
    expect((await errorOf(await post(''), 400)).code).toBe('invalid_request');
    expect((await errorOf(await post('[]'), 400)).code).toBe('invalid_request');
  });

  it('answers 415 unless the body is declared JSON', async () => {
    expect((await errorOf(await post('{"name":"x"}', { 'content-type': 'text/plain' }), 415)).code).toBe('unsupported_media_type');
    expect((await errorOf(await post('name=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415)).code).toBe('unsupported_media_type');
    expect((await errorOf(await post('{"name":"x"}', {}), 415)).code).toBe('unsupported_media_type');
  });

  it('answers 413 over 64 KiB, declared or streamed', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES) });
    expect((await errorOf(await post(big), 413)).code).toBe('payload_too_large');
    // A declared length over the limit is refused before any of the body is read.
    const declared = await post('{"name":"x"}', { 'content-type': 'application/json', 'content-length': String(MAX_BODY_BYTES + 1) });
    expect((await errorOf(declared, 413)).code).toBe('payload_too_large');
    const chunk = new TextEncoder().encode(' '.repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 100) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const request = new Request('http://app.test/', { method: 'POST', body: stream, headers: { 'content-type': 'application/json' }, duplex: 'half' } as RequestInit);
    expect(request.headers.get('content-length')).toBeNull();
    expect((await errorOf(await parseJsonBody(request, schema), 413)).code).toBe('payload_too_large');
    expect(sent).toBeLessThan(10); // stopped reading early
    const justFits = JSON.stringify({ name: 'x' }).padEnd(MAX_BODY_BYTES, ' ');
    expect(await post(justFits)).toEqual({ name: 'x' });
  });
});

describe('CLI', () => {
  const runner = `
    const { apiKeyCommands } = await import('./cli/api-keys.ts');
    const { closeDb } = await import('./lib/db/index.ts');
    try { await apiKeyCommands[process.argv[1]](process.argv.slice(2)); } finally { await closeDb(); }`;
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', runner, ...args], {
      env: { ...process.env },
      encoding: 'utf8',
      timeout: 30_000,
    });

  it('api-key create prints the key alone on the last line; api-key revoke revokes it once', async () => {
    const created = cli('api-key create', '--name', 'ci pipeline');
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    const lines = created.stdout.trimEnd().split('\n');
    const key = lines.at(-1)!;
    expect(key).toMatch(/^rk_live_[A-Za-z0-9_-]+$/);
    const [, id] = /^Created API key ([0-9a-f-]{36}) \(ci pipeline\)\. It is shown once:$/.exec(lines.at(-2)!) ?? [];
    expect(await verifyApiKey(dbFor(sql), key)).toEqual({ id, name: 'ci pipeline' });

    const revoked = cli('api-key revoke', id);
    expect(revoked.status).toBe(0);
    expect(revoked.stdout.trim()).toBe(`Revoked ${id}`);
    expect(await verifyApiKey(dbFor(sql), key)).toBeUndefined();

    const again = cli('api-key revoke', id);
    expect(again.status).toBe(1);
    expect(again.stderr.trim()).toBe(`No active API key ${id}`);
  });

  it('api-key create without --name creates nothing', async () => {
    const [{ before }] = await sql`select count(*)::int as before from api_keys`;
    const res = cli('api-key create');
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('--name');
    const [{ after }] = await sql`select count(*)::int as after from api_keys`;
    expect(after).toBe(before);
  });
});
