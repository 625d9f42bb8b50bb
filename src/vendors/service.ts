import { findVendor } from '../catalog/catalog.js';
import { DomainError, refuseInvalid } from '../incidents/errors.js';
import type { IncidentService } from '../incidents/service.js';
import type { TimelineEvent } from '../timeline/timeline.js';
import type { ServiceContext } from '../context.js';

export interface VendorEngagement {
  id: string;
  incidentId: string;
  vendor: string;
  ticketRef: string | null;
  contact: string | null;
  responseMinutes: number;
  engagedAt: Date;
  engagedBy: string;
  respondedAt: Date | null;
}

/** A vendor engagement as a person submits it: a catalog vendor, or another one by name. */
export interface EngageInput {
  incidentId: string;
  actorId: string;
  /** A vendor by name; wins over `catalogVendor`. */
  vendor?: string;
  /** The name of a vendor in the policy's catalog. */
  catalogVendor?: string;
  ticketRef?: string;
  contact?: string;
  responseMinutes: number;
}

/** Longest contractual response time accepted, in minutes (about two years). */
const MAX_RESPONSE_MINUTES = 999_999;

/** Vendor engagements: who was called, their ticket, and whether they answered within contract. */
export class VendorService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly incidents: IncidentService,
  ) {}

  async engage(input: EngageInput): Promise<{ event?: TimelineEvent }> {
    const vendor = input.vendor?.trim() || (input.catalogVendor ? findVendor(this.ctx.policy, input.catalogVendor)?.name : undefined) || '';
    const minutes = input.responseMinutes;
    refuseInvalid<keyof EngageInput>({
      vendor: vendor ? undefined : this.ctx.policy.vendors.length ? 'Choose a catalog vendor above, or name another one here.' : 'Name the vendor.',
      responseMinutes: Number.isInteger(minutes) && minutes >= 1 && minutes <= MAX_RESPONSE_MINUTES ? undefined : 'A whole number of minutes, such as 60.',
    });
    return this.incidents.applyChange(input.incidentId, async (trx, incident, t) => {
      if (incident.resolvedAt) throw new DomainError('invalid_state', 'This incident is resolved.');
      await trx
        .insertInto('vendor_engagements')
        .values({ incident_id: incident.id, vendor, ticket_ref: input.ticketRef?.trim() || null, contact: input.contact?.trim() || null, response_minutes: input.responseMinutes, engaged_at: t.now, engaged_by: input.actorId, responded_at: null, responded_by: null })
        .execute();
      const event = await t.append({ actorId: input.actorId, kind: 'vendor_engaged', payload: { vendor, ticket_ref: input.ticketRef?.trim() ?? '', contact: input.contact?.trim() ?? '', response_minutes: input.responseMinutes } });
      return { event };
    });
  }

  /** Marks the vendor (or the only one still awaited) as having responded. */
  async responded(input: { incidentId: string; actorId: string; vendor?: string }): Promise<{ event?: TimelineEvent; vendor: string }> {
    return this.incidents.applyChange(input.incidentId, async (trx, incident, t) => {
      const waiting = await trx.selectFrom('vendor_engagements').selectAll().where('incident_id', '=', incident.id).where('responded_at', 'is', null).orderBy('engaged_at').execute();
      const name = input.vendor?.trim().toLowerCase();
      const matches = name ? waiting.filter((w) => w.vendor.toLowerCase() === name) : waiting;
      if (!matches.length) throw new DomainError('invalid_state', name ? `No vendor called "${input.vendor}" is awaited.` : 'No vendor is awaiting a response. `/incident vendor` engages one.');
      if (matches.length > 1 && !name) throw new DomainError('invalid_input', `Several vendors are awaited (${matches.map((m) => m.vendor).join(', ')}): \`/incident vendor responded <vendor>\`.`, 'vendor');
      const e = matches[0];
      await trx.updateTable('vendor_engagements').set({ responded_at: t.now, responded_by: input.actorId }).where('id', '=', e.id).execute();
      const minutes = Math.round((t.now.getTime() - e.engaged_at.getTime()) / 60_000);
      const event = await t.append({ actorId: input.actorId, kind: 'vendor_responded', payload: { vendor: e.vendor, after_minutes: minutes, within_contract: minutes <= e.response_minutes } });
      return { event, vendor: e.vendor };
    });
  }

  async list(incidentId: string): Promise<VendorEngagement[]> {
    const rows = await this.ctx.db.selectFrom('vendor_engagements').selectAll().where('incident_id', '=', incidentId).orderBy('engaged_at').execute();
    return rows.map((r) => ({ id: r.id, incidentId: r.incident_id, vendor: r.vendor, ticketRef: r.ticket_ref, contact: r.contact, responseMinutes: r.response_minutes, engagedAt: r.engaged_at, engagedBy: r.engaged_by, respondedAt: r.responded_at }));
  }
}
