/**
 * A strict fake of the Slack Web API for tests: an HTTP server on 127.0.0.1 that @slack/web-api 8
 * (and so Bolt) can be pointed at with `slackApiUrl: fake.apiUrl`. It keeps workspace state
 * (channels, messages, users, views, files), validates arguments like Slack, answers Slack's error
 * names, records every call, and can inject rate limits and server errors.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { MSG_BLOCKS_TOTAL_TEXT_LIMIT, totalBlockText, validateBlocks } from './block-kit-validator.js';
import { SlackApiError, isUserId, type Args, type HandlerMap } from './fake-slack-methods/shared.js';
import { parseBody, readBody } from './fake-slack-methods/http-util.js';
import { withIds } from './fake-slack-methods/render.js';
import { conversationMethods } from './fake-slack-methods/conversations.js';
import { chatMethods } from './fake-slack-methods/chat.js';
import { viewMethods, applyViewResponse, closeView } from './fake-slack-methods/views.js';
import { userAndFileMethods, receiveUpload } from './fake-slack-methods/users-files.js';
import { manifestScopes, missingScope } from './fake-slack-methods/scopes.js';

export interface RecordedCall { method: string; args: Record<string, any>; at: number; ok: boolean; error?: string }
export interface FakeMessage {
  ts: string;
  channel: string;
  text?: string;
  blocks?: any[];
  thread_ts?: string;
  /** Author: the bot user id for messages the app posted (or a user id for messages added with addMessage). */
  user: string;
  edited?: boolean;
  files?: any[];
  metadata?: any;
  attachments?: any[];
  subtype?: string;
  reply_count?: number;
  reply_users?: string[];
  reply_broadcast?: boolean;
  reactions?: { name: string; users: string[]; count: number }[];
}
export interface FakeChannel {
  id: string;
  name: string;
  is_private: boolean;
  is_archived: boolean;
  topic: string;
  purpose: string;
  members: Set<string>;
  messages: FakeMessage[];
  pins: string[];
  bookmarks: { id: string; title: string; link: string; type: string; emoji?: string }[];
  created: number;
  creator: string;
  is_im?: boolean;
  is_mpim?: boolean;
  /** For a DM: the other user. */
  user?: string;
}
export interface FakeUser { id: string; name: string; real_name: string; tz: string; tz_offset: number; is_bot?: boolean; deleted?: boolean; email?: string }
export interface FakeUsergroup { id: string; handle: string; name: string; users: string[] }
export interface FakeView { id: string; view: any; user: string; hash: string; type: 'modal' | 'home'; /** set once the modal was closed (submitted, cleared or dismissed) */ closed?: boolean }
export interface FakeFile { id: string; title: string; filename: string; content: string; bytes: Buffer; length: number; channels: string[]; uploaded: boolean; completed: boolean; created: number; alt_text?: string }
export interface FakeEphemeral { channel: string; user: string; ts: string; text?: string; blocks?: any[]; thread_ts?: string }
export interface FakeResponse { url: string; body: any; at: number; /** set when the fake refused the post (HTTP 4xx) */ rejected?: string }
export interface Failure { status?: number; retryAfter?: number; error?: string; times?: number }
/** Calls held by `FakeSlack.hold`: received by the fake but not answered until released. */
export interface Hold { /** calls waiting now */ readonly waiting: number; /** a call has been held */ readonly received: boolean; release(): void }
export interface FakeSlackOptions { botUserId?: string; teamId?: string; now?: () => number; botId?: string; appId?: string; scopes?: string[] }

interface TriggerState { issuedAt: number; used: boolean; user: string }
interface ResponseUrlState { issuedAt: number; uses: number }

/** trigger_id lifetime (ms). */
export const TRIGGER_TTL_MS = 3000;
/** response_url: up to 5 uses within 30 minutes. */
export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;

const JSON_ARGS = ['blocks', 'attachments', 'view', 'files', 'metadata'];
const APP_TOKEN_METHODS = new Set(['apps.connections.open']);

