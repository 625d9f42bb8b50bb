import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const base = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'secret-abcdef' };

function withPolicy(yaml: string, files: Record<string, string> = {}): { dir: string; env: Record<string, string> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'io-prep-'));
  writeFileSync(path.join(dir, 'policy.yml'), yaml);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return { dir, env: { ...base, INCIDENT_CONFIG: 'policy.yml' } };
}

function problems(yaml: string, files: Record<string, string> = {}): string[] {
  const { dir, env } = withPolicy(yaml, files);
  try {
    loadConfig(env, dir);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => p.replace(/^INCIDENT_CONFIG \S+ /, ''));
    throw err;
  }
  return [];
}

const GOOD = `
services:
  - name: checkout
    description: Web checkout
    owner: checkout-team
    tier: 1
    depends_on: [payments-api]
    runbook: https://wiki.example.com/runbooks/checkout
  - name: payments-api
    owner: S0123PAY
    tier: 1
    vendors: [Acme Payments]
    invite_owner_for: [P1, P2, P3]
vendors:
  - name: Acme Payments
    contacts: ["+1 555 0100", "support@acme.example"]
    response_minutes: 60
    response_minutes_by_priority: { P1: 15 }
playbooks:
  - name: database-outage
    title: Database outage
    when: { categories: [database] }
    items:
      - { text: Check replication lag, role: operations }
      - Take a snapshot before any repair
drills:
  scenarios:
    - name: checkout-outage
      title: Checkout returns 5xx
      severity: SEV1
      services: [checkout]
      injects: [{ at_minutes: 0, text: "40 % 5xx on checkout" }]
      expected: { commander_named: 5, triaged: 10, first_update: 15, resolved: 60 }
dr:
  crisis_team: "@crisis-team"
  plans:
    - name: region-failover
      title: Fail over to the secondary region
      services: [checkout]
      checklist: [{ text: Freeze deployments, role: operations }, Promote the secondary database]
changes:
  cab_channel: C0123CAB
  approvers: [U0APPROVER]
escalation:
  - services: [payments-api]
    usergroups: [payments-oncall]
`;

