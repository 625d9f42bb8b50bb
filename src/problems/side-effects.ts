/** Outbox task kinds for problem records (carried out by the Slack adapter). */
export const ProblemTask = {
  /** Tell the incident channel a problem record was opened from it (payload: problemId, by). */
  announce: 'problem.announce',
} as const;
