import type { View } from '@slack/types';
import { isPrivate, type Incident } from '../../incidents/incident.js';
import { DEFAULT_TEMPLATES, type Audience, type Policy } from '../../policy/schema.js';
import { effectivePriority } from '../../triage/priority.js';
import { Callback } from '../ids.js';
import { esc, incidentRef, mrkdwn, plain, slackDate, truncate, user } from './format.js';

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

export interface UpdateDraft {
  incidentId: string;
  status: string;
  message: string;
  nextUpdateInMinutes: number | null;
  audiences: Audience[];
}

/** Fills a template's {placeholders}; unknown placeholders are left as written. */
export function fillTemplate(template: string, vars: Record<string, string>): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, key: string) => (key in vars ? vars[key] : whole));
}

/** The text one audience receives for an update. */
export function audienceText(policy: Policy, audience: Audience, incident: Incident, update: { status: string; message: string; nextUpdateAt: Date | null }): string {
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

/** Where an audience's message goes, for the preview. */
function destination(policy: Policy, audience: Audience): string {
  if (audience === 'technical') return 'this incident channel';
  const c = policy.comms[audience];
  return [c.channel ? `<#${c.channel}>` : '', c.users?.length ? `DM to ${c.users.map((u) => `<@${u}>`).join(', ')}` : ''].filter(Boolean).join(' and ');
}

/** The preview pushed over the update form: exactly what each audience will receive. */
export function updatePreview(policy: Policy, incident: Incident, draft: UpdateDraft, now: Date): View {
  const nextUpdateAt = draft.nextUpdateInMinutes ? new Date(now.getTime() + draft.nextUpdateInMinutes * 60_000) : null;
  const blocks: unknown[] = [{ type: 'section', text: mrkdwn('*Preview* — this is what will be posted. *Back* to edit, *Post update* to send.') }];
  for (const audience of draft.audiences) {
    blocks.push({ type: 'divider' });
    blocks.push({ type: 'context', elements: [mrkdwn(`*${AUDIENCE_LABELS[audience]}* → ${destination(policy, audience)}`)] });
    blocks.push({ type: 'section', text: mrkdwn(audienceText(policy, audience, incident, { status: draft.status, message: draft.message, nextUpdateAt })) });
  }
  if (isPrivate(incident) && draft.audiences.some((a) => a !== 'technical')) {
    blocks.push({ type: 'context', elements: [mrkdwn(':lock: Security incident: channels that are not private are skipped; DMs are sent.')] });
  }
  return {
    type: 'modal',
    callback_id: Callback.updatePreview,
    title: plain('Preview update', 24),
    submit: plain('Post update', 24),
    close: plain('Back', 24),
    private_metadata: JSON.stringify(draft),
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
