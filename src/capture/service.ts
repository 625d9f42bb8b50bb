import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { IncidentService } from '../incidents/service.js';
import type { TimelineEvent } from '../timeline/timeline.js';

export interface CapturedMessage {
  channelId: string;
  ts: string;
  text: string;
  authorId: string | null;
  permalink: string | null;
}

/**
 * Messages pinned to the timeline (by reaction or the message shortcut). A message is captured
 * once however many times it is pinned; un-pinning appends a "withdrawn" row, never a deletion.
 */
export class CaptureService {
  constructor(private readonly incidents: IncidentService) {}

  async capture(incidentId: string, actorId: string, message: CapturedMessage): Promise<TimelineEvent | undefined> {
    const { captured } = await this.incidents.applyChange(
      incidentId,
      async (trx, incident, t) => {
        if ((await this.state(trx, incident.id, message.ts)) === 'message_captured') return { captured: undefined };
        const captured = await t.append({
          actorId,
          kind: 'message_captured',
          payload: { channel: message.channelId, ts: message.ts, text: message.text.slice(0, 4000), author: message.authorId, permalink: message.permalink },
        });
        return { captured };
      },
      { sync: false },
    );
    return captured;
  }

  async withdraw(incidentId: string, actorId: string, ts: string): Promise<TimelineEvent | undefined> {
    const { withdrawn } = await this.incidents.applyChange(
      incidentId,
      async (trx, incident, t) => {
        if ((await this.state(trx, incident.id, ts)) !== 'message_captured') return { withdrawn: undefined };
        return { withdrawn: await t.append({ actorId, kind: 'message_withdrawn', payload: { ts } }) };
      },
      { sync: false },
    );
    return withdrawn;
  }

  private async state(trx: Kysely<Database>, incidentId: string, ts: string): Promise<string | undefined> {
    const row = await trx
      .selectFrom('timeline_events')
      .select('kind')
      .where('incident_id', '=', incidentId)
      .where('kind', 'in', ['message_captured', 'message_withdrawn'])
      .where(sql<string>`payload->>'ts'`, '=', ts)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.kind;
  }
}
