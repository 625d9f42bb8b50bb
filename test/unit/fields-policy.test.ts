import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const base = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'secret-abcdef', INCIDENT_CONFIG: 'policy.yml' };

function problems(yaml: string): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'io-fields-'));
  writeFileSync(path.join(dir, 'policy.yml'), yaml);
  try {
    loadConfig(base, dir);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => p.replace(/^INCIDENT_CONFIG \S+ /, ''));
    throw err;
  }
  return [];
}

describe('incident types and custom fields in the policy', () => {
  it('accepts the example of the issue, reading YAML yes/no options as words', () => {
    const yaml = `
playbooks:
  - name: security-breach
    title: Security breach
    items: [Preserve evidence]
incident_types:
  - name: Security breach
    description: Confirmed or suspected compromise
    private: true
    default_severity: SEV1
    channel_name: sec-{number}
    playbooks: [security-breach]
    fields: [data_classification, regulator_notified]
  - name: Service outage
    fields: [customer_impact, affected_regions]
custom_fields:
  - key: customer_impact
    label: Customers affected
    type: number
    required: resolve
  - key: affected_regions
    label: Regions
    type: multi_select
    options: [eu-west, us-east, ap-south]
  - key: data_classification
    type: select
    options: [public, internal, confidential, restricted]
    required: declare
  - key: regulator_notified
    type: select
    options: [yes, no, "not required"]
    required: close
`;
    expect(problems(yaml)).toEqual([]);
    const dir = mkdtempSync(path.join(tmpdir(), 'io-fields-'));
    writeFileSync(path.join(dir, 'policy.yml'), yaml);
    const policy = loadConfig(base, dir).policy;
    expect(policy.custom_fields.find((f) => f.key === 'regulator_notified')?.options).toEqual(['yes', 'no', 'not required']);
    expect(policy.custom_fields[1].required).toBe('never');
  });

  it('names the bad key: unknown field, select without options, duplicate key, unknown playbook and severity', () => {
    const found = problems(`
incident_types:
  - name: Outage
    default_severity: SEV9
    playbooks: [nope]
    fields: [customer_impact, missing_field]
  - name: outage
custom_fields:
  - key: customer_impact
    type: number
  - key: customer_impact
    type: text
  - key: region
    type: select
  - key: note
    type: text
    options: [a]
`);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^incident_types\[0\]\.fields\[1\]: unknown field missing_field/),
        expect.stringMatching(/^incident_types\[0\]\.playbooks\[0\]: unknown playbook nope/),
        expect.stringMatching(/^incident_types\[0\]\.default_severity: unknown severity SEV9/),
        expect.stringMatching(/^incident_types\[1\]\.name: duplicate incident type outage/),
        expect.stringMatching(/^custom_fields\[1\]\.key: duplicate key customer_impact/),
        expect.stringMatching(/^custom_fields\[2\]\.options: a select field needs options \(region\)/),
        expect.stringMatching(/^custom_fields\[3\]\.options: only select and multi_select fields have options/),
      ]),
    );
    expect(problems(`custom_fields:\n  - key: Bad-Key\n    type: colour\n`)).toEqual([
      'custom_fields[0].key: a lowercase key such as customer_impact',
      expect.stringMatching(/^custom_fields\[0\]\.type: Invalid option/),
    ]);
  });

  it('refuses a type whose channel name has no {number}', () => {
    expect(problems(`incident_types:\n  - name: Outage\n    channel_name: outage\n`)).toEqual([expect.stringMatching(/^incident_types\[0\]\.channel_name: must contain \{number\}/)]);
  });
});
