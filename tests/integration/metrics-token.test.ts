// METRICS_TOKEN: set, /api/metrics answers only `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise); unset, it
// stays open and `npm start` (NODE_ENV=production) warns once in its log that it is.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { GET } from '../../app/api/metrics/route';
import { resetConfigForTests } from '../../lib/config';
import { closeDb } from '../../lib/db';
import { freePort } from '../../lib/net';

const TOKEN = 'metrics-token-0123456789abcdef';
const scrape = (authorization?: string) => GET(new Request('http://app/api/metrics', { headers: authorization ? { authorization } : {} }));

afterEach(() => {
  delete process.env.METRICS_TOKEN;
  resetConfigForTests();
});
afterAll(() => closeDb());

describe('/api/metrics', () => {
  it('is open while METRICS_TOKEN is unset', async () => {
    const res = await scrape();
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('reconnect_token_refreshes_total');
  });

  it('with METRICS_TOKEN set, answers 401 without the token or with another, and the metrics with it', async () => {
    process.env.METRICS_TOKEN = TOKEN;
    resetConfigForTests();
    for (const header of [undefined, 'Bearer wrong', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, TOKEN]) {
      const res = await scrape(header);
      expect(res.status, String(header)).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
      expect(await res.text()).not.toContain('reconnect_');
    }
    for (const header of [`Bearer ${TOKEN}`, `bearer ${TOKEN}`]) {
      const res = await scrape(header);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('reconnect_token_refreshes_total');
    }
  });
});

describe('npm start and METRICS_TOKEN', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'reconnect-metrics-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  // Start-up stops at the migrations (nothing listens on the port): everything logged before that is what we read.
  async function startLog(env: Record<string, string>, args: string[] = []) {
    const deadDatabase = `postgres://postgres@127.0.0.1:${await freePort()}/none`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'cli/start.ts', ...args], {
      env: { ...process.env, DATABASE_URL: deadDatabase, RECONNECT_DATA_DIR: dataDir, METRICS_TOKEN: '', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: run.status, output: run.stdout + run.stderr };
  }
  const warnings = (output: string) => output.split('\n').filter((l) => l.includes('METRICS_TOKEN is unset')).length;

  it('warns once in production when it is unset, and not when it is set or in development', async () => {
    expect(warnings((await startLog({})).output)).toBe(1);
    const withToken = await startLog({ METRICS_TOKEN: TOKEN });
    expect(warnings(withToken.output)).toBe(0);
    expect(withToken.output).not.toContain(TOKEN);
    expect(warnings((await startLog({}, ['--dev'])).output)).toBe(0);
  });

  it('refuses a token shorter than 16 characters, in one line naming METRICS_TOKEN', async () => {
    const run = await startLog({ METRICS_TOKEN: 'short' });
    expect(run.status).toBe(1);
    const lines = run.output.trim().split('\n').filter((l) => !l.startsWith('npm warn'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('METRICS_TOKEN');
  });
});
