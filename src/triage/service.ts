import { DomainError, refuseInvalid } from '../incidents/errors.js';
import type { Incident } from '../incidents/incident.js';
import { updateIncident } from '../incidents/repository.js';
import { severityProblem, type IncidentService } from '../incidents/service.js';
import type { KnownTimelineEvent, TimelineEvent } from '../timeline/timeline.js';
import { isImpact, isUrgency, priorityFor } from './priority.js';
import type { ServiceContext } from '../context.js';

/** A triage as a person submits it; `triage` refuses what is missing or wrong, field by field. */
export interface TriageInput {
  incidentId: string;
  actorId: string;
  /** One of the policy's categories. */
  category?: string;
  /** One of IMPACTS. */
  impact?: string;
  /** One of URGENCIES. */
  urgency?: string;
  /** One of the policy's severities. */
  severity?: string;
  services: string[];
  businessImpact: string;
  /** 'security_event': recorded and closed as "event, no incident" with `reason`. */
  classification: 'incident' | 'security_event';
  reason?: string;
}

/** Triage: impact × urgency → priority, category, services, security classification. */
export class TriageService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly incidents: IncidentService,
  ) {}

  /**
   * `beforePriorityChange` runs when the triage would change a priority that is already set (the Slack
   * adapter checks the policy's permissions there); throwing refuses the triage.
   */
  async triage(
    input: TriageInput,
    opts: { beforePriorityChange?: (incident: Incident, to: string) => Promise<void> } = {},
  ): Promise<{ incident: Incident; event?: TimelineEvent; priority: string }> {
    const impact = isImpact(input.impact) ? input.impact : undefined;
    const urgency = isUrgency(input.urgency) ? input.urgency : undefined;
    const reason = input.reason?.trim() ?? '';
    refuseInvalid<keyof TriageInput>({
      category: !input.category ? 'Choose a category.' : this.ctx.policy.categories.includes(input.category) ? undefined : `Unknown category ${input.category}.`,
      impact: impact ? undefined : 'Choose the impact.',
      urgency: urgency ? undefined : 'Choose the urgency.',
      severity: severityProblem(this.ctx.policy, input.severity),
      reason: input.classification === 'security_event' && !reason ? 'Say why this is an event and not an incident.' : undefined,
    });
    // Each of these was refused above when missing.
    const [category, severity] = [input.category!, input.severity!];
    const priority = priorityFor(this.ctx.policy, impact!, urgency!);
    if (opts.beforePriorityChange) {
      const before = await this.incidents.findById(input.incidentId);
      if (before?.priority && before.priority !== priority) await opts.beforePriorityChange(before, priority);
    }

    const result = await this.incidents.applyChange(input.incidentId, async (trx, current, t) => {
      if (current.closedAt) throw new DomainError('invalid_state', 'This incident is closed.');
      const firstTriage = current.acknowledgedAt === null;
      const services = input.services.map((s) => s.trim()).filter(Boolean);
      let incident = await updateIncident(trx, current.id, {
        priority,
        category,
        impact: impact!,
        urgency: urgency!,
        severity,
        services,
        business_impact: input.businessImpact.trim() || null,
        acknowledged_at: current.acknowledgedAt ?? t.now,
      });
      if (current.priority !== priority) {
        await t.append({ actorId: input.actorId, kind: 'priority_changed', payload: { from: current.priority, to: priority } });
      }
      if (current.severity !== severity) {
        await t.append({ actorId: input.actorId, kind: 'severity_changed', payload: { from: current.severity, to: severity } });
      }
      let event: KnownTimelineEvent | undefined = await t.append({
        actorId: input.actorId,
        kind: 'triaged',
        payload: { priority, impact: impact!, urgency: urgency!, category, services, business_impact: input.businessImpact.trim(), first: firstTriage },
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
