// The sandbox's people: every simulated provider signs in the same seeded accounts (one browser session).

export interface SandboxAccount {
  email: string;
  name: string;
  accountId: string;
  role: 'admin' | 'user';
  nickname: string;
  timeZone: string;
  /** Whether the provider has verified the email (false: an account that signed up and never confirmed it). */
  emailVerified: boolean;
}

export const SANDBOX_ACCOUNTS: ReadonlyArray<SandboxAccount> = [
  {
    email: 'admin@example.com',
    name: 'Ada Admin',
    accountId: '557058:3f1d9c0e-6a2b-4c8d-9e7f-000000000001',
    role: 'admin',
    nickname: 'ada',
    timeZone: 'Europe/London',
    emailVerified: true,
  },
  {
    email: 'alice@example.com',
    name: 'Alice Jones',
    accountId: '557058:8b2e4f6a-1c3d-4e5f-a6b7-000000000002',
    role: 'user',
    nickname: 'alice',
    timeZone: 'America/New_York',
    emailVerified: true,
  },
  {
    email: 'bob@example.com',
    name: 'Bob Smith',
    accountId: '557058:d4c3b2a1-9f8e-4d7c-b6a5-000000000003',
    role: 'user',
    nickname: 'bob',
    timeZone: 'Australia/Sydney',
    emailVerified: true,
  },
  {
    email: 'uma@example.com',
    name: 'Uma Unverified',
    accountId: '557058:0e9f8a7b-6c5d-4e3f-a2b1-000000000004',
    role: 'user',
    nickname: 'uma',
    timeZone: 'Europe/Berlin',
    emailVerified: false,
  },
];

export const SANDBOX_USERS: ReadonlyArray<{
  email: string;
  name: string;
  accountId: string;
  role: 'admin' | 'user';
}> = SANDBOX_ACCOUNTS;

/** Who consents when auto-consent is on and nobody is signed in nor hinted. */
export const DEFAULT_AUTO_CONSENT_EMAIL = 'alice@example.com';

/** The app every simulated consent screen names. */
export const CONSENTING_APP_NAME = 'Reconnect';

export function findAccount(email: string): SandboxAccount | undefined {
  const wanted = email.trim().toLowerCase();
  return SANDBOX_ACCOUNTS.find((account) => account.email === wanted);
}
