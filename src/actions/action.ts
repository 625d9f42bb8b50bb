import type { IncidentKind } from '../incidents/incident.js';

/** How urgent a follow-up action is. */
export type ActionPriority = 'high' | 'medium' | 'low';
export const ACTION_PRIORITIES: ActionPriority[] = ['high', 'medium', 'low'];
export const ACTION_TITLE_MAX = 300;

/** A follow-up action, with the facts of its incident that lists and reminders show. */
export interface FollowUpAction {
  id: string;
  incidentId: string;
  title: string;
  ownerId: string;
  team: string | null;
  /** YYYY-MM-DD */
  dueDate: string;
  priority: ActionPriority;
  trackerUrl: string | null;
  status: 'open' | 'done';
  snoozedUntil: string | null;
  createdBy: string;
  createdAt: Date;
  doneAt: Date | null;
  doneBy: string | null;
  incident: {
    number: number;
    title: string;
    kind: IncidentKind;
    channelId: string | null;
    teamId: string;
    commanderId: string | null;
  };
}

/** How actions are referred to in Slack and documents: A-12. */
export function actionRef(a: Pick<FollowUpAction, 'id'>): string {
  return `A-${a.id}`;
}

/** Parses `A-12`, `a12` or `12` into an action id. */
export function parseActionRef(text: string): string | undefined {
  const m = /^(?:A-?)?(\d{1,18})$/i.exec(text.trim());
  return m ? m[1] : undefined;
}
