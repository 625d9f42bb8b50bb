/** The fields of a ServiceNow `incident` record the connector keeps in sync, and who owns each by default. */

/** Who may change a synced field: the bot, ServiceNow, or both (the later change wins). */
export type FieldOwner = 'bot' | 'servicenow' | 'both';

export const SYNCED_FIELDS = ['short_description', 'description', 'impact', 'urgency', 'state', 'assigned_to', 'assignment_group', 'category', 'cmdb_ci', 'business_service'] as const;
export type SyncedField = (typeof SYNCED_FIELDS)[number];

/**
 * Safe defaults: what the response decides (title, triage, commander) belongs to the bot; the service
 * desk's routing and classification (group, category, CI) to ServiceNow; the state to both, because a
 * service desk does resolve incidents there.
 */
export const DEFAULT_FIELD_OWNERS: Readonly<Record<SyncedField, FieldOwner>> = {
  short_description: 'bot',
  description: 'bot',
  impact: 'bot',
  urgency: 'bot',
  assigned_to: 'bot',
  state: 'both',
  assignment_group: 'servicenow',
  category: 'servicenow',
  cmdb_ci: 'servicenow',
  business_service: 'servicenow',
};
