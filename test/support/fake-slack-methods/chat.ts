/** chat.*, pins.*, bookmarks.* and reactions.* handlers of the fake Slack Web API. */
import type { FakeChannel, FakeMessage, FakeSlack } from '../fake-slack.js';
import { MSG_BLOCKS_TOTAL_TEXT_LIMIT, totalBlockText, validateBlocks } from '../block-kit-validator.js';
import { MSG_TEXT_MAX, SlackApiError, bool, fail, json, opt, req, type Args, type HandlerMap } from './shared.js';
import { channelArg } from './conversations.js';
import { messageObject, withIds } from './render.js';

interface Content { text?: string; blocks?: any[]; attachments?: any[]; metadata?: any }

/** Validates text/blocks/attachments/metadata the way chat.postMessage does. */
export function messageContent(args: Args, mode: 'post' | 'update'): Content {
  const text = opt(args, 'text');
  const blocks = json(args, 'blocks', 'invalid_blocks_format');
  const attachments = json(args, 'attachments', 'invalid_attachments');
  const metadata = json(args, 'metadata', 'invalid_metadata_format');
  const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
  if (blocks !== undefined && !Array.isArray(blocks)) fail('invalid_blocks_format');
  if (attachments !== undefined && !Array.isArray(attachments)) fail('invalid_attachments');
  if (mode === 'post' && !text && !hasBlocks && !attachments?.length) fail('no_text');
  if (mode === 'update' && text === undefined && blocks === undefined && attachments === undefined) fail('no_text');
  if (text && text.length > MSG_TEXT_MAX) fail('msg_too_long');
  if (Array.isArray(blocks)) checkMessageBlocks(blocks);
  if (attachments && attachments.length > 100) fail('too_many_attachments');
  if (metadata !== undefined && (typeof metadata !== 'object' || typeof metadata.event_type !== 'string' || typeof metadata.event_payload !== 'object')) {
    fail('invalid_metadata_schema');
  }
  return { text, blocks, attachments, metadata };
}

/** Throws invalid_blocks (with Slack-style messages) or msg_blocks_too_long. */
export function checkMessageBlocks(blocks: unknown[]): void {
  const problems = validateBlocks(blocks, 'message');
  if (problems.length) {
    throw new SlackApiError('invalid_blocks', { errors: problems, response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) } });
  }
  if (totalBlockText(blocks) > MSG_BLOCKS_TOTAL_TEXT_LIMIT) fail('msg_blocks_too_long');
}

/** Channel for posting: ids, `#name`, or a user id (their DM with the bot). */
export function postChannel(fake: FakeSlack, args: Args, key = 'channel'): FakeChannel {
  const ch = fake.resolveChannel(opt(args, key), { userMeansDm: true });
  if (!ch) fail('channel_not_found');
  if (ch.is_archived) fail('is_archived');
  if (ch.is_private && !ch.members.has(fake.botUserId)) fail('not_in_channel');
  return ch;
}

/** The thread root for a thread_ts argument, else thread_not_found. */
export function threadArg(fake: FakeSlack, ch: FakeChannel, args: Args): string | undefined {
  const threadTs = opt(args, 'thread_ts');
  if (threadTs === undefined) return undefined;
  const parent = fake.findMessage(ch, threadTs);
  if (!parent) fail('thread_not_found');
  return parent.thread_ts ?? parent.ts;
}

function messageArg(fake: FakeSlack, ch: FakeChannel, args: Args, key: string): FakeMessage {
  const msg = fake.findMessage(ch, opt(args, key));
  if (!msg) fail('message_not_found');
  return msg;
}

function bookmarkObject(fake: FakeSlack, ch: FakeChannel, b: FakeChannel['bookmarks'][number]) {
  return { id: b.id, channel_id: ch.id, title: b.title, link: b.link, emoji: b.emoji ?? null, type: b.type, entity_id: null, date_created: Math.floor(fake.now() / 1000), date_updated: 0, rank: 'a', last_updated_by_user_id: fake.botUserId };
}

