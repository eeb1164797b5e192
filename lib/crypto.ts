// Tokens at rest: AES-256-GCM, with the id of the key stored in each ciphertext so that
// keys can be rotated (decrypt with any key of the ring, re-encrypt with the current one).
//
// Format: "v1.<kid>.<iv>.<ciphertext>.<tag>" (base64url parts; "v1.<kid>" is bound as AAD).
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export interface KeyRing {
  current: Buffer;
  previous: Buffer[];
}

export type CryptoErrorCode = 'unknown_key' | 'malformed' | 'tampered';

export class CryptoError extends Error {
  readonly code: CryptoErrorCode;

  constructor(code: CryptoErrorCode, message: string) {
    super(message);
    this.name = 'CryptoError';
    this.code = code;
  }
}

const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KID_PATTERN = /^[0-9a-f]{8}$/;
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]*$/;
const LONE_SURROGATE = /\p{Surrogate}/u;

const keyIds = new WeakMap<Buffer, string>();

export function keyId(key: Buffer): string {
  let kid = keyIds.get(key);
  if (!kid) {
    kid = createHash('sha256').update(key).digest('hex').slice(0, 8);
    keyIds.set(key, kid); // hashing on every decrypt showed up on the token hot path
  }
  return kid;
}

export function generateKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

export function encryptSecret(plaintext: string, ring: KeyRing): string {
  assertKeyLength(ring.current);
  // UTF-8 cannot carry a lone surrogate: refuse rather than silently alter the secret.
  if (LONE_SURROGATE.test(plaintext)) throw new TypeError('Secret is not well-formed UTF-16');
  const kid = keyId(ring.current);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, ring.current, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(headerOf(kid));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, kid, toB64url(iv), toB64url(body), toB64url(cipher.getAuthTag())].join('.');
}

export function decryptSecret(ciphertext: string, ring: KeyRing): string {
  const parts = parseCiphertext(ciphertext);
  const key = findKey(parts.kid, ring);
  const decipher = createDecipheriv(ALGORITHM, key, parts.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(headerOf(parts.kid));
  decipher.setAuthTag(parts.tag);
  try {
    return Buffer.concat([decipher.update(parts.body), decipher.final()]).toString('utf8');
  } catch {
    throw new CryptoError('tampered', 'Encrypted secret failed authentication (tampered or wrong key)');
  }
}

export function needsReencryption(ciphertext: string, ring: KeyRing): boolean {
  return parseCiphertext(ciphertext).kid !== keyId(ring.current);
}

export function parseKey(base64: string, variable: string): Buffer {
  const bytes = decodeStrictBase64(base64.trim());
  if (!bytes) {
    throw new Error(`${variable} is not valid base64 (expected 32 random bytes, e.g. from \`openssl rand -base64 32\`)`);
  }
  if (bytes.length !== KEY_BYTES) {
    throw new Error(`${variable} must be base64 of exactly ${KEY_BYTES} bytes, got ${bytes.length} bytes`);
  }
  return bytes;
}

interface CiphertextParts {
  kid: string;
  iv: Buffer;
  body: Buffer;
  tag: Buffer;
}

function parseCiphertext(ciphertext: string): CiphertextParts {
  const parts = typeof ciphertext === 'string' ? ciphertext.split('.') : [];
  if (parts.length !== 5 || parts[0] !== VERSION || !KID_PATTERN.test(parts[1])) throw malformed();
  const [iv, body, tag] = parts.slice(2).map(decodeStrictBase64url);
  if (!iv || !body || !tag || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw malformed();
  return { kid: parts[1], iv, body, tag };
}

function findKey(kid: string, ring: KeyRing): Buffer {
  const key = [ring.current, ...ring.previous].find((k) => keyId(k) === kid);
  if (!key) throw new CryptoError('unknown_key', `No key with id ${kid} in the key ring`);
  return key;
}

function malformed(): CryptoError {
  return new CryptoError('malformed', 'Encrypted secret is malformed');
}

function assertKeyLength(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new Error(`Encryption key must be ${KEY_BYTES} bytes`);
}

function headerOf(kid: string): Buffer {
  return Buffer.from(`${VERSION}.${kid}`, 'utf8');
}

function toB64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

// Buffer's decoder skips invalid characters and ignores stray low bits; a tampered text
// must not decode to the original bytes, so only the canonical encoding is accepted.
function decodeStrictBase64url(text: string): Buffer | null {
  if (!BASE64URL_PATTERN.test(text)) return null;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : null;
}

// Accepts standard or URL-safe base64, padded or not, but only in canonical form.
function decodeStrictBase64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return null;
  const unpadded = text.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  if (text.includes('=') && text.length % 4 !== 0) return null;
  return decodeStrictBase64url(unpadded);
}
