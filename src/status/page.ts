import { createHash } from 'node:crypto';
import type { StatusComponent, StatusPagePolicy } from '../policy/status-page-schema.js';
import { maintenanceStatus, SEVERITY, type ComponentChange, type Maintenance, type MaintenanceStatus, type PublicComponentState, type PublicIncidentStatus, type StatusPost } from './post.js';

/*
 * The public page as data, computed from what was published (approved posts, maintenance from change
 * records) and nothing else: the HTML, the JSON and the feed are renderings of it. Pure.
 */

export const HISTORY_DAYS = 90;
const DAY = 86_400_000;

/** Downtime weights for uptime, as Statuspage counts them: a major outage fully, a partial one at 30 %. */
const DOWNTIME_WEIGHT: Record<PublicComponentState, number> = { operational: 0, under_maintenance: 0, degraded_performance: 0, partial_outage: 0.3, major_outage: 1 };

const IMPAIRED = new Set<PublicComponentState>(['degraded_performance', 'partial_outage', 'major_outage']);

export type Indicator = 'none' | 'minor' | 'major' | 'critical' | 'maintenance';

/** A stable opaque id (12 characters, like Statuspage's), so no internal number shows. */
export function publicId(kind: string, key: string): string {
  return createHash('sha256').update(`${kind}:${key}`).digest('hex').slice(0, 12);
}

export interface PublicUpdate {
  id: string;
  status: PublicIncidentStatus;
  body: string;
  at: Date;
  components: ComponentChange[];
}

export interface PublicIncident {
  id: string;
  name: string;
  status: PublicIncidentStatus;
  impact: Exclude<Indicator, 'maintenance'>;
  startedAt: Date;
  createdAt: Date;
  updatedAt: Date;
  monitoringAt: Date | null;
  resolvedAt: Date | null;
  /** Newest first. */
  updates: PublicUpdate[];
  /** Components it named, in the policy's order. */
  components: string[];
  /** Its components' states now (after its latest post). */
  states: Map<string, PublicComponentState>;
  /** Per component, the spans it was impaired, with their state (for uptime). */
  windows: { component: string; from: Date; to: Date; state: PublicComponentState }[];
}

export interface PublicMaintenanceView {
  id: string;
  changeId: string;
  name: string;
  body: string;
  status: MaintenanceStatus;
  scheduledFor: Date;
  scheduledUntil: Date;
  components: string[];
  createdAt: Date;
}

export interface DayBar {
  date: string;
  worst: PublicComponentState;
  uptime: number;
}

export interface ComponentView {
  id: string;
  name: string;
  description: string | null;
  position: number;
  state: PublicComponentState;
  updatedAt: Date;
  /** Oldest first, HISTORY_DAYS days ending today (UTC). */
  days: DayBar[];
  /** Over the whole history, 0..1. */
  uptime: number;
}

export interface PageModel {
  id: string;
  title: string;
  now: Date;
  updatedAt: Date;
  indicator: Indicator;
  description: string;
  components: ComponentView[];
  /** Unresolved, newest first. */
  open: PublicIncident[];
  /** Every incident of the history (resolved ones too), newest first. */
  incidents: PublicIncident[];
  /** Scheduled and in progress, soonest first. */
  maintenance: PublicMaintenanceView[];
  /** Completed within the history, newest first. */
  pastMaintenance: PublicMaintenanceView[];
}

export interface PageInput {
  policy: StatusPagePolicy;
  now: Date;
  posts: StatusPost[];
  /** Each incident's impact window from its key timestamps (corrections applied); see publicIncidentTimes. */
  incidentTimes: { id: string; impactFrom: Date; impactTo: Date | null }[];
  maintenances: Maintenance[];
}

const latest = (dates: Date[]): Date | undefined => (dates.length ? dates.reduce((a, b) => (b > a ? b : a)) : undefined);

const worst = (states: PublicComponentState[]): PublicComponentState => states.reduce<PublicComponentState>((w, s) => (SEVERITY[s] > SEVERITY[w] ? s : w), 'operational');

function impactOf(state: PublicComponentState): PublicIncident['impact'] {
  return ({ operational: 'none', under_maintenance: 'none', degraded_performance: 'minor', partial_outage: 'major', major_outage: 'critical' } as const)[state];
}

/** One incident's public record: its posts in order, its components' states and its impact windows. */
function publicIncident(policy: StatusPagePolicy, incidentId: string, posts: StatusPost[], times: { impactFrom: Date; impactTo: Date | null } | undefined, now: Date): PublicIncident {
  const states = new Map<string, PublicComponentState>();
  const windows: PublicIncident['windows'] = [];
  const open = new Map<string, { from: Date; state: PublicComponentState }>();
  const first = posts[0].publishedAt!;
  // The impact began at the incident's checked impact start (the first post usually comes later), and
  // ended when it was mitigated, even if the public "resolved" post came after.
  const start = times && times.impactFrom < first ? times.impactFrom : first;
  const close = (name: string, at: Date) => {
    const w = open.get(name);
    if (w && at > w.from) windows.push({ component: name, from: w.from, to: at, state: w.state });
    open.delete(name);
  };
  posts.forEach((post, i) => {
    const at = i === 0 ? start : post.publishedAt!;
    // "Resolved" returns every component the incident touched to operational.
    const changes: ComponentChange[] =
      post.status === 'resolved' ? [...new Set([...states.keys(), ...post.components.map((c) => c.name)])].map((name) => ({ name, state: 'operational' })) : post.components;
    for (const c of changes) {
      close(c.name, at);
      states.set(c.name, c.state);
      if (IMPAIRED.has(c.state)) open.set(c.name, { from: at, state: c.state });
    }
  });
  const last = posts.at(-1)!;
  const end = times?.impactTo && times.impactTo < now ? times.impactTo : now;
  for (const name of [...open.keys()]) close(name, end);
  const clipped = windows.map((w) => ({ ...w, to: w.to > end ? end : w.to })).filter((w) => w.to > w.from);
  const order = new Map(policy.components.map((c, i) => [c.name, i]));
  const named = [...new Set(posts.flatMap((p) => p.components.map((c) => c.name)))].filter((n) => order.has(n)).sort((a, b) => order.get(a)! - order.get(b)!);
  const monitoring = posts.find((p) => p.status === 'monitoring');
  return {
    id: publicId('incident', incidentId),
    name: last.title,
    status: last.status,
    impact: impactOf(worst(posts.flatMap((p) => p.components.map((c) => c.state)))),
    startedAt: start,
    createdAt: first,
    updatedAt: last.publishedAt!,
    monitoringAt: monitoring?.publishedAt ?? null,
    resolvedAt: last.status === 'resolved' ? last.publishedAt : null,
    updates: [...posts].reverse().map((p) => ({ id: publicId('update', p.id), status: p.status, body: p.body, at: p.publishedAt!, components: p.components })),
    components: named,
    states,
    windows: clipped,
  };
}

