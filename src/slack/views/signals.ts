import type { KnownBlock, View } from '@slack/types';
import { incidentRef, isPrivate, type Incident } from '../../incidents/incident.js';
import type { Policy } from '../../policy/schema.js';
import type { Signal, SignalGroup } from '../../signals/signal.js';
import { SignalAction, SignalBlock, SignalCallback } from '../ids.js';
import { SECTION_CHUNK } from './fit.js';
import { esc, field, fitLines, mrkdwn, plain, slackDate, truncate, user } from './format.js';
import { modal, option, selectInput, textInput, type Option } from './kit.js';

const SEVERITY_ICON: Record<string, string> = { critical: ':red_circle:', high: ':large_orange_circle:', warning: ':large_yellow_circle:', info: ':large_blue_circle:' };

function icon(status: 'firing' | 'resolved', severity: string): string {
  return status === 'resolved' ? ':white_check_mark:' : (SEVERITY_ICON[severity] ?? ':large_yellow_circle:');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function linkTo(url: string | null, text: string): string {
  return url ? `<${url}|${esc(text).replace(/\|/g, '¦')}>` : esc(text);
}

/** What happened to the group, in one line. */
function outcome(policy: Policy, g: SignalGroup, incident?: Incident): string | undefined {
  if (g.classification === 'incident' && incident) {
    const ref = incidentRef(policy.number_prefix, incident);
    const how = g.classifiedBy ? `by ${user(g.classifiedBy)}` : 'automatically';
    const where = isPrivate(incident) ? `${ref} (a security incident)` : `${ref}${incident.channelId ? ` <#${incident.channelId}>` : ''}`;
    return `:link: Linked to ${where} ${how}`;
  }
  if (g.classification === 'not_incident') return `:no_entry_sign: Not an incident, per ${user(g.classifiedBy)}: ${esc(truncate(g.classificationReason ?? '', 500))}`;
  if (g.classification === 'security_event') return `:shield: Security event only (no incident), per ${user(g.classifiedBy)}: ${esc(truncate(g.classificationReason ?? '', 500))}`;
  if (g.route.action === 'declare') return ':hourglass_flowing_sand: Declaring an incident (routing rule)…';
  return undefined;
}

/** The triage-channel message for a signal group; repeats update it in place. */
export function signalMessage(policy: Policy, v: { group: SignalGroup; signals: Signal[]; incident?: Incident }): { text: string; blocks: KnownBlock[] } {
  const g = v.group;
  const unlisted = g.unlistedCount > 0 ? ` (${g.unlistedCount} not listed by the sender)` : '';
  const state = g.status === 'firing' ? `*Firing*: ${g.firingCount} of ${plural(g.signalCount, 'alert')}${unlisted}` : `*Resolved* ${g.resolvedAt ? slackDate(g.resolvedAt) : ''}`;
  const facts = [g.severity, g.source, g.service].filter(Boolean).join(' · ');
  const blocks: KnownBlock[] = [
    { type: 'section', text: mrkdwn(`${icon(g.status, g.severity)} *${linkTo(g.link, truncate(g.title, 200))}*\n${esc(facts)}`) },
    {
      type: 'section',
      fields: [
        field(`*Status*\n${state}`),
        field(`*Seen*\n${plural(g.signalCount, 'alert')}, received ${plural(g.deliveryCount, 'time')}`),
        field(`*First seen*\n${slackDate(g.firstSeenAt)}`),
        field(`*Last seen*\n${slackDate(g.lastSeenAt)}`),
      ],
    },
  ];
  if (g.description) blocks.push({ type: 'section', text: mrkdwn(esc(truncate(g.description, 600))) });
  if (g.signalCount > 1 && v.signals.length) {
    const lines = v.signals.map((s) => `${icon(s.status, s.severity)} ${linkTo(s.link, truncate(s.title, 120))}${s.count > 1 ? ` ×${s.count}` : ''}`);
    // Alerts the sender left out (Alertmanager's truncatedAlerts) are said apart from those we cut.
    const leftOut = g.unlistedCount > 0 ? `\n_…and ${g.unlistedCount} more the sender left out_` : '';
    const stored = g.signalCount - g.unlistedCount;
    const listed = fitLines(lines, SECTION_CHUNK - leftOut.length, { hidden: Math.max(0, stored - v.signals.length) }).text;
    blocks.push({ type: 'section', text: mrkdwn(listed + leftOut) });
  }
  const done = outcome(policy, g, v.incident);
  if (done) blocks.push({ type: 'context', elements: [mrkdwn(done)] });
  if (g.classification !== 'incident' && g.route.action !== 'declare') {
    const buttons: any[] = [
      { type: 'button', action_id: SignalAction.declare, text: plain('Declare incident'), value: g.id, style: 'primary' },
      { type: 'button', action_id: SignalAction.link, text: plain('Link to incident'), value: g.id },
    ];
    if (!g.classification) buttons.push({ type: 'button', action_id: SignalAction.dismiss, text: plain('Not an incident'), value: g.id });
    blocks.push({ type: 'actions', block_id: `signal_actions_${g.id}`, elements: buttons });
  }
  const text = `${g.status === 'firing' ? 'Firing' : 'Resolved'}: ${truncate(g.title, 200)} (${g.severity}, ${g.source})`;
  return { text, blocks };
}

/** Open incidents to link a signal to; a security incident shows only its reference. */
export function linkModal(policy: Policy, groupTitle: string, incidents: Incident[], metadata: { groupId: string }): View {
  const options: Option[] = incidents.slice(0, 100).map((i) => option(i.id, isPrivate(i) ? `${incidentRef(policy.number_prefix, i)} · security incident` : `${incidentRef(policy.number_prefix, i)} · ${i.title}`, `${i.severity} · ${i.status}`));
  return modal({
    callbackId: SignalCallback.linkModal,
    title: 'Link to incident',
    submit: 'Link',
    metadata,
    blocks: [
      { type: 'section', text: mrkdwn(`Signal: *${esc(truncate(groupTitle, 300))}*`) },
      selectInput(SignalBlock.incident, 'Incident', options, { placeholder: 'Choose an open incident', hint: incidents.length > 100 ? 'The 100 most recent open incidents.' : undefined }),
    ],
  });
}

/** "Not an incident": noise or a security event recorded without an incident, with the reason. */
export function classifyModal(groupTitle: string, metadata: { groupId: string }): View {
  return modal({
    callbackId: SignalCallback.classifyModal,
    title: 'Not an incident',
    submit: 'Record',
    metadata,
    blocks: [
      { type: 'section', text: mrkdwn(`Signal: *${esc(truncate(groupTitle, 300))}*`) },
      selectInput(
        SignalBlock.classification,
        'Classification',
        [option('not_incident', 'Not an incident', 'False positive, expected, or noise'), option('security_event', 'Security event only', 'Recorded for security, no incident response needed')],
        { radio: true, initial: 'not_incident' },
      ),
      textInput(SignalBlock.reason, 'Reason', { multiline: true, max: 2000, placeholder: 'Planned maintenance on db-3; alert expected until 14:00.' }),
    ],
  });
}
