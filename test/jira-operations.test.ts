import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { adfText, startFakeJira, type FakeJira, type Issue } from './support/fake-jira.js';
import { FakeSlack, type FakeChannel } from './support/fake-slack.js';
import { declareIncident, messageText, submitModal } from './support/flows.js';
import { ask, resolveIncident, run } from './support/follow-up.js';
import { commentBodyText, jiraEnv, jiraPolicy } from './support/jira.js';
import { synced as syncedIn } from './support/servicenow.js';
import { input } from './support/slack-requests.js';

const reviewsOff = { reviews: { required_priorities: [], due_days: 5, remind_before_days: 2 } };
const teamField = { fieldId: 'customfield_10010', name: 'Affected team', required: true, schema: { type: 'option', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:select' }, allowedValues: [{ id: '1', value: 'Payments' }] };

describe('a required custom field the policy does not fill (cloud)', () => {
  let jira: FakeJira;
  let t: TestApp;
  beforeAll(async () => {
    jira = await startFakeJira('cloud', { incidentFields: [teamField] });
    t = await startTestApp({ env: jiraEnv(jira), policy: { itsm: jiraPolicy(jira), ...reviewsOff } as never });
    for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben']]) t.fake.addUser({ id, name });
  });
  afterAll(async () => {
    await t?.stop();
    await jira?.close();
  });

  it('is named at start-up and in `/incident itsm test`; a declaration sends no issue Jira would refuse, and the channel is told once', async () => {
    await syncedIn(t, () => t.logs.some((l) => l.includes('customfield_10010') && l.includes('Affected team')), 'the start-up warning');
    const lobby = t.fake.addChannel({ name: 'ops-lobby' });
    const answer = messageText(await ask(t, 'itsm test', 'UANA', lobby.id));
    expect(answer).toContain('Affected team (customfield_10010)');
    expect(answer).toContain('itsm.jira.fields');

    const channel = await declareIncident(t, { userId: 'UANA', title: 'Checkout errors', severity: 'SEV2', commander: 'UBEN' });
    await syncedIn(t, () => channel.messages.some((m) => messageText(m).includes('Syncing with Jira fails')), 'the note in the channel');
    await run(t, 'note Rolled back', 'UBEN', channel.id);
    await t.settle();
    await t.settle();
    expect(jira.apiCalls().filter((c) => c.method === 'POST' && c.path.endsWith('/issue'))).toEqual([]);
    expect(channel.messages.filter((m) => messageText(m).includes('Syncing with Jira fails'))).toHaveLength(1);
    expect(channel.messages.find((m) => messageText(m).includes('Syncing with Jira fails'))!.text).toContain('customfield_10010');
    expect(messageText(await ask(t, 'itsm', 'UBEN', channel.id))).toMatch(/No Jira issue yet \(failed \(given up\)\)[\s\S]*customfield_10010/);
  });
});

describe('Jira operations (datacenter)', () => {
  let jira: FakeJira;
  let fake: FakeSlack;
  let t: TestApp;
  beforeAll(async () => {
    jira = await startFakeJira('datacenter', { incidentFields: [teamField] });
    fake = await FakeSlack.start();
    for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben'], ['UOPS', 'ops']]) fake.addUser({ id, name });
    const policy = jiraPolicy(jira, { fields: { customfield_10010: { value: 'Payments' } }, operators: ['UOPS'] });
    t = await startTestApp({ fake, env: jiraEnv(jira), policy: { itsm: policy, ...reviewsOff } as never });
  });
  afterAll(async () => {
    await t?.stop();
    await fake?.close();
    await jira?.close();
  });
  const issuesOf = async (c: FakeChannel) => {
    const { number } = await t.app.db.selectFrom('incidents').select('number').where('channel_id', '=', c.id).executeTakeFirstOrThrow();
    return jira.issues().filter((i) => (i.fields.labels as string[]).includes(`io-INC-${number}`));
  };
  const issueOf = (c: FakeChannel) => syncedIn(t, () => issuesOf(c).then((l) => l[0]), 'the issue') as unknown as Promise<Issue>;

  it('a mapped custom field is sent; Jira down or rate-limiting never holds the declaration, and one issue follows', async () => {
    jira.failNext(100_000, 503);
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Search down', severity: 'SEV1', commander: 'UBEN' });
    await syncedIn(t, () => channel.messages.some((m) => messageText(m).includes('Syncing with Jira fails')), 'the failure note');
    const link = await t.app.db.selectFrom('jira_links as l').innerJoin('incidents as i', 'i.id', 'l.incident_id').select(['l.issue_key', 'l.sync_state', 'l.last_error']).where('i.channel_id', '=', channel.id).executeTakeFirstOrThrow();
    expect(link).toMatchObject({ issue_key: null, sync_state: 'pending', last_error: expect.stringContaining('503') });
    // The operators' Home tab lists it.
    await t.slack.event({ type: 'app_home_opened', user: 'UOPS', channel: 'DUOPS', tab: 'home' });
    await syncedIn(t, () => JSON.stringify(t.fake.views.get(t.fake.homeViews.get('UOPS') ?? '')?.view ?? '').includes('Jira sync failing'), 'the Home tab section');

    expect(await (await fetch(`${t.url}/metrics`)).text()).toMatch(/incident_officer_integration_deliveries_total\{subscriber="jira",outcome="retry"\} [1-9]/);
    jira.recover();
    jira.rateLimit(1, 1);
    const issue = await issueOf(channel);
    expect(issue.fields.customfield_10010).toEqual({ value: 'Payments' });
    await t.settle();
    expect(await issuesOf(channel)).toHaveLength(1);
    expect(channel.messages.filter((m) => messageText(m).includes('Syncing with Jira fails'))).toHaveLength(1);
  });

  it('a long Retry-After is handed to the outbox, which waits that long without a second issue', async () => {
    jira.rateLimit(3, 600);
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Cart empty', severity: 'SEV3', commander: 'UBEN' });
    const { id } = await t.app.db.selectFrom('incidents').select('id').where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
    const delivery = await syncedIn(t, async () => t.app.db.selectFrom('slack_tasks').select(['run_at', 'last_error', 'attempts']).where('lane', '=', 'integration:jira').where('incident_id', '=', id).where('done_at', 'is', null).where('attempts', '>', 0).executeTakeFirst(), 'the delivery waiting');
    if (!delivery) throw new Error('no waiting delivery');
    expect(delivery.last_error).toContain('429');
    // Retry-After: 600 → not tried again for about ten minutes (never the runner's short backoff).
    expect(delivery.run_at.getTime() - Date.now()).toBeGreaterThan(500_000);
    expect(await issuesOf(channel)).toHaveLength(0);
    jira.recover();
  });

  it('a retry after the issue was created but not recorded finds it by its label', async () => {
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Login loops', severity: 'SEV3', commander: 'UBEN' });
    const issue = await issueOf(channel);
    // Forget the link, as if the process had died before recording it, and replay the declaration.
    const { id } = await t.app.db.selectFrom('incidents').select('id').where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
    await t.app.db.updateTable('jira_links').set({ issue_key: null, issue_id: null }).where('incident_id', '=', id).execute();
    await run(t, 'note Still looping', 'UBEN', channel.id);
    await syncedIn(t, () => issue.comments.some((c) => commentBodyText(c.body) === 'Still looping'), 'the note on the same issue');
    expect(await issuesOf(channel)).toHaveLength(1);
  });

  it('keeps a security incident\'s description and notes out of Jira', async () => {
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Leaked API key', severity: 'SEV1', commander: 'UBEN', kind: 'security', description: 'Key AKIA123 in a public repo' });
    const issue = await issueOf(channel);
    await run(t, 'note Rotated the key', 'UBEN', channel.id);
    await t.settle();
    await t.settle();
    expect(JSON.stringify(issue.fields)).not.toContain('AKIA123');
    expect(issue.comments.map((c) => adfText(c.body)).join('\n')).not.toContain('Rotated');
  });

  it('attaches the published review to the incident issue, once', async () => {
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Late notifications', severity: 'SEV2', commander: 'UBEN' });
    const issue = await issueOf(channel);
    await resolveIncident(t, channel, 'UBEN', 'Leases restored.');
    await run(t, 'review', 'UBEN', channel.id);
    const text = (v: string | null) => input.text(v);
    await submitModal(t, 'UBEN', 'review_modal', {
      pir_summary: { pir_summary: text('Webhook retries piled up.') },
      pir_impact: { pir_impact: text('Notifications late by 40 minutes.') },
      pir_root_cause: { pir_root_cause: text('The broker restart dropped consumer leases.') },
      pir_root_cause_confirmed: { pir_root_cause_confirmed: input.checkboxes(['yes']) },
      pir_factors: { pir_factors: text(null) },
      pir_five_whys: { pir_five_whys: text(null) },
      pir_went_well: { pir_went_well: text(null) },
      pir_went_badly: { pir_went_badly: text(null) },
      pir_lessons: { pir_lessons: text(null) },
      pir_owner: { pir_owner: input.user('UBEN') },
      pir_meeting_date: { pir_meeting_date: input.date(null) },
    });
    await ask(t, 'review submit', 'UBEN', channel.id);
    await t.settle();
    expect((await ask(t, 'review publish', 'UBEN', channel.id)).text).toMatch(/published/);
    await syncedIn(t, () => issue.attachments.length === 1, 'the attachment');
    expect(issue.attachments[0].filename).toMatch(/^INC-\d+-post-incident-review-v\d+\.md$/);
    expect(issue.attachments[0].bytes.toString()).toContain('Webhook retries piled up.');
    await t.settle();
    expect(issue.attachments).toHaveLength(1);
  });

  it('`/incident itsm test` names a permission the account lacks', async () => {
    jira.granted.delete('TRANSITION_ISSUES');
    const answer = messageText(await ask(t, 'itsm test', 'UANA', 'CGENERAL'));
    jira.granted.add('TRANSITION_ISSUES');
    expect(answer).toContain(':warning: Connected to Jira');
    expect(answer).toContain('TRANSITION_ISSUES in OPS (move issues through the workflow)');
  });
});
