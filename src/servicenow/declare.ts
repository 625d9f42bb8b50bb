/**
 * Declaring from ServiceNow (`itsm.servicenow.declare_from`): at each poll, the incidents of the
 * configured assignment groups with one of the configured priorities, changed since the last look and
 * kept by no system yet (no `correlation_id`), declare an incident here. The declaration links the
 * record in its own transaction, so the outbound sync keeps that record (marking it with our
 * reference) and never opens a second one; the record's sys_id is the declaration's source key, so a
 * record declares once however often it is read.
 */
import type { Db } from '../db/database.js';
import { DomainError } from '../incidents/errors.js';
import type { Incident } from '../incidents/incident.js';
import { TITLE_MAX, type DeclareInput } from '../incidents/service.js';
import type { Logger } from '../logger.js';
import type { ServiceNowPolicy } from '../policy/itsm-schema.js';
import type { ServiceNowClient, SnRecord } from './client.js';
import { fieldHash, recordUrl } from './links.js';
import { SYNCED_FIELDS } from './mapping.js';
import { queueLinked } from './outbound.js';
import { EncodedQuery, glideDateTime } from './query.js';

const WATERMARK = 'declare_from';
const FIELDS = [...new Set(['sys_id', 'number', 'short_description', 'description', 'priority', 'sys_updated_on', 'correlation_id', ...SYNCED_FIELDS])];

export interface DeclareFromDeps {
  db: Db;
  client: ServiceNowClient;
  policy: ServiceNowPolicy;
  /** Our severities, most severe first (priority n declares with the n-th by default). */
  severities: string[];
  declare(input: DeclareInput, opts: { within?: (trx: Db, incident: Incident) => Promise<void> }): Promise<{ incident: Incident; created: boolean }>;
  /** The bot's user and workspace: the declarations' reporter. */
  actor: () => Promise<{ userId: string; teamId: string }>;
  now: () => Date;
  logger: Logger;
}

/** The severity a ServiceNow priority declares with. */
export function severityFor(priority: string, rule: NonNullable<ServiceNowPolicy['declare_from']>, severities: string[]): string {
  return rule.severities[priority] ?? severities[Math.min(Number(priority), severities.length) - 1] ?? severities[severities.length - 1];
}

/** Our catalog services whose mapping names the record's business service or configuration item. */
function servicesOf(record: SnRecord, policy: ServiceNowPolicy): string[] {
  return Object.entries(policy.services)
    .filter(([, m]) => (m.business_service && m.business_service === record.business_service) || (m.cmdb_ci && m.cmdb_ci === record.cmdb_ci))
    .map(([name]) => name);
}

/** Declares an incident for each new matching record; answers how many were declared. */
export async function declareFromServiceNow(deps: DeclareFromDeps): Promise<number> {
  const rule = deps.policy.declare_from;
  if (!rule) return 0;
  const mark = await deps.db.selectFrom('servicenow_watermarks').select('updated_on').where('name', '=', WATERMARK).executeTakeFirst();
  // The first look only marks where "new" begins: incidents already open in ServiceNow stay there.
  if (!mark) {
    await saveWatermark(deps.db, glideDateTime(deps.now()));
    return 0;
  }
  const q = new EncodedQuery()
    .where('assignment_group', 'IN', rule.assignment_groups)
    .where('priority', 'IN', rule.priorities.map(String))
    .where('active', '=', 'true')
    .where('correlation_id', 'ISEMPTY')
    .where('sys_updated_on', '>=', mark.updated_on)
    .orderBy('sys_updated_on');
  const { records } = await deps.client.query('incident', q, { fields: FIELDS });
  let declared = 0;
  for (const record of records) {
    const linked = await deps.db.selectFrom('servicenow_links').select('incident_id').where('sys_id', '=', record.sys_id).executeTakeFirst();
    if (linked) continue;
    try {
      if (await declareOne(deps, record, rule)) declared++;
    } catch (err) {
      // A record that can never be declared (refused by our rules) is passed over, once, in the log.
      if (err instanceof DomainError) deps.logger.warn({ err: err.message, number: record.number }, 'a ServiceNow incident could not be declared here; passed over');
      else {
        deps.logger.warn({ err, number: record.number }, 'declaring an incident from ServiceNow failed; tried again at the next poll');
        // Not past this record: the next poll reads it again.
        return declared;
      }
    }
    await saveWatermark(deps.db, record.sys_updated_on);
  }
  return declared;
}

async function declareOne(deps: DeclareFromDeps, record: SnRecord, rule: NonNullable<ServiceNowPolicy['declare_from']>): Promise<boolean> {
  const actor = await deps.actor();
  const title = (record.short_description || `ServiceNow ${record.number}`).trim().slice(0, TITLE_MAX);
  const source = `ServiceNow ${record.number}: ${recordUrl(deps.policy.instance_url, record.sys_id)}`;
  const { created } = await deps.declare(
    {
      teamId: actor.teamId,
      title,
      description: [record.description?.trim(), source].filter(Boolean).join('\n\n'),
      severity: severityFor(record.priority, rule, deps.severities),
      kind: 'service',
      services: servicesOf(record, deps.policy),
      // Nobody here has taken it yet: the channel asks for a commander.
      commanderId: null,
      reporterId: actor.userId,
      sourceKey: `servicenow:${record.sys_id}`,
    },
    {
      // The record as it is now is what was "seen": the next poll announces only later changes.
      within: async (trx, incident) => {
        const hashes = Object.fromEntries(SYNCED_FIELDS.map((f) => [f, fieldHash(record[f] ?? '')]));
        await trx
          .insertInto('servicenow_links')
          .values({ incident_id: incident.id, sys_id: record.sys_id, number: record.number, remote_updated_on: record.sys_updated_on, field_hashes: JSON.stringify(hashes), sync_state: 'synced' })
          .execute();
        await queueLinked(trx, incident.id);
      },
    },
  );
  return created;
}

async function saveWatermark(db: Db, updatedOn: string): Promise<void> {
  await db
    .insertInto('servicenow_watermarks')
    .values({ name: WATERMARK, updated_on: updatedOn })
    .onConflict((oc) => oc.column('name').doUpdateSet({ updated_on: updatedOn }))
    .execute();
}
