import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebClient } from '@slack/web-api';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { appScopes, COMMANDS_SCOPE, EVENT_SCOPES, SLACK_METHOD_RULES } from './support/slack-scopes.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every Web API method @slack/web-api knows (`chat.postMessage`…), read from its client's method tree. */
function knownMethods(): Set<string> {
  const out = new Set<string>();
  const walk = (o: Record<string, unknown>, prefix: string, depth: number) => {
    for (const [k, v] of Object.entries(o)) {
      const name = prefix ? `${prefix}.${k}` : k;
      if (typeof v === 'function' && prefix) out.add(name);
      else if (v && typeof v === 'object' && depth < 4 && !['logger', 'requestQueue', 'retryConfig', 'defaultHeaders', '_events'].includes(k)) walk(v as Record<string, unknown>, name, depth + 1);
    }
  };
  walk(new WebClient() as unknown as Record<string, unknown>, '', 0);
  return out;
}
const KNOWN = knownMethods();

/** The helper that is two Web API calls. */
const HELPERS: Record<string, string[]> = { filesUploadV2: ['files.getUploadURLExternal', 'files.completeUploadExternal'], 'files.uploadV2': ['files.getUploadURLExternal', 'files.completeUploadExternal'] };

export interface SlackUsage {
  /** Web API method → files calling it. */
  methods: Map<string, Set<string>>;
  /** Event listened to (`app.event('…')`) → files. */
  events: Map<string, Set<string>>;
  /** Slash commands or shortcuts are registered. */
  interactive: boolean;
}

