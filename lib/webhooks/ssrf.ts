// Webhook targets are URLs typed in by API callers and admins: without these checks the worker could be
// pointed at the database, the cloud metadata service (169.254.169.254) or anything else on the
// private network. Checked when an endpoint is saved, and again for every delivery on the address the
// socket actually connects to (DNS may have changed since, or may answer differently each time).
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

export type AddressKind = 'loopback' | 'private' | 'link-local' | 'unspecified' | 'multicast' | 'reserved';

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

export type HostLookup = (hostname: string) => Promise<LookupAddress[]>;

export interface UrlCheckOptions {
  allowPrivate: boolean;
  /** Resolves a host name to all its addresses; node:dns `lookup` with `all: true` by default. */
  lookup?: HostLookup;
}

export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** Raised (as a connection error) when a delivery's host resolves to a refused address. */
export class ForbiddenAddressError extends Error {
  readonly code = 'ERR_WEBHOOK_FORBIDDEN_ADDRESS';

  constructor(
    readonly address: string,
    readonly kind: AddressKind,
  ) {
    super(`refused: the host resolves to a ${kind} address (${address})`);
    this.name = 'ForbiddenAddressError';
  }
}

type V4Range = readonly [base: string, bits: number, kind: AddressKind];

// Everything that is not a public unicast address (IANA special-purpose registry, the parts that matter).
const V4_RANGES: readonly V4Range[] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'private'], // carrier-grade NAT
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'], // includes the cloud metadata service 169.254.169.254
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'], // includes broadcast 255.255.255.255
];

const V4_PARSED = V4_RANGES.map(([base, bits, kind]) => ({ base: parseV4(base)!, bits, kind }));

function parseV4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

