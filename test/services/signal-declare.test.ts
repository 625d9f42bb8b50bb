import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/incidents/errors.js';
import type { DeclarationOrigin } from '../../src/incidents/incident.js';
import { IncidentTask } from '../../src/incidents/side-effects.js';
import { PermanentFailure } from '../../src/jobs/task-runner.js';
import { taskPayloadSchema } from '../../src/outbox/kinds.js';
import { autoDeclareHandler } from '../../src/signals/declare-flow.js';
import { SignalTask } from '../../src/signals/service.js';
import { queuedTasks, startDomain, type Domain } from '../support/domain.js';
import { buildIncident, buildSignalGroup, REPORTER } from '../support/factories.js';

const BOT = { teamId: 'T1', userId: 'UBOT' };

let d: Domain;
beforeAll(async () => {
  d = await startDomain({
    policy: {
      signals: {
        triage_channel: 'CTRIAGE',
        rules: [{ match: { source: 'alertmanager', severity: 'critical' }, action: 'declare', severity: 'SEV2', commander_rotation: 'primary' }],
      },
      oncall: { rotations: [{ name: 'primary', members: ['UONE', 'UTWO'], timezone: 'UTC', length: 'weekly' }] },
    },
  });
  // A feature whose hook runs after the link and fails for some incidents: their declaration fails as a whole.
  d.incidents.addHooks({
    declared: async (_trx, incident) => {
      if (incident.title.startsWith('Doomed')) throw new Error('the database went away');
      if (incident.title.startsWith('Refused')) throw new DomainError('invalid_state', 'Refused by policy.');
    },
  });
});
afterAll(() => d?.stop());

/** Runs the queued auto-declare task of a group as the task runner would, with the bot's identity. */
async function runAutoDeclare(groupId: string): Promise<void> {
  const [task] = (await queuedTasks(d, SignalTask.declare)).filter((t) => t.payload.groupId === groupId);
  if (!task) throw new Error(`no auto-declare task for group ${groupId}`);
  await autoDeclareHandler(d.signalDeclare, async () => BOT)({ id: '0', kind: SignalTask.declare, incidentId: null, payload: taskPayloadSchema(SignalTask.declare).parse(task.payload), attempts: 0, runAt: task.runAt, ageMs: 0, lastAttempt: false });
}

const incidentsTitled = (title: string) => d.db.selectFrom('incidents').select('id').where('title', '=', title).execute();
const linkedRows = (groupId: string) => d.db.selectFrom('timeline_events').selectAll().where('kind', '=', 'signal_linked').where(({ ref, val }) => ref('payload', '->>').key('group_id'), '=', groupId).execute();
const postTasks = async (groupId: string) => (await queuedTasks(d, SignalTask.post)).filter((t) => t.payload.groupId === groupId);
const manual = (signalGroupId: string): DeclarationOrigin => ({ signalGroupId, how: 'manual' });

describe('auto-declaring from an alert group', () => {
  it('declares as the bot with the on-call as commander, and links the group in the same transaction', async () => {
    const group = await buildSignalGroup(d, { groupKey: 'auto-payments', severity: 'critical', service: 'payments', title: 'Payments down' });
    await runAutoDeclare(group.id);
    const incident = (await d.db.selectFrom('incidents').selectAll().where('source_key', '=', `signal:${group.id}:1`).executeTakeFirstOrThrow());
    expect(incident).toMatchObject({ title: 'Payments down', severity: 'SEV2', services: ['payments'], reporter_id: 'UBOT', team_id: 'T1', commander_id: expect.stringMatching(/^U(ONE|TWO)$/) });
    expect(await d.signals.findGroup(group.id)).toMatchObject({ incidentId: incident.id, classification: 'incident', classifiedBy: null });
    const timeline = await d.incidents.timeline(incident.id);
    expect(timeline.map((e) => e.kind).slice(0, 2)).toEqual(['declared', 'signal_linked']);
    const linked = timeline.find((e) => e.kind === 'signal_linked')!;
    expect(linked).toMatchObject({ actorId: null, payload: { group_id: group.id, how: 'auto', title: 'Payments down' } });
    const broadcasts = (await queuedTasks(d, IncidentTask.broadcast)).filter((t) => t.payload.eventId === linked.id);
    expect(broadcasts.map((t) => t.payload.target)).toEqual(['channel']);

    // A retried task declares nothing more.
    await runAutoDeclare(group.id);
    expect(await incidentsTitled('Payments down')).toHaveLength(1);
    expect(await linkedRows(group.id)).toHaveLength(1);
  });

  it('declares nothing for a group that no rule declares, or that a person linked first', async () => {
    const triage = await buildSignalGroup(d, { groupKey: 'auto-triage', severity: 'warning', title: 'Disk filling' });
    expect(await d.signalDeclare.autoDeclare(triage.id, 1, BOT)).toBeUndefined();
    const critical = await buildSignalGroup(d, { groupKey: 'auto-taken', severity: 'critical', title: 'Checkout down' });
    const incident = await buildIncident(d, { title: 'Checkout outage' });
    await d.signals.link(critical.id, incident.id, REPORTER);
    await runAutoDeclare(critical.id);
    expect(await incidentsTitled('Disk filling')).toEqual([]);
    expect(await incidentsTitled('Checkout down')).toEqual([]);
    expect(await d.signals.findGroup(critical.id)).toMatchObject({ incidentId: incident.id });
  });
});

