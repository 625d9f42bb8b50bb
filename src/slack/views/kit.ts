import type { View } from '@slack/types';
import { plain } from './format.js';

/** Small builders for the Block Kit pieces the modals share. */

export function option(value: string, text: string, description?: string) {
  return { value, text: plain(text, 75), ...(description ? { description: plain(description, 75) } : {}) };
}

export type Option = ReturnType<typeof option>;

export function modal(o: { callbackId: string; title: string; submit: string; metadata: unknown; blocks: unknown[] }): View {
  return {
    type: 'modal',
    callback_id: o.callbackId,
    title: plain(o.title, 24),
    submit: plain(o.submit, 24),
    close: plain('Cancel', 24),
    private_metadata: JSON.stringify(o.metadata),
    blocks: o.blocks,
  } as View;
}

/** The part every input block shares: id, label, optional, hint; the element's action id is the block id. */
function inputBlock<E extends object>(blockId: string, label: string, opts: { optional?: boolean; hint?: string }, element: E) {
  return {
    type: 'input' as const,
    block_id: blockId,
    optional: opts.optional ?? false,
    label: plain(label, 2000),
    ...(opts.hint ? { hint: plain(opts.hint, 2000) } : {}),
    element: { ...element, action_id: blockId },
  };
}

export function textInput(blockId: string, label: string, opts: { multiline?: boolean; initial?: string; placeholder?: string; optional?: boolean; max?: number; hint?: string } = {}) {
  return inputBlock(blockId, label, opts, {
    type: 'plain_text_input' as const,
    multiline: opts.multiline ?? false,
    ...(opts.max ? { max_length: opts.max } : {}),
    ...(opts.initial ? { initial_value: opts.initial } : {}),
    ...(opts.placeholder ? { placeholder: plain(opts.placeholder, 150) } : {}),
  });
}

/**
 * At most `max` options, in their order, always keeping the preselected ones (Slack refuses an initial
 * option that is not among the options).
 */
export function keepOptions(options: Option[], initial: string[], max: number): Option[] {
  const chosen = new Set(initial);
  let others = max - options.filter((o) => chosen.has(o.value)).length;
  return options.filter((o) => chosen.has(o.value) || others-- > 0).slice(0, max);
}

/** A static select (or radio group) input; the block id doubles as the action id. */
export function selectInput(blockId: string, label: string, options: Option[], opts: { initial?: string; optional?: boolean; radio?: boolean; placeholder?: string; hint?: string } = {}) {
  const initial = options.find((o) => o.value === opts.initial);
  return inputBlock(blockId, label, opts, {
    type: opts.radio ? ('radio_buttons' as const) : ('static_select' as const),
    options: keepOptions(options, initial ? [initial.value] : [], opts.radio ? 10 : 100),
    ...(initial ? { initial_option: initial } : {}),
    ...(!opts.radio && opts.placeholder ? { placeholder: plain(opts.placeholder, 150) } : {}),
  });
}

export function userInput(blockId: string, label: string, opts: { initial?: string; optional?: boolean } = {}) {
  return inputBlock(blockId, label, opts, { type: 'users_select' as const, ...(opts.initial ? { initial_user: opts.initial } : {}) });
}

/** A date picker input (value YYYY-MM-DD). */
export function dateInput(blockId: string, label: string, opts: { initial?: string | null; optional?: boolean; hint?: string } = {}) {
  return inputBlock(blockId, label, opts, { type: 'datepicker' as const, ...(opts.initial ? { initial_date: opts.initial } : {}) });
}

/** A date-and-time picker input (Slack sends Unix seconds). */
export function dateTimeInput(blockId: string, label: string, opts: { initial?: Date | null; optional?: boolean; hint?: string } = {}) {
  return inputBlock(blockId, label, opts, { type: 'datetimepicker' as const, ...(opts.initial ? { initial_date_time: Math.floor(opts.initial.getTime() / 1000) } : {}) });
}

/** A single checkbox input; checked when its one option is selected. */
export function checkboxInput(blockId: string, label: string, text: string, opts: { checked?: boolean; description?: string } = {}) {
  const box = option('yes', text, opts.description);
  return inputBlock(blockId, label, { optional: true }, { type: 'checkboxes' as const, options: [box], ...(opts.checked ? { initial_options: [box] } : {}) });
}
