import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_SIMULATOR_PORT, isLoopbackUrl, loadConfig, loadDatabaseConfig } from '../../lib/config';

const key = Buffer.alloc(32, 7).toString('base64');
const dataDir = () => mkdtempSync(path.join(tmpdir(), 'reconnect-config-'));
/** Live mode requires both secrets (whatever NODE_ENV). */
const secrets = { TOKEN_ENCRYPTION_KEY: key, AUTH_SECRET: 'config-test-auth-secret' };

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, dataDir());
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('defaults to sandbox mode with the simulator and generated dev secrets', () => {
    const dir = dataDir();
    const config = loadConfig({}, dir);
    expect(config.mode).toBe('sandbox');
    expect(config.appUrl).toBe('http://localhost:3000');
    expect(config.atlassian.authUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(config.adminEmails).toEqual(['admin@example.com']);
    expect(config.encryptionKeys.current).toHaveLength(32);
    const saved = JSON.parse(readFileSync(path.join(dir, 'secrets.json'), 'utf8'));
    expect(Buffer.from(saved.tokenEncryptionKey, 'base64').equals(config.encryptionKeys.current)).toBe(true);
    expect(loadConfig({}, dir).authSecret).toBe(config.authSecret);
  });

  it('goes live with a client id and uses the real Atlassian URLs', () => {
    const config = loadConfig({ ...secrets, ATLASSIAN_CLIENT_ID: 'id', ATLASSIAN_CLIENT_SECRET: 's' }, dataDir());
    expect(config.mode).toBe('live');
    expect(config.atlassian.authUrl).toBe('https://auth.atlassian.com');
    expect(config.atlassian.apiUrl).toBe('https://api.atlassian.com');
    expect(config.adminEmails).toEqual([]);
  });

  it('has all three products in sandbox mode, Bitbucket at the simulator with the sandbox consumer', () => {
    const config = loadConfig({}, dataDir());
    expect(config.products).toEqual(['jira', 'confluence', 'bitbucket']);
    expect(config.bitbucket).toMatchObject({ clientId: 'reconnect-bitbucket-sandbox', authUrl: config.atlassian.authUrl, apiUrl: config.atlassian.apiUrl });
  });

  it('goes live with Atlassian, Bitbucket or both; an unconfigured product is left out', () => {
    const atlassian = { ...secrets, ATLASSIAN_CLIENT_ID: 'id', ATLASSIAN_CLIENT_SECRET: 's' };
    const bitbucket = { ...secrets, BITBUCKET_CLIENT_ID: 'key', BITBUCKET_CLIENT_SECRET: 'bs' };
    expect(loadConfig(atlassian, dataDir()).products).toEqual(['jira', 'confluence']);
    const onlyBitbucket = loadConfig(bitbucket, dataDir());
    expect(onlyBitbucket).toMatchObject({ mode: 'live', products: ['bitbucket'] });
    expect(onlyBitbucket.bitbucket).toEqual({ clientId: 'key', clientSecret: 'bs', authUrl: 'https://bitbucket.org', apiUrl: 'https://api.bitbucket.org' });
    expect(loadConfig({ ...atlassian, ...bitbucket }, dataDir()).products).toEqual(['jira', 'confluence', 'bitbucket']);
    const custom = loadConfig({ ...bitbucket, BITBUCKET_AUTH_URL: 'http://127.0.0.1:5000', BITBUCKET_API_URL: 'http://127.0.0.1:5001' }, dataDir());
    expect(custom.bitbucket).toMatchObject({ authUrl: 'http://127.0.0.1:5000', apiUrl: 'http://127.0.0.1:5001' });
  });

  it.each([
    [{ BITBUCKET_CLIENT_ID: 'key' }, 'BITBUCKET_CLIENT_SECRET'],
    [{ BITBUCKET_API_URL: 'not a url' }, 'BITBUCKET_API_URL'],
    [{ BITBUCKET_AUTH_URL: 'ftp://x' }, 'BITBUCKET_AUTH_URL'],
    [{ TOKEN_ENCRYPTION_KEY: 'short' }, 'TOKEN_ENCRYPTION_KEY'],
    [{ TOKEN_ENCRYPTION_KEY: Buffer.alloc(31).toString('base64') }, 'TOKEN_ENCRYPTION_KEY'],
    [{ TOKEN_ENCRYPTION_KEY_PREVIOUS: `${key},nope` }, 'TOKEN_ENCRYPTION_KEY_PREVIOUS'],
    [{ APP_URL: 'not a url' }, 'APP_URL'],
    [{ ATLASSIAN_AUTH_URL: 'ftp://x' }, 'ATLASSIAN_AUTH_URL'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ PORT: 'abc' }, 'PORT'],
    [{ REFRESH_MARGIN_SECONDS: '-1' }, 'REFRESH_MARGIN_SECONDS'],
    [{ KEEPALIVE_IDLE_DAYS: '90' }, 'KEEPALIVE_IDLE_DAYS'],
    [{ ATLASSIAN_CLIENT_ID: 'id' }, 'ATLASSIAN_CLIENT_SECRET'],
    [{ ATLASSIAN_CLIENT_ID: 'id', ATLASSIAN_CLIENT_SECRET: 's', NODE_ENV: 'production' }, 'TOKEN_ENCRYPTION_KEY'],
  ])('rejects %o naming %s', (env, variable) => {
    const err = errorOf(env);
    expect(err.variable).toBe(variable);
    expect(err.message).toContain(variable);
    expect(err.message).not.toContain('\n');
  });

  it.each<[string, Record<string, string>]>([
    ['unset', {}],
    ['development', { NODE_ENV: 'development' }],
    ['test', { NODE_ENV: 'test' }],
    ['production', { NODE_ENV: 'production' }],
  ])('live mode with NODE_ENV %s requires TOKEN_ENCRYPTION_KEY and AUTH_SECRET, and generates neither', (_, nodeEnv) => {
    const apps: Record<string, string>[] = [{ ATLASSIAN_CLIENT_ID: 'id', ATLASSIAN_CLIENT_SECRET: 's' }, { BITBUCKET_CLIENT_ID: 'key', BITBUCKET_CLIENT_SECRET: 'bs' }];
    for (const app of apps) {
      const dir = dataDir();
      expect(errorOf({ ...app, ...nodeEnv, AUTH_SECRET: secrets.AUTH_SECRET }).message).toBe('Invalid configuration: TOKEN_ENCRYPTION_KEY is required in live mode');
      expect(errorOf({ ...app, ...nodeEnv, TOKEN_ENCRYPTION_KEY: key }).message).toBe('Invalid configuration: AUTH_SECRET is required in live mode');
      expect(() => loadConfig({ ...app, ...nodeEnv }, dir)).toThrow(ConfigError);
      expect(existsSync(path.join(dir, 'secrets.json'))).toBe(false);
      expect(loadConfig({ ...app, ...nodeEnv, ...secrets }, dir).mode).toBe('live');
    }
  });

  it('never echoes a secret value in its error', () => {
    const err = errorOf({ TOKEN_ENCRYPTION_KEY: 'super-secret-but-short' });
    expect(err.message).not.toContain('super-secret-but-short');
  });
});

