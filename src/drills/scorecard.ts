import { z } from 'zod';
import { MILESTONES, type Milestone, type Scenario } from '../policy/preparedness.js';

export const MILESTONE_LABELS: Record<Milestone, string> = {
  commander_named: 'Commander named',
  triaged: 'Triaged',
  first_update: 'First status update',
  resolved: 'Resolved',
};

export const scorecardRowSchema = z.object({
  milestone: z.enum(MILESTONES),
  label: z.string(),
  /** Minutes from the start, or null when it was not reached. */
  actualMinutes: z.number().nullable(),
  expectedMinutes: z.number().nullable(),
  /** met: on time; late: reached after the expected time; missed: never reached; untimed: nothing expected. */
  outcome: z.enum(['met', 'late', 'missed', 'untimed']),
});
export type ScorecardRow = z.infer<typeof scorecardRowSchema>;

export const scorecardSchema = z.object({
  scenario: z.string(),
  title: z.string(),
  startedAt: z.string(),
  rows: z.array(scorecardRowSchema),
  met: z.number(),
  timed: z.number(),
  injectsSent: z.number(),
  injectsPlanned: z.number(),
});
export type Scorecard = z.infer<typeof scorecardSchema>;

const MINUTE = 60_000;

/** Compares when each milestone was reached with when the scenario expected it. */
export function scorecard(scenario: Scenario, startedAt: Date, reached: Record<Milestone, Date | null>, injectsSent: number): Scorecard {
  const rows = MILESTONES.map((m): ScorecardRow => {
    const at = reached[m];
    const actual = at ? Math.max(0, Math.round(((at.getTime() - startedAt.getTime()) / MINUTE) * 10) / 10) : null;
    const expected = scenario.expected[m] ?? null;
    const outcome = expected === null ? 'untimed' : actual === null ? 'missed' : actual <= expected ? 'met' : 'late';
    return { milestone: m, label: MILESTONE_LABELS[m], actualMinutes: actual, expectedMinutes: expected, outcome };
  });
  const timed = rows.filter((r) => r.outcome !== 'untimed');
  return {
    scenario: scenario.name,
    title: scenario.title,
    startedAt: startedAt.toISOString(),
    rows,
    met: timed.filter((r) => r.outcome === 'met').length,
    timed: timed.length,
    injectsSent,
    injectsPlanned: scenario.injects.length,
  };
}
