import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { loadDrillDirectory } from './policy/drill-files.js';
import { policySchema, type Policy } from './policy/schema.js';
import type { ServiceNowPolicy } from './policy/itsm-schema.js';
import type { JiraPolicy } from './policy/jira-schema.js';

export { ConfigError } from './config-error.js';
import { ConfigError } from './config-error.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const optionalText = z
  .string()
  .transform((v) => v.trim())
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const envSchema = z.object({
  SLACK_BOT_TOKEN: z.string({ error: 'is required (the bot token, xoxb-…)' }).regex(/^xoxb-\S+$/, 'must be a bot token starting with xoxb-'),
  SLACK_SIGNING_SECRET: z.string({ error: 'is required (Basic Information → Signing Secret)' }).regex(/^\S{8,}$/, 'must be the app signing secret (at least 8 characters, no spaces)'),
  SLACK_APP_TOKEN: optionalText.pipe(z.string().regex(/^xapp-\S+$/, 'must be an app-level token starting with xapp-').optional()),
  SLACK_API_URL: optionalText.pipe(z.url({ error: 'must be a URL such as https://slack.com/api/' }).optional()),
  DATABASE_URL: optionalText.pipe(
    z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL').optional(),
  ),
  DATABASE_QUERY_TIMEOUT_MS: optionalText
    .default('10000')
    .pipe(z.string().regex(/^\d+$/, 'must be a number of milliseconds such as 10000'))
    .transform(Number)
    .pipe(z.number().min(100, 'must be at least 100 ms').max(600_000, 'must be at most 600000 ms (10 minutes)')),
  DATA_DIR: optionalText.default('./data'),
  PORT: optionalText
    .default('3000')
    .pipe(z.string().regex(/^\d{1,5}$/, 'must be a port number such as 3000'))
    .transform(Number)
    .pipe(z.number().max(65535, 'must be a port number from 0 to 65535')),
  LOG_LEVEL: optionalText.default('info').pipe(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })),
  INCIDENT_ANNOUNCE_CHANNEL: optionalText,
  INCIDENT_CONFIG: optionalText,
  PAGERDUTY_ROUTING_KEY: optionalText.pipe(z.string().regex(/^\S{8,}$/, 'must be the Events API v2 integration key (32 characters)').optional()),
  PAGERDUTY_EVENTS_URL: optionalText.pipe(z.url({ error: 'must be a URL such as https://events.pagerduty.com/v2/enqueue' }).optional()),
  WEBHOOK_SECRET_CHANGES: optionalText.pipe(z.string().min(16, 'must be at least 16 characters (a long random token)').optional()),
  SERVICENOW_USERNAME: optionalText,
  SERVICENOW_PASSWORD: optionalText,
  SERVICENOW_CLIENT_ID: optionalText,
  SERVICENOW_CLIENT_SECRET: optionalText,
  SERVICENOW_WEBHOOK_SECRET: optionalText,
  JIRA_EMAIL: optionalText,
  JIRA_API_TOKEN: optionalText,
  JIRA_PAT: optionalText,
  JIRA_WEBHOOK_SECRET: optionalText.pipe(z.string().min(16, 'must be at least 16 characters (a long random token)').optional()),
});

/** ServiceNow credentials (the client in src/servicenow takes them as they are). */
export type ServiceNowAuth = { kind: 'basic'; username: string; password: string } | { kind: 'oauth'; clientId: string; clientSecret: string };

type ServiceNowEnv = Pick<z.infer<typeof envSchema>, 'SERVICENOW_USERNAME' | 'SERVICENOW_PASSWORD' | 'SERVICENOW_CLIENT_ID' | 'SERVICENOW_CLIENT_SECRET' | 'SERVICENOW_WEBHOOK_SECRET'>;

/**
 * The ServiceNow connector's settings: on when the policy names an instance, with basic auth
 * (SERVICENOW_USERNAME + SERVICENOW_PASSWORD) or OAuth client credentials (SERVICENOW_CLIENT_ID +
 * SERVICENOW_CLIENT_SECRET) from the environment, and SERVICENOW_WEBHOOK_SECRET for the optional push
 * endpoint. Throws ConfigError naming what is missing.
 */
