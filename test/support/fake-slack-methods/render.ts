/** API representations (JSON shapes) of fake Slack objects. */
import type { FakeChannel, FakeMessage, FakeSlack, FakeUser } from '../fake-slack.js';

/** API representation of a message. */
export function messageObject(fake: FakeSlack, m: FakeMessage): Record<string, any> {
  const fromBot = m.user === fake.botUserId;
  const o: Record<string, any> = { type: 'message', ts: m.ts, user: m.user, text: m.text ?? '', team: fake.teamId };
  if (fromBot) Object.assign(o, { bot_id: fake.botId, app_id: fake.appId });
  if (m.subtype) o.subtype = m.subtype;
  if (m.blocks) o.blocks = m.blocks;
  if (m.attachments) o.attachments = m.attachments;
  if (m.thread_ts) o.thread_ts = m.thread_ts;
  if (m.reply_count) Object.assign(o, { reply_count: m.reply_count, reply_users: m.reply_users, reply_users_count: m.reply_users?.length });
  if (m.edited) o.edited = { user: m.user, ts: m.ts };
  if (m.files) o.files = m.files;
  if (m.metadata) o.metadata = m.metadata;
  if (m.reactions?.length) o.reactions = m.reactions;
  return o;
}

/** API representation of a conversation. */
export function channelObject(fake: FakeSlack, ch: FakeChannel, opts: { numMembers?: boolean } = {}): Record<string, any> {
  const o: Record<string, any> = {
    id: ch.id,
    name: ch.name,
    name_normalized: ch.name,
    is_channel: !ch.is_im && !ch.is_mpim,
    is_group: false,
    is_im: !!ch.is_im,
    is_mpim: !!ch.is_mpim,
    is_private: ch.is_private,
    is_archived: ch.is_archived,
    is_general: false,
    is_shared: false,
    is_ext_shared: false,
    is_org_shared: false,
    is_member: ch.members.has(fake.botUserId),
    created: ch.created,
    creator: ch.creator,
    context_team_id: fake.teamId,
    topic: { value: ch.topic, creator: ch.topic ? fake.botUserId : '', last_set: 0 },
    purpose: { value: ch.purpose, creator: ch.purpose ? fake.botUserId : '', last_set: 0 },
    previous_names: [],
  };
  if (ch.is_im) o.user = ch.user;
  if (opts.numMembers) o.num_members = ch.members.size;
  return o;
}

/** API representation of a user. */
export function userObject(fake: FakeSlack, u: FakeUser): Record<string, any> {
  return {
    id: u.id,
    team_id: fake.teamId,
    name: u.name,
    deleted: !!u.deleted,
    real_name: u.real_name,
    tz: u.tz,
    tz_label: u.tz,
    tz_offset: u.tz_offset,
    is_bot: !!u.is_bot,
    is_admin: false,
    is_owner: false,
    is_app_user: false,
    updated: 0,
    profile: { real_name: u.real_name, display_name: u.name, ...(fake.scopes.has('users:read.email') ? { email: u.email } : {}), team: fake.teamId, image_48: `https://fake.slack.test/avatars/${u.id}.png` },
  };
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function randomId(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ID_CHARS[Math.floor(Math.random() * ID_CHARS.length)];
  return s;
}

/**
 * Copies blocks the way Slack stores them: blocks without a block_id get a random one, interactive
 * elements without an action_id get a random one (so apps must not rely on ids they did not set).
 */
export function withIds(blocks: any[] | undefined): any[] | undefined {
  if (!Array.isArray(blocks)) return blocks;
  return blocks.map((b) => {
    if (typeof b !== 'object' || b === null) return b;
    const copy = structuredClone(b);
    copy.block_id ??= randomId(5);
    const els = [...(Array.isArray(copy.elements) && copy.type === 'actions' ? copy.elements : []), copy.accessory, copy.element];
    for (const el of els) if (el && typeof el === 'object' && el.type !== 'image' && el.action_id === undefined) el.action_id = randomId(5);
    return copy;
  });
}
