import type { KnownBlock } from '@slack/types';
import { contractMinutes, dependentsOf, tierLabel, type CatalogService, type Vendor } from '../../catalog/catalog.js';
import type { Change } from '../../changes/change.js';
import { incidentRef, isPrivate, type Incident } from '../../incidents/incident.js';
import type { Policy } from '../../policy/schema.js';
import { effectivePriority } from '../../triage/priority.js';
import { Block } from '../ids.js';
import { statusLabel } from './card.js';
import { BlockLimit, listBlocks, roomLeft, SECTION_CHUNK } from './fit.js';
import { channel, duration, esc, fitLines, mrkdwn, plain, statusEmoji, truncate } from './format.js';
import { option, textInput, type Option } from './kit.js';

/** Above this many options a static select is not allowed: the list is searched through the options handler. */
export const STATIC_SELECT_MAX = 100;

/** A user group as mrkdwn: a mention for an id (S…), the handle otherwise. */
export function usergroupText(group: string): string {
  return /^S[A-Z0-9]+$/.test(group) ? `<!subteam^${group}>` : `@${group}`;
}

export function serviceOption(s: CatalogService): Option {
  return option(s.name, s.name, [tierLabel(s.tier), s.owner ? `@${s.owner}` : ''].filter(Boolean).join(' · '));
}

/**
 * The affected-services input: free text with an empty catalog; with one, a searchable multi-select
 * grouped by tier (or, above 100 services, one backed by the options handler).
 */
export function servicesInput(policy: Policy, opts: { initial?: string[]; optional?: boolean; label?: string } = {}) {
  const label = opts.label ?? 'Affected service(s)';
  const initial = opts.initial ?? [];
  if (!policy.services.length) {
    return textInput(Block.services, label, { optional: opts.optional ?? true, initial: initial.join(', ') || undefined, placeholder: 'checkout, payments-api', hint: 'Comma-separated', max: 500 });
  }
  const known = new Map(policy.services.map((s) => [s.name, s]));
  // Names on the incident that are not in the catalog stay selectable, so saving does not drop them.
  const extras = initial.filter((n) => !known.has(n)).map((n) => option(n, n, 'not in the catalog'));
  const initialOptions = initial.map((n) => (known.has(n) ? serviceOption(known.get(n)!) : option(n, n, 'not in the catalog')));
  const base = { type: 'input' as const, block_id: Block.services, optional: opts.optional ?? true, label: plain(label, 2000) };
  if (policy.services.length + extras.length > STATIC_SELECT_MAX) {
    return {
      ...base,
      hint: plain('Type to search the service catalog', 2000),
      element: { type: 'multi_external_select' as const, action_id: Block.services, min_query_length: 0, placeholder: plain('Search services', 150), ...(initialOptions.length ? { initial_options: initialOptions } : {}) },
    };
  }
  const groups = [1, 2, 3, 4]
    .map((tier) => ({ label: plain(tierLabel(tier), 75), options: policy.services.filter((s) => s.tier === tier).map(serviceOption) }))
    .filter((g) => g.options.length);
  if (extras.length) groups.push({ label: plain('Not in the catalog', 75), options: extras });
  return {
    ...base,
    element: { type: 'multi_static_select' as const, action_id: Block.services, placeholder: plain('Choose services', 150), option_groups: groups, ...(initialOptions.length ? { initial_options: initialOptions } : {}) },
  };
}

/** One incident as a line: security incidents without their title, exercises marked. */
export function incidentLine(policy: Policy, i: Incident): string {
  const title = isPrivate(i) ? ':lock: _security incident_' : esc(truncate(i.title, 80));
  const drill = i.isDrill ? ':performing_arts: EXERCISE · ' : '';
  return `${statusEmoji(i.status)} ${drill}*${incidentRef(policy.number_prefix, i)}* ${title} · ${effectivePriority(policy, i)} · ${statusLabel(i)} · ${channel(i.channelId)}`;
}

function vendorLine(v: Vendor, policy: Policy): string {
  const byPriority = policy.priorities.filter((p) => v.response_minutes_by_priority?.[p.id]).map((p) => `${p.id} ${duration(contractMinutes(v, p.id) * 60_000)}`);
  const contract = `responds within ${duration(v.response_minutes * 60_000)}${byPriority.length ? ` (${byPriority.join(', ')})` : ''}`;
  const contacts = v.contacts.length ? ` · ${v.contacts.map(esc).join(', ')}` : '';
  const portal = v.portal ? ` · <${v.portal}|portal>` : '';
  return `*${esc(v.name)}* ${contract}${contacts}${portal}`;
}

