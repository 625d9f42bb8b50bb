import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSecrets, loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';

const base = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'secret-abcdef' };

function withPolicy(yaml: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'io-snow-config-'));
  writeFileSync(path.join(dir, 'incident-officer.yml'), yaml);
  return dir;
}

function problems(env: Record<string, string>, dir: string): string[] {
  try {
    loadConfig({ ...base, ...env }, dir);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

const enabled = 'itsm:\n  servicenow:\n    instance_url: https://acme.service-now.com\n';

describe('ServiceNow configuration', () => {
  it('is off without itsm.servicenow', () => {
    expect(loadConfig(base, withPolicy('number_prefix: IO\n')).servicenow).toBeUndefined();
  });

  it('works from the instance URL and basic credentials alone, with defaults for the rest', () => {
    const config = loadConfig({ ...base, SERVICENOW_USERNAME: 'incident.officer', SERVICENOW_PASSWORD: 'pw-very-secret-1' }, withPolicy(enabled));
    expect(config.servicenow).toMatchObject({
      instanceUrl: 'https://acme.service-now.com',
      auth: { kind: 'basic', username: 'incident.officer', password: 'pw-very-secret-1' },
      policy: { poll_seconds: 60, retry_hours: 24, close_code: 'Solution provided', audiences: { technical: 'work_notes', business: 'comments', executive: 'none' }, notes: 'work_notes', security: { title: true, description: false, notes: false } },
    });
  });

  it('takes OAuth client credentials', () => {
    const config = loadConfig({ ...base, SERVICENOW_CLIENT_ID: 'client-1', SERVICENOW_CLIENT_SECRET: 'cs-very-secret-2' }, withPolicy(enabled));
    expect(config.servicenow?.auth).toEqual({ kind: 'oauth', clientId: 'client-1', clientSecret: 'cs-very-secret-2' });
  });

  it('names what is missing', () => {
    expect(problems({}, withPolicy(enabled))).toEqual([expect.stringMatching(/^SERVICENOW_USERNAME and SERVICENOW_PASSWORD \(or SERVICENOW_CLIENT_ID and SERVICENOW_CLIENT_SECRET\): are required/)]);
    expect(problems({ SERVICENOW_USERNAME: 'u' }, withPolicy(enabled))).toEqual(['SERVICENOW_PASSWORD: is required with SERVICENOW_USERNAME']);
    expect(problems({ SERVICENOW_CLIENT_SECRET: 's' }, withPolicy(enabled))).toEqual(['SERVICENOW_CLIENT_ID: is required with SERVICENOW_CLIENT_SECRET']);
  });

  it('accepts plain http only on loopback, and a poll interval of at least 5 s', () => {
    const creds = { SERVICENOW_USERNAME: 'u', SERVICENOW_PASSWORD: 'p' };
    expect(problems(creds, withPolicy('itsm:\n  servicenow:\n    instance_url: http://acme.service-now.com\n'))).toEqual([expect.stringMatching(/itsm\.servicenow\.instance_url: must be https \(plain http only on loopback/)]);
    expect(loadConfig({ ...base, ...creds }, withPolicy('itsm:\n  servicenow:\n    instance_url: http://127.0.0.1:8123\n    poll_seconds: 5\n')).servicenow).toMatchObject({ instanceUrl: 'http://127.0.0.1:8123', policy: { poll_seconds: 5 } });
    expect(problems(creds, withPolicy(`${enabled}    poll_seconds: 4\n`))).toEqual([expect.stringMatching(/itsm\.servicenow\.poll_seconds: must be at least 5/)]);
  });

  it('retries a failing sync for retry_hours (a day by default), from 1 hour to 30 days', () => {
    const creds = { SERVICENOW_USERNAME: 'u', SERVICENOW_PASSWORD: 'p' };
    expect(loadConfig({ ...base, ...creds }, withPolicy(`${enabled}    retry_hours: 72\n`)).servicenow?.policy.retry_hours).toBe(72);
    expect(problems(creds, withPolicy(`${enabled}    retry_hours: 0\n`))).toEqual([expect.stringMatching(/itsm\.servicenow\.retry_hours: must be at least 1/)]);
    expect(problems(creds, withPolicy(`${enabled}    retry_hours: 721\n`))).toEqual([expect.stringMatching(/itsm\.servicenow\.retry_hours: must be at most 720 \(30 days\)/)]);
  });

  it('checks the mapped priorities and catalog services', () => {
    const creds = { SERVICENOW_USERNAME: 'u', SERVICENOW_PASSWORD: 'p' };
    const yaml = `services:\n  - name: checkout\nitsm:\n  servicenow:\n    instance_url: https://acme.service-now.com\n    priorities:\n      P9: { impact: 1, urgency: 1 }\n    services:\n      payments: { assignment_group: 0123456789abcdef0123456789abcdef }\n      checkout: { assignment_group: not-a-sys-id }\n`;
    expect(problems(creds, withPolicy(yaml))).toEqual(
      expect.arrayContaining([expect.stringMatching(/priorities\.P9: unknown priority P9/), expect.stringMatching(/services\.payments: unknown catalog service "payments"/), expect.stringMatching(/services\.checkout\.assignment_group: a sys_id/)]),
    );
  });

  it('keeps the password and client secret out of the logs', () => {
    for (const env of [{ SERVICENOW_USERNAME: 'incident.officer', SERVICENOW_PASSWORD: 'pw-very-secret-1' }, { SERVICENOW_CLIENT_ID: 'client-1', SERVICENOW_CLIENT_SECRET: 'cs-very-secret-2' }]) {
      const config = loadConfig({ ...base, ...env }, withPolicy(enabled));
      const lines: string[] = [];
      const destination = new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) });
      const logger = createLogger({ level: 'info', secrets: configSecrets(config), destination });
      logger.info({ env }, 'starting');
      const secret = env.SERVICENOW_PASSWORD ?? env.SERVICENOW_CLIENT_SECRET;
      expect(lines.join('')).toContain('[REDACTED]');
      expect(lines.join('')).not.toContain(secret);
    }
  });

  it('the example policy\'s ServiceNow block, uncommented, works as documented', () => {
    const text = readFileSync('incident-officer.example.yml', 'utf8');
    const block = text.slice(text.indexOf('# itsm:'), text.indexOf('# ---------------------------------------------------------------- preparedness'));
    const yaml = block.replace(/^# /gm, '');
    // The block shows the Jira connector's keys too: its credentials are given as well.
    const config = loadConfig({ ...base, SERVICENOW_USERNAME: 'u', SERVICENOW_PASSWORD: 'p', JIRA_EMAIL: 'bot@acme.com', JIRA_API_TOKEN: 't' }, withPolicy(yaml));
    expect(config.servicenow?.policy).toEqual(loadConfig({ ...base, SERVICENOW_USERNAME: 'u', SERVICENOW_PASSWORD: 'p' }, withPolicy(enabled)).servicenow?.policy);
  });
});
