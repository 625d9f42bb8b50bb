/** conversations.* handlers of the fake Slack Web API. */
import type { FakeChannel, FakeSlack } from '../fake-slack.js';
import { PURPOSE_MAX, SlackApiError, TOPIC_MAX, bool, checkChannelName, fail, int, isUserId, opt, paginate, req, type Args, type HandlerMap } from './shared.js';
import { messageObject, channelObject } from './render.js';

/** The channel named by args[key], visible to the bot, else channel_not_found. */
export function channelArg(fake: FakeSlack, args: Args, key = 'channel'): FakeChannel {
  const ch = fake.resolveChannel(opt(args, key));
  if (!ch) fail('channel_not_found');
  return ch;
}

function requireMember(fake: FakeSlack, ch: FakeChannel): void {
  if (!ch.members.has(fake.botUserId)) fail('not_in_channel');
}

function notArchived(ch: FakeChannel): void {
  if (ch.is_archived) fail('is_archived');
}

function nameTaken(fake: FakeSlack, name: string, except?: string): boolean {
  for (const ch of fake.channels.values()) if (ch.name === name && ch.id !== except && !ch.is_im && !ch.is_mpim) return true;
  return false;
}

/** Messages newest first, filtered by Slack's oldest/latest/inclusive rules. */
function window<T extends { ts: string }>(list: T[], args: Args): T[] {
  const oldest = opt(args, 'oldest') ?? '0';
  const latest = opt(args, 'latest');
  const inclusive = bool(args.inclusive);
  const cmp = (a: string, b: string) => Number(a) - Number(b);
  return list.filter((m) => {
    const lo = inclusive ? cmp(m.ts, oldest) >= 0 : cmp(m.ts, oldest) > 0;
    const hi = latest === undefined ? true : inclusive ? cmp(m.ts, latest) <= 0 : cmp(m.ts, latest) < 0;
    return lo && hi;
  });
}

