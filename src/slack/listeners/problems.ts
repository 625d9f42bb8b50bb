import type { App } from '@slack/bolt';
import { parseProblemRef, problemRef, type ProblemFields } from '../../problems/problem.js';
import type { SlackDeps } from '../deps.js';
import { FollowUpBlock, FollowUpCallback } from '../ids.js';
import { incidentRef } from '../../incidents/incident.js';
import { user } from '../views/format.js';
import { problemDetails, problemList, problemModal } from '../views/problems.js';
import { requireIncident, type CommandContext, type Subcommand } from './commands.js';
import { problemMetadata } from './follow-up-payloads.js';
import { registerForm } from './forms.js';
import { selectedUser, textValue } from './payloads.js';

const USAGE =
  'Usage: `/incident problem` (in a resolved incident\'s channel: open a problem record), `/incident problem link PRB-<n>`, `/incident problem show PRB-<n>`, `/incident problem edit PRB-<n>`, `/incident problem resolve PRB-<n> <how>`.';

async function problemCommand(ctx: CommandContext): Promise<unknown> {
  const { deps } = ctx;
  const [word = '', refText = '', ...rest] = ctx.arg.split(/\s+/);
  const verb = word.toLowerCase();
  if (!verb) {
    const incident = requireIncident(ctx);
    const refusal = await deps.problems.refusal(incident);
    if (refusal) return ctx.reply(refusal);
    const ref = incidentRef(deps.policy.number_prefix, incident);
    await ctx.client.views.open({
      trigger_id: ctx.triggerId,
      view: problemModal({ heading: `Problem from ${ref}`, fields: { title: incident.title, ownerId: incident.commanderId ?? ctx.userId }, metadata: { incidentId: incident.id } }),
    });
    return;
  }
  const id = parseProblemRef(refText);
  if (!['link', 'show', 'edit', 'resolve'].includes(verb) || !id) return ctx.reply(USAGE);
  if (verb === 'link') {
    const incident = requireIncident(ctx);
    const { problem, linked } = await deps.problems.link(id, incident.id, ctx.userId);
    const ref = incidentRef(deps.policy.number_prefix, incident);
    return ctx.reply(linked ? `${ref} is now linked to *${problemRef(problem)}* (${problem.incidents.length} incidents).` : `${ref} was already linked to ${problemRef(problem)}.`);
  }
  const problem = await deps.problems.get(id, ctx.teamId);
  if (verb === 'show') {
    const here = ctx.incident;
    const reveal = !problem.private || problem.ownerId === ctx.userId || Boolean(here && problem.incidents.some((i) => i.id === here.id));
    const view = problemDetails(deps.policy, problem, { reveal });
    return ctx.reply(view.text, view.blocks);
  }
  if (verb === 'edit') {
    await ctx.client.views.open({ trigger_id: ctx.triggerId, view: problemModal({ heading: `Edit ${problemRef(problem)}`, fields: problem, metadata: { problemId: problem.id } }) });
    return;
  }
  const resolved = await deps.problems.resolve(id, ctx.teamId, rest.join(' '));
  return ctx.reply(`*${problemRef(resolved)}* is resolved. Owner: ${user(resolved.ownerId)}.`);
}

/** `/incident problem …` and `/incident problems`. */
export const problemCommands: Subcommand[] = [
  { name: 'problem', usage: 'problem [link|show|edit|resolve PRB-<n>]', help: 'open a problem record from a resolved incident, or link/show/resolve one', incident: 'optional', run: problemCommand },
  {
    name: 'problems',
    usage: 'problems',
    help: 'list open problem records',
    async run(ctx) {
      const { problems, total } = await ctx.deps.problems.listOpen(ctx.teamId);
      const view = problemList(ctx.deps.policy, problems, total);
      await ctx.reply(view.text, view.blocks);
    },
  },
];

const BLOCK_OF: Record<keyof ProblemFields, string> = {
  title: FollowUpBlock.problemTitle,
  description: FollowUpBlock.problemDescription,
  knownError: FollowUpBlock.problemKnownError,
  workaround: FollowUpBlock.problemWorkaround,
  ownerId: FollowUpBlock.problemOwner,
};

/** The problem form (new from an incident, or edit). */
export function registerProblems(app: App, deps: SlackDeps): void {
  registerForm(app, deps, {
    callbackId: FollowUpCallback.problemModal,
    name: 'view.problem',
    metadata: problemMetadata.refine((m) => Boolean(m.incidentId || m.problemId)),
    fields: BLOCK_OF,
    fallback: FollowUpBlock.problemTitle,
    async submit({ meta, userId, teamId, viewId, values }) {
      const fields: ProblemFields = {
        title: textValue(values, FollowUpBlock.problemTitle),
        description: textValue(values, FollowUpBlock.problemDescription),
        knownError: textValue(values, FollowUpBlock.problemKnownError),
        workaround: textValue(values, FollowUpBlock.problemWorkaround),
        ownerId: selectedUser(values, FollowUpBlock.problemOwner) ?? '',
      };
      // Stored before the ack; the incident channel hears about a new record through the outbox.
      if (meta.problemId) await deps.problems.update(meta.problemId, teamId, fields);
      else await deps.problems.create({ ...fields, incidentId: meta.incidentId!, actorId: userId, sourceKey: `view:${viewId}` });
    },
  });
}
