// Opaque token strings. Lengths vary on purpose so that no client assumes one.
import { randomBytes, randomInt, randomUUID } from 'node:crypto';

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function newRefreshToken(): string {
  return randomBytes(randomInt(225, 300)).toString('base64url');
}

export interface AccessTokenClaims {
  accountId: string;
  scopes: readonly string[];
  issuedAtSeconds: number;
  expiresAtSeconds: number;
}

/** JWT-shaped but unsigned-in-practice: only the simulator's lookup table gives it meaning. */
export function newAccessToken(claims: AccessTokenClaims): string {
  const header = base64url({ kid: 'auth.atlassian.io/sandbox', typ: 'JWT', alg: 'RS256' });
  const payload = base64url({
    jti: randomUUID(),
    iss: 'https://auth.atlassian.com',
    sub: claims.accountId,
    aud: 'api.atlassian.com',
    iat: claims.issuedAtSeconds,
    exp: claims.expiresAtSeconds,
    scope: claims.scopes.join(' '),
  });
  const signature = randomBytes(randomInt(256, 320)).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

export function newAuthorizationCode(): string {
  return randomBytes(randomInt(24, 40)).toString('base64url');
}

export function newOpaqueId(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
