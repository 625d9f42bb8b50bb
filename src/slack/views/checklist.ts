import type { KnownBlock } from '@slack/types';
import type { ChecklistRun, Tick } from '../../playbooks/service.js';
import type { Policy } from '../../policy/schema.js';
import type { RoleHolder } from '../../roles/repository.js';
import { Action } from '../ids.js';
import { esc, mrkdwn, plain, slackDate, user } from './format.js';

/**
 * An interactive checklist (playbook or DR plan): one line per item with a Done / Undo button;
 * done items show who ticked them and when, owned items show the role and its current holder.
 */
export function checklistMessage(policy: Policy, run: ChecklistRun, ticks: Tick[], roles: RoleHolder[], opts: { exercise?: boolean } = {}): { text: string; blocks: KnownBlock[] } {
  const done = new Map(ticks.map((t) => [t.index, t]));
  const heading = run.source === 'dr' ? `:sos: DR plan: ${run.title}` : `:clipboard: Playbook: ${run.title}`;
  const blocks: KnownBlock[] = [{ type: 'header', text: plain(`${opts.exercise ? 'EXERCISE · ' : ''}${heading}`, 150) }];
  run.items.forEach((item, i) => {
    const tick = done.get(i);
    const role = item.role ? policy.roles.find((r) => r.id === item.role) : undefined;
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
  });
  const count = run.items.filter((_, i) => done.has(i)).length;
  const status = count === run.items.length ? ':tada: all done' : `${count} of ${run.items.length} done`;
  blocks.push({ type: 'context', elements: [mrkdwn(`${status} · each tick is recorded on the timeline with who and when`)] });
  return { text: `${heading} (${count}/${run.items.length} done)`, blocks };
}
