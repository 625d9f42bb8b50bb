import { actionRef, type FollowUpAction } from '../../actions/action.js';
import { incidentRef, type Incident } from '../../incidents/incident.js';
import type { Policy } from '../../policy/schema.js';
import type { Problem } from '../../problems/problem.js';
import { problemRef } from '../../problems/problem.js';
import { effectivePriority } from '../../reviews/requirement.js';
import { REVIEW_STATE_LABEL, type Review } from '../../reviews/review.js';
import { TIME_KEYS, TIME_LABELS, type KeyTime, type TimeKey } from '../../timestamps/keys.js';
import { storedKind, type TimelineEvent, type TimelineKind } from '../../timeline/timeline.js';
import { day } from './actions.js';
import { duration } from './format.js';
import { describeEvent } from './timeline.js';
import { fieldsOfType, isEmpty, labelOfKey, valueText } from '../../incidents/fields.js';

/** Everything the review document is built from. */
export interface ReviewDocumentInput {
  incident: Incident;
  review: Review;
  events: TimelineEvent[];
  actions: FollowUpAction[];
  problems: Problem[];
  /** Display names by Slack user id. */
  names: Map<string, string>;
  version: number;
  generatedAt: Date;
  /** The timeline's hash-chain head when generated, so a reader can verify the record later. */
  chainHead?: { seq: number; hash: string };
  /** Key timestamps as they count (corrections applied); the clocks are measured from these. */
  times: KeyTime[];
}

/** Timeline rows that describe the document itself are left out of it. */
const NOT_IN_DOCUMENT = new Set<string>(['review_document', 'review_saved', 'channel_created'] satisfies TimelineKind[]);

function utc(d: Date): string {
  return `${d.toISOString().replace('T', ' ').slice(0, 16)} UTC`;
}