export const conversationMethods: HandlerMap = {
  'conversations.create'(fake, args) {
    const name = checkChannelName(args.name);
    if (nameTaken(fake, name)) fail('name_taken');
    const ch = fake.addChannel({ name, is_private: bool(args.is_private), creator: fake.botUserId, members: new Set([fake.botUserId]) });
    return { channel: channelObject(fake, ch) };
  },

  'conversations.rename'(fake, args) {
    const ch = channelArg(fake, args);
    requireMember(fake, ch);
    notArchived(ch);
    const name = checkChannelName(args.name);
    if (nameTaken(fake, name, ch.id)) fail('name_taken');
    ch.name = name;
    return { channel: channelObject(fake, ch) };
  },

  'conversations.invite'(fake, args) {
    const ref = opt(args, 'channel');
    // A private channel the bot is not in answers not_in_channel here (the brief's contract).
    const ch = fake.resolveChannel(ref) ?? (ref ? fake.channels.get(ref) : undefined);
    if (!ch) fail('channel_not_found');
    if (ch.is_im || ch.is_mpim) fail('method_not_supported_for_channel_type');
    notArchived(ch);
    requireMember(fake, ch);
    const raw = opt(args, 'users');
    if (!raw) fail('no_user');
    const ids = raw.split(',').map((s) => s.trim()).filter(Boolean);
    if (ids.length === 0) fail('no_user');
    if (ids.length > 1000) fail('too_many_users');
    const force = bool(args.force);
    const errors: { user: string; ok: false; error: string }[] = [];
    const toAdd: string[] = [];
    let alreadyIn = 0;
    for (const id of new Set(ids)) {
      const u = fake.users.get(id);
      let error: string | undefined;
      if (id === fake.botUserId) error = 'cant_invite_self';
      else if (!u || !isUserId(id)) error = 'user_not_found';
      else if (u.deleted) error = 'user_is_deactivated';
      else if (ch.members.has(id)) alreadyIn++;
      else toAdd.push(id);
      if (error) errors.push({ user: id, ok: false, error });
    }
    // Without force, one bad id fails the whole call and nobody is invited.
    if (errors.length && (!force || toAdd.length === 0)) throw new SlackApiError(errors[0]!.error, { errors });
    if (toAdd.length === 0 && alreadyIn > 0) fail('already_in_channel');
    for (const id of toAdd) ch.members.add(id);
    return errors.length ? { channel: channelObject(fake, ch), errors } : { channel: channelObject(fake, ch) };
  },

  'conversations.kick'(fake, args) {
    const ch = channelArg(fake, args);
    requireMember(fake, ch);
    const user = req(args, 'user', 'user_not_found');
    if (user === fake.botUserId) fail('cant_kick_self');
    if (!ch.members.has(user)) fail('not_in_channel');
    ch.members.delete(user);
    return {};
  },

  'conversations.setTopic'(fake, args) {
    const ch = channelArg(fake, args);
    requireMember(fake, ch);
    notArchived(ch);
    const topic = opt(args, 'topic') ?? '';
    if (topic.length > TOPIC_MAX) fail('too_long');
    ch.topic = topic;
    return { channel: channelObject(fake, ch) };
  },

  'conversations.setPurpose'(fake, args) {
    const ch = channelArg(fake, args);
    requireMember(fake, ch);
    notArchived(ch);
    const purpose = opt(args, 'purpose') ?? '';
    if (purpose.length > PURPOSE_MAX) fail('too_long');
    ch.purpose = purpose;
    return { channel: channelObject(fake, ch), purpose };
  },

  'conversations.info'(fake, args) {
    const ch = channelArg(fake, args);
    return { channel: channelObject(fake, ch, { numMembers: bool(args.include_num_members) }) };
  },

  'conversations.list'(fake, args) {
    const types = new Set((opt(args, 'types') ?? 'public_channel').split(',').map((s) => s.trim()));
    const excludeArchived = bool(args.exclude_archived);
    const list = [...fake.channels.values()].filter((ch) => {
      if (!fake.canSee(ch) || (excludeArchived && ch.is_archived)) return false;
      if (ch.is_im) return types.has('im');
      if (ch.is_mpim) return types.has('mpim');
      return types.has(ch.is_private ? 'private_channel' : 'public_channel');
    });
    const { page, response_metadata } = paginate(list, args);
    return { channels: page.map((ch) => channelObject(fake, ch, { numMembers: true })), response_metadata };
  },

  'conversations.members'(fake, args) {
    const ch = channelArg(fake, args);
    const { page, response_metadata } = paginate([...ch.members], args);
    return { members: page, response_metadata };
  },

  'conversations.join'(fake, args) {
    const ch = channelArg(fake, args);
    if (ch.is_private || ch.is_im || ch.is_mpim) fail('method_not_supported_for_channel_type');
    notArchived(ch);
    const already = ch.members.has(fake.botUserId);
    ch.members.add(fake.botUserId);
    return already ? { channel: channelObject(fake, ch), warning: 'already_in_channel', response_metadata: { warnings: ['already_in_channel'] } } : { channel: channelObject(fake, ch) };
  },

  'conversations.leave'(fake, args) {
    const ch = channelArg(fake, args);
    if (!ch.members.has(fake.botUserId)) return { not_in_channel: true };
    ch.members.delete(fake.botUserId);
    return {};
  },

  'conversations.archive'(fake, args) {
    const ch = channelArg(fake, args);
    if (ch.is_im || ch.is_mpim) fail('method_not_supported_for_channel_type');
    if (ch.is_archived) fail('already_archived');
    requireMember(fake, ch);
    ch.is_archived = true;
    return {};
  },

  'conversations.unarchive'(fake, args) {
    const ch = channelArg(fake, args);
    if (!ch.is_archived) fail('not_archived');
    ch.is_archived = false;
    ch.members.add(fake.botUserId);
    return {};
  },

  'conversations.open'(fake, args) {
    const chId = opt(args, 'channel');
    if (chId) {
      const ch = fake.channels.get(chId);
      if (!ch || !ch.is_im || !fake.canSee(ch)) fail('channel_not_found');
      return { channel: { id: ch.id } };
    }
    const raw = opt(args, 'users');
    if (!raw) fail('users_list_not_supplied');
    const ids = raw.split(',').map((s) => s.trim()).filter((id) => id && id !== fake.botUserId);
    if (ids.length === 0) fail('users_list_not_supplied');
    if (ids.length > 8) fail('too_many_users');
    for (const id of ids) {
      const u = fake.users.get(id);
      if (!u) fail('user_not_found');
      if (u.deleted) fail('user_disabled');
    }
    if (ids.length === 1) {
      const existed = fake.ims.has(ids[0]!);
      const ch = fake.openDm(ids[0]!);
      return { channel: bool(args.return_im) ? channelObject(fake, ch) : { id: ch.id }, ...(existed ? { already_open: true } : {}) };
    }
    const key = [...ids].sort().join(',');
    let mpim = [...fake.channels.values()].find((c) => c.is_mpim && [...c.members].filter((m) => m !== fake.botUserId).sort().join(',') === key);
    mpim ??= fake.addChannel({ id: fake.nextId('G'), name: `mpdm-${ids.map((i) => fake.users.get(i)!.name).join('--')}-1`, is_private: true, is_mpim: true, members: new Set([fake.botUserId, ...ids]) });
    return { channel: { id: mpim.id } };
  },

  'conversations.history'(fake, args) {
    const ch = channelArg(fake, args);
    const top = ch.messages.filter((m) => !m.thread_ts || m.thread_ts === m.ts || m.reply_broadcast);
    const list = window(top, args).reverse();
    const limit = Math.max(1, Math.min(int(args.limit, 100), 999));
    const { page, response_metadata } = paginate(list, { ...args, limit });
    return { messages: page.map((m) => messageObject(fake, m)), has_more: response_metadata.next_cursor !== '', pin_count: ch.pins.length, response_metadata };
  },

  'conversations.replies'(fake, args) {
    const ch = channelArg(fake, args);
    const ts = req(args, 'ts', 'thread_not_found');
    const parent = fake.findMessage(ch, ts);
    if (!parent) fail('thread_not_found');
    const root = parent.thread_ts && parent.thread_ts !== parent.ts ? fake.findMessage(ch, parent.thread_ts) ?? parent : parent;
    const thread = [root, ...ch.messages.filter((m) => m.thread_ts === root.ts && m.ts !== root.ts)];
    const { page, response_metadata } = paginate(window(thread, args), args, 1000);
    return { messages: page.map((m) => messageObject(fake, m)), has_more: response_metadata.next_cursor !== '', response_metadata };
  },
};
