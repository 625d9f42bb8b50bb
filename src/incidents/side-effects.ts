/** Outbox task kinds for an incident's Slack side effects (carried out by the Slack adapter). */
export const IncidentTask = {
  /** Create the channel, invite, post and pin the card, set topic and bookmark, announce. */
  provision: 'incident.provision',
  /** Bring the card, topic and announcement in line with the stored incident. */
  sync: 'incident.sync',
  /** Post a timeline event (update, resolution…) to the channel, or mirror it to the announcement thread (payload.target). */
  broadcast: 'incident.broadcast',
  /** Send an update to one audience (business channel, executive channel or DMs) from its template. */
  deliver: 'incident.deliver',
} as const;