/** Turns one of our mrkdwn lines into plain text: names for mentions, fallbacks for dates, no escapes. */
export function plainText(mrkdwn: string, names: Map<string, string>): string {
  return mrkdwn
    .replace(/<@([UW][A-Z0-9]+)>/g, (_m, id: string) => `@${names.get(id) ?? id}`)
    .replace(/<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>/g, (_m, id: string, name?: string) => `#${name ?? id}`)
    .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** A value for a Markdown table cell: one line, pipes escaped. */
function cell(text: string): string {
  return text.replace(/\r?\n+/g, ' ').replace(/\|/g, '\\|').trim() || '—';
}

function at(times: KeyTime[], key: TimeKey): Date | null {
  return times.find((t) => t.key === key)?.effective ?? null;
}

/** A key time as it counts; a corrected one names what was recorded. */
function keyTime(times: KeyTime[], key: TimeKey): string {
  const t = times.find((x) => x.key === key);
  if (!t?.effective) return '—';
  return t.corrected ? `${utc(t.effective)} (corrected; recorded ${t.recorded ? utc(t.recorded) : 'not set'})` : utc(t.effective);
}

function between(from: Date | null, to: Date | null): string {
  return from && to ? duration(to.getTime() - from.getTime()) : '—';
}

function body(text: string, empty = '_Not written yet._'): string {
  return text.trim() || empty;
}

/** The incident's custom field values (its type's fields, then any it no longer has), people by name. */
function reviewFieldFacts(policy: Policy, i: Incident, name: (id: string | null) => string): [string, string][] {
  const own = fieldsOfType(policy, i.type);
  const keys = [...own.map((f) => f.key), ...Object.keys(i.fields).filter((k) => !own.some((f) => f.key === k))];
  return keys.map((k) => {
    const v = i.fields[k];
    const field = policy.custom_fields.find((f) => f.key === k);
    return [labelOfKey(policy, k), isEmpty(v) ? '—' : field?.type === 'user' && typeof v === 'string' ? name(v) : valueText(v)];
  });
}

/**
 * The post-incident review as a Markdown document, built only from what is stored: the incident's
 * facts and clocks, the review's analysis, the whole timeline, the follow-up actions and problems.
 */
export function reviewDocument(policy: Policy, d: ReviewDocumentInput): string {
  const { incident: i, review: r } = d;
  const ref = incidentRef(policy.number_prefix, i);
  const name = (id: string | null) => (id ? `@${d.names.get(id) ?? id}` : '—');
  const priority = effectivePriority(policy, i);
  const published = r.publishedAt ? ` on ${utc(r.publishedAt)} by ${name(r.publishedBy)}` : '';
  const facts: [string, string][] = [
    ['Incident', `${ref}: ${i.title}`],
    ['Priority', `${i.priority ?? `${priority ?? '—'} (from severity)`} · severity ${i.severity}`],
    ['Kind', i.kind === 'security' ? 'security (restricted)' : 'service'],
    ['Services', i.services.join(', ') || '—'],
    ...(i.type ? [['Type', i.type] as [string, string]] : []),
    ...reviewFieldFacts(policy, i, name),
    ['Commander', name(i.commanderId)],
    ['Reporter', name(i.reporterId)],
    ['Review owner', name(r.ownerId)],
    ['Review meeting', r.meetingDate ? day(r.meetingDate) + ` (${r.meetingDate})` : '—'],
    ...TIME_KEYS.map((k): [string, string] => [TIME_LABELS[k].charAt(0).toUpperCase() + TIME_LABELS[k].slice(1), keyTime(d.times, k)]),
    ['Duration', between(at(d.times, 'declared') ?? i.declaredAt, at(d.times, 'closed') ?? at(d.times, 'resolved'))],
    ['Time to detect', between(at(d.times, 'impact_started'), at(d.times, 'detected'))],
    ['Time to acknowledge', between(at(d.times, 'declared') ?? i.declaredAt, at(d.times, 'acknowledged'))],
    ['Time to mitigate', between(at(d.times, 'declared') ?? i.declaredAt, at(d.times, 'mitigated'))],
    ['Time to resolve', between(at(d.times, 'declared') ?? i.declaredAt, at(d.times, 'resolved'))],
  ];
  const events = d.events.filter((e) => !NOT_IN_DOCUMENT.has(storedKind(e)));
  const timeline = events.map((e) => `| ${utc(e.at)} | ${cell(e.actorId ? name(e.actorId) : 'Incident Officer')} | ${cell(plainText(describeEvent(e), d.names))} |`);
  const actions = d.actions.map((a) => `| ${actionRef(a)} | ${cell(a.title)} | ${cell(name(a.ownerId))} | ${a.dueDate} | ${a.priority} | ${a.status === 'done' ? `done${a.doneAt ? ` ${a.doneAt.toISOString().slice(0, 10)}` : ''}` : 'open'} | ${a.trackerUrl ? cell(a.trackerUrl) : '—'} |`);
  const lines = [
    `# ${ref} post-incident review: ${i.title}`,
    '',
    `> **${REVIEW_STATE_LABEL[r.state]}**${published} · version ${d.version} · generated ${utc(d.generatedAt)} from the incident record`,
    ...(d.chainHead ? ['>', `> Timeline chain head: entry #${d.chainHead.seq}, sha256 \`${d.chainHead.hash}\` (\`/incident timeline verify\`)`] : []),
    '',
    '## Facts',
    '',
    '| | |',
    '| --- | --- |',
    ...facts.map(([k, v]) => `| ${k} | ${cell(v)} |`),
    '',
    '## Summary',
    '',
    body(r.summary || i.resolutionSummary || ''),
    '',
    '## Customer and business impact',
    '',
    body(r.customerImpact || i.businessImpact || ''),
    '',
    '## Timeline',
    '',
    '| Time | Who | What |',
    '| --- | --- | --- |',
    ...timeline,
    '',
    '## Root cause',
    '',
    body(r.rootCause),
    '',
    r.rootCause.trim() ? (r.rootCauseConfirmed ? '_Root cause confirmed._' : '_Root cause not yet confirmed._') : '',
    '',
    '## Contributing factors',
    '',
    body(r.contributingFactors),
    '',
  ];
  if (r.fiveWhys.trim()) lines.push('## Five whys', '', r.fiveWhys.trim(), '');
  lines.push(
    '## What went well',
    '',
    body(r.wentWell),
    '',
    '## What went badly',
    '',
    body(r.wentBadly),
    '',
    '## Lessons learned',
    '',
    body(r.lessons),
    '',
    '## Follow-up actions',
    '',
  );
  if (actions.length) lines.push('| Action | What | Owner | Due | Priority | Status | Tracker |', '| --- | --- | --- | --- | --- | --- | --- |', ...actions);
  else lines.push('_None recorded._');
  if (d.problems.length) {
    lines.push('', '## Problem records', '');
    for (const p of d.problems) lines.push(`- ${problemRef(p)} (${p.status.replace('_', ' ')}): ${p.title}`);
  }
  lines.push('');
  return lines.join('\n');
}
