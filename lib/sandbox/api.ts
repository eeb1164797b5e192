// The {API} side: accessible-resources, /me, Jira and Confluence identity endpoints, Jira project and
// issue search, and the echo aid.
import {
  avatarFor,
  findAccount,
  findSite,
  hasProductScope,
  SANDBOX_SITES,
  siteScopesFor,
  type Product,
  type SandboxAccount,
  type SandboxSite,
} from './catalog';
import { respondWithFaults } from './faults';
import { checkAccessToken } from './grants';
import { bearerToken, json, readBody, type Reply, type RequestContext } from './http';
import { jiraSearchJql } from './jira-search';
import type { Grant } from './state';

interface Caller {
  grant: Grant;
  account: SandboxAccount;
}

interface SiteRequest extends Caller {
  site: SandboxSite;
  product: Product;
  /** The path after /ex/{product}/{cloudid}. */
  rest: string;
}

const UNAUTHORIZED = { code: 401, message: 'Unauthorized' };
const SCOPE_MISMATCH = { code: 401, message: 'Unauthorized; scope does not match' };
const SITE_NOT_FOUND = { code: 404, message: 'Site not found' };
const NOT_FOUND = { code: 404, message: 'Not Found' };

export function isApiPath(path: string): boolean {
  return path === '/oauth/token/accessible-resources' || path === '/me' || path.startsWith('/ex/');
}

export async function handleApiRequest(ctx: RequestContext): Promise<void> {
  ctx.state.counters.api_calls += 1;
  await respondWithFaults(ctx, 'api', async () => {
    const reply = await answerApiRequest(ctx);
    if (reply.status === 401) ctx.state.counters.api_unauthorized += 1;
    return reply;
  });
}

async function answerApiRequest(ctx: RequestContext): Promise<Reply> {
  const token = bearerToken(ctx.req);
  const check = token ? checkAccessToken(ctx.state, token) : ({ ok: false, reason: 'unauthorized' } as const);
  if (!check.ok) return json(401, check.reason === 'scope_mismatch' ? SCOPE_MISMATCH : UNAUTHORIZED);
  const account = findAccount(check.grant.userEmail);
  if (!account) return json(401, UNAUTHORIZED);
  const caller: Caller = { grant: check.grant, account };

  const path = ctx.url.pathname;
  if (path === '/oauth/token/accessible-resources') return onlyGet(ctx, () => accessibleResources(caller));
  if (path === '/me') return onlyGet(ctx, () => requireScope(caller, 'read:me', () => profile(account)));
  return siteRequest(ctx, caller);
}

function onlyGet(ctx: RequestContext, answer: () => Reply): Reply {
  return ctx.req.method === 'GET' ? answer() : json(405, { code: 405, message: 'Method Not Allowed' });
}

function requireScope(caller: Caller, scope: string, answer: () => Reply): Reply {
  return caller.grant.scopes.includes(scope) ? answer() : json(401, SCOPE_MISMATCH);
}

function sitesOf(caller: Caller): SandboxSite[] {
  return SANDBOX_SITES.filter(
    (site) => caller.account.siteIds.includes(site.id) && siteScopesFor(site, caller.grant.scopes).length > 0,
  );
}

function accessibleResources(caller: Caller): Reply {
  return json(
    200,
    sitesOf(caller).map((site) => ({
      id: site.id,
      url: site.url,
      name: site.name,
      scopes: siteScopesFor(site, caller.grant.scopes),
      avatarUrl: site.avatarUrl,
    })),
  );
}

function profile(account: SandboxAccount): Reply {
  return json(200, {
    account_type: 'atlassian',
    account_id: account.accountId,
    email: account.email,
    email_verified: account.emailVerified,
    name: account.name,
    picture: avatarFor(account),
    account_status: 'active',
    nickname: account.nickname,
    zoneinfo: account.timeZone,
    locale: 'en-US',
    extended_profile: {},
  });
}

const SITE_PATH = /^\/ex\/(jira|confluence)\/([^/]+)(\/.*)?$/;

