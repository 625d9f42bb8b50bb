/*
 * What the status page publishes, as the Atlassian Statuspage connector receives it. The public page
 * (src/status/) decides what is public (approved posts, maintenance from change records); the
 * connector (src/statuspage/) mirrors exactly that to a Statuspage page. Nothing private is in here:
 * every text below was written or approved for the public.
 */

/** A component's state, in Statuspage's own words. */
export type PublicComponentState = 'operational' | 'degraded_performance' | 'partial_outage' | 'major_outage' | 'under_maintenance';

/** An incident's status on a status page, in Statuspage's own words. */
export type PublicIncidentStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved';

/** One approved public update of an incident. */
export interface PublicIncidentPost {
  /** Our incident's id: one Statuspage incident per incident. */
  incidentId: string;
  /** This post's id: the same post is never sent twice. */
  postId: string;
  status: PublicIncidentStatus;
  /** The public title (never the internal one unless the author kept it). */
  title: string;
  body: string;
  /** Status page component names (policy `status_page.components[].name`) and their state now. */
  components: { name: string; state: PublicComponentState }[];
  /** Whether subscribers are notified (Statuspage `deliver_notifications`). */
  notify: boolean;
  publishedAt: string;
}

/** Scheduled maintenance from a change record published on the status page. */
export interface PublicMaintenance {
  changeId: string;
  /** Changes each time what is published changes (title, window, status): a revision is sent once. */
  revision: string;
  title: string;
  body: string;
  /** Status page component names under maintenance during the window. */
  components: string[];
  scheduledFor: string;
  scheduledUntil: string;
  status: 'scheduled' | 'in_progress' | 'completed';
}
