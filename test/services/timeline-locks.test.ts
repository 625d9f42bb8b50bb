import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDomain, type Domain } from '../support/domain.js';
import { buildIncident } from '../support/factories.js';
import { eventually } from '../support/wait.js';

let d: Domain;
beforeAll(async () => {
  d = await startDomain();
});
afterAll(() => d?.stop());

const note = (incidentId: string, text: string) =>
  `insert into timeline_events (incident_id, actor_id, kind, payload) values (${Number(incidentId)}, 'UBEN', 'note', '${JSON.stringify({ text })}'::jsonb)`;

describe('appending to a timeline while the incident is locked', () => {
  it('waits for the transaction holding the incident instead of deadlocking with it', async () => {
    const incident = await buildIncident(d);
    // One transaction changes the incident (holding its row for update) and appends afterwards, as a
    // role change does; another appends a note in between, as `/incident note` sent at that moment does.
    const changer = new pg.Client({ connectionString: d.database.url });
    const noter = new pg.Client({ connectionString: d.database.url });
    await changer.connect();
    await noter.connect();
    try {
      await changer.query('begin');
      await changer.query('select id from incidents where id = $1 for update', [incident.id]);
      await noter.query('begin');
      const noterPid = (await noter.query('select pg_backend_pid() as pid')).rows[0].pid as number;
      const noted = noter.query(note(incident.id, 'Error rate 30%')).then(() => noter.query('commit'));
      await eventually(async () => {
        const r = await changer.query('select wait_event_type from pg_stat_activity where pid = $1', [noterPid]);
        return r.rows[0]?.wait_event_type === 'Lock' || undefined;
      }, 10_000, 'the note waiting for a lock');
      await changer.query(note(incident.id, 'Deputy assigned'));
      await changer.query('commit');
      await noted;
    } finally {
      await changer.end();
      await noter.end();
    }
    const rows = await d.db.selectFrom('timeline_events').select(['seq', 'payload']).where('incident_id', '=', incident.id).where('kind', '=', 'note').orderBy('seq').execute();
    expect(rows.map((r) => (r.payload as { text: string }).text)).toEqual(['Deputy assigned', 'Error rate 30%']);
    expect((await d.audit.verify(incident.id)).broken).toEqual([]);
  });
});
