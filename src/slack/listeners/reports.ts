import type { AllMiddlewareArgs, App, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { isPeriodKey, periodOf, PERIODS, type PeriodKey } from '../../reports/period.js';
import { incidentsCsv, timelineCsv } from '../../reports/export.js';
import type { SlackDeps } from '../deps.js';
import { incidentRef } from '../../incidents/incident.js';
import { mrkdwn, plain } from '../views/format.js';
import { HOME_PAGE_ACTION, HOME_PAGE_SIZE, homeView } from '../views/home.js';
import { statsBlocks } from '../views/stats.js';
import { button } from './buttons.js';
import { requireIncident, type Subcommand } from './commands.js';

const usagePeriods = PERIODS.join('|');

function parsePeriod(arg: string): PeriodKey | undefined {
  const a = arg.trim().toLowerCase() || '30d';
  return isPeriodKey(a) ? a : undefined;
}

async function dmFile(client: WebClient, userId: string, file: { filename: string; title: string; content: string; comment: string }): Promise<void> {
  const dm = await client.conversations.open({ users: userId });
  await client.filesUploadV2({ channel_id: dm.channel!.id!, filename: file.filename, title: file.title, content: file.content, initial_comment: file.comment });
}

/** `/incident stats [period]`, `/incident dashboard`, `/incident export [period | timeline]`. */
export const reportCommands: Subcommand[] = [
  {
    name: 'stats',
    usage: `stats [${usagePeriods}]`,
    help: 'incident numbers with trends against the previous period',
    async run(ctx) {
      const key = parsePeriod(ctx.arg);
      if (!key) return ctx.reply(`Usage: \`/incident stats [${usagePeriods}]\` (default 30d).`);
      const s = await ctx.deps.reports.summary(key, ctx.teamId);
      await ctx.reply(`Incidents, ${s.period.label}: ${s.stats.total}`, statsBlocks(ctx.deps.policy, s.period, s.stats, s.previous, s.recurring, s.followUp));
    },
  },
  {
    name: 'dashboard',
    usage: 'dashboard',
    help: 'a private link to the web dashboard (charts, incident reports, exports)',
    async run(ctx) {
      const minutes = ctx.deps.policy.reports.link_minutes;
      const token = ctx.deps.dashboard.sign(ctx.userId, new Date(ctx.deps.clock.now().getTime() + minutes * 60_000));
      const url = `${ctx.deps.publicUrl()}/dashboard?token=${encodeURIComponent(token)}`;
      await ctx.reply(`Your dashboard link (valid ${minutes} minutes): ${url}`, [
        { type: 'section', text: mrkdwn(`Your dashboard link is valid for ${minutes} minutes and only for you.`), accessory: { type: 'button', text: plain('Open dashboard'), url, action_id: 'open_dashboard' } },
      ]);
    },
  },
  {
    name: 'export',
    usage: `export [${usagePeriods} | timeline]`,
    help: 'CSV of incidents with their metrics (or this incident\'s timeline), sent to you by DM',
    incident: 'optional',
    async run(ctx) {
      if (ctx.arg.trim().toLowerCase() === 'timeline') {
        const incident = requireIncident(ctx);
        const { timeline } = await ctx.deps.reports.incidentReport(incident.id, ctx.userId);
        const ref = incidentRef(ctx.deps.policy.number_prefix, incident);
        await dmFile(ctx.client, ctx.userId, { filename: `${ref}-timeline.csv`, title: `${ref} timeline`, content: timelineCsv(timeline), comment: `${ref} timeline, ${timeline.length} entries` });
        return ctx.reply(`Sent the ${ref} timeline to you as a CSV file.`);
      }
      const key = parsePeriod(ctx.arg);
      if (!key) return ctx.reply(`Usage: \`/incident export [${usagePeriods}]\` or, in an incident channel, \`/incident export timeline\`.`);
      const period = periodOf(key, ctx.deps.clock.now());
      const rows = await ctx.deps.reports.rows({ teamId: ctx.teamId, from: period.from, to: period.to, viewer: ctx.userId });
      await dmFile(ctx.client, ctx.userId, { filename: `incidents-${key}.csv`, title: `Incidents, ${period.label}`, content: incidentsCsv(rows, ctx.deps.policy), comment: `${rows.length} incidents, ${period.label}` });
      await ctx.reply(`Sent ${rows.length} incidents (${period.label}) to you as a CSV file.`);
    },
  },
];

/** Publishes a person's Home tab as it now is (`offset`: the page of their open incidents). */
export async function publishHome(deps: SlackDeps, client: WebClient, userId: string, offset = 0): Promise<void> {
  const [mine, summary, sections] = await Promise.all([
    deps.reports.myOpenIncidents(userId, { limit: HOME_PAGE_SIZE, offset }),
    deps.reports.summary('30d'),
    Promise.all(deps.homeSections.map((s) => s(userId))),
  ]);
  await client.views.publish({ user_id: userId, view: homeView(deps.policy, { mine: mine.incidents, total: mine.total, offset, summary, sections: sections.filter((s) => s !== undefined) }) });
}

/** The App Home tab, published when opened and paged with its buttons. */
export function registerHome(app: App, deps: SlackDeps): void {
  app.event('app_home_opened', async ({ event, client }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs) => {
    if (event.tab && event.tab !== 'home') return;
    await publishHome(deps, client, event.user);
  });

  button(app, deps, { actionId: new RegExp(`^${HOME_PAGE_ACTION}:`), name: 'action.home_page' }, ({ value, actorId, client }) => publishHome(deps, client, actorId, Math.max(0, Number(value) || 0)));
}