export function servicenowConfig(policy: ServiceNowPolicy | undefined, e: ServiceNowEnv | Readonly<Record<string, string | undefined>>): Config['servicenow'] {
  const basic = [e.SERVICENOW_USERNAME, e.SERVICENOW_PASSWORD];
  const oauth = [e.SERVICENOW_CLIENT_ID, e.SERVICENOW_CLIENT_SECRET];
  const problems: string[] = [];
  const half = (pair: (string | undefined)[], names: [string, string]) => {
    if (pair[0] && !pair[1]) problems.push(`${names[1]}: is required with ${names[0]}`);
    if (!pair[0] && pair[1]) problems.push(`${names[0]}: is required with ${names[1]}`);
  };
  half(basic, ['SERVICENOW_USERNAME', 'SERVICENOW_PASSWORD']);
  half(oauth, ['SERVICENOW_CLIENT_ID', 'SERVICENOW_CLIENT_SECRET']);
  const anySet = [...basic, ...oauth].some(Boolean);
  // Credentials without an instance (an environment shared by several deployments) leave the connector off.
  if (!policy) return undefined;
  const hasBasic = basic.every(Boolean);
  const hasOauth = oauth.every(Boolean);
  if (hasBasic && hasOauth) problems.push('SERVICENOW_*: set either SERVICENOW_USERNAME + SERVICENOW_PASSWORD or SERVICENOW_CLIENT_ID + SERVICENOW_CLIENT_SECRET, not both');
  if (!anySet) problems.push('SERVICENOW_USERNAME and SERVICENOW_PASSWORD (or SERVICENOW_CLIENT_ID and SERVICENOW_CLIENT_SECRET): are required by itsm.servicenow.instance_url');
  const webhookSecret = e.SERVICENOW_WEBHOOK_SECRET?.trim() || undefined;
  if (webhookSecret && webhookSecret.length < 16) problems.push('SERVICENOW_WEBHOOK_SECRET: must be at least 16 characters (a long random token)');
  if (problems.length) throw new ConfigError(problems);
  const auth: ServiceNowAuth = hasBasic
    ? { kind: 'basic', username: e.SERVICENOW_USERNAME!, password: e.SERVICENOW_PASSWORD! }
    : { kind: 'oauth', clientId: e.SERVICENOW_CLIENT_ID!, clientSecret: e.SERVICENOW_CLIENT_SECRET! };
  return { instanceUrl: policy.instance_url, auth, policy, ...(webhookSecret ? { webhookSecret } : {}) };
}

/** Jira credentials: e-mail + API token (Cloud, basic auth) or a personal access token (Data Center, bearer). */
export type JiraAuth = { kind: 'basic'; email: string; apiToken: string } | { kind: 'bearer'; token: string };

/**
 * The Jira connector's settings: on when the policy names a site, with JIRA_EMAIL + JIRA_API_TOKEN
 * (deployment cloud) or JIRA_PAT (deployment datacenter) from the environment, and JIRA_WEBHOOK_SECRET
 * for `POST /webhooks/jira` (unset: inbound sync off). Throws ConfigError naming what is missing.
 */
export function jiraConfig(policy: JiraPolicy | undefined, e: Readonly<Record<string, string | undefined>>): Config['jira'] {
  if (!policy) return undefined;
  const text = (k: string) => (e[k]?.trim() ? e[k]!.trim() : undefined);
  const problems: string[] = [];
  let auth: JiraAuth | undefined;
  if (policy.deployment === 'cloud') {
    const email = text('JIRA_EMAIL');
    const apiToken = text('JIRA_API_TOKEN');
    if (!email) problems.push('JIRA_EMAIL: is required by itsm.jira (deployment cloud signs in with e-mail + API token)');
    if (!apiToken) problems.push('JIRA_API_TOKEN: is required by itsm.jira (deployment cloud)');
    if (text('JIRA_PAT')) problems.push('JIRA_PAT: is for deployment datacenter; Jira Cloud takes JIRA_EMAIL + JIRA_API_TOKEN');
    if (email && apiToken) auth = { kind: 'basic', email, apiToken };
  } else {
    const token = text('JIRA_PAT');
    if (!token) problems.push('JIRA_PAT: is required by itsm.jira (deployment datacenter signs in with a personal access token)');
    else auth = { kind: 'bearer', token };
  }
  const secret = text('JIRA_WEBHOOK_SECRET');
  if (secret && secret.length < 16) problems.push('JIRA_WEBHOOK_SECRET: must be at least 16 characters (a long random token)');
  if (problems.length || !auth) throw new ConfigError(problems);
  return { baseUrl: policy.base_url, deployment: policy.deployment, auth, webhookSecret: secret, policy };
}

