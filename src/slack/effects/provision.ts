import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../logger.js';
import { incidentRef, isPrivate, type Incident } from '../../incidents/incident.js';
import type { ProvisioningStore } from './provisioning-store.js';
import type { Policy } from '../../policy/schema.js';
import { PermanentFailure, RetryLater } from '../../jobs/task-runner.js';
import { channelName } from '../channel-name.js';
import { findType } from '../../incidents/fields.js';
import { isSlackError, slackErrorName } from '../errors.js';
import { announcement, channelTopic, incidentCard, type CardContext, type CardExtras } from '../views/card.js';

export interface ProvisionDeps {
  client: WebClient;
  policy: Policy;
  store: ProvisioningStore;
  logger: Logger;
  announceChannel?: string;
  botUserId: () => Promise<string>;
  load: (id: string) => Promise<Incident | undefined>;
  cardContext: (incident: Incident) => Promise<CardContext>;
  /** The other features' card sections (the type and its fields…), so the first card already shows them. */
  cardExtras?: (incident: Incident) => Promise<CardExtras>;
}

const NAME_ATTEMPTS = 20;
/** Exercise channels always start with drill-, whatever the policy's template, so nobody mistakes one for real. */
export const DRILL_CHANNEL_TEMPLATE = 'drill-{number}-{slug}';

/**
 * A channel with this name that this bot created after the incident was declared: a previous run
 * created it and died before recording it (names carry the incident number, so it is this one's).
 */
async function findOwnChannel(deps: ProvisionDeps, incident: Incident, name: string, botUserId: string): Promise<{ id: string; name: string } | undefined> {
  let cursor: string | undefined;
  do {
    const res = await deps.client.conversations.list({ types: 'public_channel,private_channel', exclude_archived: true, limit: 1000, cursor });
    const found = res.channels?.find((c) => c.name === name);
    if (found) {
      const ours = found.creator === botUserId && (found.created ?? 0) * 1000 >= incident.declaredAt.getTime() - 60_000;
      return ours ? { id: found.id!, name } : undefined;
    }
    cursor = res.response_metadata?.next_cursor || undefined;
  } while (cursor);
  return undefined;
}

/** Creates the channel, trying `-2`, `-3`… while the name is taken (adopting one we made earlier). */
async function createChannel(deps: ProvisionDeps, incident: Incident, botUserId: string): Promise<{ id: string; name: string }> {
  for (let attempt = 1; attempt <= NAME_ATTEMPTS; attempt++) {
    const template = incident.isDrill ? DRILL_CHANNEL_TEMPLATE : (findType(deps.policy, incident.type)?.channel_name ?? deps.policy.channel.name_template);
    const name = channelName(template, incident, attempt === 1 ? '' : String(attempt));
    try {
      const res = await deps.client.conversations.create({ name, is_private: isPrivate(incident) });
      return { id: res.channel!.id!, name: res.channel!.name ?? name };
    } catch (err) {
      if (isSlackError(err, 'name_taken')) {
        const own = await findOwnChannel(deps, incident, name, botUserId);
        if (own) return own;
        continue;
      }
      if (isSlackError(err, 'invalid_name_specials', 'invalid_name_maxlength', 'invalid_name', 'invalid_name_required')) {
        throw new PermanentFailure(`channel name "${name}" refused by Slack: ${slackErrorName(err)}`);
      }
      throw err;
    }
  }
  throw new Error(`no free channel name after ${NAME_ATTEMPTS} tries`);
}

