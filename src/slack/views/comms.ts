import type { View } from '@slack/types';
import { incidentRef, isPrivate, type Incident } from '../../incidents/incident.js';
import { DEFAULT_TEMPLATES, type Audience, type Policy } from '../../policy/schema.js';
import { effectivePriority } from '../../triage/priority.js';
import type { UpdateDraft } from '../../incidents/update-drafts.js';
import type { TimelineEventOf } from '../../timeline/timeline.js';
import { Callback } from '../ids.js';
import { esc, mrkdwn, plain, slackDate, statusEmoji, truncate, user } from './format.js';

export const AUDIENCES: Audience[] = ['technical', 'business', 'executive'];

export const AUDIENCE_LABELS: Record<Audience, string> = {
  technical: 'Technical (this channel)',
  business: 'Business stakeholders',
  executive: 'Executive summary',
};

/** Audiences that have somewhere to go: technical always; the others when the policy names a channel or people. */
export function configuredAudiences(policy: Policy): Audience[] {
  return AUDIENCES.filter((a) => a === 'technical' || Boolean(policy.comms[a].channel || policy.comms[a].users?.length));
}

/** What an audience's message is made from. */
export interface AudienceUpdate {
  status: string;
  message: string;
  nextUpdateAt: Date | null;
}

/** The update behind a timeline event: an update, or a resolution (its summary is the message). */
export function updateFromEvent(e: TimelineEventOf<'update' | 'resolved'>): AudienceUpdate {
  if (e.kind === 'resolved') return { status: 'resolved', message: e.payload.summary, nextUpdateAt: null };
  return { status: e.payload.status, message: e.payload.message, nextUpdateAt: e.payload.next_update_at ? new Date(e.payload.next_update_at) : null };
}

/** Fills a template's {placeholders}; unknown placeholders are left as written. */
export function fillTemplate(template: string, vars: Record<string, string>): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, key: string) => (key in vars ? vars[key] : whole));
}

/** The text one audience receives for an update. */
export function audienceText(policy: Policy, audience: Audience, incident: Incident, update: AudienceUpdate): string {
  const template = policy.comms[audience].template ?? DEFAULT_TEMPLATES[audience];
  return truncate(
    fillTemplate(template, {
      ref: incidentRef(policy.number_prefix, incident),
      title: esc(incident.title),
      priority: effectivePriority(policy, incident),
      severity: incident.severity,
      status: update.status,
      impact: esc(incident.businessImpact ?? 'not assessed yet'),
      message: esc(update.message),
      next_update: update.nextUpdateAt ? slackDate(update.nextUpdateAt) : 'none planned',
      commander: user(incident.commanderId),
      channel: incident.channelId ? `<#${incident.channelId}>` : '',
    }),
    3000,
  );
}

/** The body of the incident channel's post for an update, or for the resolution. */
export function channelUpdateText(policy: Policy, incident: Incident, update: AudienceUpdate): string {
  if (update.status === 'resolved') return truncate(`:white_check_mark: *${incidentRef(policy.number_prefix, incident)} resolved*\n${esc(update.message)}`, 3000);
  return truncate(`${statusEmoji(update.status)} ${audienceText(policy, 'technical', incident, update)}`, 3000);
}

/** Where an audience's message goes, for the preview. */
function destination(policy: Policy, audience: Audience): string {
  if (audience === 'technical') return 'this incident channel';
  const c = policy.comms[audience];
  return [c.channel ? `<#${c.channel}>` : '', c.users?.length ? `DM to ${c.users.map((u) => `<@${u}>`).join(', ')}` : ''].filter(Boolean).join(' and ');
}

/**
 * The preview pushed over the update form: exactly what each audience will receive, the channel first.
 * Only the draft's id travels in private_metadata (the draft itself is stored), so the view stays
 * within Slack's 3,000 characters whatever was typed.
 */
export function updatePreview(policy: Policy, incident: Incident, draft: Omit<UpdateDraft, 'authorId' | 'expiresAt'>, now: Date, opts: { thenPublic?: boolean } = {}): View {
  const nextUpdateAt = draft.nextUpdateInMinutes && draft.status !== 'resolved' ? new Date(now.getTime() + draft.nextUpdateInMinutes * 60_000) : null;
  const update = { status: draft.status, message: draft.message, nextUpdateAt };
  const what = draft.status === 'resolved' ? 'resolution' : 'update';
  const blocks: unknown[] = [{ type: 'section', text: mrkdwn(`*Preview* — this is what will be posted. *Back* to edit, *Post ${what}* to send.`) }];
  for (const audience of ['technical' as const, ...draft.audiences.filter((a) => a !== 'technical')]) {
    blocks.push({ type: 'divider' });
    blocks.push({ type: 'context', elements: [mrkdwn(`*${AUDIENCE_LABELS[audience]}* → ${destination(policy, audience)}`)] });
    blocks.push({ type: 'section', text: mrkdwn(audience === 'technical' ? channelUpdateText(policy, incident, update) : audienceText(policy, audience, incident, update)) });
  }
  if (opts.thenPublic) blocks.push({ type: 'context', elements: [mrkdwn(':globe_with_meridians: Next: the public status page post, written for customers.')] });
  if (isPrivate(incident) && draft.audiences.some((a) => a !== 'technical')) {
    blocks.push({ type: 'context', elements: [mrkdwn(':lock: Security incident: channels that are not private are skipped; DMs are sent.')] });
  }
  return {
    type: 'modal',
    callback_id: Callback.updatePreview,
    title: plain(draft.status === 'resolved' ? 'Preview resolution' : 'Preview update', 24),
    submit: plain(`Post ${what}`, 24),
    close: plain('Back', 24),
    private_metadata: JSON.stringify({ draftId: draft.id, ...(opts.thenPublic ? { thenPublic: true } : {}) }),
    blocks,
  } as View;
}

/** Shown in place of the preview when posting failed; closing it returns to the form. */
export function updatePreviewError(reason: string): View {
  return {
    type: 'modal',
    callback_id: Callback.updatePreview,
    title: plain('Update not posted', 24),
    close: plain('Back', 24),
    blocks: [{ type: 'section', text: mrkdwn(`:warning: ${reason}`) }],
  } as View;
}
