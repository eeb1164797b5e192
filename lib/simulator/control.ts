// The core's control API under /_control, for every provider alike: reset, the clock, faults and the issued
// secrets. Providers add their own control routes (counters, config, grants, user events) in their route table.
import { z } from 'zod';
import { isoTime } from './clock';
import { addFault, faultSpecSchema } from './faults';
import { json, readBody, type Reply, type RequestContext } from './http';
import type { MountedRoute } from './route-table';
import type { SimulatorState } from './state';

const clockAdvanceSchema = z.strictObject({ advance_seconds: z.number().finite().min(0) });

export const CONTROL_PREFIX = '/_control';

export type Parsed<T> = { ok: true; value: T } | { ok: false; reply: Reply };

/** Reads a JSON control body (empty: {}); a bad one answers 400 naming the field. */
export async function parseBody<T>(ctx: RequestContext, schema: z.ZodType<T>): Promise<Parsed<T>> {
  const text = await readBody(ctx.req);
  let raw: unknown;
  try {
    raw = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    return { ok: false, reply: json(400, { error: 'invalid_json', message: 'The body is not valid JSON' }) };
  }
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  const issues = result.error.issues.map(describeIssue);
  const first = issues[0] ?? { field: '', message: 'invalid body' };
  return { ok: false, reply: json(400, { error: 'invalid_body', field: first.field, message: first.message, issues }) };
}

function describeIssue(issue: z.core.$ZodIssue): { field: string; message: string } {
  const field =
    issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.map((part) => String(part)).join('.');
  return { field, message: `${field || 'body'}: ${issue.message}` };
}

export function notFound(path: string): Reply {
  return json(404, { error: 'not_found', message: `No control route ${path}` });
}

export function methodNotAllowed(method: string | undefined, path: string): Reply {
  return json(405, { error: 'method_not_allowed', message: `${method} not allowed on ${path}` });
}

function clockView(state: SimulatorState) {
  return { now: isoTime(state.clock.now()), offset_seconds: state.clock.offsetSeconds() };
}

async function advanceClock(ctx: RequestContext): Promise<Reply> {
  const parsed = await parseBody(ctx, clockAdvanceSchema);
  if (!parsed.ok) return parsed.reply;
  ctx.sim.clock.advance(parsed.value.advance_seconds);
  return json(200, clockView(ctx.sim));
}

async function createFault(ctx: RequestContext): Promise<Reply> {
  const ids = ctx.sim.providers().map(([id]) => id);
  const parsed = await parseBody(ctx, faultSpecSchema(ids));
  if (!parsed.ok) return parsed.reply;
  const fault = addFault(ctx.sim, parsed.value);
  return json(201, { id: fault.id });
}

function deleteFault(ctx: RequestContext, [id]: string[]): Reply {
  const before = ctx.sim.faults.length;
  ctx.sim.faults = ctx.sim.faults.filter((fault) => fault.id !== id);
  if (ctx.sim.faults.length === before) return json(404, { error: 'not_found', message: `No fault ${id}` });
  return json(200, { cleared: 1 });
}

// Test aid only (the simulator is never a real provider): every token each provider issued since the last reset
// and the client secrets, so a test can scan the app's logs and pages for any of them.
function issuedSecrets(ctx: RequestContext): Reply {
  const all = { access_tokens: [] as string[], refresh_tokens: [] as string[] };
  let clientSecrets: Record<string, string> = {};
  for (const [, part] of ctx.sim.providers()) {
    const issued = part.issuedSecrets();
    all.access_tokens.push(...issued.access_tokens);
    all.refresh_tokens.push(...issued.refresh_tokens);
    clientSecrets = { ...clientSecrets, ...issued.client_secrets };
  }
  return json(200, { ...all, ...clientSecrets });
}

const path = (rest: string) => `${CONTROL_PREFIX}${rest}`;

export const CORE_CONTROL_ROUTES: readonly MountedRoute[] = [
  {
    method: 'POST',
    path: path('/reset'),
    handle: (ctx) => {
      ctx.sim.reset();
      return json(200, { ok: true });
    },
  },
  { method: 'GET', path: path('/clock'), handle: (ctx) => json(200, clockView(ctx.sim)) },
  { method: 'POST', path: path('/clock'), handle: advanceClock },
  {
    // Back to real time (tests that moved the clock leave it as they found it); families keep what happened to them.
    method: 'DELETE',
    path: path('/clock'),
    handle: (ctx) => {
      ctx.sim.clock.reset();
      return json(200, clockView(ctx.sim));
    },
  },
  { method: 'GET', path: path('/faults'), handle: (ctx) => json(200, ctx.sim.faults) },
  { method: 'POST', path: path('/faults'), handle: createFault },
  {
    method: 'DELETE',
    path: path('/faults'),
    handle: (ctx) => {
      const cleared = ctx.sim.faults.length;
      ctx.sim.faults = [];
      return json(200, { cleared });
    },
  },
  { method: 'DELETE', path: /^\/_control\/faults\/([^/]+)$/, handle: deleteFault },
  { method: 'GET', path: path('/issued-secrets'), handle: issuedSecrets },
];
