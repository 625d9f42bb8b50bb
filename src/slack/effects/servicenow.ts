import type { KnownBlock } from '@slack/types';
import type { Incident } from '../../incidents/incident.js';
import type { SomeTaskHandlers } from '../../jobs/task-runner.js';
import type { FailingSync, ServiceNowLink } from '../../servicenow/links.js';
import type { HomeSection } from '../views/home.js';
import { recordUrl } from '../../servicenow/links.js';
import { ServiceNowTask } from '../../servicenow/outbound.js';
import type { CardExtras } from '../views/card.js';
import { esc, fitLines, mrkdwn, plain, slackDate, truncate } from '../views/format.js';
import { SECTION_CHUNK } from '../views/fit.js';
import { loadIncident, type IncidentEffectDeps } from './context.js';
import { requireChannel } from './provision.js';

export interface ServiceNowEffectDeps extends IncidentEffectDeps {
  instanceUrl: string;
  link: (incidentId: string) => Promise<ServiceNowLink | undefined>;
}

const BOOKMARK_PREFIX = 'ServiceNow ';

/** Adds, or points again, the channel's bookmark whose title starts with `prefix`. */
export async function upsertBookmark(client: ServiceNowEffectDeps['client'], channelId: string, bookmark: { prefix: string; title: string; url: string }): Promise<void> {
  const existing = ((await client.bookmarks.list({ channel_id: channelId })).bookmarks ?? []).find((b) => b.title?.startsWith(bookmark.prefix));
  if (existing?.link === bookmark.url && existing.title === bookmark.title) return;
  if (existing) await client.bookmarks.edit({ channel_id: channelId, bookmark_id: existing.id!, title: bookmark.title, link: bookmark.url });
  else await client.bookmarks.add({ channel_id: channelId, title: bookmark.title, type: 'link', link: bookmark.url, emoji: ':ticket:' });
}

/** Adds (or points again) the channel's bookmark to the incident's ServiceNow record. */
async function bookmarkRecord(deps: ServiceNowEffectDeps, incidentId: string | null): Promise<void> {
  const incident = await loadIncident(deps, incidentId);
  const link = await deps.link(incident.id);
  if (!link?.sysId || !link.number) return;
  await upsertBookmark(deps.client, requireChannel(incident), { prefix: BOOKMARK_PREFIX, title: `${BOOKMARK_PREFIX}${link.number}`, url: recordUrl(deps.instanceUrl, link.sysId) });
}

/** Tells the channel that ServiceNow refuses or cannot be reached (once per failing spell). */
async function announceFailing(deps: ServiceNowEffectDeps, incidentId: string | null, error: string): Promise<void> {
  const incident = await loadIncident(deps, incidentId);
  if (!incident.channelId) return;
  const text = `:warning: Syncing with ServiceNow fails: ${esc(truncate(error, 500))}\nIt is retried; \`/incident itsm\` shows the sync state.`;
  await deps.client.chat.postMessage({ channel: incident.channelId, text, unfurl_links: false });
}

/** The outbox handlers of the ServiceNow connector's Slack side. */
export function servicenowEffects(deps: ServiceNowEffectDeps) {
  return {
    [ServiceNowTask.linked]: (task) => bookmarkRecord(deps, task.incidentId),
    [ServiceNowTask.failing]: (task) => announceFailing(deps, task.incidentId, task.payload.error),
  } satisfies SomeTaskHandlers;
}

/** The record's number and link on the incident card. */
export function servicenowCard(deps: Pick<ServiceNowEffectDeps, 'instanceUrl' | 'link'>): (incident: Incident) => Promise<CardExtras> {
  return async (incident) => {
    const link = await deps.link(incident.id);
    if (!link?.sysId || !link.number) return {};
    const state = link.lastError ? ' · :warning: sync failing' : '';
    const block: KnownBlock = { type: 'context', elements: [mrkdwn(`:ticket: ServiceNow <${recordUrl(deps.instanceUrl, link.sysId)}|${esc(link.number)}>${state}`)] };
    return { blocks: [block] };
  };
}

const HOME_FAILING = 15;

/** An incident whose sync with an outside system fails, as the Home tab lists it. */
export interface FailingItsmSync { number: number; title: string; private: boolean; channelId: string | null; recordNumber: string | null; syncState: string; lastError: string; since: Date; /** Deliveries given up, not sent again since. */ givenUp: number }

/**
 * "<System> sync failing" on the Home tab of whoever runs the integration (its `operators`): each
 * incident whose sync is retried or was given up, with its last error, and each with deliveries
 * given up (even once later ones went through) until they are sent again. Security incidents show
 * their reference only.
 */
export function itsmFailingSection(system: string, deps: { operators: string[]; numberPrefix: string; failing: (limit: number) => Promise<{ failing: FailingItsmSync[]; total: number }> }): (userId: string) => Promise<HomeSection | undefined> {
  return async (userId) => {
    if (!deps.operators.includes(userId)) return undefined;
    const { failing, total } = await deps.failing(HOME_FAILING);
    if (total === 0) return undefined;
    const lines = failing.map((f) => {
      const ref = `${deps.numberPrefix}-${f.number}`;
      const name = f.private ? `:lock: ${ref}` : `${f.channelId ? `<#${f.channelId}>` : ref} ${esc(truncate(f.title, 80))}`;
      const record = f.recordNumber ? ` (${esc(f.recordNumber)})` : ' (no record yet)';
      const syncs = `${f.givenUp} sync${f.givenUp === 1 ? '' : 's'} given up`;
      const retry = f.givenUp ? ` (\`/incident itsm retry\` in its channel sends ${f.givenUp === 1 ? 'it' : 'them'} again)` : '';
      const state = f.syncState === 'pending' ? `retrying${f.givenUp ? `, ${syncs}` : ''}` : f.givenUp ? syncs : 'given up';
      return `• *${name}*${record} — ${state} since ${slackDate(f.since, '{date_short_pretty} {time}')}: ${esc(truncate(f.lastError, 200))}${retry}`;
    });
    const listed = fitLines(lines, SECTION_CHUNK, { hidden: total - lines.length, more: (n) => `_… and ${n} more_` });
    return { blocks: [{ type: 'header', text: plain(`${system} sync failing`) }, { type: 'section', text: mrkdwn(listed.text) }] };
  };
}

/** "ServiceNow sync failing" on the operators' Home tab. */
export function servicenowFailingSection(deps: { operators: string[]; numberPrefix: string; failing: (limit: number) => Promise<{ failing: FailingSync[]; total: number }> }): (userId: string) => Promise<HomeSection | undefined> {
  return itsmFailingSection('ServiceNow', deps);
}
