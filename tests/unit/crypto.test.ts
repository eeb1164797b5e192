import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CryptoError,
  decryptSecret,
  encryptSecret,
  generateKey,
  keyId,
  needsReencryption,
  parseKey,
  type KeyRing,
} from '../../lib/crypto';

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const ring: KeyRing = { current: keyA, previous: [] };

function cryptoErrorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof CryptoError) return err.code;
    throw err;
  }
  throw new Error('expected a CryptoError');
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('keyId', () => {
  it('is the first 8 hex chars of sha256 and stable', () => {
    expect(keyId(keyA)).toMatch(/^[0-9a-f]{8}$/);
    expect(keyId(Buffer.from(keyA))).toBe(keyId(keyA));
    expect(keyId(keyA)).not.toBe(keyId(keyB));
  });
});

describe('encryptSecret / decryptSecret', () => {
  it('round-trips any well-formed string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 2000 }), (plaintext) => {
        expect(decryptSecret(encryptSecret(plaintext, ring), ring)).toBe(plaintext);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips the empty string and a 1 MB string', () => {
    expect(decryptSecret(encryptSecret('', ring), ring)).toBe('');
    const big = 'x'.repeat(1024 * 1024);
    expect(decryptSecret(encryptSecret(big, ring), ring)).toBe(big);
  });

  it('produces the documented format with the current key id', () => {
    const parts = encryptSecret('secret', ring).split('.');
    expect(parts).toHaveLength(5);
    expect(parts[0]).toBe('v1');
    expect(parts[1]).toBe(keyId(keyA));
    expect(Buffer.from(parts[2], 'base64url')).toHaveLength(12);
    expect(Buffer.from(parts[4], 'base64url')).toHaveLength(16);
  });

  it('does not contain the plaintext', () => {
    const plaintext = 'eyJraWQiOiJhdXRoLmF0bGFzc2lhbi5jb20' + 'A'.repeat(200);
    const ciphertext = encryptSecret(plaintext, ring);
    expect(ciphertext).not.toContain(plaintext.slice(0, 16));
    expect(ciphertext).not.toContain(Buffer.from(plaintext).toString('base64url').slice(0, 16));
  });

  it('gives different ciphertexts for the same plaintext', () => {
    expect(encryptSecret('same', ring)).not.toBe(encryptSecret('same', ring));
  });

  it('refuses a string with a lone surrogate instead of altering it', () => {
    expect(() => encryptSecret('a\uD800b', ring)).toThrow(TypeError);
  });

  it('decrypts with a previous key after rotation', () => {
    const old = encryptSecret('rotating', { current: keyB, previous: [] });
    const rotated: KeyRing = { current: keyA, previous: [randomBytes(32), keyB] };
    expect(decryptSecret(old, rotated)).toBe('rotating');
  });

  it('fails with unknown_key when no key of the ring has the id', () => {
    const ciphertext = encryptSecret('orphan', { current: keyB, previous: [] });
    expect(cryptoErrorCode(() => decryptSecret(ciphertext, ring))).toBe('unknown_key');
  });

  it('fails with tampered or malformed for every single-character change', () => {
    const ciphertext = encryptSecret('a refresh token', ring);
    const kidEnd = 'v1.'.length + 8;
    for (let index = 0; index < ciphertext.length; index++) {
      for (const replacement of B64URL + '.=+/!') {
        if (replacement === ciphertext[index]) continue;
        const tampered = ciphertext.slice(0, index) + replacement + ciphertext.slice(index + 1);
        const code = cryptoErrorCode(() => decryptSecret(tampered, ring));
        // A key id edited into another well-formed id names no key of the ring.
        const editsKid = index >= 3 && index < kidEnd && /[0-9a-f]/.test(replacement);
        expect(editsKid ? ['unknown_key'] : ['tampered', 'malformed']).toContain(code);
      }
    }
  });

  it('fails with tampered when parts are swapped between ciphertexts', () => {
    const a = encryptSecret('first secret', ring).split('.');
    const b = encryptSecret('other secret', ring).split('.');
    for (const index of [2, 3, 4]) {
      const mixed = a.map((part, i) => (i === index ? b[i] : part)).join('.');
      expect(cryptoErrorCode(() => decryptSecret(mixed, ring))).toBe('tampered');
    }
  });

  it('fails with tampered when a key id is replaced by another key of the ring', () => {
    const parts = encryptSecret('bound', ring).split('.');
    parts[1] = keyId(keyB);
    const both: KeyRing = { current: keyA, previous: [keyB] };
    expect(cryptoErrorCode(() => decryptSecret(parts.join('.'), both))).toBe('tampered');
  });

  it.each([
    ['empty', ''],
    ['garbage', 'not a ciphertext'],
    ['wrong version', 'v2.' + encryptSecret('x', ring).slice(3)],
    ['missing part', encryptSecret('x', ring).split('.').slice(0, 4).join('.')],
    ['extra part', encryptSecret('x', ring) + '.AAAA'],
    ['truncated tag', encryptSecret('x', ring).slice(0, -2)],
    ['invalid character', encryptSecret('x', ring).replace(/\.([^.]*)$/, '.!$1')],
  ])('fails with malformed for %s', (_label, text) => {
    expect(cryptoErrorCode(() => decryptSecret(text, ring))).toBe('malformed');
  });

  it('never puts plaintext or key material in error messages', () => {
    const plaintext = 'super-secret-refresh-token';
    const ciphertext = encryptSecret(plaintext, ring);
    const attempts = [
      () => decryptSecret(ciphertext.slice(0, -3) + 'AAA', ring),
      () => decryptSecret(ciphertext, { current: keyB, previous: [] }),
      () => decryptSecret('v1.zz', ring),
    ];
    for (const attempt of attempts) {
      expect(attempt).toThrow(CryptoError);
      try {
        attempt();
      } catch (err) {
        const message = (err as Error).message;
        expect(message).not.toContain(plaintext);
        for (const key of [keyA, keyB]) {
          expect(message).not.toContain(key.toString('base64'));
          expect(message).not.toContain(key.toString('hex'));
        }
      }
    }
  });
});

