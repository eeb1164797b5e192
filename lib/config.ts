import { z } from 'zod';
import { ensureDevSecrets } from './dev-secrets';
import { parseKey } from './crypto';
import type { Product } from './atlassian/products';

export const SANDBOX_CLIENT_ID = 'reconnect-sandbox';
export const SANDBOX_CLIENT_SECRET = 'sandbox-secret';
export const SANDBOX_ADMIN_EMAIL = 'admin@example.com';
export const LIVE_AUTH_URL = 'https://auth.atlassian.com';
export const LIVE_API_URL = 'https://api.atlassian.com';
export const DEFAULT_SIMULATOR_PORT = 4010;
export const SANDBOX_BITBUCKET_CLIENT_ID = 'reconnect-bitbucket-sandbox';
export const SANDBOX_BITBUCKET_CLIENT_SECRET = 'bitbucket-sandbox-secret';
export const LIVE_BITBUCKET_AUTH_URL = 'https://bitbucket.org';
export const LIVE_BITBUCKET_API_URL = 'https://api.bitbucket.org';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`Invalid configuration: ${variable} ${detail}`);
  }
}

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const base64Key = z.string().refine((v) => isKey(v), 'must be base64 of exactly 32 bytes');
const int = (min: number) => z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(min, `must be at least ${min}`);

export const LOG_FORMATS = ['json', 'human'] as const;
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];

