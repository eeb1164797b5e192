// The {API} side: accessible-resources, /me, Jira and Confluence identity endpoints, Jira project and
// issue search, and the echo aid.
import { findAccount, type SandboxAccount } from '../../../simulator/accounts';
import { answerApiCall, echoRequest } from '../../../simulator/api-calls';
import type { Family } from '../../../simulator/families';
import { bearerToken, json, type Reply, type RequestContext } from '../../../simulator/http';
import {
  ACCOUNT_SITE_IDS,
  avatarFor,
  findSite,
  hasProductScope,
  SANDBOX_SITES,
  siteScopesFor,
  type Product,
  type SandboxSite,
} from './catalog';
import { jiraSearchJql } from './jira-search';
import type { AtlassianSimState } from './state';

interface Caller {
  grant: Family;
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

/** Every path of the {API} side: accessible-resources, /me and the product APIs under /ex/. */
export const ATLASSIAN_API_PATH = /^(?:\/oauth\/token\/accessible-resources|\/me|\/ex\/.*)$/;

export function handleApiRequest(ctx: RequestContext, atlassian: AtlassianSimState): Promise<undefined> {
  return answerApiCall(ctx, 'atlassian', atlassian.counters, () => answerApiRequest(ctx, atlassian));
}

async function answerApiRequest(ctx: RequestContext, atlassian: AtlassianSimState): Promise<Reply> {
  const token = bearerToken(ctx.req);
  const check = token ? atlassian.families.checkAccessToken(token) : undefined;
  if (!check?.ok) return json(401, check?.reason === 'revoked_keeping_access' ? SCOPE_MISMATCH : UNAUTHORIZED);
  const account = findAccount(check.family.userEmail);
  if (!account) return json(401, UNAUTHORIZED);
  const caller: Caller = { grant: check.family, account };

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
    (site) => ACCOUNT_SITE_IDS.includes(site.id) && siteScopesFor(site, caller.grant.scopes).length > 0,
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
    ACCOUNT_SITE_IDS.includes(site.id) &&
    site.products.includes(product) &&
    hasProductScope(product, caller.grant.scopes);
  if (!site || !covered) return json(404, SITE_NOT_FOUND);

  const request: SiteRequest = { ...caller, site, product, rest: match[3] ?? '/' };
  if (request.rest.startsWith('/_echo/') || request.rest === '/_echo') return echoRequest(ctx);
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