describe('preparedness policy', () => {
  it('reads the catalog, vendors, playbooks, drills, DR plans and change settings with their defaults', () => {
    const { dir, env } = withPolicy(GOOD);
    const policy = loadConfig(env, dir).policy;
    expect(policy.services.map((s) => [s.name, s.tier, s.owner])).toEqual([['checkout', 1, 'checkout-team'], ['payments-api', 1, 'S0123PAY']]);
    expect(policy.services[0].vendors).toEqual([]);
    expect(policy.playbooks[0].items).toEqual([{ text: 'Check replication lag', role: 'operations' }, { text: 'Take a snapshot before any repair', role: undefined }]);
    expect(policy.drills.scenarios[0]).toMatchObject({ kind: 'service', description: '', expected: { resolved: 60 } });
    expect(policy.dr.crisis_team).toBe('crisis-team');
    expect(policy.changes).toMatchObject({ cab_threshold: 'high', lookback_hours: 24, cab_channel: 'C0123CAB', approvers: ['U0APPROVER'] });
    expect(policy.changes.matrix.high.high).toBe('critical');
  });

  it('the example policy documents every preparedness key, and its commented examples are valid', () => {
    const example = loadConfig({ ...base, INCIDENT_CONFIG: path.resolve('incident-officer.example.yml') }).policy;
    expect(example.services).toEqual([]);
    expect(example.changes.lookback_hours).toBe(24);
    // Uncomment the example blocks of the preparedness section: they must parse as documented.
    const text = readFileSync('incident-officer.example.yml', 'utf8');
    const start = text.indexOf('# ---------------------------------------------------------------- preparedness');
    const end = text.indexOf('# ----------------------------------------------------------------', start + 1);
    const section = text.slice(start, end === -1 ? undefined : end);
    const uncommented = section
      .replace(/^(\s*)# {2}/gm, '$1   ')
      .replace(/^(\s*)(services|vendors|playbooks|scenarios|plans): \[\]$/gm, '$1$2:')
      .replace(/^(\s*)# (crisis_team|cab_channel): (\S+).*$/gm, '$1$2: $3')
      .replace('approvers: []', 'approvers: [U0123APPROVER]');
    const { dir, env } = withPolicy(uncommented);
    const policy = loadConfig(env, dir).policy;
    expect(policy.services.map((s) => s.name)).toEqual(['checkout', 'payments-api']);
    expect(policy.vendors[0].response_minutes_by_priority).toEqual({ P1: 15, P2: 30 });
    expect(policy.playbooks[0].items).toHaveLength(3);
    expect(policy.drills.scenarios[0].injects).toHaveLength(2);
    expect(policy.dr.plans[0].checklist).toHaveLength(3);
    expect(policy.changes.cab_channel).toBe('C0123CAB');
  });

  it('refuses a bad policy with one line per problem', () => {
    const lines = problems(`
services:
  - { name: checkout, depends_on: [payments, checkout], vendors: [Nobody Inc] }
  - { name: checkout }
  - { name: queue, depends_on: [worker] }
  - { name: worker, depends_on: [queue], invite_owner_for: [P9] }
vendors:
  - { name: Acme, response_minutes: 60 }
  - { name: acme, response_minutes: 30, response_minutes_by_priority: { P7: 5 } }
playbooks:
  - { name: db, title: DB, when: { categories: [databases], services: [orders] }, items: [{ text: Fail over, role: wizard }] }
  - { name: db, title: DB again, items: [x] }
drills:
  scenarios:
    - { name: outage, title: Outage, severity: SEV9, services: [storefront] }
    - { name: outage, title: Outage again }
dr:
  plans:
    - { name: failover, title: Failover, services: [mainframe], checklist: [{ text: Promote, role: dba }] }
changes:
  cab_channel: C0CAB
escalation:
  - { services: [billing], usergroups: [billing-oncall] }
`);
    expect(lines).toEqual(
      expect.arrayContaining([
        'services[1].name: duplicate service name "checkout"',
        'services[0].depends_on: service "checkout" depends on unknown service "payments"',
        'services[0].depends_on: service "checkout" cannot depend on itself',
        'services[0].vendors: service "checkout" names unknown vendor "Nobody Inc"',
        'services[3].invite_owner_for: unknown priority P9',
        'services[3].owner: service "worker" has invite_owner_for but no owner',
        'services: dependency cycle: queue → worker → queue',
        'vendors[1].name: duplicate vendor name "acme"',
        'vendors[1].response_minutes_by_priority: unknown priority P7',
        'playbooks[1].name: duplicate playbook name "db"',
        'playbooks[0].items[0].role: unknown role "wizard" (roles: commander, deputy, communications, scribe, operations, security)',
        'playbooks[0].when.categories: unknown category "databases"',
        'playbooks[0].when.services: unknown service "orders"',
        'drills.scenarios[1].name: duplicate drill scenario name "outage"',
        'drills.scenarios[0].severity: unknown severity SEV9',
        'drills.scenarios[0].services: unknown service "storefront"',
        'dr.plans[0].checklist[0].role: unknown role "dba" (roles: commander, deputy, communications, scribe, operations, security)',
        'dr.plans[0].services: unknown service "mainframe"',
        'dr.crisis_team: is required when DR plans are configured (the user group paged on activation)',
        'changes.approvers: name at least one approver when a CAB channel is set',
        'escalation[0].services: unknown service "billing"',
      ]),
    );
    expect(lines).toHaveLength(21);
  });

  it('with an empty catalog, service names elsewhere are free text', () => {
    expect(problems('playbooks:\n  - { name: p, title: P, when: { services: [anything] }, items: [x] }\n')).toEqual([]);
  });

  it('refuses a malformed entry with its path', () => {
    expect(problems('services:\n  - { name: Checkout API, runbook: not-a-link, tier: 7 }\n')).toEqual([
      expect.stringMatching(/^services\[0\]\.name: Invalid string: must match pattern|^services\[0\]\.name: a lowercase name/),
      expect.stringMatching(/^services\[0\]\.tier: /),
      'services[0].runbook: must be an http(s) link',
    ]);
  });

  it('loads drill scenarios from a directory, named after their files, and names a bad file', () => {
    const { dir, env } = withPolicy('drills:\n  directory: drills\n  scenarios:\n    - { name: inline, title: Inline }\n', {
      'drills/db-failover.yml': 'title: Primary database lost\nseverity: SEV2\ninjects:\n  - { at_minutes: 5, text: Replica lag 30 s }\n',
      'drills/notes.txt': 'ignored',
    });
    const policy = loadConfig(env, dir).policy;
    expect(policy.drills.scenarios.map((s) => [s.name, s.title])).toEqual([['inline', 'Inline'], ['db-failover', 'Primary database lost']]);
    expect(policy.drills.scenarios[1].injects).toEqual([{ at_minutes: 5, text: 'Replica lag 30 s' }]);

    const bad = problems('drills:\n  directory: drills\n', { 'drills/a.yml': 'title: [unclosed\n', 'drills/b.yaml': 'title: B\ninjects: [{ at_minutes: -1, text: x }]\n' });
    expect(bad).toEqual([expect.stringMatching(/^drills\.directory drills\/a\.yml: not valid YAML at line \d+/), expect.stringMatching(/^drills\.directory drills\/b\.yaml injects\.0\.at_minutes: /)]);
    expect(problems('drills:\n  directory: missing\n')).toEqual([expect.stringMatching(/^drills\.directory missing: cannot read it \(ENOENT\)/)]);
  });

  it('reads the deployment webhook token, refusing a short one', () => {
    expect(loadConfig({ ...base, WEBHOOK_SECRET_CHANGES: ' a-long-random-token-0123 ' }, mkdtempSync(path.join(tmpdir(), 'io-prep-'))).changesWebhookSecret).toBe('a-long-random-token-0123');
    let lines: string[] = [];
    try {
      loadConfig({ ...base, WEBHOOK_SECRET_CHANGES: 'short' }, mkdtempSync(path.join(tmpdir(), 'io-prep-')));
    } catch (err) {
      lines = (err as ConfigError).problems;
    }
    expect(lines).toEqual(['WEBHOOK_SECRET_CHANGES: must be at least 16 characters (a long random token)']);
  });

});
