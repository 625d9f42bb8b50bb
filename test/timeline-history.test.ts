import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findIncidentById } from '../src/incidents/repository.js';
import { broadcastMessage, describeEvent, timelineMarkdown } from '../src/slack/views/timeline.js';
import { timelinePayloadSchemas } from '../src/timeline/kinds.js';
import { listTimeline, type TimelineKind } from '../src/timeline/timeline.js';
import { startTestApp, type TestApp } from './support/app.js';
import type { FakeChannel } from './support/fake-slack.js';
import { declareIncident, lastResponse, messageText } from './support/flows.js';
import { ask, incidentOf, resolveIncident } from './support/follow-up.js';
import { eventually } from './support/wait.js';

/**
 * Payloads as earlier versions stored them, per kind (read from the history of their writers):
 * the oldest shape, later ones, and the minimal ones (optional fields left out, nulls). Timeline
 * rows are permanent, so each must still read and render. A kind added to the timeline without
 * an entry here fails the type check.
 */
const STORED: { [K in TimelineKind]: Record<string, unknown>[] } = {
  declared: [
    { title: 'Checkout errors', severity: 'SEV1', kind: 'service', status: 'investigating', commander: 'UBEN', services: ['checkout'], description: 'Card payments fail' },
    { title: 'Game day', severity: 'SEV2', kind: 'service', status: 'investigating', commander: 'UBEN', services: [], description: '', drill: true },
    { title: 'Nobody in charge yet', severity: 'SEV3', kind: 'security', status: 'investigating', commander: null, services: [], description: '' },
    { title: 'Leaked keys', severity: 'SEV1', kind: 'security', status: 'investigating', commander: 'UBEN', services: [], description: '', type: 'Security breach' },
  ],
  update: [
    { status: 'identified', message: 'Bad deploy', next_update_at: null },
    { status: 'monitoring', message: 'Rolled back', next_update_at: '2026-11-26T10:30:00.000Z', audiences: ['business'] },
  ],
  status_changed: [{ from: 'investigating', to: 'identified' }],
  type_changed: [{ from: null, to: 'Service outage' }, { from: 'Service outage', to: null }],
  field_changed: [
    { key: 'customer_impact', label: 'Customers affected', field_type: 'number', from: null, to: 120 },
    { key: 'affected_regions', label: 'Regions', field_type: 'multi_select', from: ['eu-west'], to: ['eu-west', 'us-east'] },
    { key: 'owner', label: 'Owner', field_type: 'user', from: 'UBEN', to: null },
  ],
  severity_changed: [{ from: 'SEV2', to: 'SEV1' }],
  note: [{ text: 'Error rate back to baseline' }],
  resolved: [{ summary: 'Rolled back the release' }, { summary: 'Rolled back', audiences: ['business', 'executive'] }],
  reopened: [
    { reason: 'Errors are back', was_closed: false },
    { reason: 'Found more lost orders', was_closed: true },
  ],
  closed: [{}],
  timestamp_corrected: [
    { key: 'impact_started', from: null, to: '2026-11-26T09:25:00.000Z', reason: 'Error rate rose at 09:25 in the dashboards' },
    { key: 'resolved', from: '2026-11-26T11:05:00.000Z', to: '2026-11-26T10:50:00.000Z', reason: 'Recovery was at 10:50' },
  ],
  channel_created: [{ channel_id: 'C0HISTORY', name: 'inc-1-checkout-errors' }],
  channel_failed: [{ error: 'ratelimited' }],
  role_assigned: [
    { role: 'communications', label: 'Communications lead', user: 'UCAT', previous: null },
    { role: 'commander', label: 'Incident commander', user: 'UANA', previous: 'UBEN' },
  ],
  triaged: [
    { priority: 'P1', impact: 'high', urgency: 'high', category: 'availability', services: ['checkout'], business_impact: 'No orders', first: true },
    { priority: 'P3', impact: 'low', urgency: 'medium', category: 'performance', services: [], business_impact: '', first: false },
  ],
  priority_changed: [
    { from: null, to: 'P2' },
    { from: 'P2', to: 'P1' },
  ],
  classified: [{ classification: 'security_event', reason: 'Scanner noise' }],
  escalated: [
    { from: 'P2', to: 'P1', usergroups: ['S0DBA'], note: 'Need the DBAs' },
    { from: 'P2', to: 'P2', usergroups: ['S0NET'], note: '' },
  ],
  owners_paged: [
    { to: 'P1', usergroups: ['S0PAY'], services: ['checkout'], note: 'Your team owns checkout.' },
    { to: 'P2', usergroups: ['S0PAY', 'S0ERP'], services: ['checkout', 'erp'], note: 'Your team owns checkout, erp.' },
  ],
  bridge_set: [{ url: 'https://meet.example.com/abc' }],
  paged: [
    { usergroup: 'dba', users: ['UDAN', 'UEVE'], escalation: '17' },
    { usergroup: 'empty-team', users: [], escalation: '18' },
    { page_id: '3', level: 1, users: ['UFAY'], rotation: null },
    { page_id: '4', level: 1, users: ['UGUS'], rotation: 'primary' },
  ],
  page_escalated: [{ page_id: '4', level: 2, users: ['UHAL'], rotation: 'secondary' }],
  page_acknowledged: [{ page_id: '4', level: 2, after_seconds: 95 }],
  page_declined: [{ page_id: '3', level: 1 }],
  page_unanswered: [{ page_id: '5', levels: 2 }],
  vendor_engaged: [
    { vendor: 'Acme Cloud', ticket_ref: 'T-991', contact: 'noc@acme.example', response_minutes: 30 },
    { vendor: 'Acme CDN', ticket_ref: '', contact: '', response_minutes: 60 },
  ],
  vendor_responded: [
    { vendor: 'Acme Cloud', after_minutes: 12, within_contract: true },
    { vendor: 'Acme CDN', after_minutes: 75, within_contract: false },
  ],
  vendor_overdue: [{ vendor: 'Acme CDN', response_minutes: 60 }],
  sla_breached: [{ clock: 'response', priority: 'P1', target_minutes: 15, due_at: '2026-11-26T09:15:00.000Z' }],
  message_captured: [
    { channel: 'C0HISTORY', ts: '1764147600.000100', text: 'DB failover done', author: 'UDAN', permalink: 'https://example.slack.com/archives/C0HISTORY/p1764147600000100' },
    { channel: 'C0HISTORY', ts: '1764147601.000100', text: 'Posted by a workflow', author: null, permalink: null },
  ],
  message_withdrawn: [{ ts: '1764147600.000100' }],
  signal_linked: [
    { group_id: '7', source: 'alertmanager', title: 'HighErrorRate', severity: 'critical', status: 'firing', alerts: 3, firing: 2, link: 'https://am.example.com/#/alerts', how: 'linked' },
    { group_id: '8', source: 'grafana', title: 'Latency', severity: 'warning', status: 'firing', alerts: 1, firing: 1, link: null, how: 'auto' },
    { group_id: '9', source: 'datadog', title: 'Disk full', severity: 'critical', status: 'resolved', alerts: 1, firing: 0, link: null, how: 'declared' },
  ],
  signals_resolved: [{ group_id: '7', title: 'HighErrorRate', source: 'alertmanager' }],
  review_required: [
    { priority: 'P1', due_at: '2026-12-01T09:00:00.000Z', owner: 'UBEN' },
    // Written without a priority when neither the incident nor its severity had one.
    { due_at: '2026-12-01T09:00:00.000Z', owner: 'UBEN' },
  ],
  review_saved: [
    { created: true, state: 'draft', owner: 'UBEN' },
    { created: false, state: 'in_review', owner: 'UANA' },
  ],
  review_state_changed: [{ from: 'draft', to: 'in_review' }],
  review_document: [{ version: 2, file_id: 'F0HISTORY', permalink: 'https://example.slack.com/files/F0HISTORY', state: 'in_review' }],
  action_added: [{ action_id: '11', title: 'Add an alarm', owner: 'UCAT', due: '2026-12-10', priority: 'medium' }],
  action_done: [{ action_id: '11', title: 'Add an alarm' }],
  action_reopened: [{ action_id: '11', title: 'Add an alarm' }],
  action_snoozed: [{ action_id: '11', title: 'Add an alarm', until: '2026-12-17' }],
  action_reassigned: [{ action_id: '11', title: 'Add an alarm', from: 'UCAT', to: 'UDAN' }],
  action_escalated: [{ action_id: '11', title: 'Add an alarm', owner: 'UDAN', recipient: 'UBEN', days_overdue: 3, due: '2026-12-10' }],
  problem_linked: [
    { problem_id: '2', created: true },
    { problem_id: '2', created: false },
  ],
  checklist_posted: [
    { run: '5', source: 'playbook', name: 'db-failover', checklist: 'Database failover', items: 4 },
    { run: '6', source: 'dr', name: 'region-loss', checklist: 'Region loss', items: 6 },
  ],
  checklist_ticked: [
    { run: '5', source: 'playbook', checklist: 'Database failover', item: 1, of: 4, text: 'Freeze writes', role: null },
    { run: '6', source: 'dr', checklist: 'Region loss', item: 2, of: 6, text: 'Move DNS', role: 'commander' },
  ],
  checklist_unticked: [{ run: '5', source: 'playbook', checklist: 'Database failover', item: 1, of: 4, text: 'Freeze writes', role: null }],
  drill_inject: [{ index: 0, at_minutes: 5, text: 'The primary database stops answering' }],
  drill_scored: [
    {
      scenario: 'db-down',
      met: 1,
      timed: 2,
      rows: [
        { milestone: 'commander_named', label: 'Commander named', actualMinutes: 1, expectedMinutes: 5, outcome: 'met' },
        { milestone: 'resolved', label: 'Resolved', actualMinutes: null, expectedMinutes: 60, outcome: 'missed' },
      ],
    },
  ],
  dr_activated: [
    { plan: 'region-loss', title: 'Region loss', reason: 'eu-west-1 down', crisis_team: 'S0CRISIS', to: 'P1', note: 'DR plan "Region loss" is active.' },
    { plan: 'region-loss', title: 'Region loss', reason: '', crisis_team: 'S0CRISIS', to: 'P1', note: 'DR plan "Region loss" is active.' },
  ],
  dr_deactivated: [
    { plan: 'region-loss', title: 'Region loss', active_minutes: 42, reason: 'Region back' },
    { plan: 'region-loss', title: 'Region loss', active_minutes: null, reason: '' },
  ],
  changes_shown: [
    { change_ids: ['4'], refs: ['CHG-4'], reason: 'declared' },
    { change_ids: ['5', '6'], refs: ['CHG-5', 'CHG-6'], reason: 'deployment' },
  ],
  cause_linked: [
    { change_id: '4', ref: 'CHG-4', title: 'Upgrade the payment SDK', previous: null },
    { change_id: '5', ref: 'CHG-5', title: 'Raise the pool size', previous: '4' },
  ],
  cause_cleared: [{ change_id: '5', ref: 'CHG-5' }],
  itsm_received: [
    { system: 'servicenow', change: 'journal', sys_id: '0123456789abcdef0123456789abcdef', number: 'INC0010001', author: 'Sam Desk', text: 'Customer confirms', element: 'comments', journal_id: 'fedcba9876543210fedcba9876543210' },
    { system: 'servicenow', change: 'state', sys_id: '0123456789abcdef0123456789abcdef', number: 'INC0010001', author: 'Sam Desk', text: 'resolved it', state: '6' },
  ],
  public_post_proposed: [{ post_id: '3', status: 'investigating', title: 'Checkout is slow', approvers: ['commander', 'communications'] }],
  public_post_published: [
    { post_id: '3', status: 'investigating', title: 'Checkout is slow', body: 'We are looking into it.', components: [{ name: 'Checkout', state: 'major_outage' }], approved_by: 'UBEN' },
    { post_id: '4', status: 'resolved', title: 'Checkout is slow', body: 'Fixed.', components: [], approved_by: null },
  ],
  itsm_synced: [{ system: 'servicenow', event: 'incident.declared', table: 'incident', sys_id: '0123456789abcdef0123456789abcdef', number: 'INC0010001', created: true, sent: { short_description: 'Checkout errors' }, remote: { state: '1', priority: '5' } }],
  itsm_kept_open: [{ system: 'jira', number: 'OPS-12', state: 'Closed' }],
};

