// The app's HTTP server for `npm start` / `npm run dev`: Next.js behind a plain node:http server in this same
// process, so that one process owns the signals and the shutdown order, and so that every request carries the
// address of the peer that sent it.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { PEER_HEADER } from '../lib/client-address';
import { stopApp } from '../lib/jobs/app-stop';

/** Request header with the TCP peer's address, set by this server on every request (a client's value is dropped). */
export { PEER_HEADER };

export interface AppServer {
  port: number;
  /**
   * Stops taking requests, lets token calls under way commit, stops the worker, waits for requests under way
   * (at most `timeoutMs`, then cuts the rest) and closes Next.js.
   */
  stop(timeoutMs: number): Promise<void>;
}

/** Overwrites the peer header (in `headers` and `rawHeaders`) with the socket's remote address. */
export function setPeerHeader(req: IncomingMessage): void {
  const peer = req.socket.remoteAddress ?? '';
  const raw: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() !== PEER_HEADER) raw.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
  }
  raw.push(PEER_HEADER, peer);
  req.rawHeaders.splice(0, req.rawHeaders.length, ...raw);
  req.headers[PEER_HEADER] = peer;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

const withTimeout = (work: Promise<unknown>, ms: number) =>
  Promise.race([work.catch(() => {}), new Promise((resolve) => setTimeout(resolve, ms).unref())]);

export async function startAppServer(opts: { dev: boolean; port: number; dir?: string }): Promise<AppServer> {
  const { default: next } = await import('next');
  const app = next({ dev: opts.dev, dir: opts.dir ?? process.cwd(), hostname: 'localhost', port: opts.port });
  await app.prepare(); // also runs instrumentation.ts register(): the worker starts here
  const handle = app.getRequestHandler();
  const server = createServer((req, res) => {
    setPeerHeader(req);
    void handle(req, res);
  });
  const port = await listen(server, opts.port);
  return {
    port,
    async stop(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets would otherwise hold close() open: each is closed as soon as it is idle.
      const idle = setInterval(() => server.closeIdleConnections(), 100);
      await withTimeout(stopApp(), Math.max(0, deadline - Date.now()));
      await withTimeout(closed, Math.max(0, deadline - Date.now()));
      clearInterval(idle);
      server.closeAllConnections();
      await withTimeout(app.close(), 2_000);
    },
  };
}
