import type { ActionService } from '../../actions/service.js';
import type { OncallService } from '../../oncall/service.js';
import type { Policy } from '../../policy/schema.js';
import type { ReminderService } from '../../reminders/service.js';
import { actionRow } from './actions.js';
import { SECTION_CHUNK } from './fit.js';
import { esc, fitLines, mrkdwn, plain, slackDate, user } from './format.js';
import type { HomeSection } from './home.js';

/** "Who is on call" for the Home tab: every rotation's current person and until when. */
export function onCallSection(oncall: OncallService): () => Promise<HomeSection | undefined> {
  return async () => {
    const rotations = oncall.rotations();
    if (!rotations.length) return undefined;
    const lines = await Promise.all(
      rotations.slice(0, 20).map(async (r) => {
        const on = await oncall.whoIsOn(r.name);
        return `• *${esc(r.name)}*: ${on ? `${user(on.userId)} until ${slackDate(on.until, '{date_short_pretty} {time}')}${on.override ? ' (override)' : ''}` : '_nobody_'}`;
      }),
    );
    const listed = fitLines(lines, SECTION_CHUNK, { hidden: rotations.length - lines.length, more: (n) => `_… and ${n} more: \`/incident oncall\` lists every rotation_` });
    return { blocks: [{ type: 'header', text: plain('On call now') }, { type: 'section', text: mrkdwn(listed.text) }] };
  };
}

const HOME_ACTIONS = 10;

/** "My follow-up actions" for the Home tab: the most urgent open ones, with their buttons. */
export function myActionsSection(policy: Policy, actions: ActionService, reminders: Pick<ReminderService, 'todayFor'>): (userId: string) => Promise<HomeSection | undefined> {
  return async (userId) => {
    const { actions: mine, total } = await actions.list({ ownerIds: [userId], status: 'open', limit: HOME_ACTIONS });
    const today = await reminders.todayFor(userId);
    const blocks: HomeSection['blocks'] = [{ type: 'header', text: plain('My follow-up actions') }];
    if (!mine.length) blocks.push({ type: 'section', text: mrkdwn('Nothing open. :tada:') });
    for (const a of mine) blocks.push(...actionRow(policy, a, { today, reveal: true }));
    if (total > mine.length) blocks.push({ type: 'context', elements: [mrkdwn(`${mine.length} of ${total} · \`/incident actions\` lists them all`)] });
    return { blocks };
  };
}
