// The load benchmark's client process (`bench/load.ts` spawns it): reads a LoadPlan as JSON on stdin,
// keeps `concurrency` requests in flight against each app instance until the duration or the request
// budget is spent, then writes one LoadResult as JSON on stdout. Progress goes to stderr.
import { Agent, request as httpRequest } from 'node:http';
import { pathToFileURL } from 'node:url';
import { percentiles, type Percentiles } from './lib';

export interface LoadConnection {
  id: string;
  product: 'jira' | 'confluence';
  /** A site the connection covers, for proxied calls; undefined when it covers none. */
  cloudId?: string;
}

/** One kind of request and its share of the mix. */
export interface RequestKind {
  name: string;
  route: 'access-token' | 'proxy';
  weight: number;
  /** JSON body for access-token requests; undefined sends an empty POST (the defaults). */
  body?: Record<string, unknown>;
}

export interface LoadPlan {
  targets: string[];
  apiKey: string;
  connections: LoadConnection[];
  kinds: RequestKind[];
  /** Requests kept in flight against each target. */
  concurrency: number;
  durationMs: number;
  maxRequests: number;
  timeoutMs: number;
  /** Unmeasured requests of every kind against every target before the clock starts. */
  warmupPerKind: number;
}

export interface KindResult {
  name: string;
  route: RequestKind['route'];
  requests: number;
  latencyMs: Percentiles & { max: number };
  statuses: Record<string, number>;
}

export interface LoadResult {
  /** The unmeasured warm-up before the measured load. */
  warmupMs: number;
  wallMs: number;
  requests: number;
  kinds: KindResult[];
  perTarget: { target: string; requests: number }[];
  /** Non-2xx answers by status, and transport failures as `error:<code>` / `timeout`. */
  failures: Record<string, number>;
  /** Completed requests per 10-second window. */
  windows: number[];
  /** A few distinct non-2xx answers (status and start of the body), for the report. */
  samples: string[];
}

const WINDOW_MS = 10_000;
const MAX_SAMPLES = 10;

interface Answer {
  status: number | string;
  body: string;
}

function send(agent: Agent, url: URL, method: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent, method, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err: NodeJS.ErrnoException) => resolve({ status: `error:${err.code ?? err.message}`, body: '' }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ status: err.code === 'timeout' ? 'timeout' : `error:${err.code ?? err.message}`, body: '' }));
    req.end(body);
  });
}

function picker(kinds: RequestKind[]): () => RequestKind {
  const total = kinds.reduce((sum, k) => sum + k.weight, 0);
  return () => {
    let r = Math.random() * total;
    for (const kind of kinds) {
      r -= kind.weight;
      if (r < 0) return kind;
    }
    return kinds[kinds.length - 1]!;
  };
}

