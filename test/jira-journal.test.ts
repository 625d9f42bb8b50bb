import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { adfText, startFakeJira, type FakeJira, type Issue, type JiraUser, type RecordedJiraCall } from './support/fake-jira.js';
import { FakeSlack, type FakeChannel } from './support/fake-slack.js';
import { declareIncident, messageText } from './support/flows.js';
import { resolveIncident } from './support/follow-up.js';
import { commentBodyText, jiraEnv, jiraPolicy, postJiraWebhook } from './support/jira.js';
import { synced as syncedIn } from './support/servicenow.js';

/*
 * Comments are added once, however often their delivery is tried: Jira may store a comment whose
 * answer is lost (a 5xx after the commit, a dropped connection).
 */

for (const deployment of ['cloud', 'datacenter'] as const) {
  describe(`Jira comments across retries (${deployment})`, () => {
    let jira: FakeJira;
    let fake: FakeSlack;
    let t: TestApp;
    let kim: JiraUser;

    beforeAll(async () => {
      jira = await startFakeJira(deployment);
      kim = jira.addUser({ displayName: 'Kim Desk', emailAddress: 'kim@example.com' });
      fake = await FakeSlack.start();
      t = await startTestApp({ fake, env: jiraEnv(jira), policy: { itsm: jiraPolicy(jira), reviews: { required_priorities: [], due_days: 5, remind_before_days: 2 } } as never });
      for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben']]) t.fake.addUser({ id, name });
    });
    afterAll(async () => {
      await t?.stop();
      await fake?.close();
      await jira?.close();
    });

    const synced = <T>(check: () => T | undefined | false | Promise<T | undefined | false>, label: string) => syncedIn(t, check, label);
    const command = async (channelId: string, text: string) => expect((await t.slack.command({ text, userId: 'UBEN', channelId })).status).toBe(200);
    const incidentOf = (c: FakeChannel) => t.app.db.selectFrom('incidents').select(['id', 'number']).where('channel_id', '=', c.id).executeTakeFirstOrThrow();
    const issueOf = async (c: FakeChannel): Promise<Issue> => {
      const label = `io-INC-${(await incidentOf(c)).number}`;
      const issue = await synced(() => jira.issues().find((i) => (i.fields.labels as string[]).includes(label) && i.issueType.name === 'Incident'), `the issue of ${label}`);
      // The channel's link and description edits done: only the test's own steps are left to run.
      await t.settle();
      return issue;
    };
    /** Whether the event's sync is recorded on the timeline (written once its delivery succeeded). */
    const syncedEvent = async (c: FakeChannel, type: string) => {
      const rows = await t.app.db.selectFrom('timeline_events').select('payload').where('incident_id', '=', (await incidentOf(c)).id).where('kind', '=', 'itsm_synced').execute();
      return rows.some((r) => (r.payload as { event: string }).event === type);
    };
    const texts = (issue: Issue) => issue.comments.map((c) => commentBodyText(c.body));
    const commentPost = (c: RecordedJiraCall) => c.method === 'POST' && c.path.endsWith('/comment');
    const lookups = (from: number, issue: Issue) => jira.apiCalls().slice(from).filter((c) => c.method === 'GET' && c.path.endsWith(`/issue/${issue.key}/comment`));
    const REF_LINE = /\n+\(Incident Officer ref [0-9a-f]{10}\)$/;

    it('a note Jira stored but answered 500 for is on the issue once after the retry', async () => {
      const channel = await declareIncident(t, { userId: 'UANA', title: 'Login loops', severity: 'SEV3', commander: 'UBEN' });
      const issue = await issueOf(channel);
      const from = jira.apiCalls().length;
      jira.failAfterStoring(1, 500, commentPost);
      await command(channel.id, 'note Cleared the session cache');
      await synced(() => syncedEvent(channel, 'incident.note_added'), 'the note synced');

      expect(jira.apiCalls().slice(from).filter(commentPost)[0]).toMatchObject({ status: 500, stored: true });
      expect(texts(issue)).toEqual(['Cleared the session cache']);
      expect(adfText(issue.comments[0].body)).toMatch(REF_LINE);
      // The retry read the comments, newest first, before adding anything.
      expect(lookups(from, issue)).toHaveLength(1);
      expect(lookups(from, issue)[0].query).toMatchObject({ orderBy: '-created', startAt: '0' });
      expect(jira.apiCalls().slice(from).filter(commentPost)).toHaveLength(1);
    });

    it('a resolution whose comment was stored before the connection dropped: the comment once, the issue still moved to Done', async () => {
      const channel = await declareIncident(t, { userId: 'UANA', title: 'Queue backlog', severity: 'SEV3', commander: 'UBEN' });
      const issue = await issueOf(channel);
      // Jira answers one comment a page, and Kim comments right after ours is stored: the retry pages back to it.
      jira.commentPageLimit = 1;
      jira.failAfterStoring(1, 'drop', (c) => {
        if (!commentPost(c)) return false;
        jira.commentAs(kim, issue.key, 'Thanks, closing the ticket on our side');
        jira.commentAs(kim, issue.key, 'Customer confirmed');
        return true;
      });
      const from = jira.apiCalls().length;
      await resolveIncident(t, channel, 'UBEN', 'Consumers scaled out.');
      await synced(() => syncedEvent(channel, 'incident.resolved'), 'the resolution synced');
      jira.commentPageLimit = 100;

      expect(texts(issue).filter((x) => x === 'Resolved: Consumers scaled out.')).toHaveLength(1);
      expect(issue.status.category).toBe('done');
      expect(jira.apiCalls().slice(from).filter(commentPost)[0]).toMatchObject({ status: 0, stored: true });
      expect(lookups(from, issue).map((c) => c.query.startAt)).toEqual(['0', '1', '2']);
      expect(jira.apiCalls().slice(from).filter(commentPost)).toHaveLength(1);
    });

    it('a first attempt reads no comments: one POST ending with the reference line', async () => {
      const channel = await declareIncident(t, { userId: 'UANA', title: 'Slow search', severity: 'SEV3', commander: 'UBEN' });
      const issue = await issueOf(channel);
      const from = jira.apiCalls().length;
      await command(channel.id, 'note Reindexed shard 3');
      await synced(() => syncedEvent(channel, 'incident.note_added'), 'the note synced');

      expect(lookups(from, issue)).toEqual([]);
      const posted = jira.apiCalls().slice(from).filter(commentPost);
      expect(posted).toHaveLength(1);
      expect(adfText((posted[0].body as { body: unknown }).body)).toMatch(/^Reindexed shard 3\n+\(Incident Officer ref [0-9a-f]{10}\)$/);
      expect(texts(issue)).toEqual(['Reindexed shard 3']);
    });

    it('webhooks: a comment ending with our reference line is not shown in the channel; other comments are', async () => {
      const channel = await declareIncident(t, { userId: 'UANA', title: 'DNS flaps', severity: 'SEV3', commander: 'UBEN' });
      const issue = await issueOf(channel);
      await command(channel.id, 'note Pinned the resolver');
      await synced(() => syncedEvent(channel, 'incident.note_added'), 'the note synced');
      // Copied back under another account (an automation rule, a second integration): still ours.
      const copied = await postJiraWebhook(t, jira.commentAs(kim, issue.key, adfText(issue.comments[0].body)));
      expect(copied.body).toEqual({ status: 'ignored', reason: 'a comment Incident Officer posted' });
      await postJiraWebhook(t, jira.commentAs(kim, issue.key, 'Resolver pinned on our side too'));
      await synced(() => channel.messages.some((m) => messageText(m).includes('Resolver pinned on our side too')), 'Kim\'s comment in the channel');
      expect(channel.messages.filter((m) => messageText(m).includes('Pinned the resolver') && messageText(m).includes('Jira'))).toEqual([]);
    });
  });
}