/** WEBHOOK_SECRET_<NAME>: the suffix for a webhook source name (siem-prod → SIEM_PROD). */
export function webhookSecretEnvName(source: string): string {
  return `WEBHOOK_SECRET_${source.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

export interface Config {
  slack: {
    botToken: string;
    signingSecret: string;
    appToken?: string;
    apiUrl?: string;
  };
  databaseUrl?: string;
  /** Time limit of each database query, in ms. */
  databaseQueryTimeoutMs: number;
  dataDir: string;
  port: number;
  logLevel: (typeof LOG_LEVELS)[number];
  announceChannel?: string;
  policyFile?: string;
  policy: Policy;
  /** Webhook secrets from the environment (WEBHOOK_SECRET_<NAME>) and the PagerDuty Events API v2 settings. */
  signals: { webhookSecrets: Record<string, string>; pagerdutyRoutingKey?: string; pagerdutyEventsUrl?: string };
  /** Bearer token CI/CD sends to POST /webhooks/changes; unset disables that webhook. */
  changesWebhookSecret?: string;
  /** The ServiceNow connector (policy itsm.servicenow + credentials from the environment); unset: off. */
  servicenow?: { instanceUrl: string; auth: ServiceNowAuth; policy: ServiceNowPolicy; /** SERVICENOW_WEBHOOK_SECRET: turns on POST /webhooks/servicenow. */ webhookSecret?: string };
  /** The Jira connector (policy itsm.jira + credentials from the environment); unset: off. */
  jira?: { baseUrl: string; deployment: 'cloud' | 'datacenter'; auth: JiraAuth; webhookSecret?: string; policy: JiraPolicy };
  /** The Atlassian Statuspage connector (policy status_page.atlassian + STATUSPAGE_API_KEY); unset: off. */
  statuspage?: StatuspageConfig;
}

type AtlassianPolicy = NonNullable<NonNullable<Policy['status_page']>['atlassian']>;

/**
 * The Statuspage connector's settings from the environment: STATUSPAGE_API_KEY, required once
 * `status_page.atlassian` is configured (here beside ServiceNow's, so this file depends on no connector).
 */
export interface StatuspageConfig {
  apiUrl: string;
  apiKey: string;
  pageId: string;
  /** Status page component name → Statuspage component id. */
  components: Record<string, string>;
}

/**
 * The connector's configuration, or undefined when `status_page.atlassian` is not configured (a key
 * alone leaves it off). Throws ConfigError naming what is missing or malformed (a start-up problem).
 */
export function statuspageConfig(policy: AtlassianPolicy | undefined, env: Readonly<Record<string, string | undefined>>): StatuspageConfig | undefined {
  if (!policy) return undefined;
  const key = env.STATUSPAGE_API_KEY?.trim() ?? '';
  const problems: string[] = [];
  if (key === '') problems.push('STATUSPAGE_API_KEY: is required by status_page.atlassian (Statuspage → your avatar → API info)');
  else if (/\s/.test(key)) problems.push('STATUSPAGE_API_KEY: must be the API key alone, without spaces or the "OAuth" prefix');
  if (problems.length) throw new ConfigError(problems);
  return { apiUrl: policy.api_url, apiKey: key, pageId: policy.page_id, components: policy.components };
}

const DEFAULT_POLICY_FILE = 'incident-officer.yml';

function describePath(p: PropertyKey[]): string {
  return p.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('');
}

/** Formats zod issues as `where: what`, one per line. */
export function formatIssues(prefix: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = describePath(issue.path);
    const label = [prefix, where].filter(Boolean).join(prefix && where ? ' ' : '');
    return `${label}: ${issue.message}`;
  });
}

/** Reads and validates the YAML policy file. */
export function loadPolicy(file: string | undefined): Policy {
  if (!file) return policySchema.parse({});
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8')) ?? {};
  } catch (err) {
    if (err instanceof YAMLParseError) {
      throw new ConfigError([`INCIDENT_CONFIG ${file}: not valid YAML at line ${err.linePos?.[0]?.line ?? '?'}: ${err.message.split('\n')[0]}`]);
    }
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError([`INCIDENT_CONFIG ${file}: cannot read the file (${code ?? (err as Error).message})`]);
  }
  // A section whose keys are all commented out parses as null: treat it as absent (defaults apply).
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    raw = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== null));
  }
  const drills = loadDrillDirectory(raw, path.dirname(file));
  const parsed = policySchema.safeParse(drills.raw);
  const problems = [...drills.problems.map((p) => `INCIDENT_CONFIG ${file} ${p}`), ...(parsed.success ? [] : formatIssues(`INCIDENT_CONFIG ${file}`, parsed.error))];
  if (problems.length || !parsed.success) throw new ConfigError(problems);
  return parsed.data;
}

/** Parses the environment (and the policy file it names) into a Config, or throws ConfigError. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'environment');
        return `${name}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  let policyFile = e.INCIDENT_CONFIG ? path.resolve(cwd, e.INCIDENT_CONFIG) : undefined;
  if (!policyFile && existsSync(path.join(cwd, DEFAULT_POLICY_FILE))) policyFile = path.join(cwd, DEFAULT_POLICY_FILE);
  const policy = loadPolicy(policyFile);
  return {
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL ? (e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`) : undefined,
    },
    databaseUrl: e.DATABASE_URL,
    databaseQueryTimeoutMs: e.DATABASE_QUERY_TIMEOUT_MS,
    dataDir: path.resolve(cwd, e.DATA_DIR),
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    announceChannel: e.INCIDENT_ANNOUNCE_CHANNEL ?? policy.channel.announce,
    policyFile,
    policy,
    signals: {
      webhookSecrets: Object.fromEntries(Object.entries(env).filter(([k, v]) => /^WEBHOOK_SECRET_[A-Z0-9_]+$/.test(k) && typeof v === 'string' && v.trim()).map(([k, v]) => [k, v!.trim()])),
      pagerdutyRoutingKey: e.PAGERDUTY_ROUTING_KEY,
      pagerdutyEventsUrl: e.PAGERDUTY_EVENTS_URL,
    },
    changesWebhookSecret: e.WEBHOOK_SECRET_CHANGES,
    servicenow: servicenowConfig(policy.itsm.servicenow, e),
    jira: jiraConfig(policy.itsm.jira, env),
    statuspage: statuspageConfig(policy.status_page?.atlassian, env),
  };
}

/** Every secret the configuration holds, for the log scrubber: Slack tokens, database URL, webhook secrets, PagerDuty key, ServiceNow credentials. */
export function configSecrets(config: Config): (string | undefined)[] {
  return [
    config.slack.botToken,
    config.slack.signingSecret,
    config.slack.appToken,
    config.databaseUrl,
    ...Object.values(config.signals.webhookSecrets),
    ...Object.values(config.policy.signals.sources).map((s) => s.secret),
    config.signals.pagerdutyRoutingKey,
    config.changesWebhookSecret,
    ...(config.servicenow?.auth.kind === 'basic' ? [config.servicenow.auth.password] : []),
    ...(config.servicenow?.auth.kind === 'oauth' ? [config.servicenow.auth.clientSecret] : []),
    config.statuspage?.apiKey,
    config.servicenow?.webhookSecret,
    ...(config.jira ? [config.jira.auth.kind === 'basic' ? config.jira.auth.apiToken : config.jira.auth.token, config.jira.webhookSecret] : []),
  ];
}
