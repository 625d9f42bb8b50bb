/**
 * The ServiceNow connector's inbound half: a scheduled job (one replica runs each fire) that reads
 * back the records linked to open incidents changed since their watermark (`sys_updated_on`), and
 * carries over what someone else did there: work notes and comments are posted in the incident's
 * channel once, and a state change (resolved, closed, reopened by the service desk) becomes the same
 * change here, naming who made it. What the connector wrote itself (its own user, or a value whose
 * hash it already knows) is never mirrored back; a change that cannot be carried over is shown in
 * the channel as a conflict.
 */
import type { Db } from '../db/database.js';
import { hasEntryRef } from '../integrations/entry-marker.js';
import { DomainError } from '../incidents/errors.js';
import { isClosed, isResolved, type Incident } from '../incidents/incident.js';
import { IncidentTask } from '../incidents/side-effects.js';
import type { ScheduledJob } from '../jobs/scheduler.js';
import { RetryLater } from '../jobs/task-runner.js';
import type { Logger } from '../logger.js';
import { enqueueTask } from '../outbox/tasks.js';
import { appendTimeline, type TimelinePayloads } from '../timeline/timeline.js';
import type { ServiceNowIdentity } from './identity.js';
import type { ServiceNowClient, SnRecord } from './client.js';
import { activeLinks, fieldHash, hashesOf, recordPolled, type ServiceNowLink } from './links.js';
import { lifecycleForState, SYNCED_FIELDS } from './mapping.js';
import type { ServiceNowPolicy } from '../policy/itsm-schema.js';
import type { IncidentSnapshot } from '../integrations/events.js';
import { creationFields } from './outbound.js';
import { EncodedQuery } from './query.js';
import type { ServiceNowPeople } from './people.js';
import { underPollLease } from './poll-lease.js';
import { declareFromServiceNow, type DeclareFromDeps } from './declare.js';

/** What the poll changes our incidents with (the incident service). */
export interface LifecycleActions {
  findById(id: string): Promise<Incident | undefined>;
  resolve(input: { incidentId: string; actorId: string; summary: string }): Promise<unknown>;
  close(input: { incidentId: string; actorId: string }): Promise<unknown>;
  reopen(input: { incidentId: string; actorId: string; reason: string }): Promise<unknown>;
}

export interface InboundDeps {
  db: Db;
  client: ServiceNowClient;
  /** Who the connector is in ServiceNow (its own entries and state changes are not carried over). */
  identity: Pick<ServiceNowIdentity, 'current'>;
  incidents: LifecycleActions;
  /** Who the changes carried over are made by here: the bot's Slack user. */
  actorId: () => Promise<string>;
  kick: () => void;
  logger: Logger;
  /** Field owners, and what the bot's own values are computed from. */
  policy: ServiceNowPolicy;
  /** The incident as the outbound sync sees it. */
  snapshot: (incident: Incident) => IncidentSnapshot;
  /** Counts each poll run by outcome. */
  countPoll: (outcome: 'ok' | 'error') => void;
  /** Slack users as sys_users: the commander is the bot's value of assigned_to. */
  people?: ServiceNowPeople;
  /** Declaring from ServiceNow (itsm.servicenow.declare_from), after each poll. */
  declareFrom?: DeclareFromDeps;
}

/** The fields compared with what was last sent or seen (the state has its own lifecycle mapping). */
const WATCHED_FIELDS = SYNCED_FIELDS.filter((f) => f !== 'state');
/** Reference fields among them: shown by the name of the record they point to. */
const REFERENCES: Partial<Record<string, { table: string; display: string }>> = {
  assigned_to: { table: 'sys_user', display: 'name' },
  assignment_group: { table: 'sys_user_group', display: 'name' },
  cmdb_ci: { table: 'cmdb_ci', display: 'name' },
  business_service: { table: 'cmdb_ci_service', display: 'name' },
};

const STATE_LABEL: Record<string, string> = { '1': 'New', '2': 'In Progress', '3': 'On Hold', '6': 'Resolved', '7': 'Closed', '8': 'Canceled' };
const RECORD_FIELDS = ['sys_id', 'number', 'state', 'close_notes', 'sys_updated_on', 'sys_updated_by', 'sys_created_by', ...WATCHED_FIELDS];

/** node-cron for "every n seconds" (seconds below a minute; whole minutes above). */
export function everySeconds(n: number): string {
  if (n < 60) return `*/${n} * * * * *`;
  return `0 */${Math.max(1, Math.min(59, Math.round(n / 60)))} * * * *`;
}

/** A glide date-time (UTC, `YYYY-MM-DD HH:MM:SS`) as a Date. */
function fromGlide(s: string): Date {
  return new Date(`${s.replace(' ', 'T')}Z`);
}

