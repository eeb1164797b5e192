// Reads the sandbox state files written before the simulator core existed (version 1): Atlassian's part at the
// top level, Bitbucket's under its own key, records named per provider. Their families carry no consent time:
// the core counts them as consented when the file is loaded.
import type { SavedState } from '../simulator/persist';

type Row = Record<string, unknown>;
type Entries = Array<[string, Row]>;

const mapRows = (entries: unknown, change: (row: Row) => Row): Entries =>
  ((entries as Entries | undefined) ?? []).map(([key, row]) => [key, change(row)]);

const without = (row: Row, key: string): Row => {
  const copy = { ...row };
  delete copy[key];
  return copy;
};

const rename = (row: Row, from: string, to: string): Row => ({ ...without(row, from), [to]: row[from] });

function atlassianPart(v1: Row) {
  return {
    config: without(v1.config as Row, 'autoConsent'), // the core keeps the auto-consent switch now
    counters: v1.counters,
    codes: mapRows(v1.codes, (code) => ({ ...code, redirectUriGiven: true })),
    families: {
      families: mapRows(v1.grants, (grant) => without(grant, 'refreshTokens')),
      refreshTokens: mapRows(v1.refreshTokens, (record) => rename(record, 'grantId', 'familyId')),
      accessTokens: mapRows(v1.accessTokens, (record) => rename(record, 'grantId', 'familyId')),
      nextNumber: v1.nextGrantNumber,
    },
  };
}

function bitbucketPart(bb: Row) {
  const ttlMs = Number((bb.config as Row).accessTokenTtlSeconds) * 1000;
  return {
    config: bb.config,
    counters: bb.counters,
    codes: mapRows(bb.codes, (code) => ({ ...rename(code, 'consumerKey', 'clientId'), scopes: [] })),
    families: {
      families: mapRows(bb.families, (family) => rename(family, 'consumerKey', 'clientId')),
      refreshTokens: mapRows(bb.refreshTokens, (record) => ({ ...record, activeSince: record.issuedAt })),
      accessTokens: mapRows(bb.accessTokens, ({ revoked, ...record }) => ({
        ...record,
        issuedAt: Number(record.expiresAt) - ttlMs,
        revokeAt: revoked ? 0 : null,
      })),
      nextNumber: bb.nextFamilyNumber,
    },
  };
}

export function upgradeStateFileV1(old: { version: number } & Row): SavedState | undefined {
  if (old.version !== 1) return undefined;
  return {
    version: 2,
    port: old.port as number,
    clockOffsetSeconds: old.clockOffsetSeconds as number,
    autoConsent: Boolean((old.config as Row).autoConsent),
    sessions: old.sessions as SavedState['sessions'],
    faults: old.faults as SavedState['faults'],
    nextFaultNumber: old.nextFaultNumber as number,
    providers: {
      atlassian: atlassianPart(old),
      ...(old.bitbucket ? { bitbucket: bitbucketPart(old.bitbucket as Row) } : {}),
    },
  };
}
