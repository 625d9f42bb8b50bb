import type { KnownBlock } from '@slack/types';
import { incidentRef } from '../../incidents/incident.js';
import type { Policy } from '../../policy/schema.js';
import { TIME_LABELS } from '../../timestamps/keys.js';
import type { DurationStats, Stats, Trend } from '../../reports/metrics.js';
import type { Period } from '../../reports/period.js';
import type { RecurringIssue } from '../../reports/recurring.js';
import type { FollowUpStats } from '../../reports/follow-up.js';
import { duration, esc, mrkdwn, plain } from './format.js';

/** Seconds as `42m`, `3h 5m`…; `–` when there is nothing to measure. */
export function seconds(v: number | null): string {
  return v === null ? '–' : v < 60 ? `${Math.round(v)}s` : duration(v * 1000);
}

/** An arrow against the previous period; `lowerIsBetter` colours the direction. */
export function trend(now: number | null, before: number | null, lowerIsBetter = true): string {
  if (now === null || before === null) return '';
  if (before === 0) return now === 0 ? ' →' : ' :arrow_up_small: new';
  const change = Math.round(((now - before) / before) * 100);
  if (change === 0) return ' → 0%';
  const good = lowerIsBetter ? change < 0 : change > 0;
  return ` ${change > 0 ? ':arrow_up_small:' : ':arrow_down_small:'} ${change > 0 ? '+' : ''}${change}%${good ? '' : ' :warning:'}`;
}

function durationLine(name: string, d: DurationStats, prev: DurationStats): string {
  return `*${name}* ${seconds(d.mean)} mean · p50 ${seconds(d.p50)} · p90 ${seconds(d.p90)}${trend(d.mean, prev.mean)} _(n=${d.count})_`;
}

function top(record: Record<string, number>, n = 5): string {
  const entries = Object.entries(record).slice(0, n);
  return entries.length ? entries.map(([k, v]) => `${esc(k)} ${v}`).join(' · ') : '–';
}

/** Which incidents' key timestamps were corrected (the figures above use the corrections). */
function correctedLine(policy: Policy, s: Stats): string {
  const shown = s.corrected.slice(0, 10).map((c) => `${incidentRef(policy.number_prefix, c)} (${c.keys.map((k) => TIME_LABELS[k]).join(', ')})`);
  const more = s.corrected.length - shown.length;
  return `:clock3: Corrected timestamps, used above: ${shown.join(' · ')}${more ? ` · and ${more} more` : ''}`;
}

/** The compact Block Kit summary behind `/incident stats`, the Home tab numbers and the weekly report. */
export function statsBlocks(policy: Policy, period: Period, s: Stats, prev: Trend, recurring: RecurringIssue[] = [], followUp?: FollowUpStats): KnownBlock[] {
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(`Incidents, ${period.label}`, 150) },
    {
      type: 'section',
      text: mrkdwn(
        [
          `*${s.total}* incidents${trend(s.total, prev.total)} · ${s.open} still open${s.causedByChange ? ` · ${s.causedByChange} caused by a change` : ''}`,
          `*By priority* ${policy.priorities.map((p) => `${p.id} ${s.byPriority[p.id] ?? 0}`).join(' · ')}`,
          durationLine('MTTA', s.mtta, prev.mtta),
          durationLine('MTTR', s.mttr, prev.mttr),
          durationLine('Time to mitigate', s.mttm, prev.mttm),
          durationLine('Time to detect', s.mttd, prev.mttd),
        ].join('\n'),
      ),
    },
  ];
  if (s.corrected.length) blocks.push({ type: 'context', elements: [mrkdwn(correctedLine(policy, s))] });
  if (s.sla.length) {
    const lines = s.sla.map((x) => {
      const was = prev.sla.find((p) => p.priority === x.priority);
      const fmt = (v: number | null) => (v === null ? '–' : `${v}%`);
      return `${x.priority}: response ${fmt(x.response.pct)}${trend(x.response.pct, was?.response.pct ?? null, false)} · resolution ${fmt(x.resolution.pct)}${trend(x.resolution.pct, was?.resolution.pct ?? null, false)}`;
    });
    blocks.push({ type: 'section', text: mrkdwn(`*SLA met*\n${lines.join('\n')}`) });
  }
  if (followUp) {
    const pct = (v: number | null) => (v === null ? '–' : `${v}%`);
    blocks.push({
      type: 'section',
      text: mrkdwn(
        `*Follow-up* ${followUp.openActions} open actions, ${followUp.overdueActions} overdue (${pct(followUp.overduePct)}) · reviews published ${followUp.reviewsPublished}/${followUp.reviewsRequired} (${pct(followUp.reviewCompletionPct)})`,
      ),
    });
  }
  const typed = s.byType.filter((x) => x.type !== 'none');
  if (typed.length) {
    const lines = s.byType.slice(0, 20).map((x) => `${esc(x.type === 'none' ? 'No type' : x.type)}: ${x.count}${x.open ? ` (${x.open} open)` : ''} · MTTR ${seconds(x.mttrMean)}`);
    blocks.push({ type: 'section', text: mrkdwn(`*By type*\n${lines.join('\n')}`) });
  }
  blocks.push({ type: 'context', elements: [mrkdwn(`*Categories* ${top(s.byCategory)}`), mrkdwn(`*Services* ${top(s.byService)}`), mrkdwn(`*Kinds* ${top(s.byKind)}`)] });
  if (recurring.length) {
    const lines = recurring.slice(0, 10).map((r) => `• *${esc(r.service)}* / ${esc(r.category)}: ${r.count}× (${r.numbers.map((number) => incidentRef(policy.number_prefix, { number })).join(', ')})`);
    blocks.push({ type: 'section', text: mrkdwn(`:repeat: *Recurring issues* — consider a problem record (\`/incident problem\`)\n${lines.join('\n')}`) });
  }
  return blocks;
}
