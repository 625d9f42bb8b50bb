/**
 * The bot scopes each Slack Web API method and event needs, as this app uses them, from Slack's
 * reference (docs.slack.dev/reference/methods/<method>, /reference/events/<event>, /reference/scopes/<scope>).
 *
 * Conversations API methods need the scope of each kind of conversation they are called on
 * (channels:* for public channels, groups:* for private ones, im:* for DMs, mpim:* for group DMs), so
 * each entry lists the kinds this app uses the method with. A method missing here fails
 * test/manifest.test.ts: look its scopes up before adding it, and add them to manifest.yml.
 */
export const METHOD_SCOPES: Record<string, { scopes: readonly string[]; why?: string }> = {
  'auth.test': { scopes: [] },
  'bookmarks.add': { scopes: ['bookmarks:write'] },
  'bookmarks.edit': { scopes: ['bookmarks:write'] },
  'bookmarks.list': { scopes: ['bookmarks:read'] },
  'chat.getPermalink': { scopes: [] },
  'chat.postEphemeral': { scopes: ['chat:write'] },
  'chat.postMessage': { scopes: ['chat:write', 'chat:write.public'], why: 'announcements, audience updates and reports go to public channels the bot was not invited to' },
  'chat.update': { scopes: ['chat:write'] },
  'conversations.create': { scopes: ['channels:manage', 'groups:write'], why: 'public incident channels, private ones for security incidents' },
  'conversations.history': { scopes: ['channels:history', 'groups:history', 'im:history'], why: 'chain heads in incident channels, the weekly summary in the announcement channel, digests in DMs' },
  'conversations.info': { scopes: ['channels:read', 'groups:read'], why: 'whether an audience channel is private' },
  'conversations.invite': { scopes: ['channels:manage', 'groups:write'] },
  'conversations.list': { scopes: ['channels:read', 'groups:read'], why: 'types public_channel,private_channel' },
  'conversations.open': { scopes: ['im:write'], why: 'one user at a time: DMs, never group DMs' },
  'conversations.replies': { scopes: ['channels:history', 'groups:history'], why: 'captured messages in incident channels' },
  'conversations.setTopic': { scopes: ['channels:manage', 'groups:write'] },
  // files.uploadV2 in @slack/web-api is these two calls.
  'files.completeUploadExternal': { scopes: ['files:write'] },
  'files.getUploadURLExternal': { scopes: ['files:write'] },
  'files.info': { scopes: ['files:read'] },
  'pins.add': { scopes: ['pins:write'] },
  'reactions.get': { scopes: ['reactions:read'] },
  'usergroups.list': { scopes: ['usergroups:read'] },
  'usergroups.users.list': { scopes: ['usergroups:read'] },
  'users.info': { scopes: ['users:read'] },
  'users.list': { scopes: ['users:read'] },
  'views.open': { scopes: [] },
  'views.publish': { scopes: [] },
  'views.push': { scopes: [] },
  'views.update': { scopes: [] },
};

/** Events the app listens to: the manifest subscriptions they need and their scopes. */
export const EVENT_SCOPES: Record<string, { subscriptions: readonly string[]; scopes: readonly string[] }> = {
  app_home_opened: { subscriptions: ['app_home_opened'], scopes: [] },
  reaction_added: { subscriptions: ['reaction_added'], scopes: ['reactions:read'] },
  reaction_removed: { subscriptions: ['reaction_removed'], scopes: ['reactions:read'] },
};

/** Slash commands and shortcuts (global and message) need this one scope. */
export const COMMANDS_SCOPE = 'commands';
