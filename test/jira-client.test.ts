import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JiraClient, JiraError } from '../src/jira/client.js';
import { adfText, startFakeJira, type FakeJira } from './support/fake-jira.js';

const required = { fieldId: 'customfield_10010', name: 'Affected team', required: true, schema: { type: 'option', custom: 'select' }, allowedValues: [{ id: '1', value: 'Payments' }] };

for (const deployment of ['cloud', 'datacenter'] as const) {
  describe(`Jira client against a strict fake (${deployment})`, () => {
    let jira: FakeJira;
    let client: JiraClient;
    const auth = () => (deployment === 'cloud' ? { kind: 'basic' as const, email: jira.bot.emailAddress, apiToken: jira.apiToken } : { kind: 'bearer' as const, token: jira.pat });
    beforeAll(async () => {
      jira = await startFakeJira(deployment, { incidentFields: [required] });
      client = new JiraClient({ baseUrl: jira.url, deployment, auth: auth(), retries: 2, backoffMs: 1 });
    });
    afterAll(() => jira?.close());
    const description = (text: string) => (deployment === 'cloud' ? { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] } : text);

    it('refuses wrong credentials with 401, and reads createmeta with the required custom field', async () => {
      const wrong = new JiraClient({ baseUrl: jira.url, deployment, auth: deployment === 'cloud' ? { kind: 'basic', email: jira.bot.emailAddress, apiToken: 'nope' } : { kind: 'bearer', token: 'nope' } });
      await expect(wrong.myself()).rejects.toMatchObject({ status: 401, retryable: false });
      const types = await client.issueTypes('OPS');
      expect(types.map((t) => t.name)).toEqual(['Incident', 'Task']);
      const fields = await client.createFields('OPS', types[0].id);
      expect(fields.filter((f) => f.required).map((f) => f.fieldId)).toEqual(['project', 'issuetype', 'summary', 'customfield_10010']);
    });

    it('answers 400 naming each missing required field, then creates the issue when given', async () => {
      const fields = { project: { key: 'OPS' }, issuetype: { name: 'Incident' }, summary: 'INC-1 Checkout down', description: description('Card payments fail') };
      const refused = await client.createIssue(fields).catch((e: JiraError) => e);
      expect(refused).toBeInstanceOf(JiraError);
      expect((refused as JiraError).status).toBe(400);
      expect((refused as JiraError).errors).toEqual({ customfield_10010: 'Affected team is required.' });
      const bad = await client.createIssue({ ...fields, customfield_10010: { value: 'Payments' }, description: deployment === 'cloud' ? 'plain' : { type: 'doc' } }).catch((e: JiraError) => e);
      expect((bad as JiraError).errors.description).toBeTruthy();
      const created = await client.createIssue({ ...fields, customfield_10010: { value: 'Payments' }, labels: ['incident-officer'] });
      expect(created.key).toBe('OPS-1');
      expect(adfText(jira.issue('OPS-1').fields.description)).toBe('Card payments fail');
    });

    it('lists only the transitions valid from the current status, and needs the resolution of a Done screen', async () => {
      const first = await client.transitions('OPS-1');
      expect(first.map((t) => [t.name, t.to.statusCategory.key])).toEqual([['Start work', 'indeterminate']]);
      await expect(client.transition('OPS-1', '31', { resolution: { name: 'Done' } })).rejects.toMatchObject({ status: 400 });
      await client.transition('OPS-1', '11', {});
      const next = await client.transitions('OPS-1');
      const close = next.find((t) => t.to.statusCategory.key === 'done')!;
      expect(close.fields?.resolution?.required).toBe(true);
      await expect(client.transition('OPS-1', close.id, {})).rejects.toMatchObject({ status: 400, errors: { resolution: 'Resolution is required.' } });
      await client.transition('OPS-1', close.id, { resolution: { name: 'Done' } });
      expect(jira.issue('OPS-1').status.category).toBe('done');
    });

    it('comments, links, attaches, finds users and searches by label with paging', async () => {
      await expect(client.addComment('OPS-1', deployment === 'cloud' ? 'plain text' : { type: 'doc' })).rejects.toMatchObject({ status: 400 });
      await client.addComment('OPS-1', description('a note'));
      await client.remoteLink('OPS-1', { globalId: 'slack:C1', url: 'https://slack.com/app_redirect?channel=C1', title: 'Slack #inc-1' });
      await client.remoteLink('OPS-1', { globalId: 'slack:C1', url: 'https://slack.com/app_redirect?channel=C1', title: 'Slack #inc-1 renamed' });
      expect(jira.issue('OPS-1').remoteLinks.map((l) => l.object.title)).toEqual(['Slack #inc-1 renamed']);
      const task = await client.createIssue({ project: { key: 'OPS' }, issuetype: { name: 'Task' }, summary: 'A-1 Add an alert', labels: ['io-x'] });
      await client.linkIssues('Relates', task.key, 'OPS-1');
      expect(jira.store.links).toEqual([expect.objectContaining({ type: 'Relates', inward: task.key, outward: 'OPS-1' })]);
      await client.attach('OPS-1', { name: 'review.md', contentType: 'text/markdown', bytes: new TextEncoder().encode('# Review') });
      expect(jira.issue('OPS-1').attachments[0]).toMatchObject({ filename: 'review.md', size: 8 });
      const ana = jira.addUser({ displayName: 'Ana Lopez', emailAddress: 'ana@example.com' });
      const found = await client.userByEmail('ana@example.com');
      expect(deployment === 'cloud' ? found?.accountId : found?.name).toBe(deployment === 'cloud' ? ana.accountId : ana.name);
      for (let i = 0; i < 60; i++) await client.createIssue({ project: { key: 'OPS' }, issuetype: { name: 'Task' }, summary: `bulk ${i}`, labels: ['bulk'] });
      expect((await client.search('project = OPS AND labels = "bulk" ORDER BY created ASC')).length).toBe(60);
      expect(await client.getIssue('OPS-999')).toBeNull();
    });

    it('finds a comment newest first, page by page as Jira answers them; a comment lost after Jira stored it is not posted again by the client', async () => {
      const key = (await client.createIssue({ project: { key: 'OPS' }, issuetype: { name: 'Task' }, summary: 'comments' })).key;
      for (const n of ['one', 'two', 'three']) await client.addComment(key, description(n));
      jira.commentPageLimit = 2;
      const from = jira.apiCalls().length;
      try {
        expect(adfText((await client.findComment(key, (b) => adfText(b) === 'one'))?.body)).toBe('one');
        expect(await client.findComment(key, (b) => adfText(b) === 'four')).toBeNull();
      } finally {
        jira.commentPageLimit = 100;
      }
      expect(jira.apiCalls().slice(from).map((c) => [c.query.startAt, c.query.orderBy])).toEqual([['0', '-created'], ['2', '-created'], ['0', '-created'], ['2', '-created']]);
      jira.failAfterStoring(1, 500);
      await expect(client.addComment(key, description('four'), { once: true })).rejects.toMatchObject({ status: 500, retryable: true });
      jira.failAfterStoring(1, 'drop');
      await expect(client.addComment(key, description('five'), { once: true })).rejects.toMatchObject({ status: null, retryable: true });
      expect(jira.issue(key).comments.map((c) => adfText(c.body))).toEqual(['one', 'two', 'three', 'four', 'five']);
    });

    it('waits out a 429 with Retry-After, and hands a long one back to the caller', async () => {
      jira.rateLimit(1, 1);
      const slow = new JiraClient({ baseUrl: jira.url, deployment, auth: auth(), retries: 2, maxWaitMs: 5_000 });
      expect((await slow.myself()).displayName).toBe('Incident Officer');
      jira.rateLimit(1, 120);
      await expect(slow.myself()).rejects.toMatchObject({ status: 429, retryable: true, retryAfterMs: 120_000 });
      jira.granted.delete('CREATE_ISSUES');
      await expect(client.createIssue({ project: { key: 'OPS' }, issuetype: { name: 'Task' }, summary: 'x' })).rejects.toMatchObject({ status: 403 });
      expect((await client.myPermissions('OPS', ['CREATE_ISSUES', 'ADD_COMMENTS']))).toEqual({ CREATE_ISSUES: false, ADD_COMMENTS: true });
      jira.granted.add('CREATE_ISSUES');
    });
  });
}
