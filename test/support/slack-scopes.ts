/**
 * The bot scopes Slack's Web API methods and events need, from Slack's reference
 * (docs.slack.dev/reference/methods/<method>, /reference/events/<event>, /reference/scopes/<scope>),
 * and how this app uses them. test/manifest.test.ts checks manifest.yml against it, and the fake
 * Slack answers `missing_scope` as Slack does when the manifest lacks what a call needs.
 */

/** Kinds of conversation: Conversations API methods need the scope of the kind they are called on. */
export type ConversationKind = 'public' | 'private' | 'im' | 'mpim';

const BY_KIND = {
  read: { public: 'channels:read', private: 'groups:read', im: 'im:read', mpim: 'mpim:read' },
  history: { public: 'channels:history', private: 'groups:history', im: 'im:history', mpim: 'mpim:history' },
  manage: { public: 'channels:manage', private: 'groups:write', im: 'im:write', mpim: 'mpim:write' },
} as const satisfies Record<string, Record<ConversationKind, string>>;

/** Slack's rule for a method: fixed scopes, or one scope per kind of conversation (`BY_KIND`). */
type Rule = readonly string[] | keyof typeof BY_KIND;

/** A method missing here fails test/manifest.test.ts: look its scopes up before adding it (and to manifest.yml). */
export const SLACK_METHOD_RULES: Record<string, Rule> = {
  'auth.test': [],
  'bookmarks.add': ['bookmarks:write'],
  'bookmarks.edit': ['bookmarks:write'],
  'bookmarks.list': ['bookmarks:read'],
  'chat.getPermalink': [],
  'chat.postEphemeral': ['chat:write'],
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'conversations.create': 'manage',
  'conversations.history': 'history',
  'conversations.info': 'read',
  'conversations.invite': 'manage',
  'conversations.list': 'read',
  'conversations.open': 'manage',
  'conversations.replies': 'history',
  'conversations.setTopic': 'manage',
  // files.uploadV2 in @slack/web-api is these two calls.
  'files.completeUploadExternal': ['files:write'],
  'files.getUploadURLExternal': ['files:write'],
  'files.info': ['files:read'],
  'pins.add': ['pins:write'],
  'reactions.get': ['reactions:read'],
  'usergroups.list': ['usergroups:read'],
  'usergroups.users.list': ['usergroups:read'],
  'users.info': ['users:read'],
  'users.list': ['users:read'],
  'users.lookupByEmail': ['users:read.email'],
  'views.open': [],
  'views.publish': [],
  'views.push': [],
  'views.update': [],
};

/** How this app uses the methods whose scopes depend on it: the kinds of conversation, and optional extra scopes. */
const APP_USE: Record<string, { on?: readonly ConversationKind[]; also?: readonly string[] }> = {
  // Announcements, audience updates and reports go to public channels the bot was not invited to.
  'chat.postMessage': { also: ['chat:write.public'] },
  // Public incident channels, private ones for security incidents.
  'conversations.create': { on: ['public', 'private'] },
  // Chain heads in incident channels, the weekly summary in the announcement channel, digests in DMs.
  'conversations.history': { on: ['public', 'private', 'im'] },
  // Whether an audience channel is private.
  'conversations.info': { on: ['public', 'private'] },
  'conversations.invite': { on: ['public', 'private'] },
  // types=public_channel,private_channel
  'conversations.list': { on: ['public', 'private'] },
  // One user at a time: DMs, never group DMs.
  'conversations.open': { on: ['im'] },
  // Captured messages in incident channels.
  'conversations.replies': { on: ['public', 'private'] },
  'conversations.setTopic': { on: ['public', 'private'] },
  // Profiles carry profile.email only with users:read.email (without it Slack leaves it out): the
  // ServiceNow connector finds people's sys_user by it.
  'users.info': { also: ['users:read.email'] },
  'users.list': { also: ['users:read.email'] },
};

/** The scopes this app needs for a method, as it uses it; undefined for a method not in the table. */
export function appScopes(method: string): string[] | undefined {
  const rule = SLACK_METHOD_RULES[method];
  if (rule === undefined) return undefined;
  const use = APP_USE[method] ?? {};
  const base = typeof rule === 'string' ? (use.on ?? []).map((kind) => BY_KIND[rule][kind]) : [...rule];
  return [...base, ...(use.also ?? [])];
}

/** The scope Slack requires for one call on a conversation of this kind (fixed rules need all theirs). */
export function scopesForCall(method: string, kinds: ConversationKind[]): string[] | undefined {
  const rule = SLACK_METHOD_RULES[method];
  if (rule === undefined) return undefined;
  return typeof rule === 'string' ? kinds.map((kind) => BY_KIND[rule][kind]) : [...rule];
}

/** Events the app listens to: the manifest subscriptions they need and their scopes. */
export const EVENT_SCOPES: Record<string, { subscriptions: readonly string[]; scopes: readonly string[] }> = {
  app_home_opened: { subscriptions: ['app_home_opened'], scopes: [] },
  // Public channels with channels:read, private ones with groups:read (Slack's event reference).
  member_joined_channel: { subscriptions: ['member_joined_channel'], scopes: ['channels:read', 'groups:read'] },
  reaction_added: { subscriptions: ['reaction_added'], scopes: ['reactions:read'] },
  reaction_removed: { subscriptions: ['reaction_removed'], scopes: ['reactions:read'] },
};

/** Slash commands and shortcuts (global and message) need this one scope. */
export const COMMANDS_SCOPE = 'commands';
