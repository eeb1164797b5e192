import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { ensureDevSecrets } from './dev-secrets';
import { parseKey } from './crypto';
import type { OAuthAppConfig, ProviderDefinition } from './oauth/contract';
import { BUILT_IN_PROVIDERS, enabledProviders, PROVIDERS, type BuiltInProviderId, type Product, type ProviderId } from './providers/registry';

export type { OAuthAppConfig };
export const SANDBOX_ADMIN_EMAIL = 'admin@example.com';
/** The first provider's sandbox client secret (tests look for it where no secret may be). */
export const SANDBOX_CLIENT_SECRET = BUILT_IN_PROVIDERS[0].sandbox.clientSecret;
/** The sandbox simulator's usual port (any free one when taken), unless SANDBOX_SIMULATOR_PORT chooses one. */
export const DEFAULT_SIMULATOR_PORT = 4010;

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
const tcpPort = () => int(1).max(65535, 'must be at most 65535');

export const LOG_FORMATS = ['json', 'human'] as const;
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];

const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL');

const databaseSchema = z.object({
  DATABASE_URL: optional(postgresUrl),
  DATABASE_DIRECT_URL: optional(postgresUrl),
  DATABASE_POOLER: optional(z.enum(['transaction'], 'must be transaction (or unset for a direct connection)')),
  DATABASE_POOL_SIZE: optional(int(1).max(1000, 'must be at most 1000')),
});

const envSchema = databaseSchema.extend({
  APP_URL: optional(httpUrl),
  PORT: optional(tcpPort()),
  SANDBOX_SIMULATOR_PORT: optional(tcpPort()),
  SANDBOX_MAIL_PORT: optional(tcpPort()),
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
  RENEW_WARNING_DAYS: optional(int(1).max(364, 'must be below the 365-day absolute lifetime')),
  WEBHOOK_ALLOW_PRIVATE: optional(z.enum(['true', 'false'], 'must be true or false')),
  RECONNECT_DATA_DIR: optional(z.string()),
  LOG_FORMAT: optional(z.enum(LOG_FORMATS, 'must be json or human')),
  LOG_LEVEL: optional(z.enum(LOG_LEVELS, 'must be debug, info, warn or error')),
  RECONNECT_WORKER: optional(z.enum(['on', 'off'], 'must be on or off')),
  NEXT_MANUAL_SIG_HANDLE: optional(z.string()),
  SIMULATOR_SECRETS_FILE: optional(z.string()),
  TRUSTED_PROXY_HOPS: optional(int(0).max(10, 'must be at most 10')),
  METRICS_TOKEN: optional(z.string().regex(/^\S{16,}$/, 'must be at least 16 characters, with no spaces')),
  NODE_ENV: optional(z.string()),
  RECONNECT_TEST_PROVIDERS: optional(z.enum(['true', 'false'], 'must be true or false')),
  SANDBOX_ALLOW_PUBLIC: optional(z.enum(['true', 'false'], 'must be true or false')),
});

// Each provider's keys: {PREFIX}_CLIENT_ID, _CLIENT_SECRET, _AUTH_URL, _API_URL (lib/providers/registry.ts).
const appKeys = (p: ProviderDefinition) => ({
  [`${p.envPrefix}_CLIENT_ID`]: optional(z.string().min(1)),
  [`${p.envPrefix}_CLIENT_SECRET`]: optional(z.string().min(1)),
  [`${p.envPrefix}_AUTH_URL`]: optional(httpUrl),
  [`${p.envPrefix}_API_URL`]: optional(httpUrl),
});
const appSchema = z.object(Object.assign({}, ...PROVIDERS.map(appKeys)) as Record<string, ReturnType<typeof optional<z.ZodString>>>);

/** Where the app's queries go, and how (docs/deployment.md). */
export interface DatabaseConfig {
  /** Unset: the embedded Postgres of `npm start`. */
  url?: string;
  /** Migrations and the refresh-attempt markers: a direct (or session-mode) connection. Default: `url`. */
  directUrl?: string;
  /** `transaction`: `url` goes through a transaction-mode pooler, so nothing may rely on session state on it. */
  pooler?: 'transaction';
  /** Connections per process on `url`. */
  poolSize: number;
}

