import { MILESTONES, type Milestone, type Scenario } from '../policy/preparedness.js';

export const MILESTONE_LABELS: Record<Milestone, string> = {
  commander_named: 'Commander named',
  triaged: 'Triaged',
  first_update: 'First status update',
  resolved: 'Resolved',
};

export interface ScorecardRow {
  milestone: Milestone;
  label: string;
  /** Minutes from the start, or null when it was not reached. */
  actualMinutes: number | null;
  expectedMinutes: number | null;
  /** met: on time; late: reached after the expected time; missed: never reached; untimed: nothing expected. */
  outcome: 'met' | 'late' | 'missed' | 'untimed';
}

export interface Scorecard {
  scenario: string;
  title: string;
  startedAt: string;
  rows: ScorecardRow[];
  met: number;
  timed: number;
  injectsSent: number;
  injectsPlanned: number;
}

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