/** What a reader must never see when a field was renamed or is missing. */
const BROKEN = /undefined|\bnull\b|NaN|\[object Object\]/;

let t: TestApp;
let channel: FakeChannel;
let incidentId: string;

beforeAll(async () => {
  t = await startTestApp();
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben'], ['UCAT', 'cat']]) t.fake.addUser({ id, name });
  channel = await declareIncident(t, { userId: 'UANA', title: 'Orders lost at checkout', severity: 'SEV1', commander: 'UBEN' });
  incidentId = (await incidentOf(t, channel)).id;
});
afterAll(() => t?.stop());

/** Stores a row as an earlier version did: straight into the table, no schema in the way. */
async function store(kind: string, payload: unknown, actorId: string | null = 'UANA'): Promise<void> {
  await t.app.db.insertInto('timeline_events').values({ incident_id: incidentId, actor_id: actorId, kind, payload: JSON.stringify(payload), dedupe_key: null }).execute();
}

/** The timeline as `/incident timeline` shows it: in the reply, or as a Markdown file when long. */
async function timelineShown(): Promise<string> {
  const before = new Set(t.fake.files.keys());
  const res = await t.slack.command({ text: 'timeline', userId: 'UANA', channelId: channel.id });
  expect(res.status).toBe(200);
  const answer = await lastResponse(t, res.responseUrl);
  if (!/as a file/.test(answer.text ?? '')) return messageText(answer);
  return eventually(() => [...t.fake.files.entries()].find(([id, f]) => !before.has(id) && f.filename.endsWith('-timeline.md'))?.[1].content);
}