/** `/incident services <name>`: the service, who owns it, what it needs, and what is burning on it. */
export function serviceDetail(
  policy: Policy,
  s: CatalogService,
  ctx: { open: Incident[]; upstream: Incident[]; changes: Change[]; changeLine: (c: Change) => string },
): { text: string; blocks: KnownBlock[] } {
  const dependents = dependentsOf(policy, s.name).map((d) => d.name);
  const vendors = policy.vendors.filter((v) => s.vendors.some((n) => n.toLowerCase() === v.name.toLowerCase()));
  const facts = [
    `*Owner* ${s.owner ? usergroupText(s.owner) : '_none_'} · *${tierLabel(s.tier)}*`,
    `*Depends on* ${s.depends_on.join(', ') || '_nothing in the catalog_'} · *Needed by* ${dependents.join(', ') || '_nothing in the catalog_'}`,
    `*Runbook* ${s.runbook ? `<${s.runbook}|${esc(truncate(s.runbook, 80))}>` : '_none_'}`,
  ];
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(`Service: ${s.name}`, 150) },
    ...(s.description ? [{ type: 'section' as const, text: mrkdwn(esc(s.description)) }] : []),
    { type: 'section', text: mrkdwn(facts.join('\n')) },
  ];
  // Each list is its own section, shortened with "… and N more" to fit the section and what is left of the message.
  const list = (heading: string, lines: string[], max: number) => {
    const room = Math.min(SECTION_CHUNK, roomLeft('message', blocks).chars) - heading.length - 1;
    const fitted = fitLines(lines.slice(0, max), room, { hidden: Math.max(0, lines.length - max) });
    if (fitted.shown) blocks.push({ type: 'section', text: mrkdwn(`${heading}\n${fitted.text}`) });
  };
  if (vendors.length) list('*Vendors*', vendors.map((v) => `• ${vendorLine(v, policy)}`), 10);
  if (ctx.open.length) list(`*Open incidents (${ctx.open.length})*`, ctx.open.map((i) => incidentLine(policy, i)), 15);
  else blocks.push({ type: 'section', text: mrkdwn(`*Open incidents (0)*\n_none_ :tada:`) });
  if (ctx.upstream.length) list('*Open incidents on what it depends on*', ctx.upstream.map((i) => `${incidentLine(policy, i)} (${esc(truncate(i.services.join(', '), 200))})`), 10);
  if (ctx.changes.length) list(`*Changes in the last ${policy.changes.lookback_hours} h*`, ctx.changes.map(ctx.changeLine), 10);
  return { text: `Service ${s.name}: ${ctx.open.length} open incident(s)`, blocks };
}

/** `/incident services`: the catalog by tier, with open incident counts. */
export function serviceList(policy: Policy, openCounts: Map<string, number>): { text: string; blocks: KnownBlock[] } {
  if (!policy.services.length) {
    const text = 'The service catalog is empty: list services under `services:` in the policy file to get owners, runbooks and searchable forms.';
    return { text, blocks: [{ type: 'section', text: mrkdwn(text) }] };
  }
  const line = (s: CatalogService) => {
    const n = openCounts.get(s.name) ?? 0;
    return `• *${s.name}*${s.owner ? ` · ${usergroupText(s.owner)}` : ''}${n ? ` · :rotating_light: ${n} open` : ''}`;
  };
  // A large catalog does not fit one message: then each tier lists only its services with open incidents.
  const full = policy.services.map(line).join('\n').length <= BlockLimit.messageText - 1000;
  const lines: string[] = [];
  for (const tier of [1, 2, 3, 4]) {
    const inTier = policy.services.filter((s) => s.tier === tier);
    const shown = full ? inTier : inTier.filter((s) => openCounts.get(s.name));
    if (!inTier.length) continue;
    lines.push(`*${tierLabel(tier)}*`, ...shown.map(line));
    if (shown.length < inTier.length) lines.push(`_${inTier.length - shown.length} more without open incidents_`);
  }
  const { blocks } = listBlocks({
    head: [{ type: 'header', text: plain(`Service catalog (${policy.services.length})`, 150) }],
    lines,
    footer: (shown) => {
      const left = lines.slice(shown).filter((l) => l.startsWith('• ')).length;
      return `${left ? `_… and ${left} more services._ ` : ''}\`/incident services <name>\` shows one service with its open incidents and recent changes.`;
    },
  });
  return { text: `Service catalog: ${policy.services.length} services`, blocks };
}