/** What Slack surface some source text uses: `client.<family>.<method>(`, `apiCall('…')`, `app.event('…')`… */
export function scanSource(files: { file: string; text: string }[]): SlackUsage {
  const usage: SlackUsage = { methods: new Map(), events: new Map(), interactive: false };
  const add = (map: Map<string, Set<string>>, key: string, file: string) => map.set(key, (map.get(key) ?? new Set()).add(file));
  for (const { file, text } of files) {
    // Any receiver whose name ends in "client" (client, this.client, deps.client, ctx.client, app.client).
    for (const m of text.matchAll(/client\s*\??\.\s*((?:[A-Za-z0-9]+\s*\.\s*)*[A-Za-z0-9]+)\s*\(/gi)) {
      const name = m[1].replace(/\s+/g, '');
      if (name === 'apiCall' || name === 'paginate') continue;
      const calls = HELPERS[name] ?? (name.includes('.') ? [name] : []);
      for (const method of calls) add(usage.methods, method, file);
    }
    for (const m of text.matchAll(/\.(?:apiCall|paginate)\(\s*['"`]([\w.]+)['"`]/g)) add(usage.methods, m[1], file);
    for (const m of text.matchAll(/\.event\(\s*['"`]([\w.]+)['"`]/g)) add(usage.events, m[1], file);
    // Message listeners subscribe to message.* events: they must be declared in EVENT_SCOPES like any event.
    if (/\bapp\.message\(/.test(text)) add(usage.events, 'message', file);
    if (/\.(?:command|shortcut)\(/.test(text)) usage.interactive = true;
  }
  return usage;
}

const usage = scanSource(sourceFiles(path.join(root, 'src')).map((file) => ({ file: path.relative(root, file), text: readFileSync(file, 'utf8') })));
const manifest = parse(readFileSync(path.join(root, 'manifest.yml'), 'utf8')) as {
  oauth_config: { scopes: { bot: string[] } };
  settings: { event_subscriptions?: { bot_events?: string[] } };
  features: { slash_commands?: unknown[]; shortcuts?: unknown[] };
};
const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();
const where = (map: Map<string, Set<string>>, key: string) => [...(map.get(key) ?? [])].join(', ');

describe('the scanner', () => {
  it('finds Web API calls, helpers, events and commands however the client is reached', () => {
    const found = scanSource([
      {
        file: 'x.ts',
        text: `await deps.client.chat.postMessage({}); await this.client.usergroups.users.list(); await ctx.client?.views.open({});
               await client.filesUploadV2({}); await client.apiCall('pins.remove', {}); app.event('member_joined_channel', h); app.message(/x/, h);
               app.command('/x', h); deps.reminders.list(); rule.users.includes('U1');`,
      },
    ]);
    expect(sorted(found.methods.keys())).toEqual(['chat.postMessage', 'files.completeUploadExternal', 'files.getUploadURLExternal', 'pins.remove', 'usergroups.users.list', 'views.open']);
    expect(sorted(found.events.keys())).toEqual(['member_joined_channel', 'message']);
    expect(found.interactive).toBe(true);
  });
});

describe('manifest.yml and the code', () => {
  it('sees the app\'s real Slack surface (the scan is not blind)', () => {
    for (const m of ['chat.postMessage', 'conversations.create', 'views.open', 'files.getUploadURLExternal']) expect(usage.methods.has(m), m).toBe(true);
    expect(usage.events.has('reaction_added')).toBe(true);
    expect(usage.interactive).toBe(true);
  });

  it('knows the scopes of every Web API method the code calls, and of no other', () => {
    const called = sorted(usage.methods.keys());
    const unknown = called.filter((m) => !KNOWN.has(m));
    expect(unknown.map((m) => `${m} (in ${where(usage.methods, m)}) is not a Slack Web API method`)).toEqual([]);
    const untabled = called.filter((m) => !(m in SLACK_METHOD_RULES));
    expect(untabled.map((m) => `${m} (in ${where(usage.methods, m)}) has no entry in test/support/slack-scopes.ts: look its scopes up in Slack's method reference`)).toEqual([]);
    expect(sorted(Object.keys(SLACK_METHOD_RULES)).filter((m) => !usage.methods.has(m)).map((m) => `${m} is no longer called: remove it from test/support/slack-scopes.ts`)).toEqual([]);
  });

  it('subscribes to exactly the events the code listens to', () => {
    const handled = sorted(usage.events.keys());
    expect(handled.filter((e) => !(e in EVENT_SCOPES)).map((e) => `${e} (in ${where(usage.events, e)}) has no entry in EVENT_SCOPES`)).toEqual([]);
    expect(sorted(Object.keys(EVENT_SCOPES)).filter((e) => !usage.events.has(e)).map((e) => `${e} is no longer handled: remove it from EVENT_SCOPES`)).toEqual([]);
    const needed = sorted(handled.flatMap((e) => EVENT_SCOPES[e]?.subscriptions ?? []));
    expect(sorted(manifest.settings.event_subscriptions?.bot_events ?? [])).toEqual(needed);
  });

  it('requests exactly the scopes the code needs', () => {
    const needed = sorted([
      ...[...usage.methods.keys()].flatMap((m) => appScopes(m) ?? []),
      ...[...usage.events.keys()].flatMap((e) => EVENT_SCOPES[e]?.scopes ?? []),
      ...(usage.interactive ? [COMMANDS_SCOPE] : []),
    ]);
    expect(sorted(manifest.oauth_config.scopes.bot)).toEqual(needed);
    expect(usage.interactive).toBe(Boolean(manifest.features.slash_commands?.length || manifest.features.shortcuts?.length));
  });

  it('the README\'s Slack app section lists the same scopes and events', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Create the Slack app'), readme.indexOf('\n## ', readme.indexOf('## Create the Slack app') + 1));
    const scopes = [...section.matchAll(/^\| `([a-z.:_]+)` \|/gm)].map((m) => m[1]);
    expect(sorted(scopes)).toEqual(sorted(manifest.oauth_config.scopes.bot));
    const events = /^Events: (.+)$/m.exec(section)?.[1] ?? '';
    expect(sorted([...events.matchAll(/`([a-z_.]+)`/g)].map((m) => m[1]))).toEqual(sorted(manifest.settings.event_subscriptions?.bot_events ?? []));
  });
});