describe('needsReencryption', () => {
  it('is true only when the ciphertext was made with another key', () => {
    const rotated: KeyRing = { current: keyA, previous: [keyB] };
    expect(needsReencryption(encryptSecret('x', rotated), rotated)).toBe(false);
    expect(needsReencryption(encryptSecret('x', { current: keyB, previous: [] }), rotated)).toBe(true);
  });

  it('rejects a malformed ciphertext', () => {
    expect(cryptoErrorCode(() => needsReencryption('nope', ring))).toBe('malformed');
  });
});

describe('parseKey / generateKey', () => {
  it('accepts a generated key', () => {
    const text = generateKey();
    expect(parseKey(text, 'TOKEN_ENCRYPTION_KEY')).toEqual(Buffer.from(text, 'base64'));
    expect(generateKey()).not.toBe(text);
  });

  it('accepts URL-safe, unpadded and whitespace-wrapped forms of the same key', () => {
    const key = randomBytes(32);
    for (const text of [key.toString('base64url'), ` ${key.toString('base64')}\n`]) {
      expect(parseKey(text, 'TOKEN_ENCRYPTION_KEY')).toEqual(key);
    }
  });

  it.each([
    ['"short"', 'short'],
    ['31 bytes', randomBytes(31).toString('base64')],
    ['33 bytes', randomBytes(33).toString('base64')],
    ['non-base64', '!!!!' + randomBytes(30).toString('base64')],
    ['empty', ''],
    ['hex of 32 bytes', randomBytes(32).toString('hex')],
  ])('rejects %s with a one-line message naming the variable', (_label, text) => {
    let message = '';
    try {
      parseKey(text, 'TOKEN_ENCRYPTION_KEY_PREVIOUS');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('TOKEN_ENCRYPTION_KEY_PREVIOUS');
    expect(message).not.toContain('\n');
    if (text.length > 8) expect(message).not.toContain(text);
  });
});
