/**
 * Strict Block Kit validator used by the fake Slack server (test support).
 *
 * Mirrors the limits documented by Slack (docs.slack.dev/reference/block-kit). Each problem is a
 * string shaped like Slack's own messages: `must be less than 3001 characters [json-pointer:/blocks/0/text/text]`.
 */

export type Surface = 'message' | 'modal' | 'home';

/** Documented limits, exported so tests can build payloads right at the edge. */
export const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  blockId: 255,
  actionId: 255,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  placeholder: 150,
  selectOptions: 100,
  optionText: 75,
  optionValue: 150,
  optionDescription: 75,
  radioOptions: 10,
  checkboxOptions: 10,
  overflowOptions: 5,
  inputLabel: 2000,
  inputHint: 2000,
  imageAltText: 2000,
  markdownText: 12000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  viewTitle: 24,
  viewButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
  externalId: 255,
  viewBytes: 250 * 1024,
} as const;

/**
 * Total characters of block text above which a message is refused with `msg_blocks_too_long` even when
 * every block is within its own limit. Slack's maintainers give "12,000 text characters with a buffer for
 * block containers" (bolt-js #2509, #2867); the fake refuses anything above 12,000, counting every text.
 */
export const MSG_BLOCKS_TOTAL_TEXT_LIMIT = 12_000;

const BLOCK_TYPES = new Set(['section', 'header', 'context', 'actions', 'divider', 'input', 'image', 'rich_text', 'file', 'video', 'markdown']);
const SELECTS = ['static_select', 'external_select', 'users_select', 'conversations_select', 'channels_select'];
const MULTI_SELECTS = SELECTS.map((s) => `multi_${s}`);
const ACTIONS_ELEMENTS = new Set(['button', 'checkboxes', 'datepicker', 'datetimepicker', 'overflow', 'radio_buttons', 'timepicker', 'workflow_button', ...SELECTS, ...MULTI_SELECTS]);
const ACCESSORY_ELEMENTS = new Set([...ACTIONS_ELEMENTS, 'image']);
const INPUT_ELEMENTS = new Set([
  'checkboxes', 'datepicker', 'datetimepicker', 'email_text_input', 'file_input', 'number_input', 'plain_text_input',
  'radio_buttons', 'rich_text_input', 'timepicker', 'url_text_input', ...SELECTS, ...MULTI_SELECTS,
]);

type Problems = string[];

function at(ptr: string): string {
  return ` [json-pointer:${ptr}]`;
}

