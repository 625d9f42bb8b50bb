/** The fake Slack's bot token has the scopes manifest.yml asks for, and calls beyond them fail as in Slack. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { FakeSlack, FakeChannel } from '../fake-slack.js';
import { scopesForCall, type ConversationKind } from '../slack-scopes.js';
import type { Args } from './shared.js';

/** The bot scopes manifest.yml asks for. */
export function manifestScopes(): string[] {
  const manifest = parse(readFileSync(new URL('../../../manifest.yml', import.meta.url), 'utf8')) as { oauth_config: { scopes: { bot: string[] } } };
  return manifest.oauth_config.scopes.bot;
}

const kindOf = (ch: FakeChannel): ConversationKind => (ch.is_im ? 'im' : ch.is_mpim ? 'mpim' : ch.is_private ? 'private' : 'public');
const LIST_TYPES: Record<string, ConversationKind> = { public_channel: 'public', private_channel: 'private', im: 'im', mpim: 'mpim' };

/** The kinds of conversation a call is about (none when its channel is unknown: the method answers that). */
function kindsOf(fake: FakeSlack, method: string, args: Args): ConversationKind[] {
  if (method === 'conversations.create') return [args.is_private === true || args.is_private === 'true' ? 'private' : 'public'];
  if (method === 'conversations.list') return String(args.types ?? 'public_channel').split(',').flatMap((t) => LIST_TYPES[t.trim()] ?? []);
  if (method === 'conversations.open' && !args.channel) return [String(args.users ?? '').split(',').filter(Boolean).length > 1 ? 'mpim' : 'im'];
  const ch = typeof args.channel === 'string' ? fake.channels.get(args.channel) : undefined;
  return ch ? [kindOf(ch)] : [];
}

/** The first scope a call needs that the token lacks (Slack answers `missing_scope` with it), or undefined. */
export function missingScope(fake: FakeSlack, granted: ReadonlySet<string>, method: string, args: Args): string | undefined {
  return scopesForCall(method, kindsOf(fake, method, args))?.find((s) => !granted.has(s));
}
