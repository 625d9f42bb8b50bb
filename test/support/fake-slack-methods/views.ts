/** views.* handlers of the fake Slack Web API, and view-stack bookkeeping used by the request driver. */
import type { FakeSlack, FakeView } from '../fake-slack.js';
import { LIMITS, validateView } from '../block-kit-validator.js';
import { SlackApiError, fail, json, opt, type Args, type HandlerMap } from './shared.js';
import { withIds } from './render.js';

/** Slack allows at most 3 views in a modal stack. */
export const MAX_VIEW_STACK = 3;

function viewArg(args: Args): Record<string, any> {
  const view = json(args, 'view');
  if (view === undefined) fail('invalid_arguments', ['[ERROR] missing required field: view']);
  if (typeof view !== 'object' || view === null || Array.isArray(view)) fail('invalid_arguments', ['[ERROR] must be an object [json-pointer:/view]']);
  return view;
}

/** Problems with a view for the given surface (size, schema, type). */
export function viewProblems(view: Record<string, any>, expected: 'modal' | 'home'): string[] {
  const problems = validateView(view);
  if (view.type !== expected) problems.unshift(`view type must be ${expected} here [json-pointer:/view/type]`);
  return problems;
}

/** Real Slack answers invalid views with invalid_arguments (+ messages), oversize ones with view_too_large. */
function checkView(view: Record<string, any>, expected: 'modal' | 'home'): void {
  if (Buffer.byteLength(JSON.stringify(view), 'utf8') > LIMITS.viewBytes) fail('view_too_large');
  const problems = viewProblems(view, expected);
  if (problems.length) throw new SlackApiError('invalid_arguments', { response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) } });
}

function checkExternalId(fake: FakeSlack, view: Record<string, any>, exceptId?: string): void {
  if (!view.external_id) return;
  for (const v of fake.views.values()) {
    if (v.id !== exceptId && !v.closed && v.view.external_id === view.external_id) fail('duplicate_external_id');
  }
}

function materialize(fake: FakeSlack, id: string, view: Record<string, any>, hash: string, root: string, previous: string | null): Record<string, any> {
  return {
    id,
    team_id: fake.teamId,
    type: view.type,
    title: view.title,
    submit: view.submit ?? null,
    close: view.close ?? null,
    blocks: withIds(view.blocks),
    private_metadata: view.private_metadata ?? '',
    callback_id: view.callback_id ?? '',
    external_id: view.external_id ?? '',
    state: { values: {} },
    hash,
    clear_on_close: !!view.clear_on_close,
    notify_on_close: !!view.notify_on_close,
    root_view_id: root,
    previous_view_id: previous,
    app_id: fake.appId,
    app_installed_team_id: fake.teamId,
    bot_id: fake.botId,
  };
}

function store(fake: FakeSlack, view: Record<string, any>, user: string, existing?: FakeView, stackTop?: string | null): FakeView {
  const id = existing?.id ?? fake.nextId('V');
  const hash = fake.hash();
  const root = existing?.view.root_view_id ?? (stackTop ? fake.views.get(stackTop)?.view.root_view_id ?? stackTop : id);
  const previous = existing ? existing.view.previous_view_id : stackTop ?? null;
  const fv: FakeView = { id, view: materialize(fake, id, view, hash, root, previous), user, hash, type: view.type };
  fake.views.set(id, fv);
  return fv;
}

/** Marks a modal (and everything pushed above it) closed, as when the user dismisses it. */
export function closeView(fake: FakeSlack, viewId: string): void {
  const fv = fake.views.get(viewId);
  if (!fv) return;
  const stack = fake.viewStacks.get(fv.user) ?? [];
  const i = stack.indexOf(viewId);
  const closing = i >= 0 ? stack.splice(i) : [viewId];
  for (const id of closing) {
    const v = fake.views.get(id);
    if (v) v.closed = true;
  }
}

function lookup(fake: FakeSlack, args: Args): FakeView {
  const viewId = opt(args, 'view_id');
  const externalId = opt(args, 'external_id');
  if (!viewId && !externalId) fail('invalid_arguments', ['[ERROR] either view_id or external_id is required']);
  const fv = viewId ? fake.views.get(viewId) : [...fake.views.values()].find((v) => v.view.external_id === externalId && !v.closed);
  if (!fv || fv.closed) fail('not_found');
  return fv;
}

