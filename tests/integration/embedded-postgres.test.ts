import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../lib/db/embedded';

// Under /tmp with open permissions: as root, Postgres runs as the postgres user, which must reach the directory
// (a checkout may sit in a private directory).
const parent = mkdtempSync(path.join(tmpdir(), 'reconnect-pg-'));
chmodSync(parent, 0o755);
const dir = path.join(parent, 'data');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterAll(() => rmSync(parent, { recursive: true, force: true }));

describe('embedded Postgres', () => {
  it('starts again after the process that ran it was SIGKILLed (stale pid file, orphaned server)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e',
      `import('./lib/db/embedded.ts').then((m) => m.startEmbeddedPostgres(${JSON.stringify(dir)})).then(() => { console.log('up'); setInterval(() => {}, 1000); })`]);
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => String(d).includes('up') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
    const orphan = Number(readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(alive(orphan)).toBe(true); // the server outlives its owner, lock file and all

    const db = await startEmbeddedPostgres(dir);
    const sql = postgres(db.url, { max: 1 });
    expect((await sql`select 1 as ok`)[0].ok).toBe(1);
    await sql.end();
    await db.stop();
    expect(alive(orphan)).toBe(false);
    expect(existsSync(path.join(dir, 'postmaster.pid'))).toBe(false);
  }, 60_000);
});
