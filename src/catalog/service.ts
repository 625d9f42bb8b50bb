import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { EscalationTask } from '../escalation/service.js';
import { toIncident, type Incident } from '../incidents/incident.js';
import type { IncidentHooks } from '../incidents/service.js';
import { enqueueTask } from '../outbox/tasks.js';
import { appendTimeline, timelinePayloads } from '../timeline/timeline.js';
import { effectivePriority } from '../triage/priority.js';
import { ownersToPage } from './catalog.js';
import type { ServiceContext } from '../context.js';

/** Incidents not yet resolved that name any of `services` (case-insensitive), newest first. */
export async function openIncidentsOn(db: Kysely<Database>, services: string[], opts: { teamId?: string; includeDrills?: boolean; limit?: number } = {}): Promise<Incident[]> {
  if (!services.length) return [];
  const lowered = services.map((s) => s.toLowerCase());
  let q = db
    .selectFrom('incidents')
    .selectAll()
    .where('resolved_at', 'is', null)
    .where('closed_at', 'is', null)
    .where(sql<boolean>`exists (select 1 from unnest(services) s where lower(s) = any(${lowered}::text[]))`);
  if (opts.teamId) q = q.where('team_id', '=', opts.teamId);
  if (!opts.includeDrills) q = q.where('is_drill', '=', false);
  const rows = await q.orderBy('declared_at', 'desc').limit(opts.limit ?? 50).execute();
  return rows.map(toIncident);
}

/**
 * The service catalog at work: the owner teams of an incident's services are invited and paged
 * (through the escalation paging effect) when its priority is one the policy names, once per team.
 */
export class CatalogService {
  constructor(private readonly ctx: ServiceContext) {}

  /** Open incidents on services (drills included, marked by the caller), newest first, at most `limit`. */
  openIncidents(teamId: string, services: string[], limit = 50): Promise<Incident[]> {
    return openIncidentsOn(this.ctx.db, services, { teamId, includeDrills: true, limit });
  }

  hooks(): IncidentHooks {
    return {
      declared: (trx, incident) => this.pageOwners(trx, incident, incident.reporterId),
      triaged: (trx, incident, _before, actorId) => this.pageOwners(trx, incident, actorId),
      // Triage and escalation record the change before this hook runs: its author is the actor.
      priorityChanged: async (trx, incident) => {
        const change = await trx.selectFrom('timeline_events').select('actor_id').where('incident_id', '=', incident.id).where('kind', '=', 'priority_changed').orderBy('id', 'desc').limit(1).executeTakeFirst();
        await this.pageOwners(trx, incident, change?.actor_id ?? null);
      },
    };
  }

  /** Pages the owner teams due at the incident's priority that were not paged for it yet. */
  private async pageOwners(trx: Kysely<Database>, incident: Incident, actorId: string | null): Promise<void> {
    if (incident.resolvedAt || incident.closedAt) return;
    const due = ownersToPage(this.ctx.policy, incident);
    if (!due.length) return;
    const paged = new Set((await timelinePayloads(trx, incident.id, 'owners_paged')).flatMap((p) => p.usergroups));
    const fresh = due.filter((d) => !paged.has(d.usergroup));
    if (!fresh.length) return;
    const services = fresh.flatMap((d) => d.services);
    const event = await appendTimeline(trx, {
      incidentId: incident.id,
      actorId,
      kind: 'owners_paged',
      payload: { to: effectivePriority(this.ctx.policy, incident), usergroups: fresh.map((d) => d.usergroup), services, note: `Your team owns ${services.join(', ')}.` },
      at: this.ctx.clock.now(),
    });
    await enqueueTask(trx, { kind: EscalationTask.page, incidentId: incident.id, payload: { eventId: event!.id, usergroups: fresh.map((d) => d.usergroup) } });
  }
}