/** Each provider's OAuth app, by provider id: `config.atlassian`, `config.bitbucket` (test-only ones when on). */
export type ProviderApps = Record<BuiltInProviderId, OAuthAppConfig> & Partial<Record<ProviderId, OAuthAppConfig>>;

export type Config = BaseConfig & ProviderApps;

interface BaseConfig {
  mode: 'sandbox' | 'live';
  production: boolean;
  databaseUrl?: string;
  database: DatabaseConfig;
  appUrl: string;
  port: number;
  /** The ports chosen for the sandbox's simulator and mail catcher (undefined: the usual one, or any free one). */
  sandboxPorts: { simulator?: number; mail?: number };
  /** Products whose app is configured (sandbox: all); the others get no Connect button and no API. */
  products: Product[];
  /** Test-only providers are registered (RECONNECT_TEST_PROVIDERS=true; never in production). */
  testProviders: boolean;
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
  /** A connection whose family ends within this many days is "Renew soon". */
  renewWarningDays: number;
  /** Local state: dev secrets, the sandbox simulator's state, the embedded Postgres (as a normal user). */
  dataDir: string;
  /** How many proxies in front of the app append to X-Forwarded-For (0: the TCP peer is the client). */
  trustedProxyHops: number;
  worker: WorkerSettings;
  /** When set, /api/metrics requires `Authorization: Bearer <metricsToken>`; unset, it is open. */
  metricsToken?: string;
}

export interface WorkerSettings {
  /** RECONNECT_WORKER=off: the app does not run the background worker (npm run worker does). */
  inApp: boolean;
  /** NEXT_MANUAL_SIG_HANDLE set (a bare `next start`): the app stops its worker on SIGTERM/SIGINT itself. */
  handlesSignals: boolean;
}

/** localhost, *.localhost, 127.0.0.0/8 or ::1 (an IPv4-mapped loopback included). */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (!ipaddr.isValid(host)) return false;
  const address = ipaddr.process(host);
  return address.range() === 'loopback';
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

/** The database rows alone (lib/db reads them on first use); throws ConfigError for a combination that cannot work. */
export function loadDatabaseConfig(env: Env = process.env): DatabaseConfig {
  const { DATABASE_URL: url, DATABASE_DIRECT_URL: direct, DATABASE_POOLER: pooler, DATABASE_POOL_SIZE: poolSize } = parse(databaseSchema, env);
  if (pooler && !url) throw new ConfigError('DATABASE_POOLER', 'needs DATABASE_URL (the pooler\'s address); the embedded Postgres has no pooler');
  if (direct && !url) throw new ConfigError('DATABASE_DIRECT_URL', 'needs DATABASE_URL too; the embedded Postgres is always direct');
  // Migrations hold a session advisory lock and markers must not queue behind the pooler: both need a session.
  if (pooler && (!direct || direct === url)) {
    throw new ConfigError('DATABASE_DIRECT_URL', 'must be set to a direct (or session-mode) Postgres URL, not the pooler\'s, when DATABASE_POOLER=transaction');
  }
  return { url, directUrl: direct ?? url, pooler, poolSize: poolSize ?? 10 };
}

