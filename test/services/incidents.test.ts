import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IncidentTask } from '../../src/incidents/side-effects.js';
import { queuedTasks, startDomain, type Domain } from '../support/domain.js';
import { buildIncident, buildResolvedIncident, COMMANDER, REPORTER } from '../support/factories.js';

let d: Domain;
beforeAll(async () => {
  // Executives are left out of the policy on purpose.
  d = await startDomain({ policy: { comms: { business: { channel: 'CBIZ', users: ['UCEO', 'UCFO'] } } } });
});
afterAll(() => d?.stop());

const row = (id: string) => d.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const kinds = async (incidentId: string) => (await d.incidents.timeline(incidentId)).map((e) => e.kind);
const tasksOf = async (incidentId: string, kind?: string) => (await queuedTasks(d, kind)).filter((t) => t.incidentId === incidentId);

describe('declaring', () => {
  it('stores the incident, its commander, the declared row and the provisioning task in one go', async () => {
    const kicks = d.kicks;
    const incident = await buildIncident(d, { title: '  Payments failing  ', services: [' payments ', '', 'api'], severity: 'SEV2' });
    expect(incident).toMatchObject({ title: 'Payments failing', services: ['payments', 'api'], status: 'investigating', severity: 'SEV2', declaredAt: d.clock.now(), commanderId: COMMANDER });
    const roles = await d.db.selectFrom('incident_roles').select(['role', 'user_id', 'assigned_by']).where('incident_id', '=', incident.id).execute();
    expect(roles).toEqual([{ role: 'commander', user_id: COMMANDER, assigned_by: REPORTER }]);
    const [declared] = await d.incidents.timeline(incident.id);
    expect(declared).toMatchObject({ kind: 'declared', actorId: REPORTER, payload: { title: 'Payments failing', severity: 'SEV2', status: 'investigating', commander: COMMANDER, services: ['payments', 'api'] } });
    expect((await tasksOf(incident.id, IncidentTask.provision)).length).toBe(1);
    expect(d.kicks).toBeGreaterThan(kicks);
  });

  it('numbers incidents per team without gaps', async () => {
    const a = await buildIncident(d, { teamId: 'TNUM' });
    const b = await buildIncident(d, { teamId: 'TNUM' });
    const other = await buildIncident(d, { teamId: 'TOTHER' });
    expect([a.number, b.number, other.number]).toEqual([1, 2, 1]);
  });

  it('refuses a missing or long title and an unknown severity, storing nothing', async () => {
    const before = await d.db.selectFrom('incidents').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    await expect(buildIncident(d, { title: '   ' })).rejects.toMatchObject({ code: 'invalid_input', message: 'An incident needs a title.' });
    await expect(buildIncident(d, { title: 'x'.repeat(81) })).rejects.toMatchObject({ code: 'invalid_input', message: 'The title can be at most 80 characters.' });
    await expect(buildIncident(d, { severity: 'SEV9' })).rejects.toMatchObject({ code: 'invalid_input', message: 'Unknown severity SEV9.' });
    const after = await d.db.selectFrom('incidents').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('declares once per source key, also when two deliveries race, and uses no number for the loser', async () => {
    const twice = await Promise.all([buildIncident(d, { teamId: 'TKEY', sourceKey: 'view:V1' }), buildIncident(d, { teamId: 'TKEY', sourceKey: 'view:V1' })]);
    const again = await d.incidents.declare({ teamId: 'TKEY', title: 'Retried', description: '', severity: 'SEV3', kind: 'service', services: [], commanderId: null, reporterId: REPORTER, sourceKey: 'view:V1' });
    expect(twice[1].id).toBe(twice[0].id);
    expect(again).toEqual({ incident: twice[0], created: false });
    expect(await kinds(twice[0].id)).toEqual(['declared']);
    expect((await buildIncident(d, { teamId: 'TKEY' })).number).toBe(2);
  });
});

describe('updates', () => {
  it('record a status change only when the status changes, and promise the next update', async () => {
    const incident = await buildIncident(d);
    const { incident: updated } = await d.incidents.postUpdate({ incidentId: incident.id, actorId: COMMANDER, status: 'identified', message: 'Found a bad deploy', nextUpdateInMinutes: 30 });
    await d.incidents.postUpdate({ incidentId: incident.id, actorId: COMMANDER, status: 'identified', message: 'Rolling back' });
    expect(await kinds(incident.id)).toEqual(['declared', 'status_changed', 'update', 'update']);
    expect(updated.nextUpdateAt).toEqual(new Date(d.clock.now().getTime() + 30 * 60_000));
    expect((await row(incident.id)).next_update_at).toBeNull();
    expect((await row(incident.id)).last_update_at).toEqual(d.clock.now());
  });

  it('set the mitigation time at the first "monitoring", and keep it', async () => {
    const incident = await buildIncident(d);
    const first = d.clock.now();
    await d.incidents.postUpdate({ incidentId: incident.id, actorId: COMMANDER, status: 'monitoring', message: 'Fix is out' });
    d.clock.advanceMinutes(20);
    await d.incidents.postUpdate({ incidentId: incident.id, actorId: COMMANDER, status: 'identified', message: 'It came back' });
    await d.incidents.postUpdate({ incidentId: incident.id, actorId: COMMANDER, status: 'monitoring', message: 'Second fix is out' });
    expect((await row(incident.id)).mitigated_at).toEqual(first);
  });

  it('queue one delivery per audience destination, and refuse an audience the policy lacks', async () => {
    const incident = await buildIncident(d);
    const { event } = await d.incidents.postUpdate({ incidentId: incident.id, actorId: COMMANDER, status: 'identified', message: 'Found it', audiences: ['technical', 'business', 'business'] });
    const deliveries = await tasksOf(incident.id, IncidentTask.deliver);
    expect(deliveries.map((t) => t.payload)).toEqual([
      { eventId: event.id, audience: 'business', channel: 'CBIZ' },
      { eventId: event.id, audience: 'business', user: 'UCEO' },
      { eventId: event.id, audience: 'business', user: 'UCFO' },
    ]);
    await expect(d.incidents.postUpdate({ incidentId: incident.id, actorId: COMMANDER, status: 'identified', message: 'x', audiences: ['executive'] })).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'No executive audience is configured in the policy (comms.executive).',
    });
  });

  it('with status "resolved" resolve the incident with the message as the summary', async () => {
    const incident = await buildIncident(d);
    const { incident: resolved, event } = await d.incidents.postUpdate({ incidentId: incident.id, actorId: COMMANDER, status: 'resolved', message: 'Rolled back' });
    expect(event.kind).toBe('resolved');
    expect(resolved).toMatchObject({ status: 'resolved', resolutionSummary: 'Rolled back', resolvedAt: d.clock.now() });
  });

  it('are refused on a resolved incident, and need some text', async () => {
    const incident = await buildResolvedIncident(d);
    await expect(d.incidents.postUpdate({ incidentId: incident.id, actorId: COMMANDER, status: 'identified', message: 'More' })).rejects.toMatchObject({ code: 'invalid_state' });
    await expect(d.incidents.postUpdate({ incidentId: incident.id, actorId: COMMANDER, status: 'identified', message: '  ' })).rejects.toMatchObject({ code: 'invalid_input', message: 'Say what changed.' });
    await expect(d.incidents.postUpdate({ incidentId: incident.id, actorId: COMMANDER, status: 'sleeping', message: 'x' })).rejects.toMatchObject({ code: 'invalid_input', message: 'Unknown status sleeping.' });
  });

  it('post to the channel and the announcement thread, and coalesce the card refresh into one pending task', async () => {
    const incident = await buildIncident(d);
    await d.incidents.postUpdate({ incidentId: incident.id, actorId: COMMANDER, status: 'identified', message: 'One' });
    await d.incidents.postUpdate({ incidentId: incident.id, actorId: COMMANDER, status: 'identified', message: 'Two' });
    const broadcasts = await tasksOf(incident.id, IncidentTask.broadcast);
    expect(broadcasts.map((t) => t.payload.target)).toEqual(['channel', 'announcement', 'channel', 'announcement']);
    expect(await tasksOf(incident.id, IncidentTask.sync)).toHaveLength(1);
  });
});

