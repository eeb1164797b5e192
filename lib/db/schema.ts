import { sql } from 'drizzle-orm';
import { PRODUCTS, type Product } from '../providers/registry';
import {
  type AnyPgColumn,
  bigserial,
  date,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => ts('created_at').notNull().defaultNow();
const updatedAt = () => ts('updated_at').notNull().defaultNow();

/** A trigram index for the admin search (`ilike '%…%'`); pg_trgm is enabled by the migrator. */
const trigram = (name: string, column: AnyPgColumn) => index(name).using('gin', sql`${column} gin_trgm_ops`);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull().unique(),
    name: text('name'),
    role: text('role', { enum: ['user', 'admin'] }).notNull().default('user'),
    // The provider account the user signs in with, "<provider id>:<account id>" (a bare id: the first provider's,
    // written before the prefix): bound at the first sign-in, see bindSignInAccount in lib/users.ts.
    signInAccount: text('atlassian_account_id'),
    // Owner notifications by email (all connections); admins may also opt in to the daily digest.
    notificationsEnabled: boolean('notifications_enabled').notNull().default(true),
    adminDigest: boolean('admin_digest').notNull().default(false),
    // Auth.js's user columns (its Drizzle adapter reads them): when Atlassian last reported the email verified, the avatar.
    emailVerified: ts('email_verified'),
    image: text('image'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [trigram('users_email_trgm_idx', t.email)],
);

export const CONNECTION_STATUSES = ['active', 'degraded', 'needs_reauth', 'error', 'disconnected'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];
export { PRODUCTS };
/** Severity for the admin "status" sort (`case status … end`): operator errors first, disconnected last. */
export const STATUS_RANK_CASES = "when 'error' then 4 when 'needs_reauth' then 3 when 'degraded' then 2 when 'active' then 1 else 0";

// One row = one OAuth grant = one token family. Tokens live here and nowhere else.
export const connections = pgTable(
  'connections',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    product: text('product').$type<Product>().notNull(),
    status: text('status', { enum: CONNECTION_STATUSES }).notNull().default('active'),
    reason: text('reason'),
    accountId: text('account_id'),
    accountName: text('account_name'),
    accountEmail: text('account_email'),
    scopes: text('scopes').array().notNull().default(sql`'{}'::text[]`),
    accessTokenEnc: text('access_token_enc'),
    refreshTokenEnc: text('refresh_token_enc'),
    accessExpiresAt: ts('access_expires_at'),
    // Bumped on every stored token change; a write never goes backwards.
    tokenGeneration: integer('token_generation').notNull().default(1),
    // Last time Atlassian issued the stored refresh token (its inactivity clock).
    refreshTokenIssuedAt: ts('refresh_token_issued_at'),
    // Set while a refresh's outcome is unknown (timeout / dropped connection).
    refreshOutcomeUnknownAt: ts('refresh_outcome_unknown_at'),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    lastErrorCode: text('last_error_code'),
    lastErrorMessage: text('last_error_message'),
    lastRefreshedAt: ts('last_refreshed_at'),
    lastUsedAt: ts('last_used_at'),
    nextRefreshAt: ts('next_refresh_at'),
    // When the consent that started the current token family was exchanged (never moved by a refresh), and
    // when the provider's absolute lifetime ends that family (null: the provider has none). renew_warned_at:
    // the family's one `connection.expiring` was recorded (cleared by the next consent).
    consentedAt: ts('consented_at'),
    renewBy: ts('renew_by'),
    renewWarnedAt: ts('renew_warned_at'),
    // The owner's choice for this connection's emails (their user-wide switch is on users).
    notificationsEnabled: boolean('notifications_enabled').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    disconnectedAt: ts('disconnected_at'),
  },
  (t) => [
    // INCLUDE (id, status) and INCLUDE (status, product, user_id, account_email, account_name) are added by
    // drizzle/0008_covering_indexes.sql: the admin search reads these two indexes alone.
    index('connections_user_idx').on(t.userId, t.createdAt),
    index('connections_status_updated_idx').on(t.status, t.updatedAt, t.id),
    index('connections_product_status_idx').on(t.product, t.status, t.updatedAt),
    index('connections_updated_idx').on(t.updatedAt, t.id),
    index('connections_account_email_idx').on(t.accountEmail),
    // Admin dashboard: one index per sort (keyset pagination), counts of current reasons, search.
    // The expressions must stay identical to lib/admin/sorts.ts for the planner to match them.
    index('connections_created_idx').on(t.createdAt, t.id),
    index('connections_last_refreshed_idx').on(sql`coalesce(${t.lastRefreshedAt}, '-infinity'::timestamptz)`, t.id),
    index('connections_status_rank_idx').on(sql.raw(`(case "status" ${STATUS_RANK_CASES} end)`), t.updatedAt, t.id),
    index('connections_status_reason_idx').on(t.status, t.reason),
    trigram('connections_account_email_trgm_idx', t.accountEmail),
    trigram('connections_account_name_trgm_idx', t.accountName),
    // Admin sort by renew_by (keyset), and the worker's scan for families entering their renewal window.
    index('connections_renew_by_idx').on(sql`coalesce(${t.renewBy}, 'infinity'::timestamptz)`, t.id),
    index('connections_renew_due_idx')
      .on(t.renewBy)
      .where(sql`renew_warned_at is null and status in ('active', 'degraded')`),
    // The worker's queue: only live connections have scheduled work.
    index('connections_due_idx')
      .on(t.nextRefreshAt)
      .where(sql`status in ('active', 'degraded')`),
    // One live connection per person, product and provider account: connecting the same account again
    // reconnects it, even when two first connects of it run at once (lib/connections/store.ts, connectGrant).
    uniqueIndex('connections_live_account_idx')
      .on(t.userId, t.product, t.accountId)
      .where(sql`status <> 'disconnected'`),
  ],
);