describe('sandbox mode under NODE_ENV=production', () => {
  const production = { NODE_ENV: 'production' };

  it.each(['https://reconnect.example.com', 'http://10.0.0.5:3000', 'http://0.0.0.0:3000', 'http://[2001:db8::1]:3000', 'http://localhost.example.com'])(
    'refuses the public APP_URL %s in one line naming APP_URL, NODE_ENV and SANDBOX_ALLOW_PUBLIC',
    (appUrl) => {
      const err = errorOf({ ...production, APP_URL: appUrl });
      expect(err.variable).toBe('APP_URL');
      for (const name of ['APP_URL', 'NODE_ENV=production', 'SANDBOX_ALLOW_PUBLIC=true']) expect(err.message).toContain(name);
      expect(err.message).not.toContain('\n');
    },
  );

  it.each(['http://localhost:3212', 'http://127.0.0.1:3000', 'http://[::1]:3000', 'http://app.localhost', undefined])('starts on the loopback APP_URL %s', (appUrl) => {
    const env: Record<string, string> = appUrl ? { ...production, APP_URL: appUrl } : production;
    expect(loadConfig(env, dataDir()).mode).toBe('sandbox');
  });

  it('starts on a public APP_URL with SANDBOX_ALLOW_PUBLIC=true, outside production, or in live mode', () => {
    const appUrl = 'https://reconnect.example.com';
    expect(loadConfig({ ...production, APP_URL: appUrl, SANDBOX_ALLOW_PUBLIC: 'true' }, dataDir()).appUrl).toBe(appUrl);
    expect(loadConfig({ NODE_ENV: 'development', APP_URL: appUrl }, dataDir()).mode).toBe('sandbox');
    expect(loadConfig({ ...production, ...secrets, APP_URL: appUrl, ATLASSIAN_CLIENT_ID: 'id', ATLASSIAN_CLIENT_SECRET: 's' }, dataDir()).mode).toBe('live');
    expect(errorOf({ ...production, APP_URL: appUrl, SANDBOX_ALLOW_PUBLIC: 'false' }).variable).toBe('APP_URL');
    expect(errorOf({ SANDBOX_ALLOW_PUBLIC: 'yes' }).variable).toBe('SANDBOX_ALLOW_PUBLIC');
  });

  it('isLoopbackUrl knows loopback hosts only', () => {
    expect(['http://127.8.9.10', 'http://[::ffff:127.0.0.1]', 'http://LOCALHOST:1'].map(isLoopbackUrl)).toEqual([true, true, true]);
    expect(['http://192.168.1.2', 'http://example.com', 'http://[::]'].map(isLoopbackUrl)).toEqual([false, false, false]);
  });
});