// Eight 16-bit groups, or undefined when `text` is not an IPv6 address.
function parseV6(text: string): number[] | undefined {
  let s = text.replace(/^\[|\]$/g, '').split('%')[0].toLowerCase();
  const dotted = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (dotted) {
    const v4 = parseV4(dotted[1]);
    if (v4 === undefined) return undefined;
    s = `${s.slice(0, -dotted[1].length)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return all.map((g) => parseInt(g, 16));
}

function v4Kind(n: number): AddressKind | undefined {
  for (const r of V4_PARSED) {
    const size = 2 ** (32 - r.bits);
    if (Math.floor(n / size) === Math.floor(r.base / size)) return r.kind;
  }
  return undefined;
}

function v6Kind(g: number[]): AddressKind | undefined {
  const embeddedV4 = (hi: number, lo: number) => v4Kind(hi * 65536 + lo);
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 8)) return 'unspecified';
  if (zeros(0, 7) && g[7] === 1) return 'loopback';
  // IPv4-mapped ::ffff:a.b.c.d and the deprecated IPv4-compatible ::a.b.c.d: judged by their IPv4 address.
  if (zeros(0, 5) && g[5] === 0xffff) return embeddedV4(g[6], g[7]);
  if (zeros(0, 6)) return embeddedV4(g[6], g[7]) ?? 'reserved';
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) reach the IPv4 address they embed.
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return embeddedV4(g[6], g[7]);
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return 'private'; // local-use NAT64
  if (g[0] === 0x2002) return embeddedV4(g[1], g[2]);
  if ((g[0] & 0xfe00) === 0xfc00) return 'private'; // unique local fc00::/7
  if ((g[0] & 0xffc0) === 0xfe80) return 'link-local'; // fe80::/10
  if ((g[0] & 0xffc0) === 0xfec0) return 'private'; // deprecated site-local fec0::/10
  if ((g[0] & 0xff00) === 0xff00) return 'multicast';
  if (g[0] === 0x2001 && g[1] === 0x0db8) return 'reserved'; // documentation
  if (g[0] === 0x0100 && zeros(1, 4)) return 'reserved'; // discard-only 100::/64
  return undefined;
}

/** Why `address` (an IPv4 or IPv6 literal) is not a public unicast address; undefined when it is one. */
export function forbiddenAddressKind(address: string): AddressKind | undefined {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare.split('%')[0]);
  if (family === 4) return v4Kind(parseV4(bare)!);
  if (family === 6) {
    const groups = parseV6(bare);
    return groups ? v6Kind(groups) : 'reserved';
  }
  return 'reserved'; // not an IP address at all: never connect to it
}

const systemLookup: HostLookup = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

/**
 * The checks that need no DNS: http(s) only, no credentials, a host, and (unless `allowPrivate`) an
 * IP-literal host must be public. A host name passes here; its addresses are judged by the caller.
 */
export function checkWebhookUrlSyntax(raw: string, opts: { allowPrivate: boolean }): UrlCheck {
  if (typeof raw !== 'string' || raw.length > MAX_WEBHOOK_URL_LENGTH) {
    return { ok: false, reason: `must be a string of at most ${MAX_WEBHOOK_URL_LENGTH} characters` };
  }
  // The URL parser would quietly percent-encode a control character; the stored URL must be what was meant.
  if (/[\u0000-\u001f\u007f]/.test(raw)) return { ok: false, reason: 'must not contain control characters' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'is not a valid absolute URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: 'must use http or https' };
  if (url.username || url.password) return { ok: false, reason: 'must not contain a user name or password' };
  if (!url.hostname) return { ok: false, reason: 'has no host' };
  const host = bareHost(url);
  if (!opts.allowPrivate && isIP(host)) {
    const kind = forbiddenAddressKind(host);
    if (kind) return { ok: false, reason: refusal(kind, host) };
  }
  return { ok: true, url };
}

/**
 * Checks a webhook URL: http(s) only, no credentials, and unless `allowPrivate`, every address the host
 * resolves to must be public (an IP literal is checked as it is; a host that does not resolve is
 * refused). The reason reads as the end of "The URL …" (e.g. "resolves to a loopback address (127.0.0.1); …").
 */
export async function checkWebhookUrl(raw: string, opts: UrlCheckOptions): Promise<UrlCheck> {
  const syntax = checkWebhookUrlSyntax(raw, opts);
  if (!syntax.ok || opts.allowPrivate) return syntax;
  const host = bareHost(syntax.url);
  if (isIP(host)) return syntax;
  let addresses: LookupAddress[];
  try {
    addresses = await (opts.lookup ?? systemLookup)(host);
  } catch (err) {
    const code = (err as { code?: string }).code;
    return { ok: false, reason: `has a host that does not resolve (${host}${code ? `: ${code}` : ''})` };
  }
  if (addresses.length === 0) return { ok: false, reason: `has a host that does not resolve (${host})` };
  for (const a of addresses) {
    const kind = forbiddenAddressKind(a.address);
    if (kind) return { ok: false, reason: refusal(kind, a.address) };
  }
  return syntax;
}

function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

function refusal(kind: AddressKind, address: string): string {
  return `resolves to a ${kind} address (${address}); private, loopback and link-local targets are refused unless WEBHOOK_ALLOW_PRIVATE=true`;
}

/**
 * A `lookup` for node:http(s) / node:net that refuses to connect when the host resolves to a
 * non-public address: the check and the connection use the same answer, so DNS rebinding between
 * them is not possible. `resolve` is for tests (defaults to node:dns); `allowPrivate` skips the check.
 */
export function guardedLookup(resolve: HostLookup = systemLookup, allowPrivate = false): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
        for (const a of allowPrivate ? [] : addresses) {
          const kind = forbiddenAddressKind(a.address);
          if (kind) return callback(new ForbiddenAddressError(a.address, kind), '');
        }
        if (wanted.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          err.code = 'ENOTFOUND';
          return callback(err, '');
        }
        if (options.all) return callback(null, wanted);
        return callback(null, wanted[0].address, wanted[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}
