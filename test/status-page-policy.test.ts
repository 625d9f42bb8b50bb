import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const base = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'secret-abcdef' };

function load(yaml: string, env: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'io-status-'));
  writeFileSync(path.join(dir, 'policy.yml'), yaml);
  try {
    return { config: loadConfig({ ...base, ...env, INCIDENT_CONFIG: 'policy.yml' }, dir), problems: [] as string[] };
  } catch (err) {
    if (err instanceof ConfigError) return { config: undefined, problems: err.problems };
    throw err;
  }
}

const catalog = 'services:\n  - name: checkout-api\n  - name: payments\n  - name: web\n';

describe('policy status_page', () => {
  it('the example policy\'s status page block, uncommented, works as documented', () => {
    const text = readFileSync('incident-officer.example.yml', 'utf8');
    const block = text.slice(text.indexOf('# status_page:')).replace(/^# /gm, '');
    const { config, problems } = load(`${catalog}${block}`, { STATUSPAGE_API_KEY: 'sp-key-123456' });
    expect(problems).toEqual([]);
    expect(config!.policy.status_page).toMatchObject({ title: 'Acme status', export_dir: '/var/www/status', approval: { priorities: ['P1', 'P2'] }, atlassian: { page_id: 'abc123', components: { Checkout: 'cmp_1' } } });
  });

  it('reads the issue\'s example, with the default approval (comms is the communications lead)', () => {
    const { config, problems } = load(`${catalog}status_page:\n  title: Acme status\n  components:\n    - name: Checkout\n      services: [checkout-api, payments]\n    - name: Website\n      services: [web]\n  export_dir: /var/www/status\n`);
    expect(problems).toEqual([]);
    const page = config!.policy.status_page!;
    expect(page.title).toBe('Acme status');
    expect(page.approval).toEqual({ priorities: ['P1', 'P2'], approvers: ['commander', 'comms'] });
    expect(page.components.map((c) => c.name)).toEqual(['Checkout', 'Website']);
  });

  it('is off when absent', () => {
    expect(load(catalog).config!.policy.status_page).toBeUndefined();
  });

  it('names unknown services, priorities and roles, duplicate components and a relative export_dir by their path', () => {
    const { problems } = load(
      `${catalog}status_page:\n  components:\n    - name: Checkout\n      services: [checkout-api, chekout]\n    - name: checkout\n      services: [web]\n  export_dir: status\n  approval:\n    priorities: [P9]\n    approvers: [commander, press]\n`,
    );
    const text = problems.join('\n');
    expect(text).toMatch(/status_page\.components\[0\]\.services.*unknown service "chekout"/);
    expect(text).toMatch(/status_page\.components.*component names must be unique/);
    expect(text).toMatch(/status_page\.export_dir.*absolute directory/);
    // Cross-field checks run once the section parses on its own.
    const cross = load(`${catalog}status_page:\n  components:\n    - name: Checkout\n      services: [chekout]\n  approval:\n    priorities: [P9]\n    approvers: [commander, press]\n`).problems.join('\n');
    expect(cross).toMatch(/status_page\.components\[0\]\.services.*unknown service "chekout"/);
    expect(cross).toMatch(/status_page\.approval\.priorities.*unknown priority P9/);
    expect(cross).toMatch(/status_page\.approval\.approvers.*unknown role "press"/);
  });

  it('turns the Atlassian connector on with a component id for every component and STATUSPAGE_API_KEY', () => {
    const yaml = (ids: string) => `${catalog}status_page:\n  components:\n    - name: Checkout\n      services: [checkout-api]\n    - name: Website\n      services: [web]\n  atlassian:\n    page_id: abc123\n    components: { ${ids} }\n`;
    const on = load(yaml('Checkout: cmp1, Website: cmp2'), { STATUSPAGE_API_KEY: 'key-0123456789abcdef' });
    expect(on.problems).toEqual([]);
    expect(on.config!.statuspage).toEqual({ apiUrl: 'https://api.statuspage.io/v1', apiKey: 'key-0123456789abcdef', pageId: 'abc123', components: { Checkout: 'cmp1', Website: 'cmp2' } });
    expect(load(yaml('Checkout: cmp1, Website: cmp2')).problems.join('\n')).toMatch(/STATUSPAGE_API_KEY: is required by status_page\.atlassian/);
    const wrong = load(yaml('Checkout: cmp1, Web: cmp2'), { STATUSPAGE_API_KEY: 'key-0123456789abcdef' }).problems.join('\n');
    expect(wrong).toMatch(/status_page\.atlassian\.components\.Web.*unknown component "Web"/);
    expect(wrong).toMatch(/status_page\.atlassian\.components.*no Statuspage component id for "Website"/);
    expect(load(`${catalog}status_page:\n  components:\n    - name: Checkout\n      services: [checkout-api]\n`, { STATUSPAGE_API_KEY: 'key-0123456789abcdef' }).config!.statuspage).toBeUndefined();
  });
});
