import type { Selectable } from 'kysely';
import type { ChangeStatus, ChangesTable } from '../db/schema.js';
import { CHANGE_IMPACTS, CHANGE_LIKELIHOODS, RISKS, type ChangeImpact, type ChangeLikelihood, type Risk } from '../policy/preparedness.js';
import type { Policy } from '../policy/schema.js';

export { CHANGE_IMPACTS, CHANGE_LIKELIHOODS, RISKS, type ChangeImpact, type ChangeLikelihood, type ChangeStatus, type Risk };

/** A change record as the rest of the code sees it. */
export interface Change {
  id: string;
  title: string;
  description: string;
  services: string[];
  startsAt: Date;
  endsAt: Date;
  impact: ChangeImpact | null;
  likelihood: ChangeLikelihood | null;
  risk: Risk | null;
  rollbackPlan: string;
  implementerId: string | null;
  implementerName: string | null;
  requestedBy: string;
  source: 'slack' | 'webhook';
  externalId: string | null;
  url: string | null;
  status: ChangeStatus;
  cabChannelId: string | null;
  cabTs: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionNote: string | null;
  createdAt: Date;
}

export function toChange(r: Selectable<ChangesTable>): Change {
  return {
    id: r.id,
    title: r.title,
    description: r.description,
    services: r.services,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    impact: r.impact as ChangeImpact | null,
    likelihood: r.likelihood as ChangeLikelihood | null,
    risk: r.risk as Risk | null,
    rollbackPlan: r.rollback_plan,
    implementerId: r.implementer_id,
    implementerName: r.implementer_name,
    requestedBy: r.requested_by,
    source: r.source,
    externalId: r.external_id,
    url: r.url,
    status: r.status,
    cabChannelId: r.cab_channel_id,
    cabTs: r.cab_ts,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    decisionNote: r.decision_note,
    createdAt: r.created_at,
  };
}

/** `CHG-12`. */
export function changeRef(change: Pick<Change, 'id'>): string {
  return `CHG-${change.id}`;
}

/** Reads `CHG-12`, `chg12` or `12`; undefined for anything else. */
export function parseChangeRef(text: string): string | undefined {
  const m = /^(?:chg-?)?(\d{1,15})$/i.exec(text.trim());
  return m ? String(Number(m[1])) : undefined;
}

export const isChangeImpact = (v: unknown): v is ChangeImpact => (CHANGE_IMPACTS as readonly unknown[]).includes(v);
export const isChangeLikelihood = (v: unknown): v is ChangeLikelihood => (CHANGE_LIKELIHOODS as readonly unknown[]).includes(v);

/** Risk from the policy's impact × likelihood matrix. */
export function riskFor(policy: Policy, impact: ChangeImpact, likelihood: ChangeLikelihood): Risk {
  return policy.changes.matrix[impact][likelihood];
}

/** True when a change of this risk needs a CAB decision: at or above the threshold, with approvers configured. */
export function needsCab(policy: Policy, risk: Risk | null): boolean {
  if (!risk || !policy.changes.approvers.length) return false;
  return RISKS.indexOf(risk) >= RISKS.indexOf(policy.changes.cab_threshold);
}
