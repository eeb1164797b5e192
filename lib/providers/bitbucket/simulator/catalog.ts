// Seeded data of the simulated Bitbucket Cloud: the consumer's permissions, workspaces, accounts.
import type { SandboxAccount } from '../../../simulator/accounts';

/** Bitbucket OAuth consumer permissions ("scopes"), as its token responses name them. */
export const BITBUCKET_SCOPES = [
  'account',
  'account:write',
  'email',
  'repository',
  'repository:write',
  'repository:admin',
  'pullrequest',
  'pullrequest:write',
  'issue',
  'issue:write',
  'webhook',
  'pipeline',
  'project',
  'snippet',
  'wiki',
] as const;

/** The sandbox consumer's permissions: what Reconnect's docs tell operators to tick. */
export const DEFAULT_CONSUMER_SCOPES = ['account', 'email', 'repository', 'pullrequest'] as const;

export const BITBUCKET_SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  account: 'Read your account information',
  'account:write': 'Update your account information',
  email: 'Read your email addresses',
  repository: 'Read your repositories',
  'repository:write': 'Read and modify your repositories',
  'repository:admin': 'Administer your repositories',
  pullrequest: 'Read your pull requests',
  'pullrequest:write': 'Read and modify your pull requests',
  issue: 'Read your issues',
  'issue:write': 'Read and modify your issues',
  webhook: 'Read and modify your webhooks',
  pipeline: 'Read your pipelines',
  project: 'Read your projects',
  snippet: 'Read your snippets',
  wiki: 'Read and write to your wikis',
};

export interface SandboxRepository {
  slug: string;
  name: string;
  uuid: string;
}

export interface SandboxWorkspace {
  uuid: string;
  slug: string;
  name: string;
  repositories: readonly SandboxRepository[];
}

const repository = (slug: string, uuidEnd: string): SandboxRepository => ({
  slug,
  name: slug,
  uuid: `{0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4${uuidEnd}}`,
});

export const SANDBOX_WORKSPACES: ReadonlyArray<SandboxWorkspace> = [
  {
    uuid: '{4d3f6a1e-8c2b-4e7a-9f10-5b6c7d8e9f01}',
    slug: 'acme-eng',
    name: 'Acme Engineering',
    repositories: [repository('platform', 'a51'), repository('billing', 'a52')],
  },
  { uuid: '{9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c02}', slug: 'globex', name: 'Globex', repositories: [repository('roadmap', 'a53')] },
  { uuid: '{2c4e6a8b-0d1f-4b3d-9e5f-7a9b1c3d5e03}', slug: 'initech-dev', name: 'Initech Dev', repositories: [] },
];

export type WorkspacePermission = 'owner' | 'collaborator' | 'member';

/** Every sandbox account is in every workspace; the admin owns them. */
export function membershipsOf(account: SandboxAccount): Array<{ workspace: SandboxWorkspace; permission: WorkspacePermission }> {
  return SANDBOX_WORKSPACES.map((workspace, index) => ({
    workspace,
    permission: account.role === 'admin' ? 'owner' : index === 0 ? 'collaborator' : 'member',
  }));
}

/** Bitbucket user uuids are braced; derived from the Atlassian account id so they never change. */
export function bitbucketUuid(account: SandboxAccount): string {
  const tail = account.accountId.split(':')[1] ?? account.accountId;
  return `{${tail}}`;
}

export function findWorkspace(slugOrUuid: string): SandboxWorkspace | undefined {
  return SANDBOX_WORKSPACES.find((w) => w.slug === slugOrUuid || w.uuid === slugOrUuid);
}