// Written (autocommit) just before a refresh request leaves, cleared with its outcome: a row left behind
// by a crashed process tells the next refresher that the outcome of that request is unknown.
// No foreign key on purpose: its check would wait on the FOR UPDATE lock the refresher holds.
export const refreshAttempts = pgTable('refresh_attempts', {
  connectionId: uuid('connection_id').primaryKey(),
  tokenGeneration: integer('token_generation').notNull(),
  startedAt: ts('started_at').notNull(),
});

export const connectionSites = pgTable(
  'connection_sites',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => connections.id, { onDelete: 'cascade' }),
    cloudId: text('cloud_id').notNull(),
    name: text('name').notNull(),
    url: text('url').notNull(),
    scopes: text('scopes').array().notNull().default(sql`'{}'::text[]`),
    avatarUrl: text('avatar_url'),
  },
  (t) => [
    uniqueIndex('connection_sites_connection_cloud_idx').on(t.connectionId, t.cloudId),
    index('connection_sites_cloud_idx').on(t.cloudId),
    index('connection_sites_name_idx').on(t.name),
    trigram('connection_sites_name_trgm_idx', t.name),
  ],
);

// Append-only timeline and audit log. Never holds a token.
export const connectionEvents = pgTable(
  'connection_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => connections.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    code: text('code'),
    message: text('message'),
    tokenGeneration: integer('token_generation'),
    data: jsonb('data').$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (t) => [
    index('connection_events_connection_idx').on(t.connectionId, t.id),
    // code too, so that the admin's failure reasons are an index-only scan
    index('connection_events_type_created_idx').on(t.type, t.createdAt, t.code),
    index('connection_events_created_idx').on(t.createdAt),
  ],
);