export function loadConfig(env: Env = process.env, dataDir = env.RECONNECT_DATA_DIR || '.data'): Config {
  const e = parse(envSchema, env);
  const database = loadDatabaseConfig(env);
  const keys = parse(appSchema, env);
  const testProviders = e.RECONNECT_TEST_PROVIDERS === 'true';
  const providers = enabledProviders(testProviders);
  // Live as soon as one real app is configured (a built-in provider's client id).
  const mode = BUILT_IN_PROVIDERS.some((p) => keys[`${p.envPrefix}_CLIENT_ID`]) ? 'live' : 'sandbox';
  for (const p of providers) {
    if (keys[`${p.envPrefix}_CLIENT_ID`] && !keys[`${p.envPrefix}_CLIENT_SECRET`]) {
      throw new ConfigError(`${p.envPrefix}_CLIENT_SECRET`, `is required when ${p.envPrefix}_CLIENT_ID is set`);
    }
  }
  const production = mode === 'live' && e.NODE_ENV === 'production';
  if (production && testProviders) throw new ConfigError('RECONNECT_TEST_PROVIDERS', 'is for tests only: not in production');
  // Live: never a generated secret, whatever NODE_ENV (a separate `npm run worker` or `npm run cli` does not set it).
  if (mode === 'live' && !e.TOKEN_ENCRYPTION_KEY) throw new ConfigError('TOKEN_ENCRYPTION_KEY', 'is required in live mode');
  if (mode === 'live' && !e.AUTH_SECRET) throw new ConfigError('AUTH_SECRET', 'is required in live mode');
  const port = e.PORT ?? 3000;
  const appUrl = (e.APP_URL ?? `http://localhost:${port}`).replace(/\/$/, '');
  // The sandbox signs anyone in as a seeded user (an admin among them): never on a public address by accident.
  if (mode === 'sandbox' && e.NODE_ENV === 'production' && !isLoopbackUrl(appUrl) && e.SANDBOX_ALLOW_PUBLIC !== 'true') {
    throw new ConfigError('APP_URL', `is not a loopback address while sandbox mode (no ATLASSIAN_CLIENT_ID or BITBUCKET_CLIENT_ID) runs with NODE_ENV=production: anyone could sign in as the seeded admin; configure a real app, or set SANDBOX_ALLOW_PUBLIC=true to serve the sandbox publicly`);
  }
  const sandboxPorts = { simulator: e.SANDBOX_SIMULATOR_PORT, mail: e.SANDBOX_MAIL_PORT };
  if (mode === 'sandbox') checkDistinctPorts(port, sandboxPorts);
  const dev = e.TOKEN_ENCRYPTION_KEY && e.AUTH_SECRET ? undefined : ensureDevSecrets(dataDir);
  const simulatorUrl = `http://127.0.0.1:${sandboxPorts.simulator ?? DEFAULT_SIMULATOR_PORT}`;
  return {
    mode,
    production,
    databaseUrl: e.DATABASE_URL,
    database,
    appUrl,
    port,
    sandboxPorts,
    ...(Object.fromEntries(providers.map((p) => [p.id, appConfig(p, keys, mode, simulatorUrl)])) as ProviderApps),
    // Sandbox: every provider's products; live: those whose app has a client id.
    products: providers.filter((p) => mode === 'sandbox' || keys[`${p.envPrefix}_CLIENT_ID`]).flatMap((p) => p.products.map((d) => d.id)),
    testProviders,
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
    renewWarningDays: e.RENEW_WARNING_DAYS ?? 30,
    dataDir,
    trustedProxyHops: e.TRUSTED_PROXY_HOPS ?? 0,
    worker: { inApp: e.RECONNECT_WORKER !== 'off', handlesSignals: Boolean(e.NEXT_MANUAL_SIG_HANDLE) },
    metricsToken: e.METRICS_TOKEN,
  };
}

/** Two servers cannot listen on one port: a chosen sandbox port must differ from PORT and from the other one. */
function checkDistinctPorts(port: number, chosen: Config['sandboxPorts']): void {
  if (chosen.simulator === port) throw new ConfigError('SANDBOX_SIMULATOR_PORT', `must differ from PORT (${port})`);
  if (chosen.mail === port) throw new ConfigError('SANDBOX_MAIL_PORT', `must differ from PORT (${port})`);
  if (chosen.mail !== undefined && chosen.mail === chosen.simulator) {
    throw new ConfigError('SANDBOX_MAIL_PORT', `must differ from SANDBOX_SIMULATOR_PORT (${chosen.simulator})`);
  }
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

function parse<T extends z.ZodType>(schema: T, env: Env): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ConfigError(String(issue.path[0]), issue.message);
}

// Unset keys: the real provider in live mode, the simulator (and its sandbox client) in sandbox mode.
function appConfig(p: ProviderDefinition, keys: Record<string, string | undefined>, mode: Config['mode'], simulatorUrl: string): OAuthAppConfig {
  const key = (name: string) => keys[`${p.envPrefix}_${name}`];
  const live = mode === 'live';
  return {
    clientId: key('CLIENT_ID') ?? (live ? '' : p.sandbox.clientId),
    clientSecret: key('CLIENT_SECRET') ?? (live ? '' : p.sandbox.clientSecret),
    authUrl: key('AUTH_URL') ?? (live ? p.live.authUrl : simulatorUrl),
    apiUrl: key('API_URL') ?? (live ? p.live.apiUrl : simulatorUrl),
  };
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
