import type { FollowUpAction } from '../../src/actions/action.js';
import type { AddActionInput } from '../../src/actions/service.js';
import type { Incident } from '../../src/incidents/incident.js';
import type { DeclareInput } from '../../src/incidents/service.js';
import type { ProblemFields, Problem } from '../../src/problems/problem.js';
import { ProfileCache, type Profile } from '../../src/reminders/profiles.js';
import type { Review, ReviewContent, ReviewState } from '../../src/reviews/review.js';
import type { SignalGroup } from '../../src/signals/signal.js';
import type { AlertBatch } from '../../src/signals/sources.js';
import type { TriageInput } from '../../src/triage/service.js';
import type { SignalSeverity } from '../../src/policy/signals-schema.js';
import type { Domain } from './domain.js';
import { COMMANDER, REPORTER } from './fixtures.js';

/**
 * One-line builders of valid state, written through the services (so hooks, timeline rows and
 * outbox tasks are what the app itself would store). Every field can be overridden.
 */

let sequence = 0;
const next = () => ++sequence;

export { COMMANDER, REPORTER };

/** A declared incident (SEV3, commander and reporter set, no channel yet). */
export async function buildIncident(d: Domain, fields: Partial<DeclareInput> = {}): Promise<Incident> {
  const { incident } = await d.incidents.declare({
    teamId: 'T1',
    title: `Checkout errors ${next()}`,
    description: 'Customers see errors at checkout.',
    severity: 'SEV3',
    kind: 'service',
    services: [],
    commanderId: COMMANDER,
    reporterId: REPORTER,
    ...fields,
  });
  return incident;
}

export type TriageFields = Omit<TriageInput, 'incidentId'>;

/** A triaged incident (by default significant impact × high urgency, the first category of the policy). */
export async function buildTriagedIncident(d: Domain, fields: Partial<DeclareInput> & { triage?: Partial<TriageFields> } = {}): Promise<Incident> {
  const { triage, ...declare } = fields;
  const incident = await buildIncident(d, declare);
  const { incident: triaged } = await d.triage.triage({
    incidentId: incident.id,
    actorId: incident.commanderId ?? incident.reporterId,
    category: d.policy.categories[0],
    impact: 'significant',
    urgency: 'high',
    severity: incident.severity,
    services: incident.services,
    businessImpact: '',
    classification: 'incident',
    ...triage,
  });
  return triaged;
}

/** A resolved incident (SEV3 unless overridden, so no review is required). */
export async function buildResolvedIncident(d: Domain, fields: Partial<DeclareInput> & { summary?: string } = {}): Promise<Incident> {
  const { summary, ...declare } = fields;
  const incident = await buildIncident(d, declare);
  const { incident: resolved } = await d.incidents.resolve({ incidentId: incident.id, actorId: incident.commanderId ?? incident.reporterId, summary: summary ?? 'Rolled back the release.' });
  return resolved;
}

/** Review content that passes the form's checks and the submission's. */
export function reviewContent(fields: Partial<ReviewContent> = {}): ReviewContent {
  return {
    summary: 'Checkout failed for 20 minutes after a release.',
    customerImpact: 'About 3% of orders failed.',
    rootCause: 'A configuration change removed the payment timeout.',
    rootCauseConfirmed: false,
    contributingFactors: '',
    fiveWhys: '',
    wentWell: '',
    wentBadly: '',
    lessons: '',
    ownerId: COMMANDER,
    meetingDate: null,
    ...fields,
  };
}

/**
 * The review of a resolved SEV2 incident (a priority that needs one), in `state`: `draft` as the
 * resolution created it; `in_review` and `published` written and moved on by the commander.
 */
export async function buildReview(d: Domain, fields: { incident?: Partial<DeclareInput>; state?: ReviewState; content?: Partial<ReviewContent> } = {}): Promise<Review> {
  const incident = await buildResolvedIncident(d, { severity: 'SEV2', ...fields.incident });
  const actorId = incident.commanderId ?? incident.reporterId;
  const state = fields.state ?? 'draft';
  if (fields.content || state !== 'draft') await d.reviews.save({ incidentId: incident.id, actorId, content: reviewContent({ ownerId: actorId, ...fields.content }) });
  if (state !== 'draft') await d.reviews.transition({ incidentId: incident.id, actorId, to: 'in_review' });
  if (state === 'published') await d.reviews.transition({ incidentId: incident.id, actorId, to: 'published' });
  return (await d.reviews.find(incident.id))!;
}

/** A follow-up action (of a new incident unless `incidentId` is given), owned by someone else than who added it. */
export async function buildAction(d: Domain, fields: Partial<AddActionInput> = {}): Promise<FollowUpAction> {
  const incidentId = fields.incidentId ?? (await buildResolvedIncident(d)).id;
  const { action } = await d.actions.add({ incidentId, actorId: COMMANDER, title: `Add an alert on checkout errors ${next()}`, ownerId: 'UOWNER', ...fields });
  return action;
}

/** A problem record opened from a resolved incident. */
export async function buildProblem(d: Domain, fields: Partial<ProblemFields> & { incidentId?: string } = {}): Promise<Problem> {
  const incidentId = fields.incidentId ?? (await buildResolvedIncident(d)).id;
  const { problem } = await d.problems.create({ incidentId, actorId: COMMANDER, title: `Payment timeouts ${next()}`, description: '', knownError: '', workaround: '', ownerId: COMMANDER, ...fields });
  return problem;
}

export interface SignalGroupFields {
  source: string;
  groupKey: string;
  title: string;
  severity: SignalSeverity;
  status: 'firing' | 'resolved';
  /** How many distinct alerts the group holds (fingerprints `<groupKey>/<n>`). */
  alerts: number;
  service: string | null;
  labels: Record<string, string>;
  link: string | null;
}

/** The alert batch a monitoring tool would deliver for a group. */
export function alertBatch(fields: Partial<SignalGroupFields> = {}): AlertBatch {
  const f = { groupKey: `group-${next()}`, title: 'High error rate on checkout', severity: 'warning' as const, status: 'firing' as const, alerts: 1, service: null, labels: {}, link: null, ...fields };
  return {
    groupKey: f.groupKey,
    title: f.title,
    description: '',
    labels: f.labels,
    link: f.link,
    alerts: Array.from({ length: f.alerts }, (_, i) => ({
      dedupKey: `${f.groupKey}/${i + 1}`,
      groupKey: f.groupKey,
      status: f.status,
      title: f.title,
      description: '',
      severity: f.severity,
      service: f.service,
      labels: f.labels,
      link: f.link,
    })),
  };
}

/** A signal group as one delivery from `source` (alertmanager by default) makes it. */
export async function buildSignalGroup(d: Domain, fields: Partial<SignalGroupFields> = {}): Promise<SignalGroup> {
  const source = fields.source ?? 'alertmanager';
  const batch = alertBatch(fields);
  await d.signals.ingest(source, [batch]);
  const row = await d.db.selectFrom('signal_groups').select('id').where('source', '=', source).where('group_key', '=', batch.groupKey).executeTakeFirstOrThrow();
  return (await d.signals.findGroup(row.id))!;
}

/** A cached Slack profile (what reminders read timezones from). */
export async function buildSlackUser(d: Domain, fields: Partial<Profile> & Pick<Profile, 'userId'>): Promise<Profile> {
  const profile: Profile = { name: fields.userId.toLowerCase(), realName: '', tz: 'UTC', tzOffset: 0, deleted: false, ...fields };
  await new ProfileCache(d.db, d.clock, { fetch: async () => [] }, 24).save([profile]);
  return profile;
}
