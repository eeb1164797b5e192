// What every provider's API side shares: counting calls and 401s under the active faults, and the echo aid.
import { respondWithFaults } from './faults';
import { json, readBody, type Reply, type RequestContext } from './http';
import type { Counters } from './state';

/** Answers one API call under the faults aimed at `provider`'s API, counting it (and a 401). */
export async function answerApiCall(
  ctx: RequestContext,
  provider: string,
  counters: Counters,
  answer: () => Promise<Reply>,
): Promise<undefined> {
  counters.api_calls += 1;
  await respondWithFaults(
    ctx,
    'api',
    async () => {
      const reply = await answer();
      if (reply.status === 401) counters.api_unauthorized += 1;
      return reply;
    },
    provider,
  );
  return undefined;
}

function queryObject(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    query[key] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return query;
}

/** Sim-only test aid: mirrors the request (never its Authorization header) so a proxy's forwarding can be asserted. */
export async function echoRequest(ctx: RequestContext): Promise<Reply> {
  const headers = Object.fromEntries(Object.entries(ctx.req.headers).filter(([name]) => name !== 'authorization'));
  return json(200, {
    method: ctx.req.method,
    path: ctx.url.pathname,
    query: queryObject(ctx.url.searchParams),
    headers,
    body: await readBody(ctx.req),
  });
}