export function servicenowPollJob(deps: InboundDeps, pollSeconds: number): ScheduledJob {
  return {
    name: 'servicenow.poll',
    cron: everySeconds(pollSeconds),
    run: async () => {
      let polled;
      try {
        // Another poll under way (a push's, another replica's) reads the same changes: this fire is not needed.
        polled = await underPollLease(deps.db, async () => {
          await pollServiceNow(deps);
          if (deps.declareFrom) await declareFromServiceNow(deps.declareFrom);
        });
      } catch (e) {
        deps.countPoll('error');
        throw e;
      }
      if (polled.ran) deps.countPoll('ok');
    },
  };
}

/**
 * What a push from ServiceNow asks for (the `servicenow.poll` task): the record read back now, or
 * right after the poll under way, which may not have seen its change yet. A failure is left to the
 * next scheduled poll, which reads the same changes.
 */
export async function pollPushed(deps: InboundDeps, sysId: string): Promise<void> {
  let polled;
  try {
    polled = await underPollLease(deps.db, () => pollServiceNow(deps, sysId));
  } catch (err) {
    deps.countPoll('error');
    deps.logger.warn({ err, sys_id: sysId }, 'reading back a record ServiceNow pushed failed; the next poll reads it');
    return;
  }
  if (!polled.ran) throw new RetryLater('another ServiceNow poll is under way', 500);
  deps.countPoll('ok');
}

type Received = Omit<TimelinePayloads['itsm_received'], 'system' | 'sys_id' | 'number'>;

/**
 * One poll: every active link's record changed since its watermark (or only the record `only`, when
 * ServiceNow said it changed), oldest change first. Run it under the poll lease (poll-lease.ts).
 */
export async function pollServiceNow(deps: InboundDeps, only?: string): Promise<void> {
  const links = (await activeLinks(deps.db)).filter((l) => only === undefined || l.sysId === only);
  if (!links.length) return;
  const watermark = links.map((l) => l.remoteUpdatedOn).filter((w): w is string => w !== null).sort()[0];
  const q = new EncodedQuery().where('sys_id', 'IN', links.map((l) => l.sysId));
  if (watermark && links.every((l) => l.remoteUpdatedOn !== null)) q.where('sys_updated_on', '>=', watermark);
  q.orderBy('sys_updated_on');
  const { records } = await deps.client.query('incident', q, { fields: RECORD_FIELDS });
  // sys_updated_on has second precision: a record at its watermark is read again (what was handled is skipped by journal id and state hash).
  const changed = records.filter((r) => links.some((l) => l.sysId === r.sys_id));
  if (!changed.length) return;
  const names = new Map<string, string>();
  const authorOf = async (userName: string): Promise<string> => {
    if (!names.has(userName)) {
      const q2 = new EncodedQuery().where('user_name', '=', userName);
      const user = (await deps.client.query('sys_user', q2, { fields: ['name', 'user_name'], pageSize: 1, max: 1 }).catch(() => ({ records: [] as SnRecord[] }))).records[0];
      names.set(userName, user?.name || userName);
    }
    return names.get(userName)!;
  };
  const since = changed.map((r) => links.find((l) => l.sysId === r.sys_id)!.remoteUpdatedOn).filter((w): w is string => w !== null).sort()[0];
  const us = await deps.identity.current();
  // Entries written by the connector's user are ours, and so is any ending with our reference line.
  const journal = await deps.client.journalSince({ recordSysIds: changed.map((r) => r.sys_id), since: since ? fromGlide(since) : null, excludeCreatedBy: us ?? undefined });
  for (const record of changed) {
    const link = links.find((l) => l.sysId === record.sys_id)!;
    try {
      await carryOver(deps, us, link, record, journal.filter((j) => j.element_id === record.sys_id && j.sys_created_by !== us && !hasEntryRef(j.value ?? '')), authorOf);
    } catch (err) {
      deps.logger.warn({ err, incident: link.incidentId, number: link.number }, 'reading back a ServiceNow record failed');
    }
  }
}

