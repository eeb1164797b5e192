// Opaque strings for codes, sessions and tokens. Lengths vary on purpose so that no client assumes one.
import { randomBytes, randomInt } from 'node:crypto';

/** base64url of between `minBytes` and `maxBytes` (exclusive) random bytes. */
export function opaqueString(minBytes: number, maxBytes: number): string {
  return randomBytes(randomInt(minBytes, maxBytes)).toString('base64url');
}

export function newAuthorizationCode(): string {
  return opaqueString(24, 40);
}

export function newOpaqueId(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
