import type { ComponentView, PageModel, PublicIncident, PublicMaintenanceView } from './page.js';
import { publicId } from './page.js';

/*
 * The page in Atlassian Statuspage's public JSON shape (`/api/v2/summary.json`, `status.json`,
 * `incidents.json`, `scheduled-maintenances.json`), so widgets and monitors made for Statuspage read it.
 */

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** `url`: where the page is read (absolute when known, else relative). */
function page(m: PageModel, url: string) {
  return { id: m.id, name: m.title, url, time_zone: 'Etc/UTC', updated_at: iso(m.updatedAt) };
}

function component(m: PageModel, c: ComponentView) {
  const updated = c.updatedAt.getTime() ? c.updatedAt : m.updatedAt;
  return {
    id: c.id,
    name: c.name,
    status: c.state,
    created_at: iso(m.updatedAt < updated ? m.updatedAt : updated),
    updated_at: iso(updated),
    position: c.position,
    description: c.description,
    showcase: true,
    start_date: null,
    group_id: null,
    page_id: m.id,
    group: false,
    only_show_if_degraded: false,
  };
}

function affected(m: PageModel, names: string[]) {
  return m.components.filter((c) => names.includes(c.name)).map((c) => component(m, c));
}

function incident(m: PageModel, i: PublicIncident, url: string) {
  return {
    id: i.id,
    name: i.name,
    status: i.status,
    created_at: iso(i.createdAt),
    updated_at: iso(i.updatedAt),
    monitoring_at: iso(i.monitoringAt),
    resolved_at: iso(i.resolvedAt),
    impact: i.impact,
    shortlink: url,
    started_at: iso(i.startedAt),
    page_id: m.id,
    incident_updates: i.updates.map((u) => ({
      id: u.id,
      status: u.status,
      body: u.body,
      incident_id: i.id,
      created_at: iso(u.at),
      updated_at: iso(u.at),
      display_at: iso(u.at),
      affected_components: u.components.map((c) => ({ code: publicId('component', c.name), name: c.name, old_status: null, new_status: c.state })),
      deliver_notifications: true,
      custom_tweet: null,
      tweet_id: null,
    })),
    components: affected(m, i.components),
  };
}

function maintenance(m: PageModel, x: PublicMaintenanceView, url: string) {
  const update = { id: publicId('maintenance-update', `${x.changeId}:${x.status}`), status: x.status, body: x.body, incident_id: x.id, created_at: iso(x.createdAt), updated_at: iso(x.createdAt), display_at: iso(x.createdAt), affected_components: [], deliver_notifications: true, custom_tweet: null, tweet_id: null };
  return {
    id: x.id,
    name: x.name,
    status: x.status,
    created_at: iso(x.createdAt),
    updated_at: iso(x.createdAt),
    monitoring_at: null,
    resolved_at: x.status === 'completed' ? iso(x.scheduledUntil) : null,
    impact: 'maintenance',
    shortlink: url,
    started_at: iso(x.scheduledFor),
    page_id: m.id,
    incident_updates: [update],
    components: affected(m, x.components),
    scheduled_for: iso(x.scheduledFor),
    scheduled_until: iso(x.scheduledUntil),
  };
}

const status = (m: PageModel) => ({ indicator: m.indicator, description: m.description });

export function summaryJson(m: PageModel, url: string) {
  return {
    page: page(m, url),
    components: m.components.map((c) => component(m, c)),
    incidents: m.open.map((i) => incident(m, i, url)),
    scheduled_maintenances: m.maintenance.map((x) => maintenance(m, x, url)),
    status: status(m),
  };
}

export function statusJson(m: PageModel, url: string) {
  return { page: page(m, url), status: status(m) };
}

/** The 50 most recent incidents, resolved ones included. */
export function incidentsJson(m: PageModel, url: string) {
  return { page: page(m, url), incidents: m.incidents.slice(0, 50).map((i) => incident(m, i, url)) };
}

export function maintenancesJson(m: PageModel, url: string) {
  return { page: page(m, url), scheduled_maintenances: [...m.maintenance, ...m.pastMaintenance].slice(0, 50).map((x) => maintenance(m, x, url)) };
}
