import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.js';
import { BadPath, Router, sendJson, type Route } from './router.js';

/** How long a graceful stop waits for requests in flight before it closes their connections. */
const STOP_GRACE_MS = 10_000;

/**
 * The one HTTP server on PORT: Slack's request URL (in HTTP mode), health, readiness, metrics,
 * webhooks and the dashboard. Unknown paths answer 404, a known path with another method 405, a
 * handler that fails 500 (each route answers its own errors; this is the last resort).
 */
export class HttpServer {
  private readonly router: Router;
  private server?: Server;
  private stopping = false;
  /** Responses not finished yet, so a stop can wait for them. */
  private readonly open = new Set<ServerResponse>();
  private drained?: () => void;

  constructor(
    routes: Route[],
    private readonly logger: Logger,
  ) {
    this.router = new Router(routes);
  }

  /** The port it listens on, once it does. */
  get port(): number | undefined {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : undefined;
  }

  /** Listens on `port` (0: any free one); resolves with the port once it does. */
  listen(port: number): Promise<number> {
    if (this.server) return Promise.reject(new Error('the HTTP server is already listening'));
    const server = createServer((req, res) => this.serve(req, res));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, () => {
        server.off('error', reject);
        server.on('error', (err) => this.logger.error({ err }, 'HTTP server error'));
        resolve((server.address() as AddressInfo).port);
      });
    });
  }

  /**
   * Graceful stop: no new connections, idle keep-alive connections closed, requests in flight
   * answered (their connections then close); after STOP_GRACE_MS the rest are cut.
   */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.stopping = true;
    for (const res of this.open) closeAfter(res);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    if (this.open.size) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => (this.drained = resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(timer);
      if (this.open.size) this.logger.warn({ requests: this.open.size }, 'requests still unanswered at shutdown; closing their connections');
    }
    server.closeAllConnections();
    await closed;
    this.server = undefined;
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    this.open.add(res);
    res.on('close', () => {
      this.open.delete(res);
      if (!this.open.size) this.drained?.();
    });
    if (this.stopping) closeAfter(res);
    const method = (req.method ?? 'GET').toUpperCase();
    let found;
    try {
      found = this.router.match(method, pathOf(req.url));
    } catch (err) {
      req.resume();
      if (err instanceof BadPath) return sendJson(res, 400, { error: err.message });
      throw err;
    }
    if (!found) {
      req.resume();
      return sendJson(res, 404, { error: 'not found' });
    }
    if ('allowed' in found) {
      req.resume();
      return sendJson(res, 405, { error: `use ${found.allowed.join(' or ')}` }, { allow: found.allowed.join(', ') });
    }
    const fail = (err: unknown) => {
      this.logger.error({ err, method, path: found.route.path }, 'HTTP handler failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    };
    try {
      Promise.resolve(found.route.handler(Object.assign(req, { params: found.params }), res)).catch(fail);
    } catch (err) {
      fail(err);
    }
  }
}

/** The path of a request target: origin-form (`/a?b`) or, from some proxies, absolute-form (`http://h/a`). */
function pathOf(target = '/'): string {
  if (target.startsWith('/')) return target.split(/[?#]/, 1)[0];
  try {
    return new URL(target).pathname;
  } catch {
    throw new BadPath('the request target is not a path');
  }
}

/** Asks for the connection to close once this response is sent (keep-alive connections would hold a stop). */
function closeAfter(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('connection', 'close');
}
