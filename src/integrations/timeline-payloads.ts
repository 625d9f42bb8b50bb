/**
 * The payloads of the timeline kinds that become integration events, as the services write them.
 * Rows are read back through parseMappable, which checks each against this shape.
 */
import { z } from 'zod';
import type { MappableRow } from './mapping.js';

const actionRow = { action_id: z.string(), title: z.string() };
const audiences = z.array(z.string());

export const mappedPayloadSchemas = {
  declared: z.object({ title: z.string(), severity: z.string(), kind: z.string(), status: z.string(), commander: z.string().nullable(), services: z.array(z.string()), description: z.string() }),
  channel_created: z.object({ channel_id: z.string(), name: z.string() }),
  triaged: z.object({ priority: z.string(), impact: z.string(), urgency: z.string(), category: z.string(), services: z.array(z.string()), business_impact: z.string(), first: z.boolean() }),
  priority_changed: z.object({ from: z.string().nullable(), to: z.string() }),
  classified: z.object({ classification: z.literal('security_event'), reason: z.string() }),
  update: z.object({ status: z.string(), message: z.string(), next_update_at: z.string().nullable(), audiences: audiences.optional() }),
  note: z.object({ text: z.string() }),
  role_assigned: z.object({ role: z.string(), label: z.string(), user: z.string(), previous: z.string().nullable() }),
  resolved: z.object({ summary: z.string(), audiences: audiences.optional() }),
  reopened: z.object({ reason: z.string(), was_closed: z.boolean() }),
  closed: z.object({}),
  review_state_changed: z.object({ from: z.string(), to: z.string() }),
  review_document: z.object({ version: z.number(), file_id: z.string(), permalink: z.string(), state: z.string() }),
  action_added: z.object({ ...actionRow, owner: z.string(), due: z.string(), priority: z.string() }),
  action_done: z.object(actionRow),
  action_reopened: z.object(actionRow),
  action_reassigned: z.object({ ...actionRow, from: z.string(), to: z.string() }),
  action_snoozed: z.object({ ...actionRow, until: z.string() }),
  problem_linked: z.object({ problem_id: z.string(), created: z.boolean() }),
  cause_linked: z.object({ change_id: z.string(), ref: z.string(), title: z.string(), previous: z.string().nullable() }),
  cause_cleared: z.object({ change_id: z.string(), ref: z.string() }),
};

export type MappedPayloads = { [K in keyof typeof mappedPayloadSchemas]: z.infer<(typeof mappedPayloadSchemas)[K]> };

/** A stored row of a mapped kind with its payload checked, or undefined for other kinds. */
export function toMappable(row: { id: string; incidentId: string; at: Date; actorId: string | null; kind: string; payload: unknown }): MappableRow | undefined {
  if (!Object.hasOwn(mappedPayloadSchemas, row.kind)) return undefined;
  const kind = row.kind as keyof MappedPayloads;
  return { id: row.id, incidentId: row.incidentId, at: row.at, actorId: row.actorId, kind, payload: mappedPayloadSchemas[kind].parse(row.payload) } as MappableRow;
}
