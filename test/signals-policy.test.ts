import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSecrets, loadConfig } from '../src/config.js';
import { takeTime, userIdFrom } from '../src/oncall/parse.js';
import { pagingPriority } from '../src/paging/service.js';
import { defaultPolicy, policySchema } from '../src/policy/schema.js';
import { incidentSeverityFor, route } from '../src/signals/routing.js';
import { normalizeSeverity, parseDelivery } from '../src/signals/sources.js';

const base = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'secret-abcdef' };

function problems(yaml: string): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'io-signals-'));
  writeFileSync(path.join(dir, 'p.yml'), yaml);
  try {
    loadConfig({ ...base, INCIDENT_CONFIG: 'p.yml' }, dir);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('the signals, on-call and paging policy', () => {
  it('names each mistake with its path', () => {
    const lines = problems(
      [
        'signals:',
        '  sources: { am: { type: nagios } }',
        '  rules: [{ action: declare, severity: SEV9, commander_rotation: ghost }]',
        'oncall:',
        '  rotations: [{ name: primary, members: [bob], timezone: Mars/Olympus, handoff: "25:00" }]',
        'paging:',
        '  escalation: [{ rotation: nobody }, { rotation: primary, users: [U0123ABC] }]',
        'healthchecks: [{ name: x, type: http, url: "ftp://example.com" }]',
      ].join('\n'),
    ).join('\n');
    expect(lines).toContain('signals.sources.am.type: one of alertmanager, grafana, pagerduty, generic');
    expect(lines).toContain('oncall.rotations[0].members[0]: a Slack user id');
    expect(lines).toContain('oncall.rotations[0].timezone: an IANA timezone');
    expect(lines).toContain('oncall.rotations[0].handoff: a time such as 09:00');
    expect(lines).toContain('paging.escalation[1]: each level names either a rotation or users');
    expect(lines).toContain('healthchecks[0].url: an http(s) URL');
  });

  it('checks that rules and levels name known severities and rotations', () => {
    const lines = problems('signals:\n  rules: [{ action: declare, severity: SEV9, commander_rotation: ghost }]\npaging:\n  escalation: [{ rotation: nobody }]\n').join('\n');
    expect(lines).toContain('signals.rules[0].severity: unknown severity SEV9');
    expect(lines).toContain('signals.rules[0].commander_rotation: unknown rotation ghost');
    expect(lines).toContain('paging.escalation[0].rotation: unknown rotation nobody');
  });

  it('reads webhook secrets and the PagerDuty key from the environment, and hands them to the log scrubber', () => {
    const config = loadConfig({ ...base, WEBHOOK_SECRET_SIEM_PROD: 'sekrit-1234567', PAGERDUTY_ROUTING_KEY: 'R0UTINGKEY123456', PAGERDUTY_EVENTS_URL: 'http://127.0.0.1:1/v2/enqueue' }, mkdtempSync(path.join(tmpdir(), 'io-')));
    expect(config.signals).toEqual({ webhookSecrets: { WEBHOOK_SECRET_SIEM_PROD: 'sekrit-1234567' }, pagerdutyRoutingKey: 'R0UTINGKEY123456', pagerdutyEventsUrl: 'http://127.0.0.1:1/v2/enqueue' });
    expect(configSecrets(config)).toEqual(expect.arrayContaining(['sekrit-1234567', 'R0UTINGKEY123456']));
  });
});

describe('routing', () => {
  const rules = policySchema.parse({
    signals: {
      rules: [
        { match: { labels: { env: ['staging', 'dev'] } }, action: 'drop' },
        { match: { source: 'alertmanager', severity: 'high', service: 'payments' }, action: 'declare', severity: 'SEV1' },
        { match: { source: 'siem' }, action: 'triage', kind: 'security', channel: 'C0SECOPS' },
        { match: { source: 'edr' }, action: 'triage', kind: 'security' },
      ],
    },
  }).signals.rules;
  const subject = (o: Partial<Parameters<typeof route>[2]>) => ({ source: 'alertmanager', labels: {}, severity: 'warning' as const, service: null, ...o });

  it('takes the first matching rule; severity matches that level or worse', () => {
    expect(route(rules, 'C0TRIAGE', subject({ labels: { env: 'dev' }, severity: 'critical', service: 'payments' })).action).toBe('drop');
    expect(route(rules, 'C0TRIAGE', subject({ severity: 'critical', service: 'payments' }))).toMatchObject({ action: 'declare', rule: 1, severity: 'SEV1', channel: 'C0TRIAGE' });
    expect(route(rules, 'C0TRIAGE', subject({ severity: 'warning', service: 'payments' }))).toMatchObject({ action: 'triage', rule: null, channel: 'C0TRIAGE' });
    expect(route(rules, 'C0TRIAGE', subject({ severity: 'high', labels: { service: 'payments' } })).action).toBe('declare');
  });

  it('posts security alerts only to the rule\'s own channel, never the shared triage channel', () => {
    expect(route(rules, 'C0TRIAGE', subject({ source: 'siem' }))).toMatchObject({ kind: 'security', channel: 'C0SECOPS' });
    expect(route(rules, 'C0TRIAGE', subject({ source: 'edr' }))).toMatchObject({ kind: 'security', channel: null });
  });

  it('maps tool severities, and signal severities to incident severities and paging priorities', () => {
    expect(['critical', 'P1', 'error', 'WARNING', 'info', 'weird'].map(normalizeSeverity)).toEqual(['critical', 'critical', 'high', 'warning', 'info', 'warning']);
    const p = defaultPolicy();
    expect(['critical', 'high', 'warning', 'info'].map((s) => incidentSeverityFor(s as never, p.severities))).toEqual(['SEV1', 'SEV2', 'SEV3', 'SEV4']);
    expect(pagingPriority(p, { priority: null, severity: 'SEV1' })).toBe('P1');
    expect(pagingPriority(p, { priority: null, severity: 'SEV2' })).toBe('P2');
    expect(pagingPriority(p, { priority: 'P3', severity: 'SEV1' })).toBe('P3');
  });

  it('computes an Alertmanager fingerprint when an old version sends none, and reports a bad generic event readably', () => {
    const body = { groupKey: 'g', status: 'firing', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, alerts: [{ status: 'firing', labels: { alertname: 'A', instance: 'x' }, annotations: {} }] };
    const a = parseDelivery('alertmanager', body);
    const b = parseDelivery('alertmanager', { ...body, alerts: [{ ...body.alerts[0], labels: { instance: 'x', alertname: 'A' } }] });
    expect(a.kind === 'alerts' && b.kind === 'alerts' && a.batches[0].alerts[0].dedupKey === b.batches[0].alerts[0].dedupKey).toBe(true);
    expect(() => parseDelivery('generic', [{ source: 's', dedup_key: 'k', title: 't', severity: 'high', link: 'javascript:alert(1)' }])).toThrow('[0].link: must be an http(s) URL');
  });

  it('leaves out an Alertmanager link too long to show rather than cutting it into one that leads nowhere', () => {
    const alert = (generatorURL: string) => ({ status: 'firing', labels: { alertname: 'A', instance: 'x' }, annotations: {}, generatorURL });
    const body = (generatorURL: string) => ({ groupKey: 'g', status: 'firing', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://alertmanager.example.org:9093', alerts: [alert(generatorURL)] });
    const long = `https://prometheus.example.org/graph?g0.expr=${'x'.repeat(2100)}`;
    const short = 'https://prometheus.example.org/graph?g0.expr=up';
    const links = (url: string) => {
      const p = parseDelivery('alertmanager', body(url));
      return p.kind === 'alerts' ? { alert: p.batches[0].alerts[0].link, group: p.batches[0].link } : undefined;
    };
    expect(links(short)).toEqual({ alert: short, group: short });
    expect(links(long)).toEqual({ alert: null, group: 'http://alertmanager.example.org:9093' });
  });
});

describe('times typed in commands', () => {
  const now = new Date('2026-11-26T09:00:00Z');
  it('reads dates, date-times, now and durations in the given timezone', () => {
    expect(takeTime(['2026-12-24', '18:00'], 'Europe/Berlin', now)).toEqual({ at: new Date('2026-12-24T17:00:00Z') });
    expect(takeTime(['2026-07-01T09:30'], 'Europe/Berlin', now)).toEqual({ at: new Date('2026-07-01T07:30:00Z') });
    expect(takeTime(['2026-12-24'], 'UTC', now)).toEqual({ at: new Date('2026-12-24T00:00:00Z') });
    expect(takeTime(['now'], 'UTC', now)).toEqual({ at: now });
    expect(takeTime(['+90m'], 'UTC', now, new Date('2026-11-26T10:00:00Z'))).toEqual({ at: new Date('2026-11-26T11:30:00Z') });
    expect(takeTime(['2026-02-30'], 'UTC', now)).toEqual({ error: '"2026-02-30 00:00" is not a real date and time' });
    expect(userIdFrom('<@U0123ABC|ana>')).toBe('U0123ABC');
    expect(userIdFrom('@ana')).toBeUndefined();
  });
});
