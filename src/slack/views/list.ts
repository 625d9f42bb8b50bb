import type { KnownBlock } from '@slack/types';
import { incidentRef, isPrivate, type Incident } from '../../incidents/incident.js';
import type { Policy } from '../../policy/schema.js';
import { statusLabel } from './card.js';
import { listBlocks } from './fit.js';
import { channel, esc, mrkdwn, slackDate, statusEmoji, truncate } from './format.js';

export const LIST_PAGE_SIZE = 40;

/** `/incident list`: one line per incident, newest first. Security incidents show no title. */
export function incidentList(policy: Policy, incidents: Incident[], opts: { all: boolean; total: number; type?: string }): { text: string; blocks: KnownBlock[] } {
  const heading = `${opts.all ? 'All incidents' : 'Open incidents'}${opts.type ? ` of type ${opts.type}` : ''}`;
  if (!incidents.length) {
    const text = opts.type ? `No ${opts.all ? '' : 'open '}incidents of type ${esc(opts.type)} (private incidents are not listed by type).` : opts.all ? 'No incidents yet.' : 'No open incidents. :tada:  (`/incident list all` shows closed ones too.)';
    return { text, blocks: [{ type: 'section', text: mrkdwn(text) }] };
  }
  const lines = incidents.map((i) => {
    const ref = incidentRef(policy.number_prefix, i);
    const title = isPrivate(i) ? ':lock: _security incident_' : esc(truncate(i.title, 80));
    const type = i.type && !isPrivate(i) ? ` · ${esc(i.type)}` : '';
    return `${statusEmoji(i.status)} ${i.isDrill ? ':performing_arts: EXERCISE · ' : ''}*${ref}* ${title}${type} · ${i.severity} · ${statusLabel(i)} · ${channel(i.channelId)} · ${slackDate(i.declaredAt, '{date_short} {time}')}`;
  });
  const { blocks } = listBlocks({
    head: [{ type: 'header', text: { type: 'plain_text', text: `${heading} (${opts.total})` } }],
    lines,
    footer: (shown) => (shown < opts.total ? `Showing the newest ${shown} of ${opts.total}.` : undefined),
  });
  return { text: `${heading}: ${opts.total}`, blocks };
}