describe('a person declaring from a triage post', () => {
  it('links the group named by the origin, as the person who declared', async () => {
    const group = await buildSignalGroup(d, { groupKey: 'manual-latency', title: 'Checkout latency' });
    const incident = await buildIncident(d, { title: 'Checkout slow', origin: manual(group.id) });
    expect(await d.signals.findGroup(group.id)).toMatchObject({ incidentId: incident.id, classification: 'incident', classifiedBy: REPORTER });
    const [linked] = await linkedRows(group.id);
    expect(linked).toMatchObject({ incident_id: incident.id, actor_id: REPORTER, payload: expect.objectContaining({ how: 'declared', title: 'Checkout latency' }) });
  });

  it('links nothing without an origin, whatever the source key says', async () => {
    const group = await buildSignalGroup(d, { groupKey: 'manual-none' });
    await buildIncident(d, { sourceKey: `signal:${group.id}:1` });
    expect(await d.signals.findGroup(group.id)).toMatchObject({ incidentId: null, classification: null });
    expect(await linkedRows(group.id)).toEqual([]);
  });
});

describe('a declaration that fails', () => {
  const unlinked = async (groupId: string, postsBefore: number) => {
    expect(await d.signals.findGroup(groupId)).toMatchObject({ incidentId: null, classification: null, classifiedBy: null });
    expect(await linkedRows(groupId)).toEqual([]);
    expect(await postTasks(groupId)).toHaveLength(postsBefore);
  };

  it('refused by the incident service leaves the group unlinked', async () => {
    const group = await buildSignalGroup(d, { groupKey: 'fail-refused' });
    const posts = (await postTasks(group.id)).length;
    await expect(buildIncident(d, { title: 'Checkout broken', severity: 'SEV9', origin: manual(group.id) })).rejects.toMatchObject({ code: 'invalid_input' });
    await unlinked(group.id, posts);
  });

  it('failing after the link takes the link back with it', async () => {
    const group = await buildSignalGroup(d, { groupKey: 'fail-after-link' });
    const posts = (await postTasks(group.id)).length;
    await expect(buildIncident(d, { title: 'Doomed checkout', origin: manual(group.id) })).rejects.toThrow('the database went away');
    expect(await incidentsTitled('Doomed checkout')).toEqual([]);
    await unlinked(group.id, posts);
  });

  it('failing while auto-declaring leaves the group unlinked: retried after an outage, given up when refused', async () => {
    const outage = await buildSignalGroup(d, { groupKey: 'fail-auto-outage', severity: 'critical', title: 'Doomed payments' });
    const refused = await buildSignalGroup(d, { groupKey: 'fail-auto-refused', severity: 'critical', title: 'Refused payments' });
    const posts = [(await postTasks(outage.id)).length, (await postTasks(refused.id)).length];
    await expect(runAutoDeclare(outage.id)).rejects.toThrow('the database went away');
    await expect(runAutoDeclare(outage.id)).rejects.not.toBeInstanceOf(PermanentFailure);
    await expect(runAutoDeclare(refused.id)).rejects.toBeInstanceOf(PermanentFailure);
    expect([...(await incidentsTitled('Doomed payments')), ...(await incidentsTitled('Refused payments'))]).toEqual([]);
    await unlinked(outage.id, posts[0]);
    await unlinked(refused.id, posts[1]);
  });
});