/** Invites people one call at a time so that one unknown or deactivated user never blocks the rest. */
export async function inviteUsers(deps: Pick<ProvisionDeps, 'client' | 'logger'>, channelId: string, userIds: string[], botUserId: string): Promise<void> {
  const users = [...new Set(userIds.filter((u) => u && u !== botUserId))];
  if (!users.length) return;
  try {
    await deps.client.conversations.invite({ channel: channelId, users: users.join(',') });
    return;
  } catch (err) {
    if (isSlackError(err, 'already_in_channel')) return;
    if (!slackErrorName(err)) throw err; // transport failure: let the task retry
  }
  for (const u of users) {
    try {
      await deps.client.conversations.invite({ channel: channelId, users: u });
    } catch (err) {
      if (isSlackError(err, 'already_in_channel', 'cant_invite_self')) continue;
      if (!slackErrorName(err)) throw err;
      deps.logger.warn({ channelId, user: u, error: slackErrorName(err) }, 'could not invite user to incident channel');
    }
  }
}

async function tellReporterChannelFailed(deps: ProvisionDeps, incident: Incident, error: string): Promise<void> {
  if (!(await deps.store.channelFailed(incident, error))) return;
  const ref = incidentRef(deps.policy.number_prefix, incident);
  try {
    await deps.client.chat.postMessage({
      channel: incident.reporterId,
      text: `:warning: ${ref} is recorded, but Slack would not create its channel yet (${error}). I keep retrying and will invite you as soon as it exists. Meanwhile \`/incident list\` shows it.`,
    });
  } catch (err) {
    deps.logger.warn({ err, incident: incident.id }, 'could not DM the reporter about the channel failure');
  }
}

/**
 * Makes an incident's Slack home, step by step. Every step records its result, so a retry (after a
 * rate limit, an outage or a crash) continues where the last run stopped.
 */
export async function provisionIncident(deps: ProvisionDeps, incidentId: string): Promise<void> {
  let incident = await deps.load(incidentId);
  if (!incident) throw new PermanentFailure(`incident ${incidentId} not found`);
  const botUserId = await deps.botUserId();

  if (!incident.channelId) {
    let created: { id: string; name: string };
    try {
      created = await createChannel(deps, incident, botUserId);
    } catch (err) {
      await tellReporterChannelFailed(deps, incident, slackErrorName(err) ?? (err as Error).message);
      throw err;
    }
    incident = await deps.store.channelCreated(incident, created.id, created.name);
  }
  const channelId = incident.channelId!;

  await inviteUsers(deps, channelId, [incident.reporterId, incident.commanderId ?? ''], botUserId);

  if (!incident.cardTs) {
    const card = incidentCard(deps.policy, incident, await deps.cardContext(incident), await deps.cardExtras?.(incident));
    const res = await deps.client.chat.postMessage({ channel: channelId, text: card.text, blocks: card.blocks });
    incident = await deps.store.cardPosted(incident, res.ts!);
  }
  try {
    await deps.client.pins.add({ channel: channelId, timestamp: incident.cardTs! });
  } catch (err) {
    if (!isSlackError(err, 'already_pinned')) throw err;
  }
  await deps.client.conversations.setTopic({ channel: channelId, topic: channelTopic(deps.policy, incident) });

  if (!incident.bookmarkId) {
    const link = await deps.client.chat.getPermalink({ channel: channelId, message_ts: incident.cardTs! });
    const res = await deps.client.bookmarks.add({ channel_id: channelId, title: 'Incident card', type: 'link', link: link.permalink!, emoji: ':rotating_light:' });
    incident = await deps.store.bookmarked(incident, (res.bookmark as { id?: string } | undefined)?.id ?? 'added');
  }

  if (deps.announceChannel && !incident.announceTs) {
    const msg = announcement(deps.policy, incident);
    const res = await deps.client.chat.postMessage({ channel: deps.announceChannel, text: msg.text, blocks: msg.blocks, unfurl_links: false });
    incident = await deps.store.announced(incident, res.channel!, res.ts!);
  }

  if (!incident.provisionedAt) await deps.store.provisioned(incident);
}

/** Used by tasks that need the channel: waits (by retrying) until provisioning made it. */
export function requireChannel(incident: Incident): string {
  if (!incident.channelId || !incident.cardTs) throw new RetryLater('incident channel not ready yet', 5_000);
  return incident.channelId;
}
