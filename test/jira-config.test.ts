import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSecrets, loadConfig } from '../src/config.js';
import type { JiraTransition } from '../src/jira/client.js';
import { nextTransition, richText, transitionFields } from '../src/jira/mapping.js';
import { jiraSchema } from '../src/policy/jira-schema.js';

const base = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'secret-abcdef' };

function withPolicy(yaml: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'io-jira-config-'));
  writeFileSync(path.join(dir, 'incident-officer.yml'), yaml);
  return dir;
}

function problems(env: Record<string, string>, yaml: string): string[] {
  try {
    loadConfig({ ...base, ...env }, withPolicy(yaml));
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

const cloud = 'itsm:\n  jira:\n    base_url: https://acme.atlassian.net\n    project: OPS\n    issue_type: Incident\n';
const dc = 'itsm:\n  jira:\n    base_url: https://jira.acme.com/jira/\n    deployment: datacenter\n    project: OPS\n    issue_type: Incident\n';

describe('Jira configuration', () => {
  it('works with base_url, project, issue_type and credentials alone, on both deployments', () => {
    const c = loadConfig({ ...base, JIRA_EMAIL: 'bot@acme.com', JIRA_API_TOKEN: 'atl-token-123', JIRA_WEBHOOK_SECRET: 'a-long-webhook-secret-1' }, withPolicy(cloud));
    expect(c.jira).toMatchObject({ baseUrl: 'https://acme.atlassian.net', deployment: 'cloud', auth: { kind: 'basic', email: 'bot@acme.com', apiToken: 'atl-token-123' }, webhookSecret: 'a-long-webhook-secret-1' });
    expect(c.jira!.policy).toMatchObject({ actions: { issue_type: 'Task', enabled: true }, labels: ['incident'], resolution: 'Done', security: { title: true, description: false, notes: false } });
    expect(configSecrets(c)).toEqual(expect.arrayContaining(['atl-token-123', 'a-long-webhook-secret-1']));
    const d = loadConfig({ ...base, JIRA_PAT: 'pat-123' }, withPolicy(dc));
    expect(d.jira).toMatchObject({ baseUrl: 'https://jira.acme.com/jira', deployment: 'datacenter', auth: { kind: 'bearer', token: 'pat-123' } });
    expect(loadConfig(base, withPolicy('number_prefix: IO\n')).jira).toBeUndefined();
  });

  it('the example policy\'s Jira block, uncommented, works as documented', () => {
    const text = readFileSync('incident-officer.example.yml', 'utf8');
    const block = text.slice(text.indexOf('# itsm:'), text.indexOf('# ---------------------------------------------------------------- preparedness'));
    const env = { ...base, SERVICENOW_USERNAME: 'u', SERVICENOW_PASSWORD: 'p', JIRA_EMAIL: 'bot@acme.com', JIRA_API_TOKEN: 't' };
    const config = loadConfig(env, withPolicy(block.replace(/^# /gm, '')));
    expect(config.jira?.policy).toEqual(loadConfig(env, withPolicy(cloud)).jira?.policy);
  });

  it('names what is missing or wrong', () => {
    expect(problems({}, cloud)).toEqual([expect.stringMatching(/^JIRA_EMAIL: is required/), expect.stringMatching(/^JIRA_API_TOKEN: is required/)]);
    expect(problems({ JIRA_EMAIL: 'bot@acme.com', JIRA_API_TOKEN: 't', JIRA_PAT: 'p' }, cloud)).toEqual([expect.stringMatching(/^JIRA_PAT: is for deployment datacenter/)]);
    expect(problems({}, dc)).toEqual([expect.stringMatching(/^JIRA_PAT: is required/)]);
    expect(problems({ JIRA_PAT: 'p' }, dc.replace('project: OPS', 'project: ops'))).toEqual([expect.stringContaining('itsm.jira.project')]);
    expect(problems({ JIRA_PAT: 'p' }, dc.replace('https://jira.acme.com/jira/', 'http://jira.acme.com'))).toEqual([expect.stringContaining('itsm.jira.base_url')]);
    expect(problems({ JIRA_PAT: 'p' }, `${dc}    priorities: { P9: Highest }\n`)).toEqual([expect.stringContaining('itsm.jira.priorities.P9')]);
  });
});

const status = (id: string, key: string) => ({ id, name: `S${id}`, statusCategory: { key } });
const t = (id: string, to: ReturnType<typeof status>, fields?: JiraTransition['fields']): JiraTransition => ({ id, name: `T${id}`, to, fields });

describe('choosing transitions by status category', () => {
  const policy = jiraSchema.parse({ base_url: 'https://x.atlassian.net', project: 'OPS', issue_type: 'Incident', resolution: 'Fixed' });
  it('takes a direct one, the one needing fewer fields, else one to the category between; never back to a status visited', () => {
    const done = status('5', 'done');
    const working = status('3', 'indeterminate');
    expect(nextTransition([t('1', working), t('2', done, { resolution: { required: true } }), t('4', done)], 'done', new Set())!.id).toBe('4');
    expect(nextTransition([t('1', status('9', 'new')), t('2', working)], 'done', new Set())!.id).toBe('2');
    expect(nextTransition([t('2', working)], 'done', new Set(['3']))).toBeNull();
  });
  it('fills a required resolution with the policy\'s when offered, and names other required fields it cannot fill', () => {
    const tr = t('1', status('5', 'done'), { resolution: { required: true, allowedValues: [{ name: 'Done' }, { name: 'Fixed' }] }, customfield_1: { required: true } });
    expect(transitionFields(tr, policy, {})).toEqual({ fields: { resolution: { name: 'Fixed' } }, unfilled: ['customfield_1'] });
  });
  it('writes ADF for Cloud and wiki markup for Data Center', () => {
    const p = [{ text: 'Slack channel: ', link: { label: '#inc-1', url: 'https://slack.com/app_redirect?channel=C1' } }];
    expect(richText('datacenter', p)).toBe('Slack channel: [#inc-1|https://slack.com/app_redirect?channel=C1]');
    expect(richText('cloud', p)).toEqual({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Slack channel: ' }, { type: 'text', text: '#inc-1', marks: [{ type: 'link', attrs: { href: 'https://slack.com/app_redirect?channel=C1' } }] }] }] });
  });
});
