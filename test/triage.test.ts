import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MATRIX, IMPACTS, URGENCIES } from '../src/policy/schema.js';
import { startTestApp, type TestApp } from './support/app.js';
import { declareIncident, lastModal, lastResponse, messageText, submitModal } from './support/flows.js';
import type { FakeChannel } from './support/fake-slack.js';
import { input } from './support/slack-requests.js';
import { eventually } from './support/wait.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    policy: {
      escalation: [
        { priorities: ['P1'], usergroups: ['S0CRISIS'] },
        { services: ['payments'], usergroups: ['payments-oncall'] },
      ],
      bridge: { url_template: 'https://meet.example.com/incident-{number}' },
    },
  });
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben'], ['UCAT', 'cat'], ['UDAN', 'dan'], ['UEVE', 'eve'], ['UFAY', 'fay']]) t.fake.addUser({ id, name });
  t.fake.addUsergroup({ id: 'S0CRISIS', handle: 'crisis-team', users: ['UDAN', 'UEVE'] });
  t.fake.addUsergroup({ id: 'S0PAY', handle: 'payments-oncall', users: ['UFAY'] });
});
afterAll(async () => { if (process.env.DEBUG_LOGS) console.log(t.logs.filter((l) => /"level":(40|50)/.test(l)).join('')); await t?.stop(); });

const stored = (channelId: string) => t.app.db.selectFrom('incidents').selectAll().where('channel_id', '=', channelId).executeTakeFirstOrThrow();
const timeline = async (channelId: string) => {
  const i = await stored(channelId);
  return t.app.db.selectFrom('timeline_events').selectAll().where('incident_id', '=', i.id).orderBy('id').execute();
};
const run = async (channel: FakeChannel, text: string, userId = 'UANA') => {
  const res = await t.slack.command({ text, userId, channelId: channel.id });
  return res;
};
const triageValues = (o: { impact: string; urgency: string; category?: string; severity?: string; services?: string; business?: string; classification?: string; reason?: string }) => ({
  category: { category: input.select(o.category ?? 'database') },
  impact: { impact: input.select(o.impact) },
  urgency: { urgency: input.select(o.urgency) },
  severity: { severity: input.select(o.severity ?? 'SEV2') },
  services: { services: input.text(o.services ?? null) },
  business_impact: { business_impact: input.text(o.business ?? null) },
  classification: { classification: input.radio(o.classification ?? 'incident') },
  reason: { reason: input.text(o.reason ?? null) },
});