export class FakeSlack {
  readonly apiUrl: string;
  readonly baseUrl: string;
  readonly botUserId: string;
  readonly teamId: string;
  readonly botId: string;
  readonly appId: string;
  /** The bot token's scopes (default: manifest.yml's); a call needing another gets `missing_scope`, as from Slack. */
  readonly scopes: ReadonlySet<string>;
  /** Clock used for trigger expiry, response_url expiry, `at` stamps and message ts. */
  now: () => number;
  calls: RecordedCall[] = [];
  channels = new Map<string, FakeChannel>();
  users = new Map<string, FakeUser>();
  usergroups = new Map<string, FakeUsergroup>();
  responses: FakeResponse[] = [];
  views = new Map<string, FakeView>();
  ims = new Map<string, string>();
  files = new Map<string, FakeFile>();
  ephemerals: FakeEphemeral[] = [];
  /** Modal stacks per user (view ids, root first). */
  viewStacks = new Map<string, string[]>();
  /** Published Home tab view id per user. */
  homeViews = new Map<string, string>();
  delayMs = 0;
  /** Where apps.connections.open sends Socket Mode clients (a FakeSocketMode's url); unset, it answers an error. */
  socketModeUrl?: string;

  /** @internal */ triggers = new Map<string, TriggerState>();
  private responseUrls = new Map<string, ResponseUrlState>();
  private failNextRules = new Map<string, Required<Failure>[]>();
  private failEveryRules: { method: string; n: number; failure: Failure; count: number }[] = [];
  private gates: ((method: string, args: Args) => Promise<void>)[] = [];
  private seq = 0;
  private lastTsMicros = 0;
  private readonly handlers: HandlerMap = {
    ...conversationMethods,
    ...chatMethods,
    ...viewMethods,
    ...userAndFileMethods,
    'apps.connections.open': (fake) => {
      if (!fake.socketModeUrl) throw new SlackApiError('internal_error');
      return { url: `${fake.socketModeUrl}?ticket=${randomBytes(8).toString('hex')}&app_id=${fake.appId}` };
    },
  };

  private constructor(
    private readonly server: http.Server,
    port: number,
    opts: FakeSlackOptions,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.apiUrl = `${this.baseUrl}/api/`;
    this.botUserId = opts.botUserId ?? 'UBOT0001';
    this.teamId = opts.teamId ?? 'T0TEST001';
    this.botId = opts.botId ?? 'B0BOT0001';
    this.appId = opts.appId ?? 'A0APP0001';
    this.scopes = new Set(opts.scopes ?? manifestScopes());
    this.now = opts.now ?? (() => Date.now());
    this.addBotUser();
  }

