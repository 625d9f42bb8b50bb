import type { Policy } from '../policy/schema.js';
import { DomainError } from '../incidents/errors.js';
import type { Incident } from '../incidents/incident.js';
import { updateIncident } from '../incidents/repository.js';
import type { IncidentService } from '../incidents/service.js';
import type { KnownTimelineEvent, TimelineEvent } from '../timeline/timeline.js';
import { priorityFor, type Impact, type Urgency } from './priority.js';

export interface TriageInput {
  incidentId: string;
  actorId: string;
  category: string;
  impact: Impact;
  urgency: Urgency;
  severity: string;
  services: string[];
  businessImpact: string;
  /** 'security_event': recorded and closed as "event, no incident" with `reason`. */
  classification: 'incident' | 'security_event';
  reason?: string;
}

/** Triage: impact × urgency → priority, category, services, security classification. */
export class TriageService {
  constructor(
    private readonly incidents: IncidentService,
    private readonly policy: Policy,
  ) {}

  async triage(input: TriageInput): Promise<{ incident: Incident; event?: TimelineEvent; priority: string }> {
    if (!this.policy.categories.includes(input.category)) throw new DomainError('invalid_input', `Unknown category ${input.category}.`);
    if (!this.policy.severities.some((s) => s.id === input.severity)) throw new DomainError('invalid_input', `Unknown severity ${input.severity}.`);
    const priority = priorityFor(this.policy, input.impact, input.urgency);
    const reason = input.reason?.trim() ?? '';
    if (input.classification === 'security_event' && !reason) throw new DomainError('invalid_input', 'Say why this is a security event and not an incident.');

    const result = await this.incidents.applyChange(input.incidentId, async (trx, current, t) => {
      if (current.closedAt) throw new DomainError('invalid_state', 'This incident is closed.');
      const firstTriage = current.acknowledgedAt === null;
      const services = input.services.map((s) => s.trim()).filter(Boolean);
      let incident = await updateIncident(trx, current.id, {
        priority,
        category: input.category,
        impact: input.impact,
        urgency: input.urgency,
        severity: input.severity,
        services,
        business_impact: input.businessImpact.trim() || null,
        acknowledged_at: current.acknowledgedAt ?? t.now,
      });
      if (current.priority !== priority) {
        await t.append({ actorId: input.actorId, kind: 'priority_changed', payload: { from: current.priority, to: priority } });
      }
      if (current.severity !== input.severity) {
        await t.append({ actorId: input.actorId, kind: 'severity_changed', payload: { from: current.severity, to: input.severity } });
      }
      let event: KnownTimelineEvent | undefined = await t.append({
        actorId: input.actorId,
        kind: 'triaged',
        payload: { priority, impact: input.impact, urgency: input.urgency, category: input.category, services, business_impact: input.businessImpact.trim(), first: firstTriage },
      });
      if (current.priority !== priority) await this.incidents.runHooks('priorityChanged', trx, incident, current.priority, priority);
      if (input.classification === 'incident') await this.incidents.runHooks('triaged', trx, incident, current, input.actorId);
      if (input.classification === 'security_event') {
        incident = await updateIncident(trx, current.id, {
          classification: 'security_event',
          classification_reason: reason,
          status: 'resolved',
          resolution_summary: `Security event, no incident: ${reason}`,
          resolved_at: current.resolvedAt ?? t.now,
          mitigated_at: current.mitigatedAt ?? t.now,
          closed_at: t.now,
          next_update_at: null,
        });
        event = await t.append({ actorId: input.actorId, kind: 'classified', payload: { classification: 'security_event', reason } });
      }
      return { incident, event, priority };
    });
    return result;
  }
}
