/** Outbox task kinds for follow-up actions (carried out by the Slack adapter). */
export const ActionTask = {
  /** DM an action's new owner that it is theirs (payload: actionId, by). */
  notifyOwner: 'action.notify_owner',
} as const;