describe('resolving, reopening and closing', () => {
  it('resolving stamps the times once and stops the update clock', async () => {
    const incident = await buildIncident(d);
    await d.incidents.postUpdate({ incidentId: incident.id, actorId: COMMANDER, status: 'identified', message: 'x', nextUpdateInMinutes: 15 });
    d.clock.advanceMinutes(5);
    const { incident: resolved } = await d.incidents.resolve({ incidentId: incident.id, actorId: COMMANDER, summary: ' Rolled back ' });
    expect(resolved).toMatchObject({ status: 'resolved', resolutionSummary: 'Rolled back', resolvedAt: d.clock.now(), mitigatedAt: d.clock.now(), nextUpdateAt: null });
    expect((await kinds(incident.id)).slice(-2)).toEqual(['status_changed', 'resolved']);
    await expect(d.incidents.resolve({ incidentId: incident.id, actorId: COMMANDER, summary: 'again' })).rejects.toMatchObject({ code: 'invalid_state', message: 'This incident is already resolved.' });
    await expect(d.incidents.resolve({ incidentId: incident.id, actorId: COMMANDER, summary: ' ' })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('closing needs a resolved incident, and happens once', async () => {
    const open = await buildIncident(d);
    await expect(d.incidents.close({ incidentId: open.id, actorId: COMMANDER })).rejects.toMatchObject({ code: 'invalid_state', message: 'Resolve the incident before closing it: `/incident resolve`.' });
    const resolved = await buildResolvedIncident(d);
    const { incident: closed } = await d.incidents.close({ incidentId: resolved.id, actorId: COMMANDER });
    expect(closed.closedAt).toEqual(d.clock.now());
    await expect(d.incidents.close({ incidentId: resolved.id, actorId: COMMANDER })).rejects.toMatchObject({ code: 'invalid_state', message: 'This incident is already closed.' });
  });

  it('reopening a closed incident clears its resolution and closure, and says it was closed', async () => {
    const incident = await buildResolvedIncident(d);
    await d.incidents.close({ incidentId: incident.id, actorId: COMMANDER });
    const { incident: reopened, event } = await d.incidents.reopen({ incidentId: incident.id, actorId: COMMANDER, reason: 'Errors are back' });
    expect(reopened).toMatchObject({ status: 'investigating', resolvedAt: null, closedAt: null, resolutionSummary: null });
    expect(event).toMatchObject({ kind: 'reopened', payload: { reason: 'Errors are back', was_closed: true } });
    await expect(d.incidents.reopen({ incidentId: incident.id, actorId: COMMANDER, reason: 'again' })).rejects.toMatchObject({ code: 'invalid_state' });
    await expect(d.incidents.reopen({ incidentId: incident.id, actorId: COMMANDER, reason: '' })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('an unknown incident is "not found" for every change', async () => {
    await expect(d.incidents.resolve({ incidentId: '999999', actorId: COMMANDER, summary: 'x' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(d.incidents.addNote('999999', COMMANDER, 'x')).rejects.toMatchObject({ code: 'not_found' });
  });
});