/** The review document, regenerated now. */
async function reviewDocumentShown(): Promise<string> {
  const before = new Set(t.fake.files.keys());
  expect((await ask(t, 'review document', 'UBEN', channel.id)).text).toMatch(/Regenerating/);
  await t.settle();
  const doc = await eventually(() => [...t.fake.files.entries()].find(([id, f]) => !before.has(id) && f.filename.includes('post-incident-review'))?.[1].content);
  return doc.slice(doc.indexOf('## Timeline'), doc.indexOf('## Root cause'));
}

describe('timeline rows written by earlier versions', () => {
  it('cover every kind of row', () => {
    expect(Object.keys(STORED).sort()).toEqual(Object.keys(timelinePayloadSchemas).sort());
  });

  it('all read back as their kind and render in the timeline, the review document and the channel posts', async () => {
    await resolveIncident(t, channel, 'UBEN', 'Rolled back the payment SDK');
    await t.settle();
    const stored = Object.entries(STORED).flatMap(([kind, payloads]) => payloads.map((payload) => ({ kind, payload })));
    for (const row of stored) await store(row.kind, row.payload);

    const events = (await listTimeline(t.app.db, incidentId)).slice(-stored.length);
    expect(events.map((e) => e.kind)).toEqual(stored.map((r) => r.kind));
    for (const e of events) expect(describeEvent(e), e.kind).not.toMatch(BROKEN);

    const incident = (await findIncidentById(t.app.db, incidentId))!;
    for (const e of events) expect(JSON.stringify(broadcastMessage(t.config.policy, incident, e)), e.kind).not.toMatch(BROKEN);
    // A long timeline is attached as a Markdown file instead.
    for (const line of timelineMarkdown(t.config.policy, incident, events).split('\n')) expect(line).not.toMatch(BROKEN);

    const lines = (await timelineShown()).split('\n');
    expect(lines.length).toBeGreaterThan(stored.length);
    for (const line of lines) expect(line).not.toMatch(BROKEN);

    const doc = await reviewDocumentShown();
    // Rows about the document itself are left out of it.
    const inDocument = stored.filter((r) => !['review_document', 'review_saved', 'channel_created'].includes(r.kind));
    expect(doc.split('\n').filter((l) => l.startsWith('| 20')).length).toBeGreaterThanOrEqual(inDocument.length);
    for (const line of doc.split('\n')) expect(line).not.toMatch(BROKEN);
    expect(doc).toContain('A post-incident review is required, due');
  });

  it('that no longer match their kind, or whose kind is gone, are shown from what they hold and logged', async () => {
    await store('declared', { title: 42, severity: 'SEV1', kind: 'service' }, 'UCAT');
    await store('retired_kind', { summary: 'Kept for the record', count: 3, nested: { a: 1 } }, null);

    // jsonb keeps its own key order, so the values are checked one by one.
    const line = (text: string, start: string) => text.split('\n').find((l) => l.includes(start)) ?? '';
    const shown = await timelineShown();
    for (const part of ['title: 42', 'severity: SEV1', 'kind: service']) expect(line(shown, '<@UCAT>: declared (')).toContain(part);
    for (const part of ['summary: Kept for the record', 'count: 3']) expect(line(shown, 'retired kind (')).toContain(part);
    expect(line(shown, 'retired kind (')).not.toContain('nested');
    const doc = await reviewDocumentShown();
    for (const part of ['title: 42', 'severity: SEV1']) expect(line(doc, '@cat: declared (')).toContain(part);
    expect(line(doc, 'retired kind (')).toContain('summary: Kept for the record');
    const warned = t.logs.filter((l) => l.includes('timeline row does not match its kind'));
    expect(warned.some((l) => l.includes('"kind":"declared"') && l.includes('title'))).toBe(true);
    expect(warned.some((l) => l.includes('"kind":"retired_kind"'))).toBe(true);
  });
});
