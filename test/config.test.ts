import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const base = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'secret-abcdef' };
const emptyDir = () => mkdtempSync(path.join(tmpdir(), 'io-config-'));

function problems(env: Record<string, string>, cwd = emptyDir()): string[] {
  try {
    loadConfig(env, cwd);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('configuration', () => {
  it('starts from two variables, with defaults for the rest', () => {
    const dir = emptyDir();
    const config = loadConfig(base, dir);
    expect(config.port).toBe(3000);
    expect(config.logLevel).toBe('info');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.databaseQueryTimeoutMs).toBe(10_000);
    expect(config.dataDir).toBe(path.join(dir, 'data'));
    expect(config.policy.severities.map((s) => s.id)).toEqual(['SEV1', 'SEV2', 'SEV3', 'SEV4']);
    expect(config.policy.channel.name_template).toBe('inc-{number}-{slug}');
  });

  it('names every bad variable on its own line', () => {
    const lines = problems({ SLACK_BOT_TOKEN: 'xoxp-user-token', PORT: '80x', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', DATABASE_QUERY_TIMEOUT_MS: '10s' });
    expect(lines).toEqual(
      expect.arrayContaining([
        'SLACK_BOT_TOKEN: must be a bot token starting with xoxb-',
        expect.stringMatching(/^SLACK_SIGNING_SECRET: is required/),
        'PORT: must be a port number such as 3000',
        expect.stringMatching(/^LOG_LEVEL: must be one of fatal, error/),
        'DATABASE_URL: must be a postgres:// or postgresql:// URL',
        'DATABASE_QUERY_TIMEOUT_MS: must be a number of milliseconds such as 10000',
      ]),
    );
    expect(lines).toHaveLength(6);
  });

  it('reads the policy file and reports a typo in it with its path', () => {
    const dir = emptyDir();
    writeFileSync(path.join(dir, 'policy.yml'), 'number_prefix: OPS\nseverities:\n  - id: P1\n    descripton: typo\n');
    const lines = problems({ ...base, INCIDENT_CONFIG: 'policy.yml' }, dir);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).toMatch(/policy\.yml severities\[0\]/);
    expect(lines.join('\n')).toMatch(/descripton/);
  });

  it('uses incident-officer.yml from the working directory when present', () => {
    const dir = emptyDir();
    writeFileSync(path.join(dir, 'incident-officer.yml'), 'number_prefix: OPS\n');
    expect(loadConfig(base, dir).policy.number_prefix).toBe('OPS');
  });

  it('the shipped example policy is valid', () => {
    const config = loadConfig({ ...base, INCIDENT_CONFIG: path.resolve('incident-officer.example.yml') });
    expect(config.policy.severities.length).toBeGreaterThan(0);
  });

});
