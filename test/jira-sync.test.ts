import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { startFakeJira, type FakeJira, type JiraUser } from './support/fake-jira.js';
import { FakeSlack, type FakeChannel } from './support/fake-slack.js';
import { declareIncident, lastResponse, messageText, submitModal, triageValues } from './support/flows.js';
import { ask, buttonIds, card } from './support/follow-up.js';
import { commentBodyText, jiraEnv, jiraPolicy, postJiraWebhook } from './support/jira.js';
import { synced as syncedIn } from './support/servicenow.js';
import { input } from './support/slack-requests.js';

for (const deployment of ['cloud', 'datacenter'] as const) {
  describe(`Jira sync through Slack (${deployment})`, () => {
    let jira: FakeJira;
    let fake: FakeSlack;
    let t: TestApp;
    let ana: JiraUser;
    let kim: JiraUser;

    beforeAll(async () => {
      jira = await startFakeJira(deployment);
      ana = jira.addUser({ displayName: 'Ana Lopez', emailAddress: 'ana@example.com' });
      kim = jira.addUser({ displayName: 'Kim Desk', emailAddress: 'kim@example.com' });
      fake = await FakeSlack.start();
      fake.addUser({ id: 'UANA', name: 'ana', email: 'ana@example.com' });
      fake.addUser({ id: 'UBEN', name: 'ben', email: 'ben@example.com' });
      t = await startTestApp({ fake, env: jiraEnv(jira), policy: { itsm: jiraPolicy(jira), reviews: { required_priorities: [], due_days: 5, remind_before_days: 2 } } as never });
    });
    afterAll(async () => {
      await t?.stop();
      await fake?.close();
      await jira?.close();
    });

    const synced = <T>(check: () => T | undefined | false, label: string) => syncedIn(t, check, label);
    const command = async (channelId: string, text: string, userId = 'UBEN') => expect((await t.slack.command({ text, userId, channelId })).status).toBe(200);
    const incidentOf = (c: FakeChannel) => t.app.db.selectFrom('incidents').selectAll().where('channel_id', '=', c.id).executeTakeFirstOrThrow();
    const issueOf = async (c: FakeChannel) => {
      const ref = `INC-${(await incidentOf(c)).number}`;
      return synced(() => jira.issues().find((i) => (i.fields.labels as string[]).includes(`io-${ref}`) && i.issueType.name === 'Incident'), `the issue of ${ref}`);
    };
    const text = (v: unknown) => commentBodyText(v);
    const syncRows = async (incidentId: string) => (await t.app.db.selectFrom('timeline_events').select(['kind', 'payload']).where('incident_id', '=', incidentId).where('kind', '=', 'itsm_synced').orderBy('id').execute()).map((r) => r.payload as { event: string; number: string; created: boolean });

    it('declare → issue with the channel link, key on the card and as a bookmark; notes as comments; resolve walks a two-step workflow; close', async () => {
      const channel = await declareIncident(t, { userId: 'UANA', title: 'Checkout errors', severity: 'SEV2', commander: 'UBEN', description: 'Card payments fail at the last step' });
      const incident = await incidentOf(channel);
      const ref = `INC-${incident.number}`;
      const issue = await issueOf(channel);
      expect(issue.fields.summary).toBe(`${ref} Checkout errors`);
      expect(issue.fields.labels).toEqual(['incident', `io-${ref}`]);
      expect(issue.status.name).toBe('Open');
      // Description in the deployment's own format, with the Slack channel.
      await synced(() => JSON.stringify(issue.fields.description).includes(`channel=${channel.id}`), 'the channel link in the description');
      if (deployment === 'cloud') expect(issue.fields.description).toMatchObject({ type: 'doc', version: 1 });
      else expect(issue.fields.description).toEqual(expect.stringContaining(`|https://slack.com/app_redirect?channel=${channel.id}`));
      expect(text(issue.fields.description)).toContain('Card payments fail at the last step');
      expect(issue.remoteLinks.map((l) => l.object.url)).toEqual([expect.stringContaining(`channel=${channel.id}`)]);

      const url = `${jira.url}/browse/${issue.key}`;
      await synced(() => channel.bookmarks.find((b) => b.title === `Jira ${issue.key}` && b.link === url), 'the bookmark');
      await synced(() => messageText(card(channel)).includes(`Jira <${url}|${issue.key}>`), 'the key on the card');

      await command(channel.id, 'note Rolled back the 14:02 deploy');
      await synced(() => issue.comments.some((c) => text(c.body) === 'Rolled back the 14:02 deploy'), 'the note as a comment');
      if (deployment === 'cloud') expect(issue.comments[0].body).toMatchObject({ type: 'doc' });
      else expect(issue.comments[0].body).toMatch(/^Rolled back the 14:02 deploy\n\n\(Incident Officer ref [0-9a-f]{10}\)$/);

      // Resolve from Open: Done is reached only through Working (two transitions), with a resolution.
      await command(channel.id, 'resolve');
      await submitModal(t, 'UBEN', 'incident_resolve', { summary: { summary: input.text('Deploy rolled back; payments flow again.') } });
      await synced(() => issue.status.name === 'Closed', 'the issue closed');
      expect(issue.fields.resolution).toMatchObject({ name: 'Done' });
      const posted = jira.apiCalls().filter((c) => c.method === 'POST' && c.path.endsWith(`/issue/${issue.key}/transitions`));
      expect(posted.map((c) => (c.body as any).transition.id)).toEqual(['11', '31']);
      expect(issue.comments.map((c) => text(c.body))).toContain('Resolved: Deploy rolled back; payments flow again.');
      await command(channel.id, 'close');
      await synced(() => incidentOf(channel).then((i) => i.closed_at !== null), 'closed');
      await t.settle();
      // Never a second issue; never a 400 for a transition; every sync a timeline row.
      expect(jira.issues().filter((i) => (i.fields.labels as string[]).includes(`io-${ref}`))).toHaveLength(1);
      expect(jira.apiCalls().filter((c) => c.status === 400)).toEqual([]);
      const rows = await syncRows(incident.id);
      expect(rows[0]).toMatchObject({ event: 'incident.declared', number: issue.key, created: true });
      expect(rows.map((r) => r.event)).toEqual(expect.arrayContaining(['incident.channel_created', 'incident.note_added', 'incident.resolved']));

      const shown = messageText(await ask(t, 'itsm', 'UBEN', channel.id));
      expect(shown).toContain(`Jira <${url}|${issue.key}> (Done): in sync`);
    });

    it('triage sets the mapped priority and In Progress; reopening in Slack brings it back from Done', async () => {
      const channel = await declareIncident(t, { userId: 'UANA', title: 'Search slow', severity: 'SEV3', commander: 'UBEN' });
      const issue = await issueOf(channel);
      await command(channel.id, 'triage');
      await submitModal(t, 'UBEN', 'incident_triage', triageValues({ impact: 'significant', urgency: 'high', severity: 'SEV2', business: 'Customers cannot search' }));
      await synced(() => issue.status.category === 'indeterminate' && issue.fields.priority, 'triaged');
      expect(issue.fields.priority).toEqual({ name: 'High' });
      await command(channel.id, 'resolve');
      await submitModal(t, 'UBEN', 'incident_resolve', { summary: { summary: input.text('Index rebuilt.') } });
      await synced(() => issue.status.category === 'done', 'done');
      await command(channel.id, 'reopen Still slow for some');
      await synced(() => issue.status.name === 'Working', 'reopened in Jira');
      expect(issue.fields.resolution).toBeNull();

      // Resolved again; someone takes the issue out of Done in Jira: the channel hears of it, the incident stays resolved, the issue is not set back.
      await command(channel.id, 'resolve');
      await submitModal(t, 'UBEN', 'incident_resolve', { summary: { summary: input.text('Index rebuilt twice.') } });
      await synced(() => issue.status.category === 'done', 'done again');
      await postJiraWebhook(t, jira.moveAs(kim, issue.key, 'Working'));
      await synced(() => channel.messages.some((m) => messageText(m).includes(`Kim Desk moved the issue back to Working`)), 'the notice in the channel');
      await t.settle();
      expect((await incidentOf(channel)).resolved_at).not.toBeNull();
      expect(issue.status.name).toBe('Working');
    });

    it('an action becomes a linked Task assigned by e-mail; Done in Jira marks it done in Slack once; assignee and comments come back; the bot\'s own changes do not echo', async () => {
      const channel = await declareIncident(t, { userId: 'UANA', title: 'Queue backlog', severity: 'SEV3', commander: 'UBEN' });
      const incident = await issueOf(channel);
      const added = await ask(t, 'action <@UBEN> Add an age alarm on the retry queue due 2026-12-20', 'UBEN', channel.id);
      const actionRef = /A-\d+/.exec(JSON.stringify(added))![0];
      const task = await synced(() => jira.issues().find((i) => i.issueType.name === 'Task' && (i.fields.labels as string[]).some((l) => l.endsWith(`-${actionRef}`))), 'the action issue');
      expect(task.fields).toMatchObject({ summary: `${actionRef} Add an age alarm on the retry queue`, duedate: '2026-12-20' });
      expect(jira.store.links).toContainEqual(expect.objectContaining({ type: 'Relates', inward: task.key, outward: incident.key }));
      // Ben has no Jira account: unassigned. Reassigned in Jira to Ana (whose e-mail Slack knows) → Ana owns it.
      expect(task.fields.assignee ?? null).toBeNull();
      expect((await postJiraWebhook(t, jira.assignAs(kim, task.key, ana), 'signature')).status).toBe(200);
      const actionOwner = () => t.app.db.selectFrom('follow_up_actions').select(['owner_id', 'status']).where('title', '=', 'Add an age alarm on the retry queue').executeTakeFirstOrThrow();
      await synced(async () => (await actionOwner()).owner_id === 'UANA', 'the new owner');

      // Done in Jira → done in Slack, once, however often Jira delivers it.
      const done = jira.moveAs(kim, task.key, 'Done');
      expect((await postJiraWebhook(t, done)).body).toEqual({ status: 'applied' });
      expect((await postJiraWebhook(t, done)).body.status).toBe('ignored');
      await synced(async () => (await actionOwner()).status === 'done', 'the action done');
      await t.settle();
      const doneRows = await t.app.db.selectFrom('timeline_events').select('id').where('kind', '=', 'action_done').where('payload', '@>', { action_id: (await t.app.db.selectFrom('follow_up_actions').select('id').where('title', '=', 'Add an age alarm on the retry queue').executeTakeFirstOrThrow()).id } as never).execute();
      expect(doneRows).toHaveLength(1);

      // Reopened in Jira → open in Slack; done in Slack → Done in Jira, and Jira's echo of the bot's own move changes nothing.
      await postJiraWebhook(t, jira.moveAs(kim, task.key, 'In Progress'));
      await synced(async () => (await actionOwner()).status === 'open', 'the action open again');
      await t.settle();
      expect(task.status.name).toBe('In Progress');
      expect((await ask(t, `action done ${actionRef}`, 'UANA', channel.id)).text).toBe(`${actionRef} is done :white_check_mark:.`);
      await synced(() => task.status.category === 'done', 'the task done in Jira');
      expect((await postJiraWebhook(t, jira.moveAs(jira.bot, task.key, 'Done'))).body).toMatchObject({ status: 'ignored', reason: 'a change made by Incident Officer itself' });
      expect((await actionOwner()).status).toBe('done');
      expect(messageText(await ask(t, 'itsm', 'UBEN', channel.id))).toContain(`${actionRef} → <${jira.url}/browse/${task.key}|${task.key}> (Done)`);

      // An action owned by someone whose Slack e-mail has a Jira account is assigned to that account.
      const second = /A-\d+/.exec(JSON.stringify(await ask(t, 'action <@UANA> Document the retry queue due 2026-12-22', 'UBEN', channel.id)))![0];
      const owned = await synced(() => jira.issues().find((i) => (i.fields.labels as string[]).some((l) => l.endsWith(`-${second}`))), 'the second action issue');
      expect((owned.fields.assignee as JiraUser | null)?.emailAddress).toBe('ana@example.com');

      // A comment by someone else on the incident issue appears in the channel.
      await postJiraWebhook(t, jira.commentAs(kim, incident.key, 'Customer support sees fewer tickets now'));
      await synced(() => channel.messages.find((m) => messageText(m).includes('Customer support sees fewer tickets now')), 'the comment in the channel');
      expect(messageText(channel.messages.find((m) => messageText(m).includes('fewer tickets')))).toContain(`Kim Desk added a comment in Jira ${incident.key}`);

      // The incident issue moved to Done in Jira: the channel is told, the commander decides.
      await postJiraWebhook(t, jira.moveAs(kim, incident.key, 'Working'));
      await postJiraWebhook(t, jira.moveAs(kim, incident.key, 'Closed'));
      const asked = await synced(() => channel.messages.find((m) => messageText(m).includes(`moved Jira`) && messageText(m).includes('Closed')), 'the question to the commander');
      expect(buttonIds(asked)).toEqual(['jira_resolve', 'jira_keep_open']);
      expect((await t.app.db.selectFrom('incidents').select('resolved_at').where('channel_id', '=', channel.id).executeTakeFirstOrThrow()).resolved_at).toBeNull();
    });

    /** The incident's issue moved to Closed in Jira by Kim: the prompt in the channel, and its buttons' value. */
    const movedToDone = async (channel: FakeChannel) => {
      const issue = await issueOf(channel);
      expect((await postJiraWebhook(t, jira.moveAs(kim, issue.key, 'Closed'))).body).toEqual({ status: 'applied' });
      const prompt = await synced(() => channel.messages.find((m) => messageText(m).includes(`Kim Desk moved Jira`) && buttonIds(m).length > 0), 'the prompt');
      expect(buttonIds(prompt)).toEqual(['jira_resolve', 'jira_keep_open']);
      const value: string = prompt.blocks!.flatMap((b: any) => b.elements ?? []).find((e: any) => e.action_id === 'jira_keep_open').value;
      return { issue, prompt, value };
    };
    const press = async (channel: FakeChannel, ts: string, userId: string, actionId: string, value: string) => {
      const res = await t.slack.blockAction({ userId, actionId, value, channelId: channel.id, messageTs: ts });
      expect(res.status).toBe(200);
      return res;
    };

    it('Done in Jira → Keep open: only the commander or deputy; the issue back in an In Progress status once, with a comment; the prompt shows the decision', async () => {
      const channel = await declareIncident(t, { userId: 'UANA', title: 'Cache misses', severity: 'SEV3', commander: 'UBEN' });
      const incident = await incidentOf(channel);
      const { issue, prompt, value } = await movedToDone(channel);
      const reopening = () => jira.apiCalls().filter((c) => c.method === 'POST' && c.path.endsWith(`/issue/${issue.key}/transitions`));
      const keptOpen = () => issue.comments.filter((c) => text(c.body).includes('is still open in Slack'));

      // Ana holds no role: refused, nothing moves.
      const refused = await press(channel, prompt.ts, 'UANA', 'jira_keep_open', value);
      expect((await lastResponse(t, refused.responseUrl!)).text).toBe(`Only the Incident commander or the Deputy commander may keep open INC-${incident.number}.`);
      await t.settle();
      expect(issue.status.name).toBe('Closed');
      expect(buttonIds(prompt)).toEqual(['jira_resolve', 'jira_keep_open']);

      // The commander keeps it open: Reopen issue (Closed → Working), a comment naming who, the prompt redrawn.
      await press(channel, prompt.ts, 'UBEN', 'jira_keep_open', value);
      await synced(() => issue.status.name === 'Working' && keptOpen().length === 1, 'the issue back in progress, with the comment');
      expect(issue.status.category).toBe('indeterminate');
      expect(text(keptOpen()[0].body)).toMatch(new RegExp(`^INC-${incident.number} is still open in Slack: ben decided to keep it open`));
      await synced(() => buttonIds(prompt).length === 0 && messageText(prompt).includes('<@UBEN> kept the incident open'), 'the decision on the prompt');

      // Pressed again (by the commander, or by someone else): a short answer, no second transition or comment.
      const again = await press(channel, prompt.ts, 'UBEN', 'jira_keep_open', value);
      expect((await lastResponse(t, again.responseUrl!)).text).toBe('Already decided by <@UBEN>: the incident stays open.');
      const other = await press(channel, prompt.ts, 'UANA', 'jira_keep_open', value);
      expect((await lastResponse(t, other.responseUrl!)).text).toBe('Already decided by <@UBEN>: the incident stays open.');
      await t.settle();
      expect(reopening().map((c) => (c.body as any).transition.id)).toEqual(['41']);
      expect(keptOpen()).toHaveLength(1);
      expect((await incidentOf(channel)).resolved_at).toBeNull();
      const rows = await t.app.db.selectFrom('timeline_events').select(['kind', 'actor_id', 'payload']).where('incident_id', '=', incident.id).where('kind', 'in', ['itsm_kept_open', 'itsm_synced']).orderBy('id').execute();
      expect(rows.filter((r) => r.kind === 'itsm_kept_open')).toEqual([{ kind: 'itsm_kept_open', actor_id: 'UBEN', payload: { system: 'jira', number: issue.key, state: 'Closed' } }]);
      expect(rows.filter((r) => (r.payload as { event?: string }).event === 'incident.kept_open')).toHaveLength(1);
    });

    it('Done in Jira → Resolve incident: the resolve form, then the prompt shows who resolved; Keep open afterwards only gets an answer', async () => {
      const channel = await declareIncident(t, { userId: 'UANA', title: 'Disk filling', severity: 'SEV3', commander: 'UBEN' });
      const { issue, prompt, value } = await movedToDone(channel);
      await press(channel, prompt.ts, 'UBEN', 'jira_resolve', value);
      await submitModal(t, 'UBEN', 'jira_resolve', { summary: { summary: input.text('Old logs removed.') } });
      await synced(async () => (await incidentOf(channel)).resolved_at !== null, 'resolved');
      await synced(() => buttonIds(prompt).length === 0 && messageText(prompt).includes('<@UBEN> resolved the incident'), 'the decision on the prompt');
      const late = await press(channel, prompt.ts, 'UBEN', 'jira_keep_open', value);
      expect((await lastResponse(t, late.responseUrl!)).text).toBe('This incident is already resolved.');
      await t.settle();
      expect(issue.status.name).toBe('Closed');
      expect(issue.comments.filter((c) => text(c.body).includes('still open in Slack'))).toEqual([]);
    });

    it('shows a comment holding NUL or a lone surrogate (which PostgreSQL refuses) without them, instead of asking Jira to retry for ever', async () => {
      const channel = await declareIncident(t, { userId: 'UANA', title: 'Odd bytes', severity: 'SEV2', commander: 'UBEN' });
      const issue = await issueOf(channel);
      const res = await postJiraWebhook(t, jira.commentAs(kim, issue.key, 'Pasted from a log: db\u0000-1 down \ud800 since 09:00'));
      expect(res).toEqual({ status: 200, body: { status: 'applied' } });
      await synced(() => channel.messages.find((m) => messageText(m).includes('Pasted from a log: db-1 down \ufffd since 09:00')), 'the comment in the channel');
      const stored = await t.app.db.selectFrom('timeline_events').select('payload').where('incident_id', '=', (await incidentOf(channel)).id).where('kind', '=', 'itsm_received').execute();
      expect(stored.map((r) => (r.payload as { text?: string }).text)).toContain('Pasted from a log: db-1 down \ufffd since 09:00');
    });

    it('refuses unauthenticated and malformed deliveries (401/400), keeping them as rejections', async () => {
      const before = jira.issues().map((i) => [i.key, i.status.name]);
      expect((await postJiraWebhook(t, { webhookEvent: 'jira:issue_updated' }, 'none')).status).toBe(401);
      const bad = await postJiraWebhook(t, { webhookEvent: 'jira:issue_updated', changelog: { items: [] } });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toContain('issue');
      const rows = await t.app.db.selectFrom('webhook_rejections').select(['source', 'reason']).where('source', '=', 'jira').execute();
      expect(rows.map((r) => r.reason)).toEqual([expect.stringContaining('secret'), expect.stringContaining('issue')]);
      expect(jira.issues().map((i) => [i.key, i.status.name])).toEqual(before);
    });
  });
}
