// Jira's enhanced JQL search, `GET /rest/api/3/search/jql` (the successor of the removed /search):
// token-paginated (`nextPageToken`, absent on the last page, with `isLast`), bounded JQL only, and
// only the fields asked for. The simulator understands `project = KEY` / `project in (A, B)`
// with an optional `ORDER BY key [ASC|DESC]`; other JQL answers 400 as Jira does for JQL it rejects.
import type { SandboxProject, SandboxSite } from './catalog';
import { json, type Reply } from '../../../simulator/http';

const SUMMARIES = ['Set up the build pipeline', 'Fix login redirect loop', 'Write the onboarding guide'];
const STATUSES = ['To Do', 'In Progress', 'Done'];
const ISSUES_PER_PROJECT = SUMMARIES.length;
// Jira caps maxResults at 5000 for id/key-only searches and lower when other fields are returned.
const MAX_RESULTS_ID_ONLY = 5000;
const MAX_RESULTS_WITH_FIELDS = 100;
const KNOWN_FIELDS = new Set(['summary', 'status', 'created', 'updated', 'project']);

interface SandboxIssue {
  id: string;
  key: string;
  project: SandboxProject;
  n: number;
}

function issuesOf(project: SandboxProject): SandboxIssue[] {
  return Array.from({ length: ISSUES_PER_PROJECT }, (_, i) => ({
    id: String(Number(project.id) * 10 + i + 1),
    key: `${project.key}-${i + 1}`,
    project,
    n: i,
  }));
}

const jqlError = (message: string) => json(400, { errorMessages: [message], errors: {} });

/** The projects named by the JQL, the sort order, or a 400 reply. */
function parseJql(site: SandboxSite, jql: string): { projects: SandboxProject[]; descending: boolean } | Reply {
  const [, where = '', order] = /^\s*(.*?)\s*(?:\border\s+by\s+(.+?))?\s*$/is.exec(jql) ?? [];
  if (!where) return jqlError('Unbounded JQL queries are not allowed here. Please add a search restriction to your query.');
  const match = /^project\s*(?:=\s*"?([\w-]+)"?|in\s*\(([^)]*)\))$/i.exec(where);
  if (!match) return jqlError(`Error in the JQL Query: the sandbox understands only "project = KEY" and "project in (A, B)" (got "${where.slice(0, 100)}").`);
  const keys = (match[1] ?? match[2] ?? '').split(',').map((k) => k.trim().replace(/^"|"$/g, '').toUpperCase());
  const projects = site.projects.filter((p) => keys.includes(p.key) || keys.includes(p.id));
  const unknown = keys.find((k) => !site.projects.some((p) => p.key === k || p.id === k));
  if (unknown) return jqlError(`The value '${unknown}' does not exist for the field 'project'.`);
  if (order && !/^key(\s+(asc|desc))?$/i.test(order.trim())) return jqlError(`Error in the JQL Query: the sandbox can order by key only.`);
  return { projects, descending: /desc\s*$/i.test(order ?? '') };
}

function fieldsOf(issue: SandboxIssue, wanted: string[], base: string) {
  const day = `2026-01-0${issue.n + 1}T09:00:00.000+0000`;
  const all: Record<string, unknown> = {
    summary: SUMMARIES[issue.n],
    status: { name: STATUSES[issue.n] },
    created: day,
    updated: day,
    project: { self: `${base}/rest/api/3/project/${issue.project.id}`, id: issue.project.id, key: issue.project.key, name: issue.project.name },
  };
  return Object.fromEntries(wanted.filter((f) => f in all).map((f) => [f, all[f]]));
}

export function jiraSearchJql(site: SandboxSite, params: URLSearchParams, base: string): Reply {
  const parsed = parseJql(site, params.get('jql') ?? '');
  if ('status' in parsed) return parsed;
  const wanted = (params.get('fields') ?? 'id').split(',').map((f) => f.trim()).filter((f) => f && f !== 'id' && f !== 'key');
  if (wanted.includes('*all') || wanted.includes('*navigable')) wanted.splice(0, wanted.length, ...KNOWN_FIELDS);
  const cap = wanted.length > 0 ? MAX_RESULTS_WITH_FIELDS : MAX_RESULTS_ID_ONLY;
  const asked = Number.parseInt(params.get('maxResults') ?? '50', 10);
  const maxResults = Number.isFinite(asked) && asked > 0 ? Math.min(asked, cap) : 50;
  const token = params.get('nextPageToken');
  const startAt = token ? Number.parseInt(Buffer.from(token, 'base64url').toString('utf8').replace(/^sim:/, ''), 10) : 0;
  if (token && (!Number.isSafeInteger(startAt) || startAt < 0)) return jqlError('The nextPageToken is invalid.');
  const all = parsed.projects.flatMap(issuesOf);
  if (parsed.descending) all.reverse();
  const page = all.slice(startAt, startAt + maxResults);
  const isLast = startAt + page.length >= all.length;
  return json(200, {
    issues: page.map((issue) => ({
      expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
      id: issue.id,
      self: `${base}/rest/api/3/issue/${issue.id}`,
      key: issue.key,
      fields: fieldsOf(issue, wanted, base),
    })),
    ...(isLast ? {} : { nextPageToken: Buffer.from(`sim:${startAt + page.length}`).toString('base64url') }),
    isLast,
  });
}
