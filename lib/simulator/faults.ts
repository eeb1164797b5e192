// Injectable faults for the token endpoint and the API, and how they are applied to a request.
import { z } from 'zod';
import { isoTime } from './clock';
import { json, send, sleep, type Reply, type RequestContext } from './http';
import type { SimulatorState } from './state';

export type FaultTarget = 'token' | 'api';

const target = z.enum(['token', 'api', 'all']).default('all');
const count = z.number().int().positive().optional();
const tokenOnlyTarget = z.enum(['token', 'all']).default('all');
// `provider`: which provider's endpoints a fault hits (a mounted provider's id); absent: every provider's.
function faultSchema(provider: z.ZodOptional<z.ZodType<string>>) {
  return z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('latency'), ms: z.number().int().min(0).max(60_000), target, count, provider }),
    z.strictObject({ kind: z.literal('status'), status: z.number().int().min(500).max(599), target, count, provider }),
    z.strictObject({ kind: z.literal('timeout'), target, count, provider }),
    z.strictObject({
      kind: z.literal('rate_limit'),
      retry_after_seconds: z.number().int().min(0).nullable().optional(),
      target,
      count,
      provider,
    }),
    z.strictObject({ kind: z.literal('drop_after_rotate'), target: tokenOnlyTarget, count, provider }),
    z.strictObject({ kind: z.literal('invalid_client'), target: tokenOnlyTarget, count, provider }),
  ]);
}

/** The fault body the control API accepts, `provider` limited to the mounted providers' ids. */
export function faultSpecSchema(providerIds: readonly string[]) {
  return faultSchema(z.string().refine((id) => providerIds.includes(id), `Expected one of: ${providerIds.join(', ')}`).optional());
}

export type FaultSpec = z.infer<ReturnType<typeof faultSchema>>;

export type ActiveFault = FaultSpec & { id: string; remaining: number | null; created_at: string };

const DEFAULT_RETRY_AFTER_SECONDS = 30;
const RATE_LIMIT = 100;
const TOKEN_ONLY_KINDS = new Set<FaultSpec['kind']>(['drop_after_rotate', 'invalid_client']);

export function addFault(state: SimulatorState, spec: FaultSpec): ActiveFault {
  const fault: ActiveFault = {
    ...spec,
    id: `fault-${state.nextFaultNumber++}`,
    remaining: spec.count ?? null,
    created_at: isoTime(state.clock.now()),
  };
  state.faults.push(fault);
  return fault;
}

function matches(fault: ActiveFault, requestTarget: FaultTarget, requestProvider: string): boolean {
  if (fault.target !== 'all' && fault.target !== requestTarget) return false;
  if (fault.provider !== undefined && fault.provider !== requestProvider) return false;
  return requestTarget === 'token' || !TOKEN_ONLY_KINDS.has(fault.kind);
}

function consume(state: SimulatorState, fault: ActiveFault): void {
  if (fault.remaining === null) return;
  fault.remaining -= 1;
  if (fault.remaining <= 0) state.faults = state.faults.filter((active) => active !== fault);
}

interface FaultPlan {
  latencyMs: number;
  terminal: ActiveFault | undefined;
}

/** Picks (and uses up) the faults that affect one request: all latencies plus the first other fault. */
function planFaults(state: SimulatorState, requestTarget: FaultTarget, requestProvider: string): FaultPlan {
  const applicable = state.faults.filter((fault) => matches(fault, requestTarget, requestProvider));
  const latencies = applicable.filter((fault) => fault.kind === 'latency');
  const terminal = applicable.find((fault) => fault.kind !== 'latency');
  for (const fault of [...latencies, ...(terminal ? [terminal] : [])]) consume(state, fault);
  const latencyMs = latencies.reduce((sum, fault) => sum + (fault.kind === 'latency' ? fault.ms : 0), 0);
  return { latencyMs, terminal };
}

function serverErrorReply(status: number, requestTarget: FaultTarget): Reply {
  if (requestTarget === 'token') {
    return json(status, { error: 'server_error', error_description: 'The server encountered an unexpected error' });
  }
  return json(status, { code: status, message: status === 503 ? 'Service Unavailable' : 'Internal Server Error' });
}

function rateLimitReply(state: SimulatorState, retryAfter: number | null | undefined, requestTarget: FaultTarget): Reply {
  const body =
    requestTarget === 'token'
      ? { error: 'too_many_requests', error_description: 'Rate limit exceeded' }
      : { code: 429, message: 'Rate limit exceeded' };
  // retry_after_seconds: null models a 429 that carries no hint at all.
  if (retryAfter === null) return json(429, body);
  const seconds = retryAfter ?? DEFAULT_RETRY_AFTER_SECONDS;
  return json(429, body, {
    'retry-after': String(seconds),
    'x-ratelimit-limit': String(RATE_LIMIT),
    'x-ratelimit-remaining': '0',
    'x-ratelimit-reset': isoTime(state.clock.now() + seconds * 1000),
  });
}

const INVALID_CLIENT_REPLY = (): Reply =>
  json(401, { error: 'invalid_client', error_description: 'Client authentication failed' });

/** Runs the handler under the active faults and sends (or withholds) its reply. */
export async function respondWithFaults(
  ctx: RequestContext,
  requestTarget: FaultTarget,
  handler: () => Promise<Reply>,
  requestProvider: string = 'atlassian',
): Promise<void> {
  const { latencyMs, terminal } = planFaults(ctx.sim, requestTarget, requestProvider);
  if (latencyMs > 0) await sleep(latencyMs);
  switch (terminal?.kind) {
    case 'timeout':
      return; // never answer; stop() destroys the socket
    case 'status':
      return send(ctx.res, serverErrorReply(terminal.status, requestTarget));
    case 'rate_limit':
      return send(ctx.res, rateLimitReply(ctx.sim, terminal.retry_after_seconds, requestTarget));
    case 'invalid_client':
      return send(ctx.res, INVALID_CLIENT_REPLY());
    case 'drop_after_rotate':
      await handler();
      ctx.req.socket.destroy();
      return;
    default:
      return send(ctx.res, await handler());
  }
}
