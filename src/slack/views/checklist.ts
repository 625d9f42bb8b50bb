import type { KnownBlock } from '@slack/types';
import type { ChecklistRun, Tick } from '../../playbooks/service.js';
import type { Policy } from '../../policy/schema.js';
import type { RoleHolder } from '../../roles/repository.js';
import { Action } from '../ids.js';
import { BlockLimit } from './fit.js';
import { esc, mrkdwn, plain, slackDate, truncate, user } from './format.js';

/** One message of a checklist. */
export interface ChecklistMessage {
  text: string;
  blocks: KnownBlock[];
}

/** What a line takes besides its text and role, at most: the tick mark, who ticked it and when, the button. */
const LINE_EXTRA = 130;
/** What a role owner adds besides the role's label, at most (the holder's mention or "unassigned"). */
const OWNER_EXTRA = 40;
/** Each message's header and footer, at most. */
const FRAME = 2 * BlockLimit.headerText + 200;

function roleOf(policy: Policy, item: ChecklistRun['items'][number]) {
  return item.role ? policy.roles.find((r) => r.id === item.role) : undefined;
}

/**
 * Which items go in which message: consecutive items, as many as one message holds whether they are
 * ticked or not and whoever holds their roles, so ticking never moves an item to another message.
 */
export function checklistParts(policy: Policy, run: Pick<ChecklistRun, 'items'>): number[][] {
  const parts: number[][] = [];
  let part: number[] = [];
  let chars = 0;
  run.items.forEach((item, i) => {
    const role = roleOf(policy, item);
    const width = esc(item.text).length + (role ? esc(role.label).length + OWNER_EXTRA : 0) + LINE_EXTRA;
    if (part.length && (chars + width > BlockLimit.messageText - FRAME || part.length + 2 >= BlockLimit.messageBlocks)) {
      parts.push(part);
      part = [];
      chars = 0;
    }
    part.push(i);
    chars += width;
  });
  if (part.length) parts.push(part);
  return parts;
}

/**
 * An interactive checklist (playbook or DR plan): one line per item with a Done / Undo button;
 * done items show who ticked them and when, owned items show the role and its current holder.
 * A checklist too long for one message is split over several, each with its part of the items; the
 * last one shows the progress.
 */
export function checklistMessages(policy: Policy, run: ChecklistRun, ticks: Tick[], roles: RoleHolder[], opts: { exercise?: boolean } = {}): ChecklistMessage[] {
  const done = new Map(ticks.map((t) => [t.index, t]));
  const kind = run.source === 'dr' ? ':sos: DR plan: ' : ':clipboard: Playbook: ';
  const heading = `${kind}${run.title}`;
  const count = run.items.filter((_, i) => done.has(i)).length;
  const status = count === run.items.length ? ':tada: all done' : `${count} of ${run.items.length} done`;
  const parts = checklistParts(policy, run);
  return parts.map((indexes, p) => {
    const first = indexes[0] + 1;
    const last = indexes[indexes.length - 1] + 1;
    // A long title is shortened, never the part's range of items.
    const prefix = `${opts.exercise ? 'EXERCISE · ' : ''}${kind}`;
    const range = parts.length === 1 ? '' : ` (${p === 0 ? '' : 'continued, '}items ${first}–${last} of ${run.items.length})`;
    const title = `${prefix}${truncate(run.title, BlockLimit.headerText - prefix.length - range.length)}${range}`;
    const blocks: KnownBlock[] = [{ type: 'header', text: plain(title, BlockLimit.headerText) }];
    for (const i of indexes) {
      const item = run.items[i];
      const tick = done.get(i);
      const role = roleOf(policy, item);
      const holder = role ? roles.find((r) => r.role === role.id)?.userId : undefined;
      const owner = role ? ` _(${esc(role.label)}: ${holder ? user(holder) : 'unassigned'})_` : '';
      const text = tick
        ? `:white_check_mark: ~${esc(item.text)}~${owner}\n_done by ${user(tick.doneBy)} ${slackDate(tick.doneAt, '{time}')}_`
        : `:white_large_square: *${i + 1}.* ${esc(item.text)}${owner}`;
      blocks.push({
        type: 'section',
        block_id: `item_${i}`,
        text: mrkdwn(text),
        accessory: {
          type: 'button',
          action_id: `${Action.checklistToggle}:${i}`,
          value: `${run.id}:${i}`,
          text: plain(tick ? 'Undo' : 'Done'),
          ...(tick ? {} : { style: 'primary' as const }),
        },
      });
    }
    const footer = p === parts.length - 1 ? `${status} · each tick is recorded on the timeline with who and when` : `${status} · continued in the next message`;
    blocks.push({ type: 'context', elements: [mrkdwn(footer)] });
    return { text: `${heading}${parts.length > 1 ? ` (part ${p + 1} of ${parts.length})` : ''} (${count}/${run.items.length} done)`, blocks };
  });
}