describe('triage', () => {
  let channel: FakeChannel;
  beforeAll(async () => {
    channel = await declareIncident(t, { userId: 'UANA', title: 'Orders DB replica lag', severity: 'SEV2' });
  });

  it('shows the matrix priority before submit, for all 16 impact × urgency combinations', async () => {
    await run(channel, 'triage');
    const view = await eventually(() => lastModal(t, 'UANA', 'incident_triage'));
    for (const impact of IMPACTS) {
      for (const urgency of URGENCIES) {
        const values = triageValues({ impact, urgency });
        const res = await t.slack.blockAction({ userId: 'UANA', actionId: 'urgency', view: t.fake.views.get(view.id)!.view, values, selectedOption: { value: urgency } });
        expect(res.status).toBe(200);
        const preview = await eventually(() => {
          const v = t.fake.views.get(view.id)!.view;
          const text = v.blocks.find((b: any) => b.block_id === 'priority_preview')?.text.text as string;
          return text.includes(`${impact} impact × ${urgency} urgency`) ? text : undefined;
        });
        expect(preview).toContain(`*Priority: ${DEFAULT_MATRIX[impact][urgency]}*`);
      }
    }
  });

  it('stores the matrix priority for all 16 combinations, with old → new priority rows', async () => {
    let previous: string | null = null;
    for (const impact of IMPACTS) {
      for (const urgency of URGENCIES) {
        await run(channel, 'triage');
        const res = await submitModal(t, 'UANA', 'incident_triage', triageValues({ impact, urgency }));
        expect(res.body).toBeFalsy();
        const row = await stored(channel.id);
        expect(row.priority, `${impact} × ${urgency}`).toBe(DEFAULT_MATRIX[impact][urgency]);
        expect([row.impact, row.urgency]).toEqual([impact, urgency]);
        previous = row.priority;
      }
    }
    const changes = (await timeline(channel.id)).filter((r) => r.kind === 'priority_changed');
    expect(changes[0].payload).toEqual({ from: null, to: 'P1' });
    expect(changes.every((c) => c.actor_id === 'UANA')).toBe(true);
    for (let i = 1; i < changes.length; i++) expect(changes[i].payload.from).toBe(changes[i - 1].payload.to);
    expect(changes.at(-1)!.payload.to).toBe(previous);
  });

  it('sets the acknowledged time on the first triage only, and records severity changes', async () => {
    const c = await declareIncident(t, { userId: 'UBEN', title: 'Login errors', severity: 'SEV3' });
    expect((await stored(c.id)).acknowledged_at).toBeNull();
    await run(c, 'triage', 'UBEN');
    await submitModal(t, 'UBEN', 'incident_triage', triageValues({ impact: 'significant', urgency: 'high', severity: 'SEV2', business: 'Customers cannot log in', services: 'auth, web' }));
    const first = (await stored(c.id)).acknowledged_at;
    expect(first).toBeInstanceOf(Date);
    await run(c, 'triage', 'UBEN');
    await submitModal(t, 'UBEN', 'incident_triage', triageValues({ impact: 'extensive', urgency: 'critical', severity: 'SEV1' }));
    const row = await stored(c.id);
    expect(row.acknowledged_at).toEqual(first);
    expect(row.priority).toBe('P1');
    const sev = (await timeline(c.id)).filter((r) => r.kind === 'severity_changed').map((r) => r.payload);
    expect(sev).toEqual([{ from: 'SEV3', to: 'SEV2' }, { from: 'SEV2', to: 'SEV1' }]);
    await eventually(() => messageText(c.messages.find((m) => m.ts === c.pins[0])).includes('P1 · SEV1'));
    await eventually(() => c.topic.includes('P1 · SEV1'));
  });

  it('refuses a triage without impact, and a security event without a reason, inline', async () => {
    await run(channel, 'triage');
    const noImpact = await submitModal(t, 'UANA', 'incident_triage', { ...triageValues({ impact: 'minor', urgency: 'low' }), impact: { impact: input.select(null) } });
    expect(noImpact.body.errors).toEqual({ impact: 'Choose the impact.' });
    const noReason = await t.slack.viewSubmission({ userId: 'UANA', view: lastModal(t, 'UANA', 'incident_triage'), values: triageValues({ impact: 'minor', urgency: 'low', classification: 'security_event' }) });
    expect(noReason.body.errors.reason).toMatch(/why/);
  });

  it('a security event is recorded and closed as "event, no incident" with the reason', async () => {
    const c = await declareIncident(t, { userId: 'UCAT', title: 'Odd login from new country', kind: 'security' });
    await run(c, 'triage', 'UCAT');
    await submitModal(t, 'UCAT', 'incident_triage', triageValues({ impact: 'minor', urgency: 'low', category: 'security', classification: 'security_event', reason: 'User travelling; confirmed by phone' }));
    const row = await stored(c.id);
    expect(row.classification).toBe('security_event');
    expect(row.closed_at).toBeInstanceOf(Date);
    expect(row.resolution_summary).toBe('Security event, no incident: User travelling; confirmed by phone');
    expect((await timeline(c.id)).map((r) => r.kind)).toContain('classified');
  });
});

describe('escalation and bridge', () => {
  it('pages the policy user groups: members invited, paged recorded, announced', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Card payments failing', severity: 'SEV2', services: 'payments' });
    await run(c, 'escalate');
    const view = await eventually(() => lastModal(t, 'UANA', 'incident_escalate'));
    const groups = view.blocks.find((b: any) => b.block_id === 'usergroups');
    expect(groups.element.initial_options.map((o: any) => o.value)).toEqual(['payments-oncall']);
    await submitModal(t, 'UANA', 'incident_escalate', {
      priority: { priority: input.select('P1') },
      usergroups: { usergroups: input.multiSelect(['payments-oncall', 'S0CRISIS']) },
      extra_groups: { extra_groups: input.text(null) },
      note: { note: input.text('Revenue impact confirmed') },
    });
    await eventually(() => ['UDAN', 'UEVE', 'UFAY'].every((u) => c.members.has(u)));
    const rows = await timeline(c.id);
    expect(rows.find((r) => r.kind === 'priority_changed')!.payload).toEqual({ from: null, to: 'P1' });
    const paged = rows.filter((r) => r.kind === 'paged').map((r) => r.payload);
    expect(paged).toEqual(expect.arrayContaining([{ usergroup: 'payments-oncall', users: ['UFAY'], escalation: expect.any(String) }, { usergroup: 'crisis-team', users: ['UDAN', 'UEVE'], escalation: expect.any(String) }]));
    expect(c.messages.some((m) => messageText(m).includes('<!subteam^S0PAY>') && messageText(m).includes('<!subteam^S0CRISIS>'))).toBe(true);
    const announce = t.fake.channelByName('incidents')!.messages;
    await eventually(() => announce.some((m) => messageText(m).includes('escalated to P1') && messageText(m).includes('Card payments failing')));
  });

  it('an unknown group is reported in the channel, not silently dropped', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Queue backlog' });
    await run(c, 'escalate');
    await submitModal(t, 'UANA', 'incident_escalate', { priority: { priority: input.select('P2') }, usergroups: { usergroups: input.multiSelect([]) }, extra_groups: { extra_groups: input.text('no-such-team') }, note: { note: input.text(null) } });
    await eventually(() => c.messages.some((m) => messageText(m).includes('Could not page no-such-team')));
  });

  it('sets a bridge from a link or the template: posted, bookmarked, on the card', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Bridge test' });
    const number = (await stored(c.id)).number;
    const r = await lastResponse(t, (await run(c, 'bridge')).responseUrl);
    expect(r.text).toContain(`https://meet.example.com/incident-${number}`);
    await eventually(() => c.bookmarks.some((b) => b.title === 'Bridge call' && b.link === `https://meet.example.com/incident-${number}`));
    await run(c, 'bridge <https://zoom.example.com/j/123>');
    await t.settle();
    await eventually(() => c.bookmarks.filter((b) => b.title === 'Bridge call').length === 1 && c.bookmarks.some((b) => b.link === 'https://zoom.example.com/j/123'));
    await eventually(() => messageText(c.messages.find((m) => m.ts === c.pins[0])).includes('https://zoom.example.com/j/123'));
    const bad = await lastResponse(t, (await run(c, 'bridge not-a-link')).responseUrl);
    expect(bad.text).toMatch(/does not look like a link/);
  });

  it('never posts a security incident\'s bridge or escalation details outside its channel', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Ransomware on file server', kind: 'security', severity: 'SEV1' });
    await run(c, 'bridge https://secret-bridge.example.com/x');
    await run(c, 'escalate');
    await submitModal(t, 'UANA', 'incident_escalate', { priority: { priority: input.select('P1') }, usergroups: { usergroups: input.multiSelect(['S0CRISIS']) }, extra_groups: { extra_groups: input.text(null) }, note: { note: input.text('Ransomware confirmed') } });
    await eventually(() => c.members.has('UDAN'));
    await t.settle();
    for (const ch of t.fake.channels.values()) {
      if (ch.id === c.id || ch.is_im) continue;
      for (const m of ch.messages) expect(messageText(m)).not.toMatch(/secret-bridge|Ransomware/);
    }
  });
});

