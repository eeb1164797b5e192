// What every provider's OAuth exchange produces, whoever issued the tokens.

export interface OAuthClientConfig {
  authUrl: string;
  clientId: string;
  clientSecret: string;
  fetch?: typeof fetch;
  /** Hard limit for the whole exchange, body included (AbortSignal.timeout). Default 15000. */
  timeoutMs?: number;
}

export interface ApiClientConfig {
  apiUrl: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export interface TokenSet {
  accessToken: string;
  /** Absent: the provider did not rotate; the refresh token sent stays valid. */
  refreshToken?: string;
  expiresIn: number;
  scope: string[];
  tokenType: string;
}

/** A site the grant reaches (Atlassian: a cloud site; Bitbucket: a workspace). */
export interface AccessibleResource {
  id: string;
  name: string;
  url: string;
  scopes: string[];
  avatarUrl?: string;
}

export interface Profile {
  accountId: string;
  email: string;
  name: string;
  picture?: string;
  /** Whether the provider vouches for the email; absent when it does not say. */
  emailVerified?: boolean;
}
