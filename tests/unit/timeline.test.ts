// The timeline words every event type and code the code base writes. The lists are read from the source
// (the writers' code unions and literals), so that a new code without wording fails here.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONNECTION_EVENT_TYPES } from '@/lib/connections/events';
import { plainReason } from '@/lib/connections/health';
import { describeEvent, foldEvents, parseTimelineFilter, TIMELINE_FILTERS, type TimelineEvent } from '@/lib/connections/timeline';
import { NOTIFICATION_KINDS } from '@/lib/db/schema';
import { ATLASSIAN_WORDING } from '@/lib/providers/atlassian/wording';
import { BITBUCKET_WORDING } from '@/lib/providers/bitbucket/wording';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

const SOURCES = [...sourceFiles('lib'), ...sourceFiles('app')].map((path) => ({ path, text: readFileSync(path, 'utf8') }));
const read = (path: string) => readFileSync(path, 'utf8');

/** The string members of `export type Name = | 'a' | 'b' …;` in a source file. */
function unionMembers(path: string, name: string): string[] {
  const match = new RegExp(`export type ${name} =([^;]+);`).exec(read(path));
  if (!match) throw new Error(`${name} not found in ${path}`);
  return [...match[1]!.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]!);
}

/** Transition type → the timeline event it writes, from the table in lib/connections/transitions.ts. */
const TRANSITION_EVENTS = new Map(
  [...read('lib/connections/transitions.ts').matchAll(/^\s+([a-z_]+): \{ event: '([a-z_]+)'/gm)].map((m) => [m[1]!, m[2]!] as const),
);

/**
 * The argument text of every timeline write (up to its closing `})`): recordEvent(…) calls, and
 * recordTransition(…) calls with their transition type replaced by the event type it writes.
 */
function recordEventCalls(): string[] {
  return SOURCES.flatMap(({ text }) =>
    [...text.matchAll(/record(Event|Transition)\([^;]*?\}\s*(?:,[^;)]*)?\)/gs)].map((m) =>
      m[1] === 'Event' ? m[0] : m[0].replace(/\btype:\s*'([a-z_]+)'/, (_, t: string) => `type: '${TRANSITION_EVENTS.get(t) ?? t}'`),
    ),
  );
}

const literalCodes = () => recordEventCalls().flatMap((call) => [...call.matchAll(/\bcode:\s*'([a-z_]+)'/g)].map((m) => m[1]!));
const literalTypes = () => [
  ...recordEventCalls().flatMap((call) => [...call.matchAll(/\btype:\s*'([a-z_]+)'/g)].map((m) => m[1]!)),
  // the mail sender inserts its events directly: its status → type map
  ...[...read('lib/notifications/send.ts').matchAll(/'(notification_[a-z_]+)'/g)].map((m) => m[1]!),
];

/** needs_reauth reasons: what terminalReason returns and the reasons markNeedsReauth accepts. */
function needsReauthReasons(): string[] {
  const engine = read('lib/tokens/engine.ts');
  const terminal = /function terminalReason[\s\S]*?\n {2}\}/.exec(engine)![0];
  const marked = /markNeedsReauth\(connectionId: string, reason: ([^,]+),/.exec(engine)![1]!;
  return [...`${terminal}${marked}`.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]!);
}

const CODES = [
  ...new Set([
    ...unionMembers('lib/oauth/errors.ts', 'TokenErrorCode'),
    ...unionMembers('lib/oauth/errors.ts', 'ApiErrorCode'),
    ...unionMembers('lib/connections/errors.ts', 'ConnectionErrorCode'),
    ...NOTIFICATION_KINDS,
    ...literalCodes(),
    'ok',
    'http_200',
    'http_401',
    'http_503',
    'http_418',
    'smtp_550',
  ]),
];
const REASONS = [...new Set(needsReauthReasons())];

const event = (over: Partial<TimelineEvent>): TimelineEvent => ({
  id: 1,
  type: 'test',
  code: null,
  message: null,
  token_generation: null,
  created_at: new Date('2026-01-01T00:00:00Z'),
  ...over,
});

/** A raw code shows through: snake_case such as invalid_grant or http_503 (one-word codes are English words). */
function looksRaw(text: string): boolean {
  return /\b[a-z]+_[a-z0-9_]+\b/.test(text);
}

describe('the lists read from the source', () => {
  it('find the codes and reasons the writers use (a broken parse would make the check below vacuous)', () => {
    expect(CODES).toEqual(expect.arrayContaining(['invalid_grant', 'invalid_refresh_token', 'server_error', 'scope_mismatch', 'needs_reauth', 'invalid_client']));
    expect(REASONS).toEqual(expect.arrayContaining(['revoked', 'inactivity_expired', 'token_lost', 'scope_mismatch']));
    expect(recordEventCalls().length).toBeGreaterThanOrEqual(10);
  });

  it('every type written is a known event type', () => {
    const types = literalTypes();
    expect(types).toEqual(expect.arrayContaining(['connected', 'test', 'needs_reauth', 'notification_sent']));
    for (const type of types) expect(CONNECTION_EVENT_TYPES, `event type ${type}`).toContain(type);
  });
});