describe('roles', () => {
  let channel: FakeChannel;
  beforeAll(async () => {
    channel = await declareIncident(t, { userId: 'UANA', title: 'Roles drill' });
  });

  it('assigns a role: invited, DMed the checklist, on the card and the timeline', async () => {
    const r = await lastResponse(t, (await run(channel, 'role comms <@UCAT|cat>')).responseUrl);
    expect(r.text).toBe(`<@UCAT> is now the Communications lead for INC-${(await stored(channel.id)).number}.`);
    await eventually(() => channel.members.has('UCAT'));
    const dm = await eventually(() => t.fake.dmWith('UCAT')?.messages.find((m) => messageText(m).includes('Communications lead')));
    expect(messageText(dm)).toContain('Post updates on time');
    await eventually(() => messageText(channel.messages.find((m) => m.ts === channel.pins[0])).includes('Communications lead: <@UCAT>'));
    const row = (await timeline(channel.id)).find((e) => e.kind === 'role_assigned')!;
    expect(row.payload).toMatchObject({ role: 'communications', user: 'UCAT', previous: null });
    expect(row.actor_id).toBe('UANA');
  });

  it('lists roles, and explains usage for a bad role or missing user', async () => {
    const list = await lastResponse(t, (await run(channel, 'roles')).responseUrl);
    expect(list.text).toContain('*Communications lead* (`communications`): <@UCAT>');
    expect(list.text).toContain('*Scribe* (`scribe`): _open_');
    const bad = await lastResponse(t, (await run(channel, 'role wizard <@UBEN|ben>')).responseUrl);
    expect(bad.text).toMatch(/Usage: `\/incident role <role> @user`/);
  });

  it('claims an open role with the card button; a filled role cannot be claimed', async () => {
    const card = () => channel.messages.find((m) => m.ts === channel.pins[0])!;
    await t.slack.blockAction({ userId: 'UBEN', actionId: 'incident_claim_role:scribe', channelId: channel.id, messageTs: card().ts });
    await eventually(() => messageText(card()).includes('Scribe: <@UBEN>'));
    expect(card().blocks!.flatMap((b: any) => b.elements ?? []).map((e: any) => e.action_id)).not.toContain('incident_claim_role:scribe');
    const res = await t.slack.blockAction({ userId: 'UDAN', actionId: 'incident_claim_role:communications', value: (await stored(channel.id)).id, channelId: channel.id, messageTs: card().ts });
    const refusal = await lastResponse(t, res.responseUrl!);
    expect(refusal.text).toContain('<@UCAT> already is the Communications lead');
    expect((await t.app.db.selectFrom('incident_roles').select('user_id').where('role', '=', 'communications').where('released_at', 'is', null).where('incident_id', '=', (await stored(channel.id)).id).executeTakeFirstOrThrow()).user_id).toBe('UCAT');
  });

  it('handing over command updates the incident, the topic and the card', async () => {
    await run(channel, 'role commander <@UBEN|ben>');
    await eventually(() => channel.topic.endsWith('IC <@UBEN>'));
    expect((await stored(channel.id)).commander_id).toBe('UBEN');
  });
});
