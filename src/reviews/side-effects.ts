/** Outbox task kinds for post-incident reviews (carried out by the Slack adapter). */
export const ReviewTask = {
  /** (Re)generate the review document, post it to the channel, and point the bookmark at it. */
  document: 'review.document',
  /** DM the review owner that the review is theirs, with a button to write it. */
  notifyOwner: 'review.notify_owner',
} as const;
