import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function start(env: Record<string, string>) {
  return spawnSync('node_modules/.bin/tsx', ['cli/start.ts'], {
    env: { ...process.env, DATABASE_URL: '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('npm start with bad configuration', () => {
  it.each([
    ['TOKEN_ENCRYPTION_KEY', 'short'],
    ['APP_URL', 'localhost:3000'],
    ['ATLASSIAN_API_URL', '::nope::'],
  ])('exits non-zero with one line naming %s', (variable, value) => {
    const run = start({ [variable]: value });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n').filter((l) => !l.startsWith('npm warn'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(variable);
    expect(run.stdout).toBe('');
  });
});

describe('npm start with a database combination that cannot work', () => {
  it('refuses DATABASE_POOLER=transaction with the embedded Postgres, in one line naming DATABASE_POOLER', () => {
    const run = start({ DATABASE_POOLER: 'transaction' });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n').filter((l) => !l.startsWith('npm warn'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('DATABASE_POOLER');
  });
});

describe('npm start in sandbox mode on a public address', () => {
  it('refuses a non-loopback APP_URL in one line naming APP_URL and SANDBOX_ALLOW_PUBLIC', () => {
    const run = start({ APP_URL: 'https://reconnect.example.com', ATLASSIAN_CLIENT_ID: '', BITBUCKET_CLIENT_ID: '', SANDBOX_ALLOW_PUBLIC: '' });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n').filter((l) => !l.startsWith('npm warn'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('APP_URL');
    expect(lines[0]).toContain('SANDBOX_ALLOW_PUBLIC=true');
    expect(run.stdout).toBe('');
  });
});