function isObj(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function maxLen(p: Problems, v: unknown, max: number, ptr: string): void {
  if (typeof v === 'string' && v.length > max) p.push(`must be less than ${max + 1} characters${at(ptr)}`);
}

function optString(p: Problems, o: Record<string, any>, key: string, max: number, ptr: string): void {
  if (o[key] === undefined) return;
  if (typeof o[key] !== 'string') p.push(`must be a string${at(`${ptr}/${key}`)}`);
  else maxLen(p, o[key], max, `${ptr}/${key}`);
}

interface TextOpts { plainOnly?: boolean; max: number; required?: boolean }

/** Validates a composition text object ({type: 'plain_text'|'mrkdwn', text}). */
function textObject(p: Problems, t: unknown, ptr: string, opts: TextOpts): void {
  if (t === undefined || t === null) {
    if (opts.required !== false) p.push(`missing required field: ${ptr.split('/').pop()}${at(ptr)}`);
    return;
  }
  if (!isObj(t)) {
    p.push(`must be an object${at(ptr)}`);
    return;
  }
  if (opts.plainOnly && t.type !== 'plain_text') {
    p.push(`must be a plain_text text object${at(`${ptr}/type`)}`);
  } else if (t.type !== 'plain_text' && t.type !== 'mrkdwn') {
    p.push(`must be one of plain_text, mrkdwn${at(`${ptr}/type`)}`);
  }
  if (typeof t.text !== 'string') p.push(`missing required field: text${at(`${ptr}/text`)}`);
  else if (t.text.length === 0) p.push(`must be more than 0 characters${at(`${ptr}/text`)}`);
  else maxLen(p, t.text, opts.max, `${ptr}/text`);
  if (t.type === 'plain_text' && t.verbatim !== undefined) p.push(`plain_text objects do not accept verbatim${at(`${ptr}/verbatim`)}`);
}

function optionObject(p: Problems, o: unknown, ptr: string, plainOnly: boolean): void {
  if (!isObj(o)) {
    p.push(`must be an object${at(ptr)}`);
    return;
  }
  textObject(p, o.text, `${ptr}/text`, { plainOnly, max: LIMITS.optionText });
  if (typeof o.value !== 'string') p.push(`missing required field: value${at(`${ptr}/value`)}`);
  else maxLen(p, o.value, LIMITS.optionValue, `${ptr}/value`);
  if (o.description !== undefined) textObject(p, o.description, `${ptr}/description`, { plainOnly, max: LIMITS.optionDescription });
  optString(p, o, 'url', LIMITS.url, ptr);
}

function sameOption(a: any, b: any): boolean {
  return isObj(a) && isObj(b) && a.value === b.value && a.text?.text === b.text?.text;
}

function optionList(p: Problems, el: Record<string, any>, ptr: string, max: number, plainOnly: boolean, min = 1): any[] {
  const options = el.options;
  if (!Array.isArray(options)) {
    p.push(`missing required field: options${at(`${ptr}/options`)}`);
    return [];
  }
  if (options.length < min) p.push(`must provide at least ${min} items${at(`${ptr}/options`)}`);
  if (options.length > max) p.push(`must provide no more than ${max} items${at(`${ptr}/options`)}`);
  options.forEach((o, i) => optionObject(p, o, `${ptr}/options/${i}`, plainOnly));
  return options;
}

function confirmObject(p: Problems, c: unknown, ptr: string): void {
  if (c === undefined) return;
  if (!isObj(c)) {
    p.push(`must be an object${at(ptr)}`);
    return;
  }
  textObject(p, c.title, `${ptr}/title`, { plainOnly: true, max: LIMITS.confirmTitle });
  textObject(p, c.text, `${ptr}/text`, { max: LIMITS.confirmText });
  textObject(p, c.confirm, `${ptr}/confirm`, { plainOnly: true, max: LIMITS.confirmButton });
  textObject(p, c.deny, `${ptr}/deny`, { plainOnly: true, max: LIMITS.confirmButton });
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const TIME_RE = /^\d{2}:\d{2}$/;

/** Validates one interactive / input element. */
function element(p: Problems, el: unknown, ptr: string, allowed: Set<string>, where: string): void {
  if (!isObj(el)) {
    p.push(`must be an object${at(ptr)}`);
    return;
  }
  if (typeof el.type !== 'string' || !allowed.has(el.type)) {
    p.push(`element type ${JSON.stringify(el.type)} is not allowed in ${where}${at(`${ptr}/type`)}`);
    return;
  }
  optString(p, el, 'action_id', LIMITS.actionId, ptr);
  confirmObject(p, el.confirm, `${ptr}/confirm`);
  const type: string = el.type;
  if (type === 'button') {
    textObject(p, el.text, `${ptr}/text`, { plainOnly: true, max: LIMITS.buttonText });
    optString(p, el, 'value', LIMITS.buttonValue, ptr);
    optString(p, el, 'url', LIMITS.url, ptr);
    if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger') p.push(`must be one of primary, danger${at(`${ptr}/style`)}`);
  } else if (type === 'image') {
    if (typeof el.image_url !== 'string' && !isObj(el.slack_file)) p.push(`missing required field: image_url${at(`${ptr}/image_url`)}`);
    optString(p, el, 'image_url', LIMITS.url, ptr);
    if (typeof el.alt_text !== 'string') p.push(`missing required field: alt_text${at(`${ptr}/alt_text`)}`);
  } else if (type === 'static_select' || type === 'multi_static_select') {
    if (el.placeholder !== undefined) textObject(p, el.placeholder, `${ptr}/placeholder`, { plainOnly: true, max: LIMITS.placeholder });
    let all: any[] = [];
    if (Array.isArray(el.option_groups)) {
      if (el.options !== undefined) p.push(`options and option_groups are mutually exclusive${at(`${ptr}/options`)}`);
      if (el.option_groups.length > LIMITS.selectOptions) p.push(`must provide no more than ${LIMITS.selectOptions} items${at(`${ptr}/option_groups`)}`);
      el.option_groups.forEach((g: any, gi: number) => {
        const gp = `${ptr}/option_groups/${gi}`;
        textObject(p, g?.label, `${gp}/label`, { plainOnly: true, max: LIMITS.optionText });
        all = all.concat(optionList(p, g ?? {}, gp, LIMITS.selectOptions, true));
      });
    } else {
      all = optionList(p, el, ptr, LIMITS.selectOptions, true);
    }
    const initial = type === 'static_select' ? (el.initial_option === undefined ? [] : [el.initial_option]) : (el.initial_options ?? []);
    initial.forEach((o: any, i: number) => {
      if (!all.some((x) => sameOption(x, o))) p.push(`initial option must match one of the options${at(`${ptr}/${type === 'static_select' ? 'initial_option' : `initial_options/${i}`}`)}`);
    });
  } else if (type === 'radio_buttons' || type === 'checkboxes') {
    const opts = optionList(p, el, ptr, type === 'radio_buttons' ? LIMITS.radioOptions : LIMITS.checkboxOptions, false);
    const initial = type === 'radio_buttons' ? (el.initial_option === undefined ? [] : [el.initial_option]) : (el.initial_options ?? []);
    initial.forEach((o: any) => {
      if (!opts.some((x) => sameOption(x, o))) p.push(`initial option must match one of the options${at(`${ptr}/initial_option`)}`);
    });
  } else if (type === 'overflow') {
    optionList(p, el, ptr, LIMITS.overflowOptions, true, 1);
  } else if (type === 'datepicker') {
    if (el.initial_date !== undefined && (typeof el.initial_date !== 'string' || !DATE_RE.test(el.initial_date))) p.push(`must match YYYY-MM-DD${at(`${ptr}/initial_date`)}`);
  } else if (type === 'timepicker') {
    if (el.initial_time !== undefined && (typeof el.initial_time !== 'string' || !TIME_RE.test(el.initial_time))) p.push(`must match HH:mm${at(`${ptr}/initial_time`)}`);
  } else if (type === 'plain_text_input') {
    optString(p, el, 'initial_value', 3000, ptr);
    if (el.max_length !== undefined && (typeof el.max_length !== 'number' || el.max_length < 1 || el.max_length > 3000)) p.push(`must be between 1 and 3000${at(`${ptr}/max_length`)}`);
    if (el.min_length !== undefined && (typeof el.min_length !== 'number' || el.min_length < 0 || el.min_length > 3000)) p.push(`must be between 0 and 3000${at(`${ptr}/min_length`)}`);
  }
  if (type !== 'button' && type !== 'image' && type !== 'overflow' && el.placeholder !== undefined && !type.endsWith('static_select')) {
    textObject(p, el.placeholder, `${ptr}/placeholder`, { plainOnly: true, max: LIMITS.placeholder });
  }
  if (type === 'users_select' && el.initial_user !== undefined && typeof el.initial_user !== 'string') p.push(`must be a string${at(`${ptr}/initial_user`)}`);
  if (type === 'multi_users_select' && el.initial_users !== undefined && !Array.isArray(el.initial_users)) p.push(`must be an array${at(`${ptr}/initial_users`)}`);
}

function uniqueActionIds(p: Problems, elements: any[], ptr: string): void {
  const seen = new Set<string>();
  elements.forEach((el, i) => {
    const id = isObj(el) ? el.action_id : undefined;
    if (typeof id !== 'string') return;
    if (seen.has(id)) p.push(`action_id ${JSON.stringify(id)} is not unique in this block${at(`${ptr}/${i}/action_id`)}`);
    seen.add(id);
  });
}

function elementList(p: Problems, b: Record<string, any>, ptr: string, max: number): any[] {
  if (!Array.isArray(b.elements)) {
    p.push(`missing required field: elements${at(`${ptr}/elements`)}`);
    return [];
  }
  if (b.elements.length === 0) p.push(`must provide at least 1 items${at(`${ptr}/elements`)}`);
  if (b.elements.length > max) p.push(`must provide no more than ${max} items${at(`${ptr}/elements`)}`);
  return b.elements;
}

function block(p: Problems, b: unknown, ptr: string, surface: Surface): void {
  if (!isObj(b)) {
    p.push(`must be an object${at(ptr)}`);
    return;
  }
  if (typeof b.type !== 'string' || !BLOCK_TYPES.has(b.type)) {
    p.push(`unknown block type ${JSON.stringify(b.type)}${at(`${ptr}/type`)}`);
    return;
  }
  if (b.block_id !== undefined) {
    if (typeof b.block_id !== 'string') p.push(`must be a string${at(`${ptr}/block_id`)}`);
    else maxLen(p, b.block_id, LIMITS.blockId, `${ptr}/block_id`);
  }
  switch (b.type) {
    case 'section': {
      if (b.text === undefined && b.fields === undefined) p.push(`must provide either text or fields${at(ptr)}`);
      if (b.text !== undefined) textObject(p, b.text, `${ptr}/text`, { max: LIMITS.sectionText });
      if (b.fields !== undefined) {
        if (!Array.isArray(b.fields)) p.push(`must be an array${at(`${ptr}/fields`)}`);
        else {
          if (b.fields.length > LIMITS.sectionFields) p.push(`must provide no more than ${LIMITS.sectionFields} items${at(`${ptr}/fields`)}`);
          b.fields.forEach((f: unknown, i: number) => textObject(p, f, `${ptr}/fields/${i}`, { max: LIMITS.sectionFieldText }));
        }
      }
      if (b.accessory !== undefined) element(p, b.accessory, `${ptr}/accessory`, ACCESSORY_ELEMENTS, 'a section accessory');
      break;
    }
    case 'header':
      textObject(p, b.text, `${ptr}/text`, { plainOnly: true, max: LIMITS.headerText });
      break;
    case 'context': {
      const els = elementList(p, b, ptr, LIMITS.contextElements);
      els.forEach((el: any, i: number) => {
        const ep = `${ptr}/elements/${i}`;
        if (isObj(el) && el.type === 'image') element(p, el, ep, new Set(['image']), 'a context block');
        else textObject(p, el, ep, { max: LIMITS.sectionText });
      });
      break;
    }
    case 'actions': {
      const els = elementList(p, b, ptr, LIMITS.actionsElements);
      els.forEach((el: unknown, i: number) => element(p, el, `${ptr}/elements/${i}`, ACTIONS_ELEMENTS, 'an actions block'));
      uniqueActionIds(p, els, `${ptr}/elements`);
      break;
    }
    case 'input':
      if (surface === 'message') p.push(`input blocks are only allowed in modals and Home tabs${at(`${ptr}/type`)}`);
      textObject(p, b.label, `${ptr}/label`, { plainOnly: true, max: LIMITS.inputLabel });
      if (b.hint !== undefined) textObject(p, b.hint, `${ptr}/hint`, { plainOnly: true, max: LIMITS.inputHint });
      if (b.element === undefined) p.push(`missing required field: element${at(`${ptr}/element`)}`);
      else element(p, b.element, `${ptr}/element`, INPUT_ELEMENTS, 'an input block');
      if (b.optional !== undefined && typeof b.optional !== 'boolean') p.push(`must be a boolean${at(`${ptr}/optional`)}`);
      break;
    case 'image':
      element(p, { ...b, type: 'image' }, ptr, new Set(['image']), 'an image block');
      maxLen(p, b.alt_text, LIMITS.imageAltText, `${ptr}/alt_text`);
      if (b.title !== undefined) textObject(p, b.title, `${ptr}/title`, { plainOnly: true, max: 2000 });
      break;
    case 'rich_text':
      if (!Array.isArray(b.elements)) p.push(`missing required field: elements${at(`${ptr}/elements`)}`);
      break;
    case 'file':
      if (typeof b.external_id !== 'string') p.push(`missing required field: external_id${at(`${ptr}/external_id`)}`);
      if (b.source !== 'remote') p.push(`must be remote${at(`${ptr}/source`)}`);
      break;
    case 'video':
      for (const k of ['alt_text', 'video_url', 'thumbnail_url']) {
        if (typeof b[k] !== 'string') p.push(`missing required field: ${k}${at(`${ptr}/${k}`)}`);
      }
      textObject(p, b.title, `${ptr}/title`, { plainOnly: true, max: 200 });
      break;
    case 'markdown':
      if (surface !== 'message') p.push(`markdown blocks are only allowed in messages${at(`${ptr}/type`)}`);
      if (typeof b.text !== 'string' || b.text.length === 0) p.push(`missing required field: text${at(`${ptr}/text`)}`);
      else maxLen(p, b.text, LIMITS.markdownText, `${ptr}/text`);
      break;
    default:
      break;
  }
}

/** Validates a blocks array for a surface. Returns the list of problems (empty when valid). */
export function validateBlocks(blocks: unknown, surface: Surface, basePtr = '/blocks'): string[] {
  const p: Problems = [];
  if (!Array.isArray(blocks)) return [`must be an array${at(basePtr)}`];
  const max = surface === 'message' ? LIMITS.messageBlocks : LIMITS.viewBlocks;
  if (blocks.length > max) p.push(`must provide no more than ${max} items${at(basePtr)}`);
  const ids = new Set<string>();
  blocks.forEach((b, i) => {
    block(p, b, `${basePtr}/${i}`, surface);
    const id = isObj(b) ? b.block_id : undefined;
    if (typeof id === 'string') {
      if (ids.has(id)) p.push(`block_id ${JSON.stringify(id)} is not unique${at(`${basePtr}/${i}/block_id`)}`);
      ids.add(id);
    }
  });
  return p;
}

/** Sum of the text a message's blocks carry: every `text` string at any depth (used for msg_blocks_too_long). */
export function totalBlockText(blocks: unknown): number {
  if (Array.isArray(blocks)) return blocks.reduce((n: number, b) => n + totalBlockText(b), 0);
  if (!isObj(blocks)) return 0;
  return Object.entries(blocks).reduce((n, [k, v]) => n + (k === 'text' && typeof v === 'string' ? v.length : totalBlockText(v)), 0);
}

/**
 * What of some mrkdwn Slack would show raw: a `<`, `>` or `&` left once its links, mentions, dates and
 * escapes are taken out (a cut through one of them leaves such a character).
 */
export function strayMarkup(text: string): string[] {
  return text.replace(/<[^<>\n]*>/g, '').replace(/&(amp|lt|gt);/g, '').match(/[<>&]/g) ?? [];
}

/** Validates a whole view (modal or home). Returns the list of problems (empty when valid). */
export function validateView(view: unknown): string[] {
  if (!isObj(view)) return [`must be an object${at('/view')}`];
  const p: Problems = [];
  const size = Buffer.byteLength(JSON.stringify(view), 'utf8');
  if (size > LIMITS.viewBytes) p.push(`view is larger than ${LIMITS.viewBytes} bytes${at('/view')}`);
  if (view.type !== 'modal' && view.type !== 'home') {
    p.push(`must be one of modal, home${at('/view/type')}`);
    return p;
  }
  const surface: Surface = view.type;
  if (surface === 'modal') {
    textObject(p, view.title, '/view/title', { plainOnly: true, max: LIMITS.viewTitle });
    if (view.submit !== undefined) textObject(p, view.submit, '/view/submit', { plainOnly: true, max: LIMITS.viewButton });
    if (view.close !== undefined) textObject(p, view.close, '/view/close', { plainOnly: true, max: LIMITS.viewButton });
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b: any) => isObj(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) p.push(`must provide submit when input blocks are present${at('/view/submit')}`);
  }
  if (view.blocks === undefined) p.push(`missing required field: blocks${at('/view/blocks')}`);
  else p.push(...validateBlocks(view.blocks, surface, '/view/blocks'));
  for (const [k, max] of [['private_metadata', LIMITS.privateMetadata], ['callback_id', LIMITS.callbackId], ['external_id', LIMITS.externalId]] as const) {
    optString(p, view, k, max, '/view');
  }
  return p;
}
