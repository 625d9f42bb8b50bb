import type { KnownBlock, View } from '@slack/types';
import { incidentRef, isPrivate, type Incident } from '../../incidents/incident.js';
import { DEFAULT_PUBLIC_TEMPLATES, type StatusPagePolicy } from '../../policy/status-page-schema.js';
import { COMPONENT_STATES, PUBLIC_STATUSES, STATE_LABELS, STATUS_LABELS, type PublicComponentState, type PublicIncidentStatus, type StatusPost } from '../../status/post.js';
import { PUBLIC_BODY_MAX, PUBLIC_TITLE_MAX } from '../../status/service.js';
import { StatusAction, StatusBlock, StatusCallback } from '../ids.js';
import { fillTemplate } from './comms.js';
import { esc, escCut, mrkdwn, plain, truncate, user } from './format.js';
import { checkboxInput, modal, option, selectInput, textInput } from './kit.js';

const NOT_AFFECTED = 'none';

/** What the form starts with. */
export interface PostFormInitial {
  status: PublicIncidentStatus;
  title: string;
  body: string;
  /** Components named, with their state; the others start "not affected". */
  states: Map<string, PublicComponentState>;
}

export interface PostFormMetadata {
  incidentId: string;
}

/** What the form starts with for an incident: its page state so far, or the components its services suggest. */
export function postFormInitial(
  page: StatusPagePolicy,
  incident: Incident,
  opts: { status: string; message: string; suggested: string[]; current?: { title: string; states: Map<string, PublicComponentState> } },
): PostFormInitial {
  const status: PublicIncidentStatus = (PUBLIC_STATUSES as readonly string[]).includes(opts.status) ? (opts.status as PublicIncidentStatus) : 'investigating';
  // A private incident starts blank: whatever is said about it publicly is written for the public.
  const secret = isPrivate(incident);
  const title = opts.current?.title ?? (secret ? '' : incident.title);
  const states = new Map(opts.current?.states ?? opts.suggested.map((name) => [name, 'partial_outage' as PublicComponentState]));
  if (status === 'resolved') for (const name of states.keys()) states.set(name, 'operational');
  const components = [...states.keys()].join(', ') || 'our service';
  const body = secret ? '' : fillTemplate(page.template ?? DEFAULT_PUBLIC_TEMPLATES[status], { title, status: STATUS_LABELS[status], message: opts.message, components });
  return { status, title, body: truncate(body, PUBLIC_BODY_MAX), states };
}

/** The public post form: status, each component's state, the public title and text. */
export function postModal(page: StatusPagePolicy, opts: { ref: string; initial: PostFormInitial; metadata: PostFormMetadata; pageUrl: string }): View {
  const { initial } = opts;
  const stateOptions = [option(NOT_AFFECTED, 'Not affected'), ...COMPONENT_STATES.map((s) => option(s, STATE_LABELS[s]))];
  return modal({
    callbackId: StatusCallback.postModal,
    title: `Status page · ${opts.ref}`,
    submit: 'Preview',
    metadata: opts.metadata,
    blocks: [
      { type: 'context', elements: [mrkdwn(`For the public <${opts.pageUrl}|status page>: write for customers, with no internal names, channels or people. Nothing is public until it is approved.`)] },
      selectInput(StatusBlock.status, 'Public status', PUBLIC_STATUSES.map((s) => option(s, STATUS_LABELS[s])), { initial: initial.status }),
      ...page.components.map((c, i) => selectInput(`${StatusBlock.component}:${i}`, c.name, stateOptions, { initial: initial.states.get(c.name) ?? NOT_AFFECTED, hint: c.description })),
      textInput(StatusBlock.title, 'Public title', { initial: initial.title || undefined, max: PUBLIC_TITLE_MAX, placeholder: 'Checkout is slow for some customers' }),
      textInput(StatusBlock.body, 'Public text', { multiline: true, initial: initial.body || undefined, max: PUBLIC_BODY_MAX, placeholder: 'What customers notice, what we are doing, when we will say more.' }),
      checkboxInput(StatusBlock.notify, 'Subscribers', 'Notify status page subscribers', { checked: true }),
    ],
  });
}

/** The components chosen in a submitted form (a state per component, "not affected" left out). */
export function chosenComponents(page: StatusPagePolicy, selected: (blockId: string) => string | undefined): { name: string; state: string }[] {
  return page.components.flatMap((c, i) => {
    const state = selected(`${StatusBlock.component}:${i}`);
    return state && state !== NOT_AFFECTED ? [{ name: c.name, state }] : [];
  });
}