async function siteRequest(ctx: RequestContext, caller: Caller): Promise<Reply> {
  const match = SITE_PATH.exec(ctx.url.pathname);
  if (!match) return json(404, NOT_FOUND);
  const product = match[1] as Product;
  const site = findSite(decodeURIComponent(match[2] ?? ''));
  const covered =
    site &&
    caller.account.siteIds.includes(site.id) &&
    site.products.includes(product) &&
    hasProductScope(product, caller.grant.scopes);
  if (!site || !covered) return json(404, SITE_NOT_FOUND);

  const request: SiteRequest = { ...caller, site, product, rest: match[3] ?? '/' };
  if (request.rest.startsWith('/_echo/') || request.rest === '/_echo') return echo(ctx);
  const route = routeSiteRequest(request, ctx);
  return route ?? json(404, NOT_FOUND);
}

function routeSiteRequest(request: SiteRequest, ctx: RequestContext): Reply | undefined {
  const get = ctx.req.method === 'GET';
  if (request.product === 'jira' && request.rest === '/rest/api/3/myself' && get) {
    return requireScope(request, 'read:jira-user', () => jiraMyself(request, ctx));
  }
  if (request.product === 'jira' && request.rest === '/rest/api/3/project/search' && get) {
    return requireScope(request, 'read:jira-work', () => jiraProjectSearch(request, ctx));
  }
  if (request.product === 'jira' && request.rest === '/rest/api/3/search/jql' && get) {
    return requireScope(request, 'read:jira-work', () => jiraSearchJql(request.site, ctx.url.searchParams, apiBase(ctx, request)));
  }
  if (request.product === 'confluence' && request.rest === '/wiki/rest/api/user/current' && get) {
    return requireScope(request, 'read:confluence-user', () => confluenceCurrentUser(request));
  }
  return undefined;
}

function apiBase(ctx: RequestContext, request: SiteRequest): string {
  return `http://${ctx.req.headers.host ?? 'localhost'}/ex/${request.product}/${request.site.id}`;
}

function jiraMyself(request: SiteRequest, ctx: RequestContext): Reply {
  const { account } = request;
  return json(200, {
    self: `${apiBase(ctx, request)}/rest/api/3/user?accountId=${encodeURIComponent(account.accountId)}`,
    accountId: account.accountId,
    accountType: 'atlassian',
    emailAddress: account.email,
    avatarUrls: { '48x48': avatarFor(account) },
    displayName: account.name,
    active: true,
    timeZone: account.timeZone,
    locale: 'en_US',
  });
}

function intParam(ctx: RequestContext, name: string, fallback: number, max: number): number {
  const value = Number.parseInt(ctx.url.searchParams.get(name) ?? '', 10);
  return Number.isFinite(value) && value >= 0 ? Math.min(value, max) : fallback;
}

function jiraProjectSearch(request: SiteRequest, ctx: RequestContext): Reply {
  const startAt = intParam(ctx, 'startAt', 0, Number.MAX_SAFE_INTEGER);
  const maxResults = intParam(ctx, 'maxResults', 50, 100);
  const base = apiBase(ctx, request);
  const all = request.site.projects;
  const page = all.slice(startAt, startAt + maxResults);
  return json(200, {
    self: `${base}/rest/api/3/project/search?startAt=${startAt}&maxResults=${maxResults}`,
    maxResults,
    startAt,
    total: all.length,
    isLast: startAt + page.length >= all.length,
    values: page.map((project) => ({
      self: `${base}/rest/api/3/project/${project.id}`,
      id: project.id,
      key: project.key,
      name: project.name,
      projectTypeKey: 'software',
      simplified: false,
      style: 'classic',
      isPrivate: false,
    })),
  });
}

function confluenceCurrentUser(request: SiteRequest): Reply {
  const { account } = request;
  return json(200, {
    type: 'known',
    accountId: account.accountId,
    accountType: 'atlassian',
    email: account.email,
    publicName: account.name,
    displayName: account.name,
    profilePicture: { path: avatarFor(account), width: 48, height: 48, isDefault: true },
  });
}

function queryObject(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    query[key] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return query;
}

/** Sim-only test aid: mirrors the request so a proxy's forwarding can be asserted. */
async function echo(ctx: RequestContext): Promise<Reply> {
  const headers = Object.fromEntries(
    Object.entries(ctx.req.headers).filter(([name]) => name !== 'authorization'),
  );
  return json(200, {
    method: ctx.req.method,
    path: ctx.url.pathname,
    query: queryObject(ctx.url.searchParams),
    headers,
    body: await readBody(ctx.req),
  });
}