function maintenanceView(m: Maintenance, now: Date): PublicMaintenanceView {
  return { id: publicId('maintenance', m.changeId), changeId: m.changeId, name: m.title, body: m.body, status: maintenanceStatus(m, now), scheduledFor: m.startsAt, scheduledUntil: m.endsAt, components: m.components, createdAt: m.createdAt };
}

/** Uptime and the worst state of each day, from the impact windows touching one component. */
function history(component: string, incidents: PublicIncident[], maintenance: PublicMaintenanceView[], now: Date): { days: DayBar[]; uptime: number } {
  const windows = incidents.flatMap((i) => i.windows.filter((w) => w.component === component));
  const todayStart = Math.floor(now.getTime() / DAY) * DAY;
  const days: DayBar[] = [];
  let down = 0;
  let total = 0;
  for (let d = HISTORY_DAYS - 1; d >= 0; d--) {
    const from = todayStart - d * DAY;
    const to = Math.min(from + DAY, now.getTime());
    let dayDown = 0;
    const states: PublicComponentState[] = [];
    for (const w of windows) {
      const overlap = Math.min(to, w.to.getTime()) - Math.max(from, w.from.getTime());
      if (overlap <= 0) continue;
      dayDown += overlap * DOWNTIME_WEIGHT[w.state];
      states.push(w.state);
    }
    for (const m of maintenance) {
      if (m.components.includes(component) && m.scheduledFor.getTime() < to && m.scheduledUntil.getTime() > from && m.scheduledFor.getTime() <= now.getTime()) states.push('under_maintenance');
    }
    const span = Math.max(to - from, 1);
    down += dayDown;
    total += span;
    days.push({ date: new Date(from).toISOString().slice(0, 10), worst: worst(states), uptime: 1 - dayDown / span });
  }
  return { days, uptime: 1 - down / total };
}

const DESCRIPTIONS: Record<Indicator, string> = {
  none: 'All Systems Operational',
  minor: 'Minor Service Outage',
  major: 'Partial System Outage',
  critical: 'Major System Outage',
  maintenance: 'Service Under Maintenance',
};

/** The page at `now`. */
export function buildPage(input: PageInput): PageModel {
  const { policy, now } = input;
  const times = new Map(input.incidentTimes.map((t) => [t.id, t]));
  const byIncident = new Map<string, StatusPost[]>();
  for (const p of input.posts) byIncident.set(p.incidentId, [...(byIncident.get(p.incidentId) ?? []), p]);
  const incidents = [...byIncident].map(([id, posts]) => publicIncident(policy, id, posts, times.get(id), now)).sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime());
  const open = incidents.filter((i) => i.status !== 'resolved');
  const maintenances = input.maintenances.map((m) => maintenanceView(m, now));
  const components = policy.components.map((c: StatusComponent, position): ComponentView => {
    const states = open.map((i) => i.states.get(c.name) ?? 'operational');
    if (maintenances.some((m) => m.status === 'in_progress' && m.components.includes(c.name))) states.push('under_maintenance');
    const touched = [...incidents.filter((i) => i.states.has(c.name)).map((i) => i.updatedAt), ...maintenances.filter((m) => m.components.includes(c.name) && m.status !== 'scheduled').map((m) => (m.status === 'completed' ? m.scheduledUntil : m.scheduledFor))];
    return {
      id: publicId('component', c.name),
      name: c.name,
      description: c.description ?? null,
      position: position + 1,
      state: worst(states),
      // Untouched within the history shown: it has been in this state at least since that history starts.
      updatedAt: latest(touched) ?? new Date((Math.floor(now.getTime() / DAY) - (HISTORY_DAYS - 1)) * DAY),
      ...history(c.name, incidents, maintenances, now),
    };
  });
  const overall = worst(components.map((c) => c.state));
  const indicator: Indicator = overall === 'under_maintenance' ? 'maintenance' : impactOf(overall);
  const changedAt = [...incidents.map((i) => i.updatedAt), ...components.map((c) => c.updatedAt), ...maintenances.map((m) => m.createdAt)];
  return {
    id: publicId('page', policy.title),
    title: policy.title,
    now,
    updatedAt: latest(changedAt) ?? now,
    indicator,
    description: DESCRIPTIONS[indicator],
    components,
    open,
    incidents,
    maintenance: maintenances.filter((m) => m.status !== 'completed'),
    pastMaintenance: maintenances.filter((m) => m.status === 'completed').reverse(),
  };
}