const envSchema = z.object({
  DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')),
  APP_URL: optional(httpUrl),
  PORT: optional(int(1).max(65535, 'must be at most 65535')),
  ATLASSIAN_CLIENT_ID: optional(z.string().min(1)),
  ATLASSIAN_CLIENT_SECRET: optional(z.string().min(1)),
  ATLASSIAN_AUTH_URL: optional(httpUrl),
  ATLASSIAN_API_URL: optional(httpUrl),
  BITBUCKET_CLIENT_ID: optional(z.string().min(1)),
  BITBUCKET_CLIENT_SECRET: optional(z.string().min(1)),
  BITBUCKET_AUTH_URL: optional(httpUrl),
  BITBUCKET_API_URL: optional(httpUrl),
  AUTH_SECRET: optional(z.string().min(16, 'must be at least 16 characters')),
  TOKEN_ENCRYPTION_KEY: optional(base64Key),
  TOKEN_ENCRYPTION_KEY_PREVIOUS: optional(
    z.string().refine((v) => v.split(',').every((k) => isKey(k.trim())), 'must be comma-separated base64 32-byte keys'),
  ),
  ADMIN_EMAILS: optional(z.string()),
  REFRESH_MARGIN_SECONDS: optional(int(0)),
  KEEPALIVE_IDLE_DAYS: optional(int(1).max(89, 'must be below the 90-day inactivity expiry')),
  SMTP_URL: optional(z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' })),
  EMAIL_FROM: optional(z.string().trim().max(254).pipe(z.union([z.email(), z.string().regex(/^[^<>\r\n]*<[^<>\s@]+@[^<>\s@]+>$/)], 'must be an email address, optionally as "Name <address>"'))),
  NOTIFY_DEGRADED_AFTER_HOURS: optional(int(1)),
  WEBHOOK_ALLOW_PRIVATE: optional(z.enum(['true', 'false'], 'must be true or false')),
  RECONNECT_DATA_DIR: optional(z.string()),
  LOG_FORMAT: optional(z.enum(LOG_FORMATS, 'must be json or human')),
  LOG_LEVEL: optional(z.enum(LOG_LEVELS, 'must be debug, info, warn or error')),
  RECONNECT_WORKER: optional(z.enum(['on', 'off'], 'must be on or off')),
  NEXT_MANUAL_SIG_HANDLE: optional(z.string()),
  SIMULATOR_SECRETS_FILE: optional(z.string()),
  TRUSTED_PROXY_HOPS: optional(int(0).max(10, 'must be at most 10')),
  NODE_ENV: optional(z.string()),
});

export interface OAuthAppConfig {
  clientId: string;
  clientSecret: string;
  authUrl: string;
  apiUrl: string;
}

export interface Config {
  mode: 'sandbox' | 'live';
  production: boolean;
  databaseUrl?: string;
  appUrl: string;
  port: number;
  atlassian: OAuthAppConfig;
  /** The Bitbucket OAuth consumer. */
  bitbucket: OAuthAppConfig;
  /** Products whose app is configured (sandbox: all three); the others get no Connect button and no API. */
  products: Product[];
  authSecret: string;
  encryptionKeys: { current: Buffer; previous: Buffer[] };
  adminEmails: string[];
  refreshMarginSeconds: number;
  keepaliveIdleDays: number;
  webhookAllowPrivate: boolean;
  /** Outgoing mail; unset in live mode means notifications are off (sandbox: the local mail catcher). */
  smtpUrl?: string;
  emailFrom: string;
  notifyDegradedAfterHours: number;
  /** Local state: dev secrets, the sandbox simulator's state, the embedded Postgres (as a normal user). */
  dataDir: string;
  /** How many proxies in front of the app append to X-Forwarded-For (0: the TCP peer is the client). */
  trustedProxyHops: number;
  worker: WorkerSettings;
}

export interface WorkerSettings {
  /** RECONNECT_WORKER=off: the app does not run the background worker (npm run worker does). */
  inApp: boolean;
  /** NEXT_MANUAL_SIG_HANDLE set (a bare `next start`): the app stops its worker on SIGTERM/SIGINT itself. */
  handlesSignals: boolean;
}

function isKey(value: string): boolean {
  try {
    parseKey(value, 'key');
    return true;
  } catch {
    return false;
  }
}

// Parses and checks the environment once; throws ConfigError naming the first bad variable.
export type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env, dataDir = env.RECONNECT_DATA_DIR || '.data'): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(String(issue.path[0]), issue.message);
  }
  const e = parsed.data;
  // Live as soon as one real app is configured: Atlassian 3LO, a Bitbucket consumer, or both.
  const mode = e.ATLASSIAN_CLIENT_ID || e.BITBUCKET_CLIENT_ID ? 'live' : 'sandbox';
  if (e.ATLASSIAN_CLIENT_ID && !e.ATLASSIAN_CLIENT_SECRET) throw new ConfigError('ATLASSIAN_CLIENT_SECRET', 'is required when ATLASSIAN_CLIENT_ID is set');
  if (e.BITBUCKET_CLIENT_ID && !e.BITBUCKET_CLIENT_SECRET) throw new ConfigError('BITBUCKET_CLIENT_SECRET', 'is required when BITBUCKET_CLIENT_ID is set');
  const production = mode === 'live' && e.NODE_ENV === 'production';
  if (production && !e.TOKEN_ENCRYPTION_KEY) throw new ConfigError('TOKEN_ENCRYPTION_KEY', 'is required in production');
  if (production && !e.AUTH_SECRET) throw new ConfigError('AUTH_SECRET', 'is required in production');
  const dev = e.TOKEN_ENCRYPTION_KEY && e.AUTH_SECRET ? undefined : ensureDevSecrets(dataDir);
  const port = e.PORT ?? 3000;
  const simulatorUrl = `http://127.0.0.1:${DEFAULT_SIMULATOR_PORT}`;
  return {
    mode,
    production,
    databaseUrl: e.DATABASE_URL,
    appUrl: (e.APP_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    port,
    atlassian: {
      clientId: e.ATLASSIAN_CLIENT_ID ?? (mode === 'live' ? '' : SANDBOX_CLIENT_ID),
      clientSecret: e.ATLASSIAN_CLIENT_SECRET ?? (mode === 'live' ? '' : SANDBOX_CLIENT_SECRET),
      authUrl: e.ATLASSIAN_AUTH_URL ?? (mode === 'live' ? LIVE_AUTH_URL : simulatorUrl),
      apiUrl: e.ATLASSIAN_API_URL ?? (mode === 'live' ? LIVE_API_URL : simulatorUrl),
    },
    bitbucket: {
      clientId: e.BITBUCKET_CLIENT_ID ?? (mode === 'live' ? '' : SANDBOX_BITBUCKET_CLIENT_ID),
      clientSecret: e.BITBUCKET_CLIENT_SECRET ?? (mode === 'live' ? '' : SANDBOX_BITBUCKET_CLIENT_SECRET),
      authUrl: e.BITBUCKET_AUTH_URL ?? (mode === 'live' ? LIVE_BITBUCKET_AUTH_URL : simulatorUrl),
      apiUrl: e.BITBUCKET_API_URL ?? (mode === 'live' ? LIVE_BITBUCKET_API_URL : simulatorUrl),
    },
    products: [
      ...(mode === 'sandbox' || e.ATLASSIAN_CLIENT_ID ? (['jira', 'confluence'] as const) : []),
      ...(mode === 'sandbox' || e.BITBUCKET_CLIENT_ID ? (['bitbucket'] as const) : []),
    ],
    authSecret: e.AUTH_SECRET ?? dev!.authSecret,
    encryptionKeys: {
      current: parseKey(e.TOKEN_ENCRYPTION_KEY ?? dev!.tokenEncryptionKey, 'TOKEN_ENCRYPTION_KEY'),
      previous: (e.TOKEN_ENCRYPTION_KEY_PREVIOUS ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean)
        .map((k) => parseKey(k, 'TOKEN_ENCRYPTION_KEY_PREVIOUS')),
    },
    adminEmails: (e.ADMIN_EMAILS ?? (mode === 'sandbox' ? SANDBOX_ADMIN_EMAIL : ''))
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
    refreshMarginSeconds: e.REFRESH_MARGIN_SECONDS ?? 300,
    keepaliveIdleDays: e.KEEPALIVE_IDLE_DAYS ?? 60,
    webhookAllowPrivate: e.WEBHOOK_ALLOW_PRIVATE ? e.WEBHOOK_ALLOW_PRIVATE === 'true' : mode === 'sandbox',
    smtpUrl: e.SMTP_URL,
    emailFrom: e.EMAIL_FROM ?? `Reconnect <reconnect@${new URL(e.APP_URL ?? 'http://localhost').hostname}>`,
    notifyDegradedAfterHours: e.NOTIFY_DEGRADED_AFTER_HOURS ?? 24,
    dataDir,
    trustedProxyHops: e.TRUSTED_PROXY_HOPS ?? 0,
    worker: { inApp: e.RECONNECT_WORKER !== 'off', handlesSignals: Boolean(e.NEXT_MANUAL_SIG_HANDLE) },
  };
}

const oneOf = <T extends string>(values: readonly T[], raw: string | undefined): T | undefined =>
  values.find((v) => v === raw);

/**
 * LOG_FORMAT and LOG_LEVEL alone, read each time a logger is made: logging starts before (and must survive)
 * the rest of the configuration's check, so a bad value falls back to the default here; loadConfig refuses it.
 */
export function logSettings(env: Env = process.env): { format: LogFormat; level: LogLevel } {
  return { format: oneOf(LOG_FORMATS, env.LOG_FORMAT) ?? 'human', level: oneOf(LOG_LEVELS, env.LOG_LEVEL) ?? 'info' };
}

/** Test aid: the file the simulator appends every secret it issues to (tests/run-unit.ts sets it); read on each call. */
export function simulatorSecretsFile(env: Env = process.env): string | undefined {
  return env.SIMULATOR_SECRETS_FILE || undefined;
}

let cached: Config | undefined;

/** The process-wide config, parsed on first use (never at import time). */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}

export function resetConfigForTests(): void {
  cached = undefined;
}
