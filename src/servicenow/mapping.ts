/**
 * Pure mapping between Incident Officer and a ServiceNow `incident` record: priority ↔ impact/urgency
 * (so the stock Priority Lookup gives our number), our lifecycle ↔ `state`, who owns each synced field
 * and how a conflict is decided, and what of a security incident may leave the bot.
 */
import { IMPACTS, URGENCIES } from '../policy/schema.js';

/** ServiceNow's 1 High, 2 Medium, 3 Low. */
export type SnLevel = 1 | 2 | 3;
export interface ImpactUrgency { impact: SnLevel; urgency: SnLevel }

/** The stock Priority Lookup Rules of the incident table: impact (row) × urgency (column) → 1–5. */
export function stockPriority({ impact, urgency }: ImpactUrgency): number {
  return impact + urgency - 1;
}

const LEVELS: SnLevel[] = [1, 2, 3];

/** What our priorities map to by default: P1 → 1 … P4 → 4 through the stock lookup. */
export const DEFAULT_PRIORITY_MAP: Readonly<Record<string, ImpactUrgency>> = {
  P1: { impact: 1, urgency: 1 },
  P2: { impact: 1, urgency: 2 },
  P3: { impact: 2, urgency: 2 },
  P4: { impact: 2, urgency: 3 },
};

export interface PriorityMappingOptions {
  /** Per priority id, the impact and urgency to send instead (an instance with its own lookup rules). */
  override?: Readonly<Record<string, ImpactUrgency>>;
  /** Our triage's impact and urgency: among the pairs giving the same number, the one leaning the same way. */
  triage?: { impact?: string; urgency?: string };
}

/**
 * Impact and urgency for our priority, or null for a priority with no ServiceNow equivalent (then the
 * record keeps what it has). An override wins; otherwise the pair is chosen so that the stock lookup
 * gives the priority's number, leaning towards impact or urgency as our triage did (P2 with an
 * extensive impact but high urgency → impact 1, urgency 2; the other way round → 2, 1).
 */
export function impactUrgencyFor(priority: string | null, opts: PriorityMappingOptions = {}): ImpactUrgency | null {
  if (priority === null) return null;
  const override = opts.override?.[priority];
  if (override) return override;
  const fallback = DEFAULT_PRIORITY_MAP[priority];
  if (!fallback) return null;
  const lean = triageLean(opts.triage);
  if (lean === 0) return fallback;
  const target = stockPriority(fallback);
  const candidates = LEVELS.flatMap((impact) => LEVELS.map((urgency) => ({ impact, urgency }))).filter((c) => stockPriority(c) === target && Math.sign(c.impact - c.urgency) === lean);
  candidates.sort((a, b) => Math.abs(a.impact - a.urgency) - Math.abs(b.impact - b.urgency));
  return candidates[0] ?? fallback;
}

/** -1 when our impact was the more severe of the two, 1 when the urgency was, 0 when balanced or unknown. */
function triageLean(triage: PriorityMappingOptions['triage']): -1 | 0 | 1 {
  const i = IMPACTS.indexOf(triage?.impact as (typeof IMPACTS)[number]);
  const u = URGENCIES.indexOf(triage?.urgency as (typeof URGENCIES)[number]);
  if (i < 0 || u < 0 || i === u) return 0;
  return i < u ? -1 : 1;
}

// ---- lifecycle ↔ state ----

/** Incident states of a stock instance. */
export const SN_STATE = { new: '1', inProgress: '2', onHold: '3', resolved: '6', closed: '7', canceled: '8' } as const;

/** Close codes of a stock instance (Utah and later). */
export const DEFAULT_CLOSE_CODE = 'Solution provided';

export type LifecycleChange =
  | { kind: 'declared' }
  | { kind: 'triaged' }
  | { kind: 'resolved'; summary: string }
  | { kind: 'reopened'; reason: string }
  | { kind: 'closed'; summary?: string }
  | { kind: 'classified'; reason: string };

export interface StateMappingOptions {
  /** close_code for a resolution; DEFAULT_CLOSE_CODE by default. */
  closeCode?: string;
  /** close_code for an incident classified as a security event, not an incident. */
  classifiedCloseCode?: string;
}

/**
 * The fields that carry our lifecycle change to the record. Resolving (and closing, which a record
 * never resolved in ServiceNow also needs) always carries close_code and close_notes: a stock instance
 * refuses state 6 or 7 without them.
 */