describe('sandbox ports', () => {
  it('SANDBOX_SIMULATOR_PORT and SANDBOX_MAIL_PORT are unset by default: the usual ports (any free one when taken)', () => {
    const config = loadConfig({}, dataDir());
    expect(config.sandboxPorts).toEqual({ simulator: undefined, mail: undefined });
    expect(config.atlassian.authUrl).toBe(`http://127.0.0.1:${DEFAULT_SIMULATOR_PORT}`);
  });

  it('reads both ports; the providers point at the chosen simulator port', () => {
    const config = loadConfig({ SANDBOX_SIMULATOR_PORT: '4110', SANDBOX_MAIL_PORT: '4125' }, dataDir());
    expect(config.sandboxPorts).toEqual({ simulator: 4110, mail: 4125 });
    expect(config.atlassian).toMatchObject({ authUrl: 'http://127.0.0.1:4110', apiUrl: 'http://127.0.0.1:4110' });
    expect(config.bitbucket).toMatchObject({ authUrl: 'http://127.0.0.1:4110', apiUrl: 'http://127.0.0.1:4110' });
  });

  it.each([
    [{ SANDBOX_SIMULATOR_PORT: 'abc' }, 'SANDBOX_SIMULATOR_PORT', 'must be a number'],
    [{ SANDBOX_SIMULATOR_PORT: '0' }, 'SANDBOX_SIMULATOR_PORT', 'must be at least 1'],
    [{ SANDBOX_SIMULATOR_PORT: '4010.5' }, 'SANDBOX_SIMULATOR_PORT', 'must be a whole number'],
    [{ SANDBOX_MAIL_PORT: '65536' }, 'SANDBOX_MAIL_PORT', 'must be at most 65535'],
    [{ SANDBOX_MAIL_PORT: '-25' }, 'SANDBOX_MAIL_PORT', 'must be at least 1'],
    [{ SANDBOX_SIMULATOR_PORT: '3000' }, 'SANDBOX_SIMULATOR_PORT', 'must differ from PORT (3000)'],
    [{ PORT: '4300', SANDBOX_MAIL_PORT: '4300' }, 'SANDBOX_MAIL_PORT', 'must differ from PORT (4300)'],
    [{ SANDBOX_SIMULATOR_PORT: '4400', SANDBOX_MAIL_PORT: '4400' }, 'SANDBOX_MAIL_PORT', 'must differ from SANDBOX_SIMULATOR_PORT (4400)'],
  ])('rejects %o in one line naming %s', (env, variable, detail) => {
    const err = errorOf(env);
    expect(err.variable).toBe(variable);
    expect(err.message).toBe(`Invalid configuration: ${variable} ${detail}`);
  });
});

describe('renewal window', () => {
  it('RENEW_WARNING_DAYS defaults to 30, reads a whole number of days, and names itself when out of range', () => {
    expect(loadConfig({}, dataDir()).renewWarningDays).toBe(30);
    expect(loadConfig({ RENEW_WARNING_DAYS: '14' }, dataDir()).renewWarningDays).toBe(14);
    expect(errorOf({ RENEW_WARNING_DAYS: '0' }).variable).toBe('RENEW_WARNING_DAYS');
    expect(errorOf({ RENEW_WARNING_DAYS: '400' }).variable).toBe('RENEW_WARNING_DAYS');
    expect(errorOf({ RENEW_WARNING_DAYS: 'soon' }).variable).toBe('RENEW_WARNING_DAYS');
  });
});

