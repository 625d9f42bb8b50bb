import { z } from 'zod';

/*
 * How a Statuspage widget or monitor reads a page's public JSON (`/api/v2/*.json`): the fields they
 * use, each required with the type Atlassian's public API documents. A page that parses here works
 * with them.
 */

const iso = z.iso.datetime({ offset: true });
const componentStatus = z.enum(['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance']);

const page = z.object({ id: z.string().min(1), name: z.string().min(1), url: z.url(), time_zone: z.string(), updated_at: iso });
const component = z.object({
  id: z.string().min(1),
  name: z.string(),
  status: componentStatus,
  created_at: iso,
  updated_at: iso,
  position: z.number().int(),
  description: z.string().nullable(),
  showcase: z.boolean(),
  group_id: z.string().nullable(),
  page_id: z.string(),
  group: z.boolean(),
  only_show_if_degraded: z.boolean(),
});
const update = z.object({
  id: z.string().min(1),
  status: z.string(),
  body: z.string(),
  incident_id: z.string(),
  created_at: iso,
  updated_at: iso,
  display_at: iso,
  affected_components: z.array(z.object({ code: z.string(), name: z.string(), old_status: componentStatus.nullable(), new_status: componentStatus })).nullable(),
});
const incident = z.object({
  id: z.string().min(1),
  name: z.string(),
  status: z.enum(['investigating', 'identified', 'monitoring', 'resolved', 'postmortem']),
  created_at: iso,
  updated_at: iso,
  monitoring_at: iso.nullable(),
  resolved_at: iso.nullable(),
  impact: z.enum(['none', 'minor', 'major', 'critical']),
  shortlink: z.string(),
  started_at: iso,
  page_id: z.string(),
  incident_updates: z.array(update),
  components: z.array(component),
});
const maintenance = incident.extend({
  status: z.enum(['scheduled', 'in_progress', 'verifying', 'completed']),
  impact: z.enum(['none', 'minor', 'major', 'critical', 'maintenance']),
  scheduled_for: iso,
  scheduled_until: iso,
});
const status = z.object({ indicator: z.enum(['none', 'minor', 'major', 'critical', 'maintenance']), description: z.string().min(1) });

export const summarySchema = z.object({ page, components: z.array(component), incidents: z.array(incident), scheduled_maintenances: z.array(maintenance), status });
export const statusSchema = z.object({ page, status });
export const incidentsSchema = z.object({ page, incidents: z.array(incident) });
export const maintenancesSchema = z.object({ page, scheduled_maintenances: z.array(maintenance) });

/** Fetches a JSON document as a widget in a browser would (cross-origin), and parses it. */
export async function readWidgetJson<T extends z.ZodTypeAny>(url: string, schema: T): Promise<{ body: z.infer<T>; cors: string | null }> {
  const res = await fetch(url, { headers: { origin: 'https://www.example.com' } });
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
  return { body: schema.parse(await res.json()), cors: res.headers.get('access-control-allow-origin') };
}
