import type { WebClient } from '@slack/web-api';
import type { KnownBlock } from '@slack/types';
import type { Policy } from '../../policy/schema.js';
import type { ActionService } from '../../actions/service.js';
import type { Clock } from '../../clock.js';
import type { ReportService } from '../../reports/service.js';
import { actionLine } from '../views/actions.js';
import { fitting, roomLeft, SECTION_CHUNK } from '../views/fit.js';
import { esc, fitLines, mrkdwn, plain, slackDate, truncate } from '../views/format.js';
import { statsBlocks } from '../views/stats.js';
import type { SomeTaskHandlers } from '../../jobs/task-runner.js';
import { ReportTask } from '../../reports/weekly.js';

export interface ReportDeps {
  client: WebClient;
  policy: Policy;
  reports: ReportService;
  /** Extra sections for the weekly report (e.g. overdue follow-up actions). */
  weeklySections: (() => Promise<KnownBlock[]>)[];
}

/** Posts the weekly leadership report: headline numbers, the week's P1/P2s, recurring issues. */
export async function postWeeklyReport(deps: ReportDeps, week: string): Promise<void> {
  const channel = deps.policy.reports.weekly.channel;
  if (!channel) return;
  const s = await deps.reports.summary('7d');
  const major = await deps.reports.majorIncidents(s.period.from, s.period.to);
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(`Weekly incident report · ${week}`, 150) },
    ...statsBlocks(deps.policy, s.period, s.stats, s.previous, s.recurring, s.followUp).slice(1),
  ];
  const lines = major.slice(0, 20).map((r) => `• *${r.ref}* ${r.restricted ? '_security incident (restricted)_' : esc(truncate(r.title, 100))} · ${r.priority} · ${r.status}${r.channel_id ? ` · <#${r.channel_id}>` : ''} · ${slackDate(new Date(r.declared_at), '{date_short}')}`);
  const heading = `*${deps.policy.priorities.slice(0, 2).map((p) => p.id).join('/')} incidents this week* (${major.length})`;
  const listed = fitLines(lines, SECTION_CHUNK - heading.length, { hidden: major.length - lines.length });
  blocks.push({ type: 'section', text: mrkdwn(`${heading}\n${listed.text || 'None. :tada:'}`) });
  // Extra sections follow while the message holds them.
  const extras = await Promise.all(deps.weeklySections.map((section) => section()));
  blocks.push(...extras.slice(0, fitting(extras, roomLeft('message', blocks))).flat());
  await deps.client.chat.postMessage({ channel, text: `Weekly incident report ${week}: ${s.stats.total} incidents`, blocks, unfurl_links: false });
}

/** The outbox handlers of reports: the weekly report. */
export function reportEffects(deps: ReportDeps) {
  return {
    [ReportTask.weekly]: (task) => postWeeklyReport(deps, task.payload.week),
  } satisfies SomeTaskHandlers;
}

/** The weekly report's "overdue follow-up actions" section (security incidents' titles withheld). */
export function overdueActionsSection(policy: Policy, actions: ActionService, clock: Clock): () => Promise<KnownBlock[]> {
  return async () => {
    const today = clock.now().toISOString().slice(0, 10);
    const { actions: overdue, total } = await actions.list({ status: 'open', overdueBefore: today, limit: 10 });
    const lines = overdue.map((a) => `• ${actionLine(policy, a, { today, showOwner: true }).replace(/\n/g, ' · ')}`);
    const heading = `*Overdue follow-up actions* (${total})`;
    const listed = fitLines(lines, SECTION_CHUNK - heading.length, { hidden: total - lines.length });
    return [{ type: 'section', text: mrkdwn(`${heading}\n${listed.text || 'None. :tada:'}`) }];
  };
}
