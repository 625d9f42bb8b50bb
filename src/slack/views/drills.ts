import type { KnownBlock } from '@slack/types';
import type { Scorecard, ScorecardRow } from '../../drills/scorecard.js';
import type { Scenario } from '../../policy/preparedness.js';
import { duration, esc, escCut, mrkdwn, plain } from './format.js';

const EXERCISE = ':performing_arts: *EXERCISE*';

/** An inject: a scripted event posted into the exercise channel at its minute. */
export function injectMessage(atMinutes: number, text: string): { text: string; blocks: KnownBlock[] } {
  // Cut before quoting: each line's `>` must fit too.
  const quoted = escCut(text, 2600).split('\n').map((l) => `>${l}`).join('\n');
  return {
    text: `EXERCISE inject (T+${atMinutes}m): ${text}`,
    blocks: [
      { type: 'section', text: mrkdwn(`${EXERCISE} inject · T+${atMinutes}m\n${quoted}`) },
      { type: 'context', elements: [mrkdwn('Scripted by the drill scenario: respond as you would to the real thing.')] },
    ],
  };
}

const mins = (m: number) => duration(m * 60_000);

function rowText(r: ScorecardRow): string {
  const expected = r.expectedMinutes === null ? 'no target' : `expected within ${mins(r.expectedMinutes)}`;
  switch (r.outcome) {
    case 'met':
      return `:white_check_mark: *${r.label}*: ${mins(r.actualMinutes!)} (${expected})`;
    case 'late':
      return `:alarm_clock: *${r.label}*: ${mins(r.actualMinutes!)} (${expected}, ${mins(r.actualMinutes! - r.expectedMinutes!)} late)`;
    case 'missed':
      return `:x: *${r.label}*: not reached (${expected})`;
    default:
      return `:heavy_minus_sign: *${r.label}*: ${r.actualMinutes === null ? 'not reached' : mins(r.actualMinutes)} (${expected})`;
  }
}

/** The scorecard posted when an exercise is resolved. */
export function scorecardMessage(card: Scorecard): { text: string; blocks: KnownBlock[] } {
  const summary = card.timed ? `*${card.met} of ${card.timed}* milestones on time` : 'No milestone targets in this scenario';
  return {
    text: `EXERCISE scorecard for ${card.title}: ${card.met} of ${card.timed} milestones on time`,
    blocks: [
      { type: 'header', text: plain(`Exercise scorecard: ${card.title}`, 150) },
      { type: 'section', text: mrkdwn(card.rows.map(rowText).join('\n')) },
      { type: 'section', text: mrkdwn(`${summary} · ${card.injectsSent} of ${card.injectsPlanned} injects sent · scenario \`${card.scenario}\``) },
      { type: 'context', elements: [mrkdwn(`${EXERCISE} · times are from the start of the drill · drills are not counted in incident reports`)] },
    ],
  };
}

/** `/incident drill` without a scenario: what can be run. */
export function scenarioList(scenarios: Scenario[]): string {
  if (!scenarios.length) return 'No drill scenarios are configured: add them under `drills:` in the policy file.';
  const lines = scenarios.map((s) => `• \`${s.name}\` — ${esc(s.title)} (${s.injects.length} inject${s.injects.length === 1 ? '' : 's'}${s.services.length ? `, ${s.services.join(', ')}` : ''})`);
  return `*Drill scenarios* — \`/incident drill <scenario>\` starts an exercise incident:\n${lines.join('\n')}`;
}