describe('describeEvent', () => {
  for (const type of CONNECTION_EVENT_TYPES) {
    it(`words ${type} with every code, never the raw code`, () => {
      for (const code of [null, ...CODES]) {
        for (const wording of [ATLASSIAN_WORDING, BITBUCKET_WORDING]) {
          const text = describeEvent(event({ type, code }), wording);
          const where = `${type} / ${code} / ${wording.issuerName}: “${text.title}” — “${text.detail}”`;
          expect(text.known, where).toBe(true);
          expect(looksRaw(text.title), where).toBe(false);
          expect(looksRaw(text.detail), where).toBe(false);
          expect(text.title).not.toBe(type);
        }
      }
    });
  }

  it('words every needs_reauth reason in its title', () => {
    const titles = REASONS.map((reason) => describeEvent(event({ type: 'needs_reauth', code: 'invalid_grant', reason }), ATLASSIAN_WORDING).title);
    for (const [i, title] of titles.entries()) {
      expect(title, REASONS[i]).toMatch(/^Needs reconnect: [a-z ]+$/);
      expect(looksRaw(title)).toBe(false);
    }
    expect(new Set(titles).size).toBe(REASONS.length);
  });

  it('says a failed refresh plainly, with the provider named', () => {
    const text = describeEvent(event({ type: 'refresh_failed', code: 'server_error', retry_in_seconds: 30 }), BITBUCKET_WORDING);
    expect(text.title).toBe('Refresh failed: Bitbucket answered with a server error');
    expect(text.detail).toContain('Next try in 30 s.');
    expect(describeEvent(event({ type: 'test', code: 'http_503' }), ATLASSIAN_WORDING).title).toBe('Test connection: failed');
    expect(describeEvent(event({ type: 'test', code: 'http_503' }), ATLASSIAN_WORDING).detail).toBe('Atlassian answered HTTP 503 (unavailable).');
  });

  it("speaks each provider's vocabulary, the card's: Bitbucket has workspaces, and its grants die without any password change", () => {
    const connected = describeEvent(event({ type: 'connected', sites: 2 }), BITBUCKET_WORDING).detail;
    expect(connected).toBe('Signed in to Bitbucket and stored the tokens for 2 workspaces.');
    expect(describeEvent(event({ type: 'connected', sites: 1 }), BITBUCKET_WORDING).detail).toContain('for 1 workspace.');
    expect(describeEvent(event({ type: 'connected', sites: 3 }), ATLASSIAN_WORDING).detail).toContain('for 3 sites.');
    for (const wording of [ATLASSIAN_WORDING, BITBUCKET_WORDING]) {
      for (const reason of REASONS) {
        const timeline = describeEvent(event({ type: 'needs_reauth', code: 'invalid_grant', reason }), wording).detail;
        expect(timeline, `${wording.issuerName} / ${reason}`).toBe(plainReason('needs_reauth', reason, true, wording));
      }
    }
    const revoked = describeEvent(event({ type: 'needs_reauth', code: 'invalid_refresh_token', reason: 'revoked' }), BITBUCKET_WORDING).detail;
    expect(revoked).toBe("Bitbucket no longer accepts this connection: access was revoked or the app's permissions changed. Reconnect to resume syncing.");
    expect(revoked).not.toContain('password');
  });

  it('marks an unworded code as unknown instead of hiding it', () => {
    const text = describeEvent(event({ type: 'refresh_failed', code: 'brand_new_code' }), ATLASSIAN_WORDING);
    expect(text.known).toBe(false);
    expect(describeEvent(event({ type: 'brand_new_type' }), ATLASSIAN_WORDING).known).toBe(false);
  });
});

describe('foldEvents', () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));

  it('folds consecutive events of the same kind and outcome, keeping the first and last time', () => {
    const events = [
      event({ id: 9, type: 'test', code: 'ok', created_at: at(9) }),
      event({ id: 8, type: 'test', code: 'ok', created_at: at(8) }),
      event({ id: 7, type: 'test', code: 'ok', created_at: at(7) }),
      event({ id: 6, type: 'test', code: 'http_503', created_at: at(6) }),
      event({ id: 5, type: 'test', code: 'ok', created_at: at(5) }),
      event({ id: 4, type: 'refreshed', token_generation: 3, created_at: at(4) }),
      event({ id: 3, type: 'refreshed', token_generation: 2, created_at: at(3) }),
      event({ id: 2, type: 'needs_reauth', code: 'invalid_grant', reason: 'revoked', created_at: at(2) }),
      event({ id: 1, type: 'needs_reauth', code: 'invalid_grant', reason: 'token_lost', created_at: at(1) }),
    ];
    const rows = foldEvents(events, ATLASSIAN_WORDING);
    expect(rows.map((r) => [r.latest.id, r.earliest.id, r.count])).toEqual([
      [9, 7, 3],
      [6, 6, 1],
      [5, 5, 1],
      [4, 3, 2],
      [2, 2, 1],
      [1, 1, 1],
    ]);
    expect(rows[0]!.text.title).toBe('Test connection: works');
    expect(rows[3]!.text.detail).toContain('token generation 3');
  });
});

describe('filters', () => {
  it('name only event types that exist, and parse from the query', () => {
    for (const f of TIMELINE_FILTERS) for (const t of f.types ?? []) expect(CONNECTION_EVENT_TYPES).toContain(t);
    expect(parseTimelineFilter(undefined)).toBe('all');
    expect(parseTimelineFilter('tests')).toBe('tests');
    expect(parseTimelineFilter('nope')).toBeUndefined();
  });

  it('every event type is in at least one filter besides All', () => {
    const covered = new Set(TIMELINE_FILTERS.flatMap((f) => f.types ?? []));
    for (const type of CONNECTION_EVENT_TYPES) expect(covered, type).toContain(type);
  });
});
