import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { rootProjectDir, startEmbeddedPostgres } from '@/lib/db/embedded';

// The embedded Postgres from a private folder (what `mktemp -d` and /root give): as root, Postgres runs as the
// postgres user, who cannot enter it, so the cluster lives under /var/lib/reconnect; a normal user keeps it in place.
const project = mkdtempSync(path.join(os.tmpdir(), 'reconnect-private-'));
chmodSync(project, 0o700);
const dataDir = path.join(project, '.data', 'pg');
const isRoot = process.getuid?.() === 0;

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
  if (isRoot) rmSync(rootProjectDir(dataDir), { recursive: true, force: true });
});

async function query<T extends object>(url: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}

describe('embedded Postgres in a folder only its owner may enter', () => {
  it('starts, keeps its data across a restart, and shuts down cleanly; only the first start creates the cluster', { timeout: 180_000 }, async () => {
    // npm start says "first start: installing the embedded Postgres" from this callback: once, not on every start.
    const created: string[] = [];
    const first = await startEmbeddedPostgres(dataDir, undefined, (dir) => created.push(dir));
    try {
      expect(first.dataDir).toBe(isRoot ? path.join(rootProjectDir(dataDir), 'pg') : dataDir);
      expect(created).toEqual([first.dataDir]);
      await query(first.url, (sql) => sql`create table kept (note text); insert into kept values ('before the restart')`.simple());
    } finally {
      await first.stop();
    }
    expect(existsSync(path.join(first.dataDir, 'postmaster.pid'))).toBe(false);

    const second = await startEmbeddedPostgres(dataDir, undefined, (dir) => created.push(dir));
    try {
      expect(second.dataDir).toBe(first.dataDir);
      expect(created).toEqual([first.dataDir]); // the restart found the cluster: nothing created
      const rows = await query(second.url, (sql) => sql<{ note: string }[]>`select note from kept`);
      expect(rows.map((r) => r.note)).toEqual(['before the restart']);
    } finally {
      await second.stop();
    }
  });
});