export const webhookEndpoints = pgTable('webhook_endpoints', {
  id: uuid('id').primaryKey().defaultRandom(),
  url: text('url').notNull(),
  events: text('events').array().notNull(),
  secretEnc: text('secret_enc').notNull(),
  previousSecretEnc: text('previous_secret_enc'),
  previousSecretExpiresAt: ts('previous_secret_expires_at'),
  status: text('status', { enum: ['active', 'failing', 'disabled'] }).notNull().default('active'),
  disabledReason: text('disabled_reason'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

// The outbox: written in the same transaction as the state change that causes it.
export const webhookMessages = pgTable(
  'webhook_messages',
  {
    id: text('id').primaryKey(),
    connectionId: uuid('connection_id').references(() => connections.id, { onDelete: 'set null' }),
    type: text('type').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    // The insert's time, not the transaction's start (now()): messages of one connection are written under
    // its row lock, so this orders them as their state changes happened (deliveries go out in this order).
    createdAt: ts('created_at').notNull().default(sql`clock_timestamp()`),
  },
  (t) => [
    index('webhook_messages_connection_idx').on(t.connectionId, t.createdAt),
    index('webhook_messages_type_idx').on(t.type, t.createdAt),
  ],
);

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    messageId: text('message_id')
      .notNull()
      .references(() => webhookMessages.id, { onDelete: 'cascade' }),
    endpointId: uuid('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    // Copies of the message's connection and time, so that the per-connection ordering check of a claim
    // is one partial-index probe instead of a join per due row (no foreign key: it is only an ordering key).
    connectionId: uuid('connection_id'),
    messageCreatedAt: ts('message_created_at').notNull(),
    status: text('status', { enum: ['pending', 'succeeded', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    lastResponseCode: integer('last_response_code'),
    lastError: text('last_error'),
    // Set when a worker claims the delivery (next_attempt_at then holds the lease's end); only the
    // holder of the current lease records a failure. A crash mid-send leaves it: retried after the lease.
    leaseToken: uuid('lease_token'),
    deliveredAt: ts('delivered_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_message_endpoint_idx').on(t.messageId, t.endpointId),
    index('webhook_deliveries_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`status = 'pending'`),
    index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.createdAt),
    index('webhook_deliveries_pending_order_idx')
      .on(t.endpointId, t.connectionId, t.messageCreatedAt, t.id)
      .where(sql`status = 'pending'`),
  ],
);

export const apiKeys = pgTable('api_keys', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  prefix: text('prefix').notNull(),
  keyHash: text('key_hash').notNull().unique(),
  createdAt: createdAt(),
  lastUsedAt: ts('last_used_at'),
  revokedAt: ts('revoked_at'),
});

// Server-side OAuth `state`: single use, short-lived, bound to the user who started the flow
// (no user yet for sign-in). Stored hashed, like every bearer secret here.
export const oauthStates = pgTable(
  'oauth_states',
  {
    stateHash: text('state_hash').primaryKey(),
    purpose: text('purpose', { enum: ['signin', 'connect', 'reconnect'] }).notNull(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    product: text('product').$type<Product>(),
    connectionId: uuid('connection_id').references(() => connections.id, { onDelete: 'cascade' }),
    connectSessionId: uuid('connect_session_id'),
    redirectTo: text('redirect_to'),
    // Hash of the httpOnly cookie nonce of the browser that started the flow: the callback must come from it.
    browserNonceHash: text('browser_nonce_hash'),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
    createdAt: createdAt(),
  },
  (t) => [index('oauth_states_expires_idx').on(t.expiresAt)],
);

// Auth.js database sessions (through @auth/drizzle-adapter). The cookie holds the token; only its hash is
// stored, like every bearer secret here. `id` names a session to admins without exposing the hash.
export const sessions = pgTable(
  'sessions',
  {
    sessionToken: text('session_token').primaryKey(),
    id: uuid('id').notNull().defaultRandom().unique(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expires: ts('expires').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('sessions_user_idx').on(t.userId), index('sessions_expires_idx').on(t.expires)],
);

export const connectSessions = pgTable(
  'connect_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull().unique(),
    userEmail: text('user_email').notNull(),
    product: text('product').$type<Product>().notNull(),
    connectionId: uuid('connection_id').references(() => connections.id, { onDelete: 'cascade' }),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
    createdAt: createdAt(),
  },
  (t) => [index('connect_sessions_expires_idx').on(t.expiresAt)],
);

// Fixed-window counters shared by every instance (sign-in starts, wrong API keys); old rows are cleaned up.
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  windowStart: ts('window_start').notNull(),
  hits: integer('hits').notNull(),
});

export const NOTIFICATION_KINDS = ['needs_reauth', 'degraded', 'expiring', 'digest'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export const NOTIFICATION_STATUSES = ['pending', 'sent', 'failed', 'suppressed', 'cancelled'] as const;

// The mail outbox: a row is written in the transaction of the state change that causes it and sent by
// the worker (claimed like webhook deliveries: SKIP LOCKED, then a lease). Its id is the mail's Message-ID.
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind', { enum: NOTIFICATION_KINDS }).notNull(),
    // The connection it is about (none for a digest) and the recipient.
    connectionId: uuid('connection_id').references(() => connections.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    // One digest per admin per day: 'digest:<user>:<day>'; null for transitions (one row per transition).
    dedupeKey: text('dedupe_key').unique(),
    payload: jsonb('payload').$type<Record<string, unknown>>(),
    status: text('status', { enum: NOTIFICATION_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    leaseToken: uuid('lease_token'),
    lastError: text('last_error'),
    lastResponseCode: integer('last_response_code'),
    // SHA-256 of the one-click unsubscribe token of this mail (the token itself is only in the mail).
    unsubscribeTokenHash: text('unsubscribe_token_hash').unique(),
    sentAt: ts('sent_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('notifications_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`status = 'pending'`),
    index('notifications_connection_idx').on(t.connectionId, t.createdAt),
    index('notifications_status_idx').on(t.status, t.updatedAt),
  ],
);

// Sandbox only: what the local mail catcher received, shown in the Inbox on /sandbox.
export const sandboxMail = pgTable(
  'sandbox_mail',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    messageId: text('message_id'),
    from: text('from_address').notNull(),
    to: text('to_address').notNull(),
    subject: text('subject').notNull(),
    text: text('text_body'),
    html: text('html_body'),
    headers: jsonb('headers').$type<Record<string, string>>().notNull(),
    receivedAt: ts('received_at').notNull().defaultNow(),
  },
  (t) => [index('sandbox_mail_received_idx').on(t.receivedAt)],
);

// Maintained summaries for the admin dashboard, so that it reads a few rows instead of counting the big tables.
// Kept by triggers (migration 0006), in the same transaction as every write to the counted table, whichever
// code path writes (the app, the seed, a cascade, an operator's SQL). '' stands for a null reason / code.

/** Connections per (status, reason). */
export const connectionStatusCounts = pgTable(
  'connection_status_counts',
  {
    status: text('status', { enum: CONNECTION_STATUSES }).notNull(),
    reason: text('reason').notNull().default(''),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.status, t.reason] })],
);

/** Timeline events per UTC day, type and code. */
export const connectionEventCounts = pgTable(
  'connection_event_counts',
  {
    day: date('day', { mode: 'string' }).notNull(),
    type: text('type').notNull(),
    code: text('code').notNull().default(''),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.type, t.day, t.code] })],
);
