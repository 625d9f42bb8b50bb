import type { KnownBlock, View } from '@slack/types';
import type { Policy } from '../../policy/schema.js';
import { problemRef, type Problem, type ProblemFields } from '../../problems/problem.js';
import { PROBLEM_TITLE_MAX } from '../../problems/service.js';
import { FollowUpBlock, FollowUpCallback } from '../ids.js';
import { incidentRef } from '../../incidents/incident.js';
import { listBlocks } from './fit.js';
import { channel, esc, escCut, field, mrkdwn, plain, slackDate, truncate, user } from './format.js';
import { modal, textInput, userInput } from './kit.js';

/** What the problem form carries to its submission. */
export interface ProblemModalMetadata {
  /** Opening a new problem from this incident… */
  incidentId?: string;
  /** …or editing this one. */
  problemId?: string;
}

/** The problem form: new (prefilled from the incident) or editing an existing record. */
export function problemModal(o: { heading: string; fields: Partial<ProblemFields> & { ownerId: string }; metadata: ProblemModalMetadata }): View {
  const f = o.fields;
  return modal({
    callbackId: FollowUpCallback.problemModal,
    title: o.heading,
    submit: o.metadata.problemId ? 'Save' : 'Open problem',
    metadata: o.metadata,
    blocks: [
      textInput(FollowUpBlock.problemTitle, 'Title', { initial: f.title ? truncate(f.title, PROBLEM_TITLE_MAX) : undefined, max: PROBLEM_TITLE_MAX }),
      textInput(FollowUpBlock.problemDescription, 'What is not understood yet?', { multiline: true, optional: true, max: 3000, initial: f.description, placeholder: 'Symptoms, suspects, what was ruled out' }),
      textInput(FollowUpBlock.problemKnownError, 'Known error', { multiline: true, optional: true, max: 3000, initial: f.knownError, hint: 'The cause, once known. With a workaround it makes this a known error.' }),
      textInput(FollowUpBlock.problemWorkaround, 'Workaround', { multiline: true, optional: true, max: 3000, initial: f.workaround }),
      userInput(FollowUpBlock.problemOwner, 'Problem owner', { initial: f.ownerId }),
    ],
  });
}

const STATUS: Record<Problem['status'], string> = { open: ':mag: open', known_error: ':wrench: known error', resolved: ':white_check_mark: resolved' };

function incidents(policy: Policy, p: Problem): string {
  return p.incidents.map((i) => incidentRef(policy.number_prefix, i)).join(', ') || '—';
}

/** `/incident problems`: open records, private ones without details. */
export function problemList(policy: Policy, problems: Problem[], total: number): { text: string; blocks: KnownBlock[] } {
  if (!problems.length) return { text: 'No open problem records.', blocks: [{ type: 'section', text: mrkdwn('No open problem records. `/incident problem` in a resolved incident\'s channel opens one.') }] };
  const lines = problems.map((p) =>
    p.private
      ? `*${problemRef(p)}* :lock: _restricted (security)_ · ${STATUS[p.status]} · owner ${user(p.ownerId)}`
      : `*${problemRef(p)}* ${esc(truncate(p.title, 120))} · ${STATUS[p.status]} · owner ${user(p.ownerId)} · incidents ${incidents(policy, p)}`,
  );
  const { blocks } = listBlocks({
    head: [{ type: 'header', text: plain(`Open problem records (${total})`, 150) }],
    lines,
    footer: (shown) => (shown < total ? `Showing the oldest ${shown} of ${total}.` : undefined),
  });
  return { text: `Open problem records: ${total}`, blocks };
}

/** `/incident problem show PRB-n`. */
export function problemDetails(policy: Policy, p: Problem, o: { reveal: boolean }): { text: string; blocks: KnownBlock[] } {
  if (p.private && !o.reveal) {
    const text = `*${problemRef(p)}* :lock: is linked to a security incident; ask its owner ${user(p.ownerId)} or look in the incident channel.`;
    return { text, blocks: [{ type: 'section', text: mrkdwn(text) }] };
  }
  const longText = (label: string, value: string) => `*${label}*\n${value.trim() ? escCut(value, 2000) : '_—_'}`;
  return {
    text: `${problemRef(p)}: ${p.title}`,
    blocks: [
      { type: 'header', text: plain(`${problemRef(p)}: ${p.title}`, 150) },
      { type: 'section', fields: [field(`*Status*\n${STATUS[p.status]}`), field(`*Owner*\n${user(p.ownerId)}`), field(`*Opened*\n${slackDate(p.createdAt, '{date_short_pretty}')}`), field(`*Incidents*\n${p.incidents.map((i) => `${incidentRef(policy.number_prefix, i)} ${channel(i.channelId)}`).join('\n') || '—'}`)] },
      { type: 'section', text: mrkdwn(longText('What is not understood yet', p.description)) },
      { type: 'section', text: mrkdwn(longText('Known error', p.knownError)) },
      { type: 'section', text: mrkdwn(longText('Workaround', p.workaround)) },
      ...(p.resolution ? [{ type: 'section' as const, text: mrkdwn(longText('Resolution', p.resolution)) }] : []),
    ],
  };
}
