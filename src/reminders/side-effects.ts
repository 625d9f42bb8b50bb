/** Outbox task kinds for reminders (carried out by the Slack adapter). */
export const ReminderTask = {
  /** Re-render a sent digest or escalation DM in place after one of its actions changed (payload: sendId). */
  refresh: 'reminders.refresh',
} as const;
