import type { z } from 'zod';
import { MILESTONES, type Milestone, type Scenario } from '../policy/preparedness.js';
import type { scorecardSchema } from '../outbox/kinds.js';
import type { scorecardRowSchema } from '../timeline/kinds.js';

export const MILESTONE_LABELS: Record<Milestone, string> = {
  commander_named: 'Commander named',
  triaged: 'Triaged',
  first_update: 'First status update',
  resolved: 'Resolved',
};

export type ScorecardRow = z.infer<typeof scorecardRowSchema>;

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