/** The post as the public will read it. */
function postBlocks(post: StatusPost): KnownBlock[] {
  const components = post.components.length ? post.components.map((c) => `${esc(c.name)}: *${STATE_LABELS[c.state]}*`).join(' · ') : '_No component named_';
  return [
    { type: 'section', text: mrkdwn(`*${escCut(post.title, 300)}*\n*${STATUS_LABELS[post.status]}* — ${escCut(post.body, 2500)}`) },
    { type: 'context', elements: [mrkdwn(truncate(components, 2000))] },
  ];
}

/** The preview pushed over the form: exactly what goes on the page, and who must approve it. */
export function postPreview(post: StatusPost, opts: { approvers: string[] | null }): View {
  const next = opts.approvers
    ? `*Ask for approval* posts it in the incident channel for the ${opts.approvers.join(' or ')} (not you) to approve. Nothing is public before that.`
    : '*Publish* puts it on the status page now.';
  return {
    type: 'modal',
    callback_id: StatusCallback.postPreview,
    title: plain('Preview public post', 24),
    submit: plain(opts.approvers ? 'Ask for approval' : 'Publish', 24),
    close: plain('Back', 24),
    private_metadata: JSON.stringify({ postId: post.id }),
    blocks: [{ type: 'section', text: mrkdwn(`*Preview* — this is what the public will read. ${next}`) }, { type: 'divider' }, ...postBlocks(post)],
  } as View;
}

export function postPreviewError(reason: string): View {
  return { type: 'modal', callback_id: StatusCallback.postPreview, title: plain('Not published', 24), close: plain('Back', 24), blocks: [{ type: 'section', text: mrkdwn(`:warning: ${reason}`) }] } as View;
}

/** The approval request in the incident channel: the post, and the button while it waits. */
export function approvalMessage(post: StatusPost, opts: { approvers: string[]; pageUrl: string }): { text: string; blocks: KnownBlock[] } {
  const head = post.state === 'published'
    ? `:white_check_mark: *Published on the <${opts.pageUrl}|status page>*${post.approvedBy ? `, approved by ${user(post.approvedBy)}` : ''}`
    : `:globe_with_meridians: *Status page post waiting for approval* — proposed by ${user(post.authorId)}; the ${opts.approvers.join(' or ')} (not the author) can approve it.`;
  const blocks: KnownBlock[] = [{ type: 'section', text: mrkdwn(head) }, ...postBlocks(post)];
  if (post.state === 'pending') {
    blocks.push({ type: 'actions', elements: [{ type: 'button', action_id: StatusAction.approve, value: post.id, style: 'primary', text: plain('Approve and publish'), confirm: { title: plain('Publish it?'), text: plain('It goes on the public status page at once and cannot be taken back.', 300), confirm: plain('Publish'), deny: plain('Not yet') } }] });
  }
  return { text: post.state === 'published' ? `Published on the status page: ${post.title}` : `Status page post waiting for approval: ${post.title}`, blocks };
}

/** Told in the channel whenever the page changed because of this incident. */
export function pageChangedMessage(post: StatusPost, pageUrl: string): { text: string; blocks: KnownBlock[] } {
  const text = `:globe_with_meridians: The <${pageUrl}|status page> now shows *${STATUS_LABELS[post.status]}*: ${escCut(post.title, 300)}`;
  return { text: `The status page now shows ${STATUS_LABELS[post.status]}: ${post.title}`, blocks: [{ type: 'section', text: mrkdwn(text) }] };
}

/** After resolving: the page still shows the incident open; one button opens the "resolved" post. */
export function proposeResolvedMessage(incident: Incident, prefix: string, status: PublicIncidentStatus): { text: string; blocks: KnownBlock[] } {
  const ref = incidentRef(prefix, incident);
  const text = `${ref} is resolved, but the public status page still shows it as *${STATUS_LABELS[status]}*.`;
  return {
    text: `${ref} is resolved; the status page still shows it as ${STATUS_LABELS[status]}.`,
    blocks: [
      { type: 'section', text: mrkdwn(`:globe_with_meridians: ${text}`) },
      { type: 'actions', elements: [{ type: 'button', action_id: StatusAction.openResolved, value: incident.id, style: 'primary', text: plain('Post "resolved" publicly') }] },
    ],
  };
}

/** Statuspage keeps failing a published post: the channel hears it once (the outbox keeps retrying). */
export function connectorFailingMessage(post: StatusPost, error: string): { text: string; blocks: KnownBlock[] } {
  const text = `:warning: Atlassian Statuspage has not taken the post "${escCut(post.title, 200)}" (${STATUS_LABELS[post.status]}) yet: ${escCut(error, 500)}. Our own status page shows it; the bot keeps retrying.`;
  return { text: `Statuspage has not taken the post "${post.title}" yet`, blocks: [{ type: 'section', text: mrkdwn(text) }] };
}
