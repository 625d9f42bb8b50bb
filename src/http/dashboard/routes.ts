import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../logger.js';
import type { Policy } from '../../policy/schema.js';
import { DomainError } from '../../incidents/errors.js';
import { incidentRef } from '../../incidents/incident.js';
import { incidentsCsv, timelineCsv } from '../../reports/export.js';
import { isPeriodKey, periodOf } from '../../reports/period.js';
import type { ReportService } from '../../reports/service.js';
import { findType } from '../../incidents/fields.js';
import type { Route } from '../router.js';
import type { DashboardAuth } from './auth.js';
import { incidentPage, notFoundPage, overviewPage, unauthorizedPage, type OverviewFilters } from './pages.js';

export interface DashboardDeps {
  policy: Policy;
  reports: ReportService;
  auth: DashboardAuth;
  logger: Logger;
  /** The review document of an incident, when there is one (Markdown). */
  reviewFor?: (incidentId: string) => Promise<string | undefined>;
}

const COOKIE = 'io_dashboard';

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', ...headers });
  res.end(body);
}

const html = (res: ServerResponse, status: number, body: string) => send(res, status, 'text/html; charset=utf-8', body, { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'" });

/**
 * The web dashboard: reached through a signed link from `/incident dashboard`, which becomes an
 * HttpOnly session cookie; everything else answers 401. Server-rendered, no JavaScript.
 */
export function dashboardRoutes(deps: DashboardDeps): Route[] {
  const { policy, reports, auth } = deps;

  const viewer = (req: IncomingMessage) => auth.verify(cookie(req, COOKIE), reports.now());

  const guarded =
    (fn: (req: IncomingMessage & { params?: Record<string, string | string[]> }, res: ServerResponse, user: string, url: URL) => Promise<void>) =>
    (req: IncomingMessage & { params?: Record<string, string | string[]> }, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const user = viewer(req);
      if (!user) return html(res, 401, unauthorizedPage());
      fn(req, res, user, url).catch((err) => {
        if (err instanceof DomainError) return html(res, err.code === 'forbidden' ? 403 : 404, notFoundPage(err.message));
        deps.logger.error({ err }, 'dashboard request failed');
        html(res, 500, notFoundPage('Something went wrong; try again.'));
      });
    };

  const filters = (url: URL): OverviewFilters => {
    const q = (k: string) => url.searchParams.get(k)?.trim() || undefined;
    const period = q('period') ?? '90d';
    return {
      period: isPeriodKey(period) ? period : '90d',
      priority: policy.priorities.some((p) => p.id === q('priority')) ? q('priority') : undefined,
      category: policy.categories.includes(q('category') ?? '') ? q('category') : undefined,
      service: q('service')?.slice(0, 100),
      status: q('status') === 'open' || q('status') === 'resolved' ? q('status') : undefined,
      type: q('type') === 'none' || findType(policy, q('type')) ? q('type') : undefined,
    };
  };

  const rowsFor = (f: OverviewFilters, user: string) => {
    const period = periodOf(f.period as never, reports.now());
    return reports.rows({ from: period.from, to: period.to, priority: f.priority, category: f.category, service: f.service, status: f.status as 'open' | 'resolved' | undefined, type: f.type, viewer: user });
  };

  const exportRoute = (format: 'csv' | 'json') =>
    guarded(async (_req, res, user, url) => {
      const incident = url.searchParams.get('incident');
      if (incident) {
        const { incident: i, timeline } = await reports.incidentReport(incident, user);
        const ref = incidentRef(policy.number_prefix, i);
        const name = `${ref}-timeline`;
        if (format === 'csv') return send(res, 200, 'text/csv; charset=utf-8', timelineCsv(timeline), { 'content-disposition': `attachment; filename="${name}.csv"` });
        const head = timeline.at(-1);
        return send(res, 200, 'application/json; charset=utf-8', JSON.stringify({ incident: ref, chain_head: head ? { seq: head.seq, sha256: head.hash } : null, timeline }, null, 2));
      }
      const rows = await rowsFor(filters(url), user);
      if (format === 'csv') return send(res, 200, 'text/csv; charset=utf-8', incidentsCsv(rows, policy), { 'content-disposition': 'attachment; filename="incidents.csv"' });
      send(res, 200, 'application/json; charset=utf-8', JSON.stringify({ incidents: rows }, null, 2));
    });

  return [
    {
      path: '/dashboard',
      method: ['GET'],
      handler: (req, res) => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        const token = url.searchParams.get('token');
        if (token) {
          // A link from Slack: exchange it for a session cookie and drop the token from the address bar.
          const user = auth.verify(token, reports.now());
          if (!user) return html(res, 401, unauthorizedPage());
          const session = auth.sign(user, new Date(reports.now().getTime() + policy.reports.session_hours * 3_600_000));
          res.writeHead(303, { location: '/dashboard', 'set-cookie': `${COOKIE}=${encodeURIComponent(session)}; Path=/dashboard; HttpOnly; SameSite=Lax; Max-Age=${policy.reports.session_hours * 3600}`, 'cache-control': 'no-store' });
          return res.end();
        }
        guarded(async (_req, res2, user, u) => {
          const f = filters(u);
          const [summary, rows] = await Promise.all([reports.summary(f.period as never), rowsFor(f, user)]);
          const q = new URLSearchParams(Object.entries(f).filter(([, v]) => v) as [string, string][]).toString();
          html(res2, 200, overviewPage(policy, summary, rows, f, q));
        })(req, res);
      },
    },
    {
      path: '/dashboard/incidents/:id',
      method: ['GET'],
      handler: guarded(async (req, res, user) => {
        const id = String(req.params?.id ?? '');
        const { incident, times, timeline } = await reports.incidentReport(id, user);
        html(res, 200, incidentPage(policy, incident, times, timeline, await deps.reviewFor?.(incident.id)));
      }),
    },
    { path: '/dashboard/export.csv', method: ['GET'], handler: exportRoute('csv') },
    { path: '/dashboard/export.json', method: ['GET'], handler: exportRoute('json') },
  ];
}