  static async start(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
    let fake: FakeSlack | undefined;
    const server = http.createServer((req, res) => {
      if (!fake) {
        res.writeHead(503).end();
        return;
      }
      fake.handle(req, res).catch((err) => {
        console.error('[fake-slack] request failed', err);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    fake = new FakeSlack(server, (server.address() as AddressInfo).port, opts);
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---------------------------------------------------------------- test-facing helpers

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  channelByName(name: string): FakeChannel | undefined {
    for (const ch of this.channels.values()) if (ch.name === name && !ch.is_im && !ch.is_mpim) return ch;
    return undefined;
  }

  messagesIn(channelId: string): FakeMessage[] {
    return this.channels.get(channelId)?.messages ?? [];
  }

  /** The DM channel between the bot and a user, if one was opened. */
  dmWith(userId: string): FakeChannel | undefined {
    const id = this.ims.get(userId);
    return id ? this.channels.get(id) : undefined;
  }

  addUser(u: Partial<FakeUser> & { id: string }): FakeUser {
    const name = u.name ?? u.id.toLowerCase();
    const user: FakeUser = { name, real_name: u.real_name ?? name, tz: 'UTC', tz_offset: 0, is_bot: false, deleted: false, ...u };
    this.users.set(user.id, user);
    return user;
  }

  addChannel(c: Partial<FakeChannel> & { name: string }): FakeChannel {
    const ch: FakeChannel = {
      id: c.id ?? this.nextId('C'),
      is_private: false,
      is_archived: false,
      topic: '',
      purpose: '',
      messages: [],
      pins: [],
      bookmarks: [],
      created: Math.floor(this.now() / 1000),
      creator: 'U0CREATOR',
      ...c,
      members: new Set(c.members ?? []),
    };
    this.channels.set(ch.id, ch);
    return ch;
  }

  addUsergroup(g: { id: string; handle: string; name?: string; users: string[] }): void {
    this.usergroups.set(g.id, { id: g.id, handle: g.handle, name: g.name ?? g.handle, users: [...g.users] });
  }

  /** Adds a message as if a user (or the bot) had posted it, e.g. for message shortcuts or history. */
  addMessage(channelId: string, m: { user: string; text?: string; blocks?: any[]; thread_ts?: string }): FakeMessage {
    const ch = this.channels.get(channelId);
    if (!ch) throw new Error(`fake-slack: no channel ${channelId}`);
    return this.postInternal(ch, m);
  }

  /** Records a user's reaction on a message (what Slack stores before it sends reaction_added). */
  react(channelId: string, ts: string, name: string, userId: string, remove = false): void {
    const msg = this.channels.get(channelId)?.messages.find((m) => m.ts === ts);
    if (!msg) throw new Error(`fake-slack: no message ${ts} in ${channelId}`);
    msg.reactions ??= [];
    let r = msg.reactions.find((x) => x.name === name);
    if (!r) msg.reactions.push((r = { name, users: [], count: 0 }));
    r.users = remove ? r.users.filter((u) => u !== userId) : [...new Set([...r.users, userId])];
    r.count = r.users.length;
    msg.reactions = msg.reactions.filter((x) => x.count > 0);
  }

  /** A trigger_id valid for TRIGGER_TTL_MS of this.now() time and usable once. */
  issueTriggerId(userId = ''): string {
    const id = `${this.seq + 1000}.${Math.floor(this.now() / 1000)}.${randomBytes(16).toString('hex')}`;
    this.seq++;
    this.triggers.set(id, { issuedAt: this.now(), used: false, user: userId });
    return id;
  }

  /** A response_url on this server; JSON POSTs to it are recorded in `responses`. */
  responseUrl(): string {
    const id = `${this.teamId}/${++this.seq}/${randomBytes(12).toString('hex')}`;
    this.responseUrls.set(id, { issuedAt: this.now(), uses: 0 });
    return `${this.baseUrl}/commands/${id}`;
  }

  failNext(method: string, failure: Failure): void {
    const list = this.failNextRules.get(method) ?? [];
    list.push({ status: failure.status ?? 200, retryAfter: failure.retryAfter ?? 1, error: failure.error ?? '', times: failure.times ?? 1 });
    this.failNextRules.set(method, list);
  }

  failEvery(method: string, n: number, failure: Failure): void {
    if (n < 1) throw new Error('failEvery: n must be >= 1');
    this.failEveryRules.push({ method, n, failure, count: 0 });
  }

  /**
   * Holds calls of `method` whose arguments match `when` (by default: the next call only) until
   * `release()`. The request is received and then answered only when released, as a slow Slack would:
   * lets a test stop the world with a call in flight (restart or kill the caller mid-call) without
   * relying on timing. A held call is carried out when released, whether or not its caller is alive.
   */
  hold(method: string, when?: (args: Args) => boolean): Hold {
    let calls = 0;
    const matches = when ?? (() => ++calls === 1);
    const waiting: (() => void)[] = [];
    let released = false;
    let received = false;
    const gate = async (m: string, args: Args) => {
      if (released || m !== method || !matches(args)) return;
      received = true;
      await new Promise<void>((resolve) => waiting.push(resolve));
    };
    this.gates.push(gate);
    return {
      get waiting() {
        return waiting.length;
      },
      get received() {
        return received;
      },
      release: () => {
        released = true;
        this.gates = this.gates.filter((g) => g !== gate);
        for (const resolve of waiting.splice(0)) resolve();
      },
    };
  }

  /** Removes every failure rule and the added latency. */
  clearFailures(): void {
    this.failNextRules.clear();
    this.failEveryRules = [];
    this.delayMs = 0;
  }

  /** Applies the body of a view_submission ack (response_action update/push/clear/errors, or close). */
  applyViewResponse(userId: string, viewId: string, body: unknown): string[] {
    return applyViewResponse(this, userId, viewId, body);
  }

  /** Closes a modal (and any views pushed above it), as when the user dismisses it. */
  closeView(viewId: string): void {
    closeView(this, viewId);
  }

  /** Clears all state except users (the bot user stays). */
  reset(): void {
    this.calls = [];
    this.channels.clear();
    this.ims.clear();
    this.usergroups.clear();
    this.responses = [];
    this.views.clear();
    this.viewStacks.clear();
    this.homeViews.clear();
    this.files.clear();
    this.ephemerals = [];
    this.triggers.clear();
    this.responseUrls.clear();
    this.clearFailures();
    this.addBotUser();
  }

  // ---------------------------------------------------------------- internals used by handlers

  /** @internal */
  nextId(prefix: string): string {
    return `${prefix}${String(++this.seq).padStart(7, '0')}`;
  }

  /** @internal Unique, increasing message ts ("1700000000.000100"). */
  nextTs(): string {
    let micros = Math.floor(this.now() * 1000);
    if (micros <= this.lastTsMicros) micros = this.lastTsMicros + 100;
    this.lastTsMicros = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  /** @internal */
  hash(): string {
    return `${Math.floor(this.now() / 1000)}.${randomBytes(4).toString('hex')}`;
  }

  /** @internal Can the bot see this conversation (public, or a member)? */
  canSee(ch: FakeChannel): boolean {
    return !ch.is_private || ch.members.has(this.botUserId);
  }

  /** @internal Resolves a channel argument (id, `#name`, or — when posting — a user id meaning their DM). */
  resolveChannel(ref: string | undefined, opts: { userMeansDm?: boolean } = {}): FakeChannel | undefined {
    if (!ref) return undefined;
    let ch: FakeChannel | undefined;
    if (ref.startsWith('#')) ch = this.channelByName(ref.slice(1));
    else if (opts.userMeansDm && isUserId(ref)) {
      const u = this.users.get(ref);
      ch = u && !u.deleted && !u.is_bot ? this.openDm(ref) : undefined;
    } else ch = this.channels.get(ref);
    return ch && this.canSee(ch) ? ch : undefined;
  }

  /** @internal */
  openDm(userId: string): FakeChannel {
    const existing = this.ims.get(userId);
    if (existing) return this.channels.get(existing)!;
    const ch = this.addChannel({ id: this.nextId('D'), name: '', is_private: true, is_im: true, user: userId, members: new Set([this.botUserId, userId]) });
    this.ims.set(userId, ch.id);
    return ch;
  }

  /** @internal */
  findMessage(ch: FakeChannel, ts: string | undefined): FakeMessage | undefined {
    return ts ? ch.messages.find((m) => m.ts === ts) : undefined;
  }

  /** @internal */
  postInternal(ch: FakeChannel, m: Omit<FakeMessage, 'ts' | 'channel'>): FakeMessage {
    const msg: FakeMessage = { ...m, blocks: withIds(m.blocks), ts: this.nextTs(), channel: ch.id };
    for (const k of Object.keys(msg) as (keyof FakeMessage)[]) if (msg[k] === undefined) delete msg[k];
    if (msg.thread_ts) {
      const parent = this.findMessage(ch, msg.thread_ts);
      if (parent) {
        parent.reply_count = (parent.reply_count ?? 0) + 1;
        parent.reply_users = [...new Set([...(parent.reply_users ?? []), msg.user])];
        if (!parent.thread_ts) parent.thread_ts = parent.ts;
      }
    }
    ch.messages.push(msg);
    return msg;
  }

  /** @internal Consumes a trigger_id, enforcing Slack's rules. Returns the user it was issued for. */
  consumeTrigger(triggerId: unknown): string {
    if (typeof triggerId !== 'string' || triggerId === '') throw new SlackApiError('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: trigger_id'] } });
    const t = this.triggers.get(triggerId);
    if (!t) throw new SlackApiError('invalid_trigger_id');
    if (t.used) throw new SlackApiError('exchanged_trigger_id');
    if (this.now() - t.issuedAt > TRIGGER_TTL_MS) throw new SlackApiError('expired_trigger_id');
    t.used = true;
    return t.user;
  }

  // ---------------------------------------------------------------- HTTP

  private addBotUser(): void {
    if (!this.users.has(this.botUserId)) this.addUser({ id: this.botUserId, name: 'incident-bot', real_name: 'Incident Bot', is_bot: true });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const raw = await readBody(req);
    if (req.method !== 'POST' && req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    if (url.pathname.startsWith('/api/')) return this.handleApi(decodeURIComponent(url.pathname.slice(5)), url, req, res, raw);
    if (url.pathname.startsWith('/upload/')) {
      const r = await receiveUpload(this, url.pathname.slice(8), req.headers['content-type'] ?? '', raw);
      res.writeHead(r.status, { 'content-type': 'text/plain' }).end(r.body);
      return;
    }
    if (url.pathname.startsWith('/commands/')) return this.handleResponseUrl(url, req, res, raw);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }

  private takeFailure(method: string): Failure | undefined {
    let hit: Failure | undefined;
    for (const rule of this.failEveryRules) {
      if (rule.method !== '*' && rule.method !== method) continue;
      rule.count++;
      if (rule.count % rule.n === 0 && !hit) hit = rule.failure;
    }
    if (hit) return hit;
    const list = this.failNextRules.get(method);
    if (list && list.length) {
      const rule = list[0]!;
      rule.times--;
      if (rule.times <= 0) list.shift();
      return rule;
    }
    return undefined;
  }

  private async handleApi(method: string, url: URL, req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): Promise<void> {
    const at = this.now();
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
    };
    let args: Args;
    try {
      args = { ...Object.fromEntries(url.searchParams), ...(await parseBody(req.headers['content-type'] ?? '', raw)) };
    } catch {
      this.calls.push({ method, args: {}, at, ok: false, error: 'invalid_form_data' });
      return send(200, { ok: false, error: 'invalid_form_data' });
    }
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : typeof args.token === 'string' ? args.token : undefined;
    delete args.token;
    for (const k of JSON_ARGS) {
      if (typeof args[k] === 'string') {
        try {
          args[k] = JSON.parse(args[k]);
        } catch {
          /* left as a string: the handler answers with the proper format error */
        }
      }
    }
    for (const gate of this.gates) await gate(method, args);
    const record = (ok: boolean, error?: string) => this.calls.push(error ? { method, args, at, ok, error } : { method, args, at, ok });

    const failure = this.takeFailure(method);
    if (failure) {
      const status = failure.status ?? 200;
      if (status === 429) {
        record(false, 'ratelimited');
        return send(429, { ok: false, error: 'ratelimited' }, { 'Retry-After': String(failure.retryAfter ?? 1) });
      }
      if (status !== 200) {
        record(false, `http_${status}`);
        res.writeHead(status, { 'content-type': 'text/plain' }).end(http.STATUS_CODES[status] ?? 'error');
        return;
      }
      const error = failure.error || 'internal_error';
      record(false, error);
      return send(200, { ok: false, error });
    }

    const handler = Object.hasOwn(this.handlers, method) ? this.handlers[method] : undefined;
    if (!handler) {
      record(false, 'unknown_method');
      return send(200, { ok: false, error: 'unknown_method', req_method: method });
    }
    if (!token) {
      record(false, 'not_authed');
      return send(200, { ok: false, error: 'not_authed' });
    }
    // Socket Mode's apps.connections.open takes only an app-level token; everything else the bot token.
    const wanted = APP_TOKEN_METHODS.has(method) ? 'xapp-' : 'xoxb-';
    if (!token.startsWith(wanted)) {
      const error = /^(xoxb|xapp)-/.test(token) ? 'not_allowed_token_type' : 'invalid_auth';
      record(false, error);
      return send(200, { ok: false, error });
    }
    const needed = missingScope(this, this.scopes, method, args);
    if (needed) {
      record(false, 'missing_scope');
      return send(200, { ok: false, error: 'missing_scope', needed, provided: [...this.scopes].join(',') });
    }
    try {
      const result = await handler(this, args);
      record(true);
      send(200, { ok: true, ...result });
    } catch (err) {
      if (err instanceof SlackApiError) {
        record(false, err.error);
        return send(200, { ok: false, error: err.error, ...err.extra });
      }
      console.error(`[fake-slack] ${method} handler crashed`, err);
      record(false, 'fatal_error');
      send(200, { ok: false, error: 'fatal_error', response_metadata: { messages: [`[ERROR] fake-slack bug: ${String(err)}`] } });
    }
  }

  private handleResponseUrl(url: URL, req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): void {
    const id = url.pathname.slice('/commands/'.length);
    const state = this.responseUrls.get(id);
    const text = raw.toString('utf8');
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      /* keep text */
    }
    const reply = (status: number, error?: string) => {
      this.responses.push(error ? { url: url.href, body, at: this.now(), rejected: error } : { url: url.href, body, at: this.now() });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(error ? { ok: false, error } : { ok: true }));
    };
    if (!state) return reply(404, 'invalid_url');
    if (this.now() - state.issuedAt > RESPONSE_URL_TTL_MS) return reply(404, 'expired_url');
    if (state.uses >= RESPONSE_URL_MAX_USES) return reply(404, 'used_url');
    if (typeof body !== 'object' || body === null) return reply(400, 'invalid_payload');
    if (!req.headers['content-type']?.includes('application/json')) return reply(400, 'invalid_payload');
    if (!body.text && !body.blocks && !body.delete_original) return reply(400, 'no_text');
    if (body.blocks !== undefined) {
      if (validateBlocks(body.blocks, 'message').length) return reply(400, 'invalid_blocks');
      if (totalBlockText(body.blocks) > MSG_BLOCKS_TOTAL_TEXT_LIMIT) return reply(400, 'msg_blocks_too_long');
    }
    state.uses++;
    reply(200);
  }
}
