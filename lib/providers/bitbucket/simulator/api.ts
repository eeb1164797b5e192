// {BB_API}/2.0/…: the user, their emails, workspace permissions (paginated), repositories, and the echo aid.
// Access tokens count only in the Authorization: Bearer header (never ?access_token=).
import { findAccount, type SandboxAccount } from '../../../simulator/accounts';
import { answerApiCall, echoRequest } from '../../../simulator/api-calls';
import type { Family } from '../../../simulator/families';
import { bearerToken, json, type Reply, type RequestContext } from '../../../simulator/http';
import { bitbucketUuid, findWorkspace, membershipsOf } from './catalog';
import type { BitbucketSimState } from './state';

/** A request with the largest page the consumer's config allows. */
type PagedContext = RequestContext & { maxPageLength: number };

interface Caller {
  family: Family;
  account: SandboxAccount;
}

const error = (status: number, message: string, detail?: unknown): Reply =>
  json(status, { type: 'error', error: { message, ...(detail === undefined ? {} : { detail }) } });

const EXPIRED = 'Access token expired.';
const INVALID = 'Token is invalid, expired, or not supported for this endpoint.';

/** {BB_API}: everything under /2.0. */
export const BITBUCKET_API_PATH = /^\/2\.0(?:\/.*)?$/;

export function handleBitbucketApiRequest(ctx: RequestContext, bitbucket: BitbucketSimState): Promise<undefined> {
  return answerApiCall(ctx, 'bitbucket', bitbucket.counters, () => answer(ctx, bitbucket));
}

async function answer(ctx: RequestContext, bitbucket: BitbucketSimState): Promise<Reply> {
  const token = bearerToken(ctx.req);
  if (!token) return error(401, 'Authentication required. Send the access token in the Authorization: Bearer header.');
  const check = bitbucket.families.checkAccessToken(token);
  if (!check.ok) return error(401, check.reason === 'expired' ? EXPIRED : INVALID);
  const account = findAccount(check.family.userEmail);
  if (!account) return error(401, INVALID);
  const caller: Caller = { family: check.family, account };
  const paged: PagedContext = { ...ctx, maxPageLength: bitbucket.config.maxPageLength };
  const path = ctx.url.pathname;
  if (path === '/2.0/_echo' || path.startsWith('/2.0/_echo/')) return echoRequest(ctx);
  if (ctx.req.method !== 'GET') return error(405, 'Method not allowed');
  if (path === '/2.0/user') return requireScope(caller, 'account', () => json(200, userBody(ctx, account)));
  if (path === '/2.0/user/emails') return requireScope(caller, 'email', () => emails(paged, account));
  if (path === '/2.0/user/permissions/workspaces') return requireScope(caller, 'account', () => workspaces(paged, caller));
  const repos = /^\/2\.0\/repositories\/([^/]+)\/?$/.exec(path);
  if (repos) return requireScope(caller, 'repository', () => repositories(paged, decodeURIComponent(repos[1] ?? '')));
  return error(404, 'Resource not found');
}

function requireScope(caller: Caller, scope: string, answerWith: () => Reply): Reply {
  if (caller.family.scopes.includes(scope)) return answerWith();
  return error(403, 'Your credentials lack one or more required privilege scopes.', {
    granted: caller.family.scopes,
    required: [scope],
  });
}

function origin(ctx: RequestContext): string {
  return `http://${ctx.req.headers.host ?? 'localhost'}`;
}

function userBody(ctx: RequestContext, account: SandboxAccount) {
  return {
    type: 'user',
    uuid: bitbucketUuid(account),
    account_id: account.accountId,
    display_name: account.name,
    nickname: account.nickname,
    account_status: 'active',
    created_on: '2020-01-01T00:00:00.000000+00:00',
    links: {
      self: { href: `${origin(ctx)}/2.0/users/${encodeURIComponent(bitbucketUuid(account))}` },
      html: { href: `https://bitbucket.org/${encodeURIComponent(bitbucketUuid(account))}/` },
    },
  };
}

interface Page {
  pagelen: number;
  page: number;
}

function pageOf(ctx: PagedContext): Page {
  const max = ctx.maxPageLength;
  const pagelen = Number.parseInt(ctx.url.searchParams.get('pagelen') ?? '', 10);
  const page = Number.parseInt(ctx.url.searchParams.get('page') ?? '', 10);
  return {
    pagelen: Math.min(Number.isFinite(pagelen) && pagelen > 0 ? pagelen : 10, max),
    page: Number.isFinite(page) && page > 0 ? page : 1,
  };
}

function paginated<T>(ctx: PagedContext, all: T[]): Reply {
  const { pagelen, page } = pageOf(ctx);
  const values = all.slice((page - 1) * pagelen, page * pagelen);
  const body: Record<string, unknown> = { pagelen, size: all.length, page, values };
  if (page * pagelen < all.length) {
    const next = new URL(ctx.url.pathname, origin(ctx));
    next.searchParams.set('pagelen', String(pagelen));
    next.searchParams.set('page', String(page + 1));
    body.next = next.toString();
  }
  if (page > 1) {
    const previous = new URL(ctx.url.pathname, origin(ctx));
    previous.searchParams.set('pagelen', String(pagelen));
    previous.searchParams.set('page', String(page - 1));
    body.previous = previous.toString();
  }
  return json(200, body);
}

function emails(ctx: PagedContext, account: SandboxAccount): Reply {
  return paginated(ctx, [{ type: 'email', email: account.email, is_primary: true, is_confirmed: true }]);
}

function workspaces(ctx: PagedContext, caller: Caller): Reply {
  const user = userBody(ctx, caller.account);
  return paginated(
    ctx,
    membershipsOf(caller.account).map(({ workspace, permission }) => ({
      type: 'workspace_membership',
      permission,
      last_accessed: null,
      added_on: '2020-01-01T00:00:00.000000+00:00',
      user: { type: 'user', uuid: user.uuid, display_name: user.display_name, account_id: user.account_id },
      workspace: {
        type: 'workspace',
        uuid: workspace.uuid,
        slug: workspace.slug,
        name: workspace.name,
        links: {
          self: { href: `${origin(ctx)}/2.0/workspaces/${workspace.slug}` },
          html: { href: `https://bitbucket.org/${workspace.slug}/` },
        },
      },
    })),
  );
}

function repositories(ctx: PagedContext, slugOrUuid: string): Reply {
  const workspace = findWorkspace(slugOrUuid);
  if (!workspace) return error(404, `No workspace with identifier '${slugOrUuid}'.`);
  return paginated(
    ctx,
    workspace.repositories.map((repo) => ({
      type: 'repository',
      uuid: repo.uuid,
      name: repo.name,
      slug: repo.slug,
      full_name: `${workspace.slug}/${repo.slug}`,
      is_private: true,
      workspace: { type: 'workspace', uuid: workspace.uuid, slug: workspace.slug, name: workspace.name },
    })),
  );
}