describe('mail configuration', () => {
  it('reads SMTP_URL, EMAIL_FROM and NOTIFY_DEGRADED_AFTER_HOURS, with defaults', () => {
    const plain = loadConfig({ APP_URL: 'https://reconnect.example.com' }, dataDir());
    expect(plain).toMatchObject({ smtpUrl: undefined, emailFrom: 'Reconnect <reconnect@reconnect.example.com>', notifyDegradedAfterHours: 24 });
    const set = loadConfig({ SMTP_URL: 'smtps://u:p%40ss@mail.example.com:465', EMAIL_FROM: 'Ops <ops@example.com>', NOTIFY_DEGRADED_AFTER_HOURS: '6' }, dataDir());
    expect(set).toMatchObject({ smtpUrl: 'smtps://u:p%40ss@mail.example.com:465', emailFrom: 'Ops <ops@example.com>', notifyDegradedAfterHours: 6 });
  });

  it('names the variable of a bad value, never echoing the SMTP password', () => {
    const bad = errorOf({ SMTP_URL: 'http://user:hunter2-secret@mail.example.com' });
    expect(bad.message).toBe('Invalid configuration: SMTP_URL must be an smtp:// or smtps:// URL');
    expect(bad.message).not.toContain('hunter2');
    expect(errorOf({ EMAIL_FROM: 'not an address' }).variable).toBe('EMAIL_FROM');
    expect(errorOf({ NOTIFY_DEGRADED_AFTER_HOURS: '0' }).message).toBe('Invalid configuration: NOTIFY_DEGRADED_AFTER_HOURS must be at least 1');
  });
});

describe('database configuration', () => {
  const url = 'postgres://app@pooler.internal:6432/reconnect';
  const direct = 'postgres://app@db.internal:5432/reconnect';

  it('defaults: a direct connection, DATABASE_DIRECT_URL = DATABASE_URL, 10 connections per process', () => {
    expect(loadDatabaseConfig({ DATABASE_URL: direct })).toEqual({ url: direct, directUrl: direct, pooler: undefined, poolSize: 10 });
    expect(loadDatabaseConfig({})).toEqual({ url: undefined, directUrl: undefined, pooler: undefined, poolSize: 10 });
  });

  it('reads a transaction pooler with its direct URL and a pool size', () => {
    const env = { DATABASE_URL: url, DATABASE_POOLER: 'transaction', DATABASE_DIRECT_URL: direct, DATABASE_POOL_SIZE: '25' };
    expect(loadConfig(env, dataDir()).database).toEqual({ url, directUrl: direct, pooler: 'transaction', poolSize: 25 });
  });

  it.each([
    [{ DATABASE_POOLER: 'session', DATABASE_URL: url }, 'DATABASE_POOLER'],
    [{ DATABASE_POOLER: 'transaction' }, 'DATABASE_POOLER'],
    [{ DATABASE_POOLER: 'transaction', DATABASE_URL: url }, 'DATABASE_DIRECT_URL'],
    [{ DATABASE_POOLER: 'transaction', DATABASE_URL: url, DATABASE_DIRECT_URL: url }, 'DATABASE_DIRECT_URL'],
    [{ DATABASE_DIRECT_URL: direct }, 'DATABASE_DIRECT_URL'],
    [{ DATABASE_URL: url, DATABASE_DIRECT_URL: 'mysql://x' }, 'DATABASE_DIRECT_URL'],
    [{ DATABASE_POOL_SIZE: '0' }, 'DATABASE_POOL_SIZE'],
    [{ DATABASE_POOL_SIZE: '1001' }, 'DATABASE_POOL_SIZE'],
    [{ DATABASE_POOL_SIZE: '2.5' }, 'DATABASE_POOL_SIZE'],
    [{ DATABASE_POOL_SIZE: 'ten' }, 'DATABASE_POOL_SIZE'],
  ])('rejects %o naming %s, in one line', (env, variable) => {
    const err = errorOf(env);
    expect(err.variable).toBe(variable);
    expect(err.message).toContain(variable);
    expect(err.message).not.toContain('\n');
  });
});
