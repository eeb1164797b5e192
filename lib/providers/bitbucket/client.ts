// Bitbucket's 2.0 API as a connection needs it: identity (GET /2.0/user), primary email
// (GET /2.0/user/emails, scope `email`) and workspaces (GET /2.0/user/permissions/workspaces, paginated).
import { z } from 'zod';
import { singleLine } from '../../input';
import { ProviderApiError } from '../../oauth/errors';
import { getJson as getApiJson } from '../../oauth/http';
import type { AccessibleResource, ApiClientConfig, Profile } from '../../oauth/types';
import { bitbucketApiError } from './errors';
import { bitbucketEmailsUrl, bitbucketUserUrl, bitbucketWorkspacesUrl } from './urls';

/** Pages followed at most: 100 workspaces a page, so 2,000 workspaces. */
const MAX_PAGES = 20;

// Bitbucket's values end up in Postgres text (which refuses NUL) and on pages, each on one line.
const text = () => z.string().transform(singleLine);

const userSchema = z.object({
  uuid: text().pipe(z.string().min(1)),
  account_id: text().pipe(z.string().min(1)).nullish(),
  display_name: text().nullish(),
  nickname: text().nullish(),
});

const emailsSchema = z.object({
  values: z.array(z.object({ email: text(), is_primary: z.boolean().nullish(), is_confirmed: z.boolean().nullish() })),
  next: z.string().nullish(),
});

const workspacesSchema = z.object({
  values: z.array(
    z.object({
      permission: z.string().nullish(),
      workspace: z.object({
        uuid: text().pipe(z.string().min(1)),
        slug: text().pipe(z.string().min(1)),
        name: text(),
        links: z.object({ html: z.object({ href: z.string() }).nullish() }).nullish(),
      }),
    }),
  ),
  next: z.string().nullish(),
});

export interface BitbucketUser {
  uuid: string;
  accountId: string | undefined;
  displayName: string;
  nickname: string | undefined;
}

export async function fetchBitbucketUser(cfg: ApiClientConfig, accessToken: string): Promise<BitbucketUser> {
  const data = await getJson(cfg, bitbucketUserUrl(cfg.apiUrl), accessToken, userSchema);
  return {
    uuid: data.uuid,
    accountId: data.account_id ?? undefined,
    displayName: data.display_name ?? data.nickname ?? data.uuid,
    nickname: data.nickname ?? undefined,
  };
}

/** The primary confirmed email, else the first confirmed one, else ''. */
export async function fetchBitbucketPrimaryEmail(cfg: ApiClientConfig, accessToken: string): Promise<string> {
  const data = await getJson(cfg, bitbucketEmailsUrl(cfg.apiUrl), accessToken, emailsSchema);
  const confirmed = data.values.filter((e) => e.is_confirmed !== false);
  return (confirmed.find((e) => e.is_primary) ?? confirmed[0])?.email.toLowerCase() ?? '';
}

/** The profile Reconnect stores: Bitbucket's user uuid is the stable account id. */
export async function fetchBitbucketProfile(cfg: ApiClientConfig, accessToken: string): Promise<Profile> {
  const user = await fetchBitbucketUser(cfg, accessToken);
  const email = await fetchBitbucketPrimaryEmail(cfg, accessToken);
  // Only confirmed addresses are taken: an empty one means Bitbucket vouches for none.
  return { accountId: user.uuid, email, name: user.displayName, emailVerified: email !== '' };
}

/** Every workspace the user can see, following `next` (only links under {BB_API}: the token goes with them). */
export async function fetchBitbucketWorkspaces(cfg: ApiClientConfig, accessToken: string): Promise<AccessibleResource[]> {
  const found: AccessibleResource[] = [];
  const seen = new Set<string>();
  let url: string | undefined = bitbucketWorkspacesUrl(cfg.apiUrl);
  for (let page = 0; url && page < MAX_PAGES; page++) {
    const data: z.infer<typeof workspacesSchema> = await getJson(cfg, url, accessToken, workspacesSchema);
    for (const { workspace, permission } of data.values) {
      if (seen.has(workspace.uuid)) continue;
      seen.add(workspace.uuid);
      found.push({
        id: workspace.uuid,
        name: workspace.name,
        url: workspace.links?.html?.href ?? `https://bitbucket.org/${encodeURIComponent(workspace.slug)}/`,
        scopes: permission ? [permission] : [],
      });
    }
    url = data.next ? sameApiOrigin(cfg.apiUrl, data.next) : undefined;
  }
  return found;
}

function sameApiOrigin(apiBase: string, next: string): string {
  const target = new URL(next, apiBase);
  if (target.origin !== new URL(apiBase).origin) throw new ProviderApiError('bad_response');
  return target.href;
}

function getJson<T>(cfg: ApiClientConfig, url: string, accessToken: string, schema: z.ZodType<T>): Promise<T> {
  return getApiJson(cfg, url, accessToken, schema, (status, headers) => bitbucketApiError(status, headers));
}

export { bitbucketApiError };
