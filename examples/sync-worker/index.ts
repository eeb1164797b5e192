// A sync worker: keeps pulling the Jira issues of one connection through Reconnect. It survives token
// rotations (the client retries a refused token once with rejected_token), pauses on needs_reauth
// and resumes when Reconnect's `connection.reconnected` webhook arrives.
//
//   RECONNECT_URL=http://localhost:3000 RECONNECT_API_KEY=rk_live_… CONNECTION_ID=… \
//   WEBHOOK_SECRET=whsec_… WEBHOOK_PORT=4400 npx tsx examples/sync-worker/index.ts
//
// Prints one JSON line per event (synced, paused, resumed, retrying, error).
import { createServer } from 'node:http';
// In your project: from '@reconnect/client' and '@reconnect/client/webhooks'.
import { NeedsReauthError, Reconnect, TemporarilyUnavailableError } from '../../client/src/index';
import { InvalidWebhookError, verifyWebhook } from '../../client/src/webhooks';

const env = (name: string, fallback?: string) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`Set ${name}`);
  return value;
};
const connectionId = env('CONNECTION_ID');
const jql = env('JQL', 'project = ACME ORDER BY key');
const everyMs = Number(env('INTERVAL_MS', '2000'));
const reconnect = new Reconnect({ baseUrl: env('RECONNECT_URL'), apiKey: env('RECONNECT_API_KEY'), cacheTokens: true });
const log = (event: string, fields: Record<string, unknown> = {}) => console.log(JSON.stringify({ event, ...fields }));

class HttpError extends Error {
  constructor(readonly status: number) {
    super(`Jira answered ${status}`);
  }
}

const issues = new Map<string, string>(); // key → summary: the "local copy" this worker keeps in sync
let paused = false;
let timer: NodeJS.Timeout | undefined;

/** One full pass over the JQL's pages. A 401 thrown inside is retried by withToken with a fresh token. */
async function syncOnce(): Promise<number> {
  return reconnect.withToken(connectionId, async (token, sites) => {
    let next: string | undefined;
    let count = 0;
    do {
      const query = new URLSearchParams({ jql, fields: 'summary', maxResults: '2', ...(next ? { nextPageToken: next } : {}) });
      const res = await fetch(`${sites[0]!.api_base_url}/rest/api/3/search/jql?${query}`, { headers: { authorization: `Bearer ${token}` } });
      if (!res.ok) throw new HttpError(res.status);
      const page = (await res.json()) as { issues: { key: string; fields: { summary: string } }[]; nextPageToken?: string };
      for (const issue of page.issues) issues.set(issue.key, issue.fields.summary);
      count += page.issues.length;
      next = page.nextPageToken;
    } while (next);
    return count;
  });
}

async function tick(): Promise<void> {
  timer = undefined;
  if (paused) return;
  let waitMs = everyMs;
  try {
    log('synced', { issues: await syncOnce(), known: issues.size });
  } catch (err) {
    if (err instanceof NeedsReauthError) {
      paused = true; // nothing to retry: the user must reconnect; the webhook wakes us up
      log('paused', { reason: err.reason, reconnect_url: err.reconnectUrl });
      return;
    }
    if (err instanceof TemporarilyUnavailableError) waitMs = err.retryAfterSeconds * 1000;
    log(err instanceof TemporarilyUnavailableError ? 'retrying' : 'error', { message: (err as Error).message, wait_ms: waitMs });
  }
  if (!paused) timer = setTimeout(tick, waitMs);
}

function resume(): void {
  paused = false;
  log('resumed');
  if (timer) clearTimeout(timer);
  void tick();
}

const server = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    const event = verifyWebhook(req.headers, Buffer.concat(chunks).toString('utf8'), env('WEBHOOK_SECRET'));
    res.writeHead(204).end();
    if (event.data.connection_id !== connectionId) return;
    if (event.type === 'connection.reconnected' && paused) resume();
    if (event.type === 'connection.needs_reauth') paused = true;
  } catch (err) {
    res.writeHead(err instanceof InvalidWebhookError ? 400 : 500).end();
  }
});

server.listen(Number(env('WEBHOOK_PORT', '4400')), '127.0.0.1', () => {
  log('started', { connection_id: connectionId });
  void tick();
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
