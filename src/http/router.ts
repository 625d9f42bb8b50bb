import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request with the values of its route's `:name` path segments (decoded). */
export type RouteRequest = IncomingMessage & { params: Record<string, string> };

/** One HTTP route: a path of literal and `:name` segments, the methods it answers, and its handler. */
export interface Route {
  path: string;
  method: readonly string[];
  /** May return a promise; a rejection is answered 500. */
  handler: (req: RouteRequest, res: ServerResponse) => unknown;
}

/** A path segment that is not valid percent-encoding. */
export class BadPath extends Error {}

export type RouteMatch = { route: Route; params: Record<string, string> } | { allowed: string[] } | undefined;

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new BadPath(`the path segment "${segment.slice(0, 60)}" is not valid percent-encoding`);
  }
}

/** Params when `path` (one trailing slash allowed) has the pattern's shape; a `:name` segment is one non-empty segment. */
function matchPath(pattern: string[], path: string): Record<string, string> | undefined {
  const segments = (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path).split('/');
  if (segments.length !== pattern.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of pattern.entries()) {
    if (part.startsWith(':')) {
      if (!segments[i]) return undefined;
      params[part.slice(1)] = decode(segments[i]);
    } else if (part !== segments[i]) return undefined;
  }
  return params;
}

/** Routes without `:name` segments are matched first (`/webhooks/changes` before `/webhooks/:source`), then the others, each in order; first match wins. */
export class Router {
  private readonly routes: { route: Route; pattern: string[] }[];

  constructor(routes: Route[]) {
    const parametric = (r: Route) => (r.path.includes('/:') ? 1 : 0);
    this.routes = [...routes].sort((a, b) => parametric(a) - parametric(b)).map((route) => ({ route, pattern: route.path.split('/') }));
  }

  /** The route for this method and path; `{ allowed }` when the path exists for other methods only. Throws BadPath. */
  match(method: string, path: string): RouteMatch {
    const allowed: string[] = [];
    for (const { route, pattern } of this.routes) {
      const params = matchPath(pattern, path);
      if (!params) continue;
      if (route.method.includes(method)) return { route, params };
      allowed.push(...route.method);
    }
    return allowed.length ? { allowed: [...new Set(allowed)] } : undefined;
  }
}

/** A JSON answer that no cache keeps. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}