function pick<T>(items: T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

class Recorder {
  readonly latencies = new Map<string, number[]>();
  readonly statuses = new Map<string, Record<string, number>>();
  readonly perTarget = new Map<string, number>();
  readonly failures: Record<string, number> = {};
  readonly windows: number[] = [];
  readonly samples = new Set<string>();
  requests = 0;

  record(kind: RequestKind, target: string, answer: Answer, ms: number, sinceStartMs: number): void {
    this.requests++;
    const samples = this.latencies.get(kind.name);
    if (samples) samples.push(ms);
    else this.latencies.set(kind.name, [ms]);
    const statuses = this.statuses.get(kind.name) ?? {};
    statuses[String(answer.status)] = (statuses[String(answer.status)] ?? 0) + 1;
    this.statuses.set(kind.name, statuses);
    this.perTarget.set(target, (this.perTarget.get(target) ?? 0) + 1);
    const w = Math.floor(sinceStartMs / WINDOW_MS);
    while (this.windows.length <= w) this.windows.push(0);
    this.windows[w]!++;
    const ok = typeof answer.status === 'number' && answer.status >= 200 && answer.status < 300;
    if (!ok) {
      const key = String(answer.status);
      this.failures[key] = (this.failures[key] ?? 0) + 1;
      if (this.samples.size < MAX_SAMPLES) this.samples.add(`${kind.name} → ${key}: ${answer.body.slice(0, 200)}`);
    }
  }
}

export async function runLoad(plan: LoadPlan, progress: (line: string) => void = () => {}): Promise<LoadResult> {
  const agents = new Map(plan.targets.map((t) => [t, new Agent({ keepAlive: true, maxSockets: plan.concurrency })]));
  const proxyable = plan.connections.filter((c) => c.cloudId);
  const nextKind = picker(plan.kinds);
  const headersFor = (kind: RequestKind): Record<string, string> => {
    const h: Record<string, string> = { authorization: `Bearer ${plan.apiKey}`, accept: 'application/json' };
    if (kind.route === 'access-token') {
      if (kind.body) h['content-type'] = 'application/json';
      else h['content-length'] = '0';
    }
    return h;
  };
  const bodies = new Map(plan.kinds.map((k) => [k.name, k.body ? JSON.stringify(k.body) : undefined]));

  const call = async (kind: RequestKind, target: string): Promise<{ answer: Answer; ms: number }> => {
    const conn = pick(kind.route === 'proxy' ? proxyable : plan.connections);
    const path =
      kind.route === 'proxy'
        ? `/api/v1/connections/${conn.id}/proxy/${conn.cloudId}/${conn.product === 'jira' ? 'rest/api/3/myself' : 'wiki/rest/api/user/current'}`
        : `/api/v1/connections/${conn.id}/access-token`;
    const method = kind.route === 'proxy' ? 'GET' : 'POST';
    const t0 = performance.now();
    const answer = await send(agents.get(target)!, new URL(path, target), method, headersFor(kind), bodies.get(kind.name), plan.timeoutMs);
    return { answer, ms: performance.now() - t0 };
  };

  // Warm-up: every route module loaded and every pool opened in every instance, not measured.
  const warmupStarted = performance.now();
  for (const target of plan.targets) {
    for (const kind of plan.kinds) {
      await Promise.all(Array.from({ length: plan.warmupPerKind }, () => call(kind, target)));
    }
  }

  const warmupMs = performance.now() - warmupStarted;
  const rec = new Recorder();

  let started = 0;
  const t0 = performance.now();
  const deadline = t0 + plan.durationMs;
  const loop = async (target: string) => {
    while (performance.now() < deadline && started < plan.maxRequests) {
      started++;
      const kind = nextKind();
      const { answer, ms } = await call(kind, target);
      rec.record(kind, target, answer, ms, performance.now() - t0);
    }
  };
  const ticker = setInterval(() => {
    const s = (performance.now() - t0) / 1000;
    const failed = Object.values(rec.failures).reduce((a, b) => a + b, 0);
    progress(`load: ${s.toFixed(0)} s, ${rec.requests} requests (${(rec.requests / s).toFixed(0)} req/s), ${failed} not 2xx`);
  }, WINDOW_MS);
  try {
    await Promise.all(plan.targets.flatMap((t) => Array.from({ length: plan.concurrency }, () => loop(t))));
  } finally {
    clearInterval(ticker);
  }
  const wallMs = performance.now() - t0;
  for (const agent of agents.values()) agent.destroy();

  const kinds: KindResult[] = plan.kinds.map((k) => {
    const samples = rec.latencies.get(k.name) ?? [];
    return {
      name: k.name,
      route: k.route,
      requests: samples.length,
      latencyMs: { ...percentiles(samples), max: samples.reduce((m, v) => Math.max(m, v), 0) },
      statuses: rec.statuses.get(k.name) ?? {},
    };
  });
  return {
    warmupMs,
    wallMs,
    requests: rec.requests,
    kinds,
    perTarget: plan.targets.map((target) => ({ target, requests: rec.perTarget.get(target) ?? 0 })),
    failures: rec.failures,
    windows: rec.windows,
    samples: [...rec.samples],
  };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  readStdin()
    .then((text) => runLoad(JSON.parse(text) as LoadPlan, (line) => process.stderr.write(`${line}\n`)))
    .then((result) => process.stdout.write(`${JSON.stringify(result)}\n`))
    .catch((err: unknown) => {
      console.error('load client failed:', err);
      process.exit(1);
    });
}