export const chatMethods: HandlerMap = {
  'chat.postMessage'(fake, args) {
    const ch = postChannel(fake, args);
    const c = messageContent(args, 'post');
    const thread_ts = threadArg(fake, ch, args);
    const msg = fake.postInternal(ch, { user: fake.botUserId, ...c, thread_ts, reply_broadcast: thread_ts ? bool(args.reply_broadcast) || undefined : undefined });
    return { channel: ch.id, ts: msg.ts, message: messageObject(fake, msg) };
  },

  'chat.update'(fake, args) {
    const ch = channelArg(fake, args);
    const msg = messageArg(fake, ch, args, 'ts');
    if (msg.user !== fake.botUserId) fail('cant_update_message');
    if (ch.is_archived) fail('is_archived');
    const c = messageContent(args, 'update');
    if (c.text !== undefined) msg.text = c.text;
    if (c.blocks !== undefined) {
      if (c.blocks.length) msg.blocks = withIds(c.blocks);
      else delete msg.blocks;
    }
    if (c.attachments !== undefined) msg.attachments = c.attachments;
    if (c.metadata !== undefined) msg.metadata = c.metadata;
    msg.edited = true;
    return { channel: ch.id, ts: msg.ts, text: msg.text ?? '', message: messageObject(fake, msg) };
  },

  'chat.postEphemeral'(fake, args) {
    const ch = postChannel(fake, args);
    const user = req(args, 'user', 'user_not_found');
    const u = fake.users.get(user);
    if (!u) fail('user_not_found');
    if (!ch.members.has(user)) fail('user_not_in_channel');
    const c = messageContent(args, 'post');
    const thread_ts = opt(args, 'thread_ts');
    const ts = fake.nextTs();
    fake.ephemerals.push({ channel: ch.id, user, ts, text: c.text, blocks: c.blocks, thread_ts });
    return { message_ts: ts };
  },

  'chat.delete'(fake, args) {
    const ch = channelArg(fake, args);
    const msg = messageArg(fake, ch, args, 'ts');
    if (msg.user !== fake.botUserId) fail('cant_delete_message');
    ch.messages = ch.messages.filter((m) => m !== msg);
    ch.pins = ch.pins.filter((ts) => ts !== msg.ts);
    return { channel: ch.id, ts: msg.ts };
  },

  'chat.getPermalink'(fake, args) {
    const ch = channelArg(fake, args);
    const msg = messageArg(fake, ch, args, 'message_ts');
    let permalink = `https://fake.slack.test/archives/${ch.id}/p${msg.ts.replace('.', '')}`;
    if (msg.thread_ts && msg.thread_ts !== msg.ts) permalink += `?thread_ts=${msg.thread_ts}&cid=${ch.id}`;
    return { channel: ch.id, permalink };
  },

  'pins.add'(fake, args) {
    const ch = channelArg(fake, args);
    if (!opt(args, 'timestamp')) fail('no_item_specified');
    const msg = messageArg(fake, ch, args, 'timestamp');
    if (!ch.members.has(fake.botUserId)) fail('not_in_channel');
    if (ch.is_archived) fail('is_archived');
    if (ch.pins.includes(msg.ts)) fail('already_pinned');
    ch.pins.push(msg.ts);
    return {};
  },

  'pins.remove'(fake, args) {
    const ch = channelArg(fake, args);
    const msg = messageArg(fake, ch, args, 'timestamp');
    if (!ch.pins.includes(msg.ts)) fail('no_pin');
    ch.pins = ch.pins.filter((ts) => ts !== msg.ts);
    return {};
  },

  'pins.list'(fake, args) {
    const ch = channelArg(fake, args);
    const items = ch.pins
      .map((ts) => fake.findMessage(ch, ts))
      .filter((m): m is FakeMessage => !!m)
      .map((m) => ({ type: 'message', channel: ch.id, created: Math.floor(fake.now() / 1000), created_by: fake.botUserId, message: messageObject(fake, m) }));
    return { items };
  },

  'bookmarks.add'(fake, args) {
    const ch = channelArg(fake, args, 'channel_id');
    if (ch.is_archived) fail('is_archived');
    const title = req(args, 'title');
    const type = req(args, 'type');
    if (type !== 'link') fail('invalid_bookmark_type');
    const link = opt(args, 'link');
    if (!link || !/^https?:\/\//.test(link)) fail('invalid_link');
    const emoji = opt(args, 'emoji');
    if (emoji !== undefined && !/^:[a-z0-9_+'-]+:$/.test(emoji)) fail('invalid_emoji');
    const b = { id: fake.nextId('Bk'), title, link, type, ...(emoji ? { emoji } : {}) };
    ch.bookmarks.push(b);
    return { bookmark: bookmarkObject(fake, ch, b) };
  },

  'bookmarks.edit'(fake, args) {
    const ch = channelArg(fake, args, 'channel_id');
    const b = ch.bookmarks.find((x) => x.id === opt(args, 'bookmark_id'));
    if (!b) fail('not_found');
    const link = opt(args, 'link');
    if (link !== undefined && !/^https?:\/\//.test(link)) fail('invalid_link');
    const title = opt(args, 'title');
    const emoji = opt(args, 'emoji');
    if (title !== undefined) b.title = title;
    if (link !== undefined) b.link = link;
    if (emoji !== undefined) b.emoji = emoji;
    return { bookmark: bookmarkObject(fake, ch, b) };
  },

  'bookmarks.remove'(fake, args) {
    const ch = channelArg(fake, args, 'channel_id');
    const id = opt(args, 'bookmark_id');
    if (!ch.bookmarks.some((x) => x.id === id)) fail('not_found');
    ch.bookmarks = ch.bookmarks.filter((x) => x.id !== id);
    return {};
  },

  'bookmarks.list'(fake, args) {
    const ch = channelArg(fake, args, 'channel_id');
    return { bookmarks: ch.bookmarks.map((b) => bookmarkObject(fake, ch, b)) };
  },

  'reactions.add'(fake, args) {
    const ch = channelArg(fake, args);
    const msg = messageArg(fake, ch, args, 'timestamp');
    const name = req(args, 'name', 'invalid_name').replace(/^:|:$/g, '');
    if (!/^[a-z0-9_+'-]+$/.test(name)) fail('invalid_name');
    msg.reactions ??= [];
    let r = msg.reactions.find((x) => x.name === name);
    if (r?.users.includes(fake.botUserId)) fail('already_reacted');
    if (!r) msg.reactions.push((r = { name, users: [], count: 0 }));
    r.users.push(fake.botUserId);
    r.count = r.users.length;
    return {};
  },

  'reactions.get'(fake, args) {
    const ch = channelArg(fake, args);
    const msg = messageArg(fake, ch, args, 'timestamp');
    return { type: 'message', channel: ch.id, message: { ...messageObject(fake, msg), reactions: (msg.reactions ?? []).map((r) => ({ ...r, users: [...r.users] })) } };
  },

  'reactions.remove'(fake, args) {
    const ch = channelArg(fake, args);
    const msg = messageArg(fake, ch, args, 'timestamp');
    const name = req(args, 'name', 'invalid_name').replace(/^:|:$/g, '');
    const r = msg.reactions?.find((x) => x.name === name);
    if (!r || !r.users.includes(fake.botUserId)) fail('no_reaction');
    r.users = r.users.filter((u) => u !== fake.botUserId);
    r.count = r.users.length;
    msg.reactions = msg.reactions!.filter((x) => x.count > 0);
    return {};
  },
};