export const viewMethods: HandlerMap = {
  'views.open'(fake, args) {
    const view = viewArg(args);
    checkView(view, 'modal');
    checkExternalId(fake, view);
    const user = fake.consumeTrigger(args.trigger_id);
    for (const id of fake.viewStacks.get(user) ?? []) closeView(fake, id);
    const fv = store(fake, view, user, undefined, null);
    fake.viewStacks.set(user, [fv.id]);
    return { view: fv.view };
  },

  'views.push'(fake, args) {
    const view = viewArg(args);
    checkView(view, 'modal');
    checkExternalId(fake, view);
    const user = fake.consumeTrigger(args.trigger_id);
    const stack = fake.viewStacks.get(user) ?? [];
    if (stack.length === 0) fail('not_found');
    if (stack.length >= MAX_VIEW_STACK) fail('push_limit_reached');
    const fv = store(fake, view, user, undefined, stack[stack.length - 1]);
    stack.push(fv.id);
    fake.viewStacks.set(user, stack);
    return { view: fv.view };
  },

  'views.update'(fake, args) {
    const fv = lookup(fake, args);
    const hash = opt(args, 'hash');
    if (hash !== undefined && hash !== fv.hash) fail('hash_conflict');
    const view = viewArg(args);
    checkView(view, fv.type);
    checkExternalId(fake, view, fv.id);
    return { view: store(fake, view, fv.user, fv).view };
  },

  'views.publish'(fake, args) {
    const userId = opt(args, 'user_id');
    if (!userId) fail('invalid_arguments', ['[ERROR] missing required field: user_id']);
    const u = fake.users.get(userId);
    if (!u || u.is_bot) fail('user_not_found');
    const view = viewArg(args);
    checkView(view, 'home');
    const existingId = fake.homeViews.get(userId);
    const existing = existingId ? fake.views.get(existingId) : undefined;
    const hash = opt(args, 'hash');
    if (hash !== undefined && existing && hash !== existing.hash) fail('hash_conflict');
    const fv = store(fake, view, userId, existing);
    fv.view.root_view_id = fv.id;
    fake.homeViews.set(userId, fv.id);
    return { view: fv.view };
  },
};

/**
 * Applies a view_submission ack body to the fake's view state, as Slack would:
 * empty → the submitted view closes; `update` / `push` / `clear` / `errors` as documented.
 * Returns problems (an invalid view or errors object) — Slack would show the user an error instead.
 */
export function applyViewResponse(fake: FakeSlack, userId: string, viewId: string, body: unknown): string[] {
  const fv = fake.views.get(viewId);
  if (!fv) return [`unknown view ${viewId}`];
  if (body === undefined || body === null || body === '' || (typeof body === 'object' && Object.keys(body).length === 0)) {
    closeView(fake, viewId);
    return [];
  }
  if (typeof body !== 'object') return [`ack body must be JSON, got ${JSON.stringify(body)}`];
  const b = body as Record<string, any>;
  switch (b.response_action) {
    case 'errors': {
      if (typeof b.errors !== 'object' || b.errors === null) return ['response_action errors needs an errors object'];
      const inputIds = new Set((fv.view.blocks ?? []).filter((x: any) => x?.type === 'input').map((x: any) => x.block_id));
      return Object.keys(b.errors).filter((k) => !inputIds.has(k)).map((k) => `errors key ${JSON.stringify(k)} is not the block_id of an input block in the view`);
    }
    case 'update': {
      const problems = typeof b.view === 'object' && b.view ? viewProblems(b.view, 'modal') : ['response_action update needs a view'];
      if (!problems.length) store(fake, b.view, userId, fv);
      return problems;
    }
    case 'push': {
      const problems = typeof b.view === 'object' && b.view ? viewProblems(b.view, 'modal') : ['response_action push needs a view'];
      const stack = fake.viewStacks.get(userId) ?? [];
      if (stack.length >= MAX_VIEW_STACK) problems.push('push_limit_reached');
      if (!problems.length) stack.push(store(fake, b.view, userId, undefined, stack[stack.length - 1] ?? viewId).id);
      fake.viewStacks.set(userId, stack);
      return problems;
    }
    case 'clear': {
      const stack = fake.viewStacks.get(userId) ?? [];
      if (stack[0]) closeView(fake, stack[0]);
      else closeView(fake, viewId);
      return [];
    }
    default:
      return [`unknown response_action ${JSON.stringify(b.response_action)}`];
  }
}
