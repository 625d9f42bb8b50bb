import type { ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import type { PageModel } from '../status/page.js';
import { pageFiles } from '../status/export.js';
import type { Route, RouteRequest } from './router.js';

export interface StatusRouteDeps {
  /** The page as of now. */
  read(): Promise<PageModel>;
  /** The page's public address, ending in /status/. */
  pageUrl(): string;
  logger: Logger;
}

const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'history.atom': 'application/atom+xml; charset=utf-8',
};

function headersFor(name: string): Record<string, string> {
  const json = name.endsWith('.json');
  return {
    'content-type': TYPES[name] ?? 'application/json; charset=utf-8',
    // Public, and read often by monitors: a short cache keeps it cheap without showing old news for long.
    'cache-control': 'public, max-age=30',
    'x-content-type-options': 'nosniff',
    ...(json ? { 'access-control-allow-origin': '*' } : {}),
    ...(name === 'index.html' ? { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'", 'referrer-policy': 'no-referrer' } : {}),
  };
}

/**
 * The public status page (no sign-in): `/status/`, its Statuspage-shaped JSON under `/status/api/v2/`
 * and the Atom feed, all rendered from what was published. Links in the page are relative, so
 * `/status` redirects to `/status/`.
 */
export function statusRoutes(deps: StatusRouteDeps): Route[] {
  const serve = (name: string) => async (req: RouteRequest, res: ServerResponse) => {
    if (name === 'index.html' && !new URL(req.url ?? '/', 'http://localhost').pathname.endsWith('/')) {
      res.writeHead(301, { location: '/status/' });
      return res.end();
    }
    try {
      const files = pageFiles(await deps.read(), deps.pageUrl());
      res.writeHead(200, headersFor(name));
      res.end(files[name]);
    } catch (err) {
      deps.logger.error({ err }, 'status page failed');
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '30' });
      res.end('The status page is unavailable right now; try again shortly.');
    }
  };
  const route = (path: string, name: string): Route => ({ path, method: ['GET'], handler: serve(name) });
  return [
    route('/status', 'index.html'),
    route('/status/history.atom', 'history.atom'),
    ...['summary', 'status', 'incidents', 'scheduled-maintenances'].map((n) => route(`/status/api/v2/${n}.json`, `api/v2/${n}.json`)),
  ];
}
