import type { AllMiddlewareArgs, App, SlackOptionsMiddlewareArgs } from '@slack/bolt';
import { findService, searchServices } from '../../catalog/catalog.js';
import type { SlackDeps } from '../deps.js';
import { Block } from '../ids.js';
import { instrument } from '../listen.js';
import { serviceDetail, serviceList, serviceOption } from '../views/catalog.js';
import { changeLine } from '../views/changes.js';
import type { Subcommand } from './commands.js';

/** `/incident services [name]`. */
export const catalogCommands: Subcommand[] = [
  {
    name: 'services',
    aliases: ['service'],
    usage: 'services [name]',
    help: 'the service catalog, or one service: owner, runbook, vendors, open incidents, recent changes',
    async run(ctx) {
      const { policy, catalog } = ctx.deps;
      if (!ctx.arg) {
        const open = await catalog.openIncidents(ctx.teamId, policy.services.map((s) => s.name), 5_000);
        const counts = new Map<string, number>();
        for (const i of open) for (const name of new Set(i.services.map((n) => findService(policy, n)?.name).filter((n): n is string => Boolean(n)))) counts.set(name, (counts.get(name) ?? 0) + 1);
        const view = serviceList(policy, counts);
        return ctx.reply(view.text, view.blocks);
      }
      const matches = searchServices(policy, ctx.arg, 6);
      const service = findService(policy, ctx.arg) ?? (matches.length === 1 ? matches[0] : undefined);
      if (!service) {
        const hint = matches.length ? ` Did you mean ${matches.map((m) => `\`${m.name}\``).join(', ')}?` : ' `/incident services` lists the catalog.';
        return ctx.reply(`No service called "${ctx.arg.slice(0, 60)}" in the catalog.${hint}`);
      }
      const open = await catalog.openIncidents(ctx.teamId, [service.name]);
      const upstream = (service.depends_on.length ? await catalog.openIncidents(ctx.teamId, service.depends_on) : []).filter((i) => !open.some((o) => o.id === i.id));
      const changes = await ctx.deps.changes.recentOn([service.name]);
      const view = serviceDetail(policy, service, { open, upstream, changes, changeLine });
      await ctx.reply(view.text, view.blocks);
    },
  },
];

/** Searches the catalog for the services select when it is too long for a static list. */
export function registerCatalog(app: App, deps: SlackDeps): void {
  app.options(
    { action_id: Block.services },
    instrument('options.services', deps.metrics, deps.logger, async ({ ack, options }: SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs) => {
      const query = typeof options.value === 'string' ? options.value.slice(0, 100) : '';
      await ack({ options: searchServices(deps.policy, query, 100).map(serviceOption) });
    }),
  );
}