export function stateFieldsFor(change: LifecycleChange, opts: StateMappingOptions = {}): Record<string, string> {
  const closeCode = opts.closeCode ?? DEFAULT_CLOSE_CODE;
  const notes = (text: string | undefined, fallback: string) => (text && text.trim() !== '' ? text.trim() : fallback);
  switch (change.kind) {
    case 'declared':
      return { state: SN_STATE.new };
    case 'triaged':
      return { state: SN_STATE.inProgress };
    case 'resolved':
      return { state: SN_STATE.resolved, close_code: closeCode, close_notes: notes(change.summary, 'Resolved in Incident Officer.') };
    case 'reopened':
      return { state: SN_STATE.inProgress, work_notes: `Reopened in Incident Officer: ${notes(change.reason, 'no reason given')}` };
    case 'closed':
      return { state: SN_STATE.closed, close_code: closeCode, close_notes: notes(change.summary, 'Closed in Incident Officer.') };
    case 'classified':
      return { state: SN_STATE.closed, close_code: opts.classifiedCloseCode ?? 'No resolution provided', close_notes: `Classified as a security event, not an incident: ${notes(change.reason, 'no reason given')}` };
  }
}

/** What a state set in ServiceNow means for our incident. */
export type InboundLifecycle = { kind: 'resolve'; notes: string; canceled: boolean } | { kind: 'close'; notes: string } | { kind: 'reopen' } | null;

/**
 * Our lifecycle change for a state someone set in ServiceNow, given where our incident is; null when
 * the two already agree (or the state has no lifecycle meaning for us, such as On Hold on an open one).
 */
export function lifecycleForState(state: string, closeNotes: string, ours: { resolved: boolean; closed: boolean }): InboundLifecycle {
  const notes = closeNotes.trim() || 'Resolved in ServiceNow.';
  switch (state) {
    case SN_STATE.resolved:
      if (ours.closed) return { kind: 'reopen' };
      return ours.resolved ? null : { kind: 'resolve', notes, canceled: false };
    case SN_STATE.closed:
      if (ours.closed) return null;
      return ours.resolved ? { kind: 'close', notes } : { kind: 'resolve', notes, canceled: false };
    case SN_STATE.canceled:
      return ours.resolved || ours.closed ? null : { kind: 'resolve', notes: closeNotes.trim() || 'Canceled in ServiceNow.', canceled: true };
    case SN_STATE.new:
    case SN_STATE.inProgress:
    case SN_STATE.onHold:
      return ours.resolved || ours.closed ? { kind: 'reopen' } : null;
    default:
      return null;
  }
}

// ---- field ownership (decided in outbound.ts and inbound.ts) ----

export { DEFAULT_FIELD_OWNERS, SYNCED_FIELDS, type FieldOwner, type SyncedField } from './fields.js';

// ---- security incidents ----

/** What of a private (security) incident may be copied to ServiceNow. */
export interface SecurityDisclosure { title: boolean; description: boolean; notes: boolean }

/** By default a security incident's record carries its title only: no description, no notes or updates. */
export const DEFAULT_SECURITY_DISCLOSURE: Readonly<SecurityDisclosure> = { title: true, description: false, notes: false };

export type OutboundText = 'title' | 'description' | 'note';

/**
 * The text to send for one part of an incident, or null to send nothing. A private incident's title
 * and description, when withheld, are replaced by a pointer to the incident (a record needs a short
 * description); its notes, updates and comments are not sent at all.
 */
export function outboundText(incident: { private: boolean; ref: string }, part: OutboundText, text: string, disclosure: SecurityDisclosure = DEFAULT_SECURITY_DISCLOSURE): string | null {
  if (!incident.private) return text;
  switch (part) {
    case 'title':
      return disclosure.title ? text : `Security incident ${incident.ref}`;
    case 'description':
      return disclosure.description ? text : `Details of security incident ${incident.ref} are kept in Incident Officer.`;
    case 'note':
      return disclosure.notes ? text : null;
  }
}

/** The `correlation_display` of every record the connector creates. */
export const CORRELATION_DISPLAY = 'Incident Officer';
/** ServiceNow's short_description is 160 characters. */
const SHORT_DESCRIPTION_MAX = 160;

/** A short_description cut to the field's length. */
export function fitShortDescription(text: string): string {
  return text.length <= SHORT_DESCRIPTION_MAX ? text : `${text.slice(0, SHORT_DESCRIPTION_MAX - 1)}…`;
}
