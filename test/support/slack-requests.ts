/**
 * Drives the app over HTTP the way Slack does: signed slash commands (form fields), interactions
 * (form field `payload=` with JSON) and Events API callbacks (JSON), with trigger_ids and
 * response_urls issued by the FakeSlack server so the app's follow-up calls can be checked.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { FakeSlack } from './fake-slack.js';
import { messageObject } from './fake-slack-methods/render.js';

/** `v0=` + hex HMAC-SHA256(secret, `v0:${timestamp}:${rawBody}`) — Slack's request signature. */
export function signSlackRequest(secret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

export interface DriverResponse {
  status: number;
  /** Parsed JSON when the app answered JSON (or JSON-looking text), else the text ('' for an empty ack). */
  body: any;
  headers: Record<string, string>;
  /** Wall time until the app answered — Slack gives up after 3000 ms. */
  elapsedMs: number;
}

export interface InteractionResponse extends DriverResponse {
  triggerId: string;
  responseUrl?: string;
}

export interface ViewSubmissionResponse extends DriverResponse {
  triggerId: string;
  /** Problems with the ack's response_action (invalid view, unknown error keys) — empty when Slack would accept it. */
  viewErrors: string[];
}

/** Slack `state.values` element shapes, for viewSubmission / blockAction values. */
export const input = {
  text: (value: string | null) => ({ type: 'plain_text_input', value }),
  select: (value: string | null, text?: string) => ({ type: 'static_select', selected_option: value === null ? null : option(value, text) }),
  multiSelect: (values: string[]) => ({ type: 'multi_static_select', selected_options: values.map((v) => option(v)) }),
  users: (ids: string[]) => ({ type: 'multi_users_select', selected_users: ids }),
  user: (id: string | null) => ({ type: 'users_select', selected_user: id }),
  channel: (id: string | null) => ({ type: 'conversations_select', selected_conversation: id }),
  date: (date: string | null) => ({ type: 'datepicker', selected_date: date }),
  time: (time: string | null) => ({ type: 'timepicker', selected_time: time }),
  /** A datetimepicker's value: Unix seconds. */
  dateTime: (at: Date | string | null) => ({ type: 'datetimepicker', selected_date_time: at === null ? null : Math.floor(new Date(at).getTime() / 1000) }),
  radio: (value: string | null, text?: string) => ({ type: 'radio_buttons', selected_option: value === null ? null : option(value, text) }),
  checkboxes: (values: string[]) => ({ type: 'checkboxes', selected_options: values.map((v) => option(v)) }),
};

function option(value: string, text?: string) {
  return { text: { type: 'plain_text', text: text ?? value, emoji: true }, value };
}

/**
 * A slash command's text as Slack sends it (the manifest sets should_escape): &, < and > escaped,
 * its own markup (`<@U…|name>`, `<#C…>`, `<!here>`, `<https://…>`) left as it is.
 */
export function escapeCommandText(typed: string): string {
  return typed
    .split(/(<(?:[@#!]|https?:\/\/|mailto:)[^<>]*>)/)
    .map((part, i) => (i % 2 ? part : part.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('');
}

export interface SlackDriverOptions {
  appUrl: string;
  signingSecret: string;
  fake: FakeSlack;
  teamId?: string;
  path?: string;
  /** api_app_id sent in payloads (default the fake's app id). */
  appId?: string;
}

export class SlackDriver {
  readonly teamId: string;
  readonly appId: string;
  private readonly url: string;

  constructor(private readonly opts: SlackDriverOptions) {
    this.teamId = opts.teamId ?? opts.fake.teamId;
    this.appId = opts.appId ?? opts.fake.appId;
    this.url = opts.appUrl.replace(/\/$/, '') + (opts.path ?? '/slack/events');
  }

  /** The headers Slack adds: timestamp + signature (timestamp defaults to now). */
  signatureHeaders(rawBody: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
    return {
      'X-Slack-Request-Timestamp': String(timestamp),
      'X-Slack-Signature': signSlackRequest(this.opts.signingSecret, timestamp, rawBody),
    };
  }

  /** POSTs an arbitrary body with exactly these headers (no signing): for signature-check tests. */
  async raw(body: string, headers: Record<string, string>): Promise<DriverResponse> {
    const started = Date.now();
    const res = await fetch(this.url, { method: 'POST', headers, body });
    const text = await res.text();
    const headersOut = Object.fromEntries(res.headers.entries());
    let parsed: any = text;
    if (text && ((headersOut['content-type'] ?? '').includes('json') || /^[[{]/.test(text.trim()))) {
      try {
        parsed = JSON.parse(text);
      } catch {
        /* keep text */
      }
    }
    return { status: res.status, body: parsed, headers: headersOut, elapsedMs: Date.now() - started };
  }

  /**
   * When set, every request is delivered twice at once, the second as Slack's retry
   * (X-Slack-Retry-Num: 1); the first delivery's response is returned.
   */
  deliverTwice = false;

  private async send(body: string, contentType: string, extra: Record<string, string> = {}): Promise<DriverResponse> {
    const headers = { 'Content-Type': contentType, ...this.signatureHeaders(body), ...extra };
    if (!this.deliverTwice) return this.raw(body, headers);
    const [first] = await Promise.all([this.raw(body, headers), this.raw(body, { ...headers, 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' })]);
    return first;
  }

  private form(fields: Record<string, string>): Promise<DriverResponse> {
    return this.send(new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded');
  }

  private interaction(payload: Record<string, any>): Promise<DriverResponse> {
    return this.form({ payload: JSON.stringify(payload) });
  }

  private user(userId: string) {
    const u = this.opts.fake.users.get(userId);
    return { id: userId, username: u?.name ?? userId, name: u?.name ?? userId, team_id: this.teamId };
  }

  private team() {
    return { id: this.teamId, domain: 'fake-team' };
  }

  private channel(channelId: string | undefined) {
    if (!channelId) return undefined;
    const ch = this.opts.fake.channels.get(channelId);
    return { id: channelId, name: ch?.is_im ? 'directmessage' : ch?.name ?? channelId };
  }

  private common(userId: string) {
    return { token: 'fake-verification-token', team: this.team(), user: this.user(userId), api_app_id: this.appId, is_enterprise_install: false, enterprise: null };
  }

  private static actionTs(): string {
    return `${Math.floor(Date.now() / 1000)}.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  }

  async command(opts: { text: string; userId: string; channelId: string; channelName?: string; command?: string }): Promise<InteractionResponse & { responseUrl: string }> {
    const fake = this.opts.fake;
    const responseUrl = fake.responseUrl();
    const triggerId = fake.issueTriggerId(opts.userId);
    const ch = fake.channels.get(opts.channelId);
    const res = await this.form({
      token: 'fake-verification-token',
      team_id: this.teamId,
      team_domain: 'fake-team',
      channel_id: opts.channelId,
      channel_name: opts.channelName ?? (ch?.is_im ? 'directmessage' : ch?.name ?? 'unknown'),
      user_id: opts.userId,
      user_name: fake.users.get(opts.userId)?.name ?? opts.userId,
      command: opts.command ?? '/incident',
      text: escapeCommandText(opts.text),
      api_app_id: this.appId,
      is_enterprise_install: 'false',
      response_url: responseUrl,
      trigger_id: triggerId,
    });
    return { ...res, responseUrl, triggerId };
  }

  /**
   * A block_actions interaction. The block_id and element type are looked up in the message
   * (channelId + messageTs, from the fake) or in `view` when not given.
   */
  async blockAction(opts: {
    userId: string;
    actionId: string;
    value?: string;
    blockId?: string;
    channelId?: string;
    messageTs?: string;
    view?: any;
    values?: Record<string, Record<string, any>>;
    selectedOption?: { value: string; text?: string };
    selectedUsers?: string[];
    selectedUser?: string;
    selectedDate?: string;
    actionType?: string;
  }): Promise<InteractionResponse> {
    const fake = this.opts.fake;
    const triggerId = fake.issueTriggerId(opts.userId);
    const msg = opts.channelId && opts.messageTs ? fake.channels.get(opts.channelId)?.messages.find((m) => m.ts === opts.messageTs) : undefined;
    if (opts.channelId && opts.messageTs && !msg) throw new Error(`SlackDriver.blockAction: no message ${opts.messageTs} in ${opts.channelId}`);
    const blocks: any[] = msg?.blocks ?? opts.view?.blocks ?? [];
    const found = findElement(blocks, opts.actionId, opts.blockId);
    // Slack sends a block action from an input block's element only when the block dispatches it.
    if (found?.block?.type === 'input' && found.block.dispatch_action !== true) throw new Error(`SlackDriver.blockAction: input block ${found.blockId} has no dispatch_action, so Slack sends no action for ${opts.actionId}`);
    const type = opts.actionType ?? found?.element.type ?? (opts.selectedOption ? 'static_select' : opts.selectedUsers ? 'multi_users_select' : opts.selectedUser ? 'users_select' : opts.selectedDate ? 'datepicker' : 'button');
    const action: Record<string, any> = { type, action_id: opts.actionId, block_id: opts.blockId ?? found?.blockId ?? 'block', action_ts: SlackDriver.actionTs() };
    if (type === 'button') Object.assign(action, { text: found?.element.text ?? { type: 'plain_text', text: opts.actionId }, value: opts.value ?? found?.element.value });
    else if (opts.value !== undefined) action.value = opts.value;
    if (opts.selectedOption) action.selected_option = option(opts.selectedOption.value, opts.selectedOption.text);
    if (opts.selectedUsers) action.selected_users = opts.selectedUsers;
    if (opts.selectedUser) action.selected_user = opts.selectedUser;
    if (opts.selectedDate) action.selected_date = opts.selectedDate;
    const payload: Record<string, any> = { type: 'block_actions', ...this.common(opts.userId), trigger_id: triggerId, actions: [action], state: { values: opts.values ?? {} } };
    let responseUrl: string | undefined;
    if (opts.view) {
      payload.container = { type: 'view', view_id: opts.view.id };
      payload.view = { ...opts.view, state: { values: opts.values ?? {} } };
    } else if (opts.channelId) {
      responseUrl = fake.responseUrl();
      payload.container = { type: 'message', message_ts: opts.messageTs, channel_id: opts.channelId, is_ephemeral: !msg };
      payload.channel = this.channel(opts.channelId);
      payload.response_url = responseUrl;
      if (msg) payload.message = messageObject(fake, msg);
    }
    const res = await this.interaction(payload);
    return { ...res, triggerId, responseUrl };
  }

  /**
   * A view_submission. `view` is the view as opened (e.g. `fake.views.get(id)!.view`); `values` is
   * state.values keyed by block_id then action_id (use `input.*`). The ack is applied to the fake's
   * view state (closed on an empty ack; update/push/clear/errors honoured), problems in `viewErrors`.
   */
  async viewSubmission(opts: { userId: string; view: any; values: Record<string, Record<string, any>> }): Promise<ViewSubmissionResponse> {
    const fake = this.opts.fake;
    checkValuesMatchView(opts.view, opts.values);
    const stored = opts.view?.id ? fake.views.get(opts.view.id) : undefined;
    if (stored?.closed) throw new Error(`SlackDriver.viewSubmission: view ${opts.view.id} is already closed`);
    const triggerId = fake.issueTriggerId(opts.userId);
    const payload = { type: 'view_submission', ...this.common(opts.userId), trigger_id: triggerId, view: { ...opts.view, state: { values: opts.values } }, response_urls: [] };
    const res = await this.interaction(payload);
    const viewErrors = stored && res.status === 200 ? fake.applyViewResponse(opts.userId, stored.id, res.body) : [];
    return { ...res, triggerId, viewErrors };
  }

  /**
   * A block_suggestion: Slack asking for the options of an external select as the user types
   * `value`. The app's answer (`{ options }` or `{ option_groups }`) is the response body.
   */
  async blockSuggestion(opts: { userId: string; actionId: string; value: string; blockId?: string; view?: any }): Promise<DriverResponse> {
    const payload: Record<string, any> = {
      type: 'block_suggestion',
      ...this.common(opts.userId),
      action_id: opts.actionId,
      block_id: opts.blockId ?? opts.actionId,
      value: opts.value,
      container: opts.view ? { type: 'view', view_id: opts.view.id } : { type: 'message' },
    };
    if (opts.view) payload.view = { ...opts.view, state: { values: {} } };
    return this.interaction(payload);
  }

  /** A view_closed interaction (only sent by Slack when the view had notify_on_close). */
  async viewClosed(opts: { userId: string; view: any }): Promise<DriverResponse> {
    if (opts.view?.id) this.opts.fake.closeView(opts.view.id);
    return this.interaction({ type: 'view_closed', ...this.common(opts.userId), view: opts.view, is_cleared: false });
  }

  async shortcut(opts: { userId: string; callbackId: string; type?: 'shortcut' | 'message_action'; channelId?: string; messageTs?: string; text?: string }): Promise<InteractionResponse> {
    const fake = this.opts.fake;
    const triggerId = fake.issueTriggerId(opts.userId);
    const type = opts.type ?? (opts.messageTs ? 'message_action' : 'shortcut');
    const payload: Record<string, any> = { type, callback_id: opts.callbackId, trigger_id: triggerId, action_ts: SlackDriver.actionTs(), ...this.common(opts.userId) };
    let responseUrl: string | undefined;
    if (type === 'message_action') {
      if (!opts.channelId || !opts.messageTs) throw new Error('SlackDriver.shortcut: message_action needs channelId and messageTs');
      const msg = fake.channels.get(opts.channelId)?.messages.find((m) => m.ts === opts.messageTs);
      responseUrl = fake.responseUrl();
      Object.assign(payload, {
        channel: this.channel(opts.channelId),
        message_ts: opts.messageTs,
        message: msg ? messageObject(fake, msg) : { type: 'message', ts: opts.messageTs, user: opts.userId, text: opts.text ?? '' },
        response_url: responseUrl,
      });
    }
    const res = await this.interaction(payload);
    return { ...res, triggerId, responseUrl };
  }

  /** Slack's url_verification handshake (the app must echo the challenge). */
  urlVerification(challenge = randomBytes(16).toString('hex')): Promise<DriverResponse> {
    return this.send(JSON.stringify({ token: 'fake-verification-token', challenge, type: 'url_verification' }), 'application/json');
  }

  /** An Events API callback; with retryNum it carries X-Slack-Retry-Num / X-Slack-Retry-Reason like Slack's retries. */
  async event(event: Record<string, any>, opts: { eventId?: string; retryNum?: number; retryReason?: string } = {}): Promise<DriverResponse & { eventId: string }> {
    const eventId = opts.eventId ?? `Ev${randomBytes(5).toString('hex').toUpperCase()}`;
    const now = Math.floor(Date.now() / 1000);
    const envelope = {
      token: 'fake-verification-token',
      team_id: this.teamId,
      api_app_id: this.appId,
      event: { event_ts: `${now}.000100`, ...event },
      type: 'event_callback',
      event_id: eventId,
      event_time: now,
      authorizations: [{ enterprise_id: null, team_id: this.teamId, user_id: this.opts.fake.botUserId, is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
      event_context: `4-${randomBytes(8).toString('hex')}`,
    };
    const extra: Record<string, string> = {};
    if (opts.retryNum !== undefined) {
      extra['X-Slack-Retry-Num'] = String(opts.retryNum);
      extra['X-Slack-Retry-Reason'] = opts.retryReason ?? 'http_timeout';
    }
    const res = await this.send(JSON.stringify(envelope), 'application/json', extra);
    return { ...res, eventId };
  }
}

function findElement(blocks: any[], actionId: string, blockId?: string): { blockId: string; element: any; block: any } | undefined {
  for (const b of blocks) {
    if (blockId && b?.block_id !== blockId) continue;
    const els = [...(Array.isArray(b?.elements) ? b.elements : []), b?.accessory, b?.element].filter(Boolean);
    const el = els.find((e: any) => e?.action_id === actionId);
    if (el) return { blockId: b.block_id ?? blockId ?? 'block', element: el, block: b };
  }
  return undefined;
}

/** Catches test mistakes: submitted values must name input blocks / action ids present in the view. */
function checkValuesMatchView(view: any, values: Record<string, Record<string, any>>): void {
  if (!Array.isArray(view?.blocks)) return;
  const inputs = new Map<string, string | undefined>();
  for (const b of view.blocks) if (b?.type === 'input' || b?.type === 'actions' || b?.type === 'section') inputs.set(b.block_id, b.element?.action_id);
  for (const [blockId, byAction] of Object.entries(values)) {
    if (!inputs.has(blockId)) throw new Error(`SlackDriver.viewSubmission: no block_id ${JSON.stringify(blockId)} in the view (have ${[...inputs.keys()].join(', ')})`);
    const actionId = inputs.get(blockId);
    for (const a of Object.keys(byAction)) {
      if (actionId !== undefined && a !== actionId) throw new Error(`SlackDriver.viewSubmission: block ${blockId} has action_id ${actionId}, not ${a}`);
    }
  }
}
