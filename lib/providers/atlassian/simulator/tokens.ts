// Atlassian-like token strings: long opaque refresh tokens and JWT-shaped access tokens.
import { randomUUID } from 'node:crypto';
import { opaqueString } from '../../../simulator/token-strings';

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function newRefreshToken(): string {
  return opaqueString(225, 300);
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
  return `${header}.${payload}.${opaqueString(256, 320)}`;
}