async function carryOver(deps: InboundDeps, us: string | null, link: ServiceNowLink & { sysId: string; number: string }, record: SnRecord, entries: SnRecord[], authorOf: (u: string) => Promise<string>): Promise<void> {
  const received: Received[] = [];
  const handled: string[] = [];
  for (const entry of entries) {
    if (link.journalIds.includes(entry.sys_id)) continue;
    handled.push(entry.sys_id);
    received.push({ change: 'journal', author: await authorOf(entry.sys_created_by), text: entry.value, element: entry.element, journal_id: entry.sys_id });
  }
  const stateHash = fieldHash(record.state);
  const byUs = us !== null && record.sys_updated_by === us;
  if (!byUs && link.fieldHashes.state !== stateHash) {
    const incident = await deps.incidents.findById(link.incidentId);
    const change = incident ? lifecycleForState(record.state, record.close_notes ?? '', { resolved: isResolved(incident), closed: isClosed(incident) }) : null;
    if (incident && change) {
      const author = await authorOf(record.sys_updated_by);
      const label = STATE_LABEL[record.state] ?? record.state;
      const actorId = await deps.actorId();
      try {
        if (change.kind === 'resolve') await deps.incidents.resolve({ incidentId: incident.id, actorId, summary: `${change.canceled ? 'Canceled' : 'Resolved'} in ServiceNow ${link.number} by ${author}: ${change.notes}` });
        else if (change.kind === 'close') await deps.incidents.close({ incidentId: incident.id, actorId });
        else await deps.incidents.reopen({ incidentId: incident.id, actorId, reason: `Set to ${label} in ServiceNow ${link.number} by ${author}` });
        received.push({ change: 'state', author, text: `set the state to ${label}`, state: record.state });
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        received.push({ change: 'conflict', author, text: `set the state to ${label}, which was not carried over here: ${e.message}`, state: record.state });
      }
    }
  }
  const seen: Record<string, string> = { state: stateHash };
  if (!byUs) await carryOverFields(deps, link, record, received, seen, authorOf);
  await deps.db.transaction().execute(async (trx) => {
    for (const r of received) {
      const dedupeKey = r.journal_id ? `servicenow:journal:${r.journal_id}` : `servicenow:${r.change}:${r.field ? `${r.field}:` : ''}${record.sys_id}:${record.sys_updated_on}`;
      const event = await appendTimeline(trx, { incidentId: link.incidentId, actorId: null, kind: 'itsm_received', dedupeKey, payload: { system: 'servicenow', sys_id: record.sys_id, number: link.number, ...r } });
      if (event) await enqueueTask(trx, { kind: IncidentTask.broadcast, incidentId: link.incidentId, payload: { eventId: event.id, target: 'channel' } });
    }
    await recordPolled(trx, link.incidentId, { updatedOn: record.sys_updated_on, hashes: seen, journalIds: handled });
  });
  if (received.length) deps.kick();
}

const quoted = (v: string) => (v.trim() === '' ? 'nothing' : `"${v.length > 80 ? `${v.slice(0, 79)}…` : v}"`);

/** A field's value as a person reads it: a reference by its record's name (a sys_id if it cannot be read). */
async function shown(deps: InboundDeps, field: string, value: string): Promise<string> {
  const ref = REFERENCES[field];
  if (!ref || value === '') return quoted(value);
  const target = await deps.client.getRecord(ref.table, value, { fields: [ref.display] }).catch(() => null);
  return quoted(target?.[ref.display] || value);
}

/** The bot's own values of the fields it owns, as it would write them now. */
async function botValues(deps: InboundDeps, incidentId: string): Promise<Record<string, string>> {
  const incident = await deps.incidents.findById(incidentId);
  if (!incident) return {};
  const snapshot = deps.snapshot(incident);
  const ours = creationFields(snapshot, deps.policy);
  if (deps.people) ours.assigned_to = (await deps.people.sysIdOf(snapshot.commander, { logger: deps.logger })) ?? '';
  return ours;
}

/**
 * The synced fields someone else changed in ServiceNow since the last sync. A field owned by
 * ServiceNow (or by both) is announced (no incident field here takes its value); one owned by the bot
 * is shown once as a conflict and set back to the bot's value.
 */
async function carryOverFields(deps: InboundDeps, link: ServiceNowLink & { sysId: string; number: string }, record: SnRecord, received: Received[], seen: Record<string, string>, authorOf: (u: string) => Promise<string>): Promise<void> {
  // A field never sent nor seen (a link older than the field's tracking) is taken as it is now.
  for (const f of WATCHED_FIELDS) if (link.fieldHashes[f] === undefined) seen[f] = fieldHash(record[f] ?? '');
  const changed = WATCHED_FIELDS.filter((f) => link.fieldHashes[f] !== undefined && fieldHash(record[f] ?? '') !== link.fieldHashes[f]);
  if (!changed.length) return;
  const author = await authorOf(record.sys_updated_by);
  const restore: Record<string, string> = {};
  let ours: Record<string, string> | null = null;
  for (const field of changed) {
    const value = record[field] ?? '';
    if (deps.policy.fields[field] !== 'bot') {
      seen[field] = fieldHash(value);
      received.push({ change: 'field', field, author, text: `changed ${field} to ${await shown(deps, field, value)}` });
      continue;
    }
    ours ??= await botValues(deps, link.incidentId);
    // Set back only to the value last sent (the bot's own value, recomputed, must match what it wrote).
    const back = ours[field] !== undefined && link.fieldHashes[field] === fieldHash(ours[field]) ? ours[field] : null;
    if (back !== null) restore[field] = back;
    else seen[field] = fieldHash(value);
    const then = back !== null ? `so it is set back to ${await shown(deps, field, back)}` : 'so it is set back at its next change here';
    received.push({ change: 'conflict', field, author, text: `changed ${field} to ${await shown(deps, field, value)}; Incident Officer owns it, ${then}` });
  }
  if (Object.keys(restore).length) {
    await deps.client.updateRecord('incident', record.sys_id, restore);
    Object.assign(seen, hashesOf(restore));
  }
}
