/**
 * The Jira connector's outbound half: an integration-event subscriber that keeps one issue per
 * incident (and one per follow-up action). The incident's issue is created on the first event (after
 * the create screen is read: a required field the policy does not fill stops it, named, before Jira
 * could refuse it), found again by its label before it is ever created a second time, linked to the
 * Slack channel, moved through the workflow by status category as the incident goes on, and given the
 * updates and notes as comments and the published review as an attachment. Every sync is a timeline row.
 */
import type { IntegrationEventOf, IntegrationEventType } from '../integrations/events.js';
import { laneOf, type DeliveryContext, type IntegrationSubscriber } from '../integrations/registry.js';
import { IncidentTask } from '../incidents/side-effects.js';
import { handledBy, type FailureHandling } from '../integrations/failures.js';
import { PermanentFailure } from '../jobs/task-runner.js';
import { enqueueTask } from '../outbox/tasks.js';
import type { JiraPolicy } from '../policy/jira-schema.js';
import { outboundText } from '../servicenow/mapping.js';
import { reviewFileName } from '../servicenow/review-document.js';
import type { EmailOf } from '../servicenow/people.js';
import { appendTimeline } from '../timeline/timeline.js';
import { ACTION_EVENTS, isActionEvent, syncActionIssue, type IssueSync } from './actions.js';
import { commentOnce } from './comments.js';
import { JiraError, type JiraClient } from './client.js';
import { ensureJiraLink, recordIssue, recordJiraSynced, recordJiraSyncError, type JiraLink } from './links.js';
import { channelUrl, descriptionOf, incidentLabel, onScreen, priorityName, summaryOf, type Category } from './mapping.js';
import { CreateMeta } from './meta.js';
import { JiraPeople } from './people.js';
import { moveToCategory } from './workflow.js';

export const JIRA_SUBSCRIBER = 'jira';

export const JIRA_EVENTS = [
  'incident.declared',
  'incident.channel_created',
  'incident.triaged',
  'incident.priority_changed',
  'incident.classified',
  'incident.updated',
  'incident.note_added',
  'incident.role_assigned',
  'incident.resolved',
  'incident.reopened',
  'incident.closed',
  ...ACTION_EVENTS,
  'review.document_posted',
] as const satisfies readonly IntegrationEventType[];
type JiraEvent = IntegrationEventOf<(typeof JIRA_EVENTS)[number]>;

export const JiraTask = { linked: 'jira.linked', failing: 'jira.failing', doneThere: 'jira.done_there', keepOpen: 'jira.keep_open', decided: 'jira.decided' } as const;

/** The lane of Jira writes a person asked for in Slack (the integration events have `integration:jira`). */
export const JIRA_LANE = 'jira';

/** The outbox lanes of the connector's calls to Jira: its deliveries, and its own lane. */
export const JIRA_LANES = [laneOf({ name: JIRA_SUBSCRIBER }), JIRA_LANE];

export interface JiraOutboundDeps {
  client: JiraClient;
  policy: JiraPolicy;
  meta: CreateMeta;
  people: JiraPeople;
  /** Wakes the Slack task runner once the Slack side effects a sync queued are committed. */
  kick: () => void;
}

/** The people lookups and create screens shared by the subscriber, the webhook and the check. */
export function jiraParts(client: JiraClient, emailOf: EmailOf | undefined) {
  return { meta: new CreateMeta(client), people: new JiraPeople(client, emailOf) };
}

/** How a failed Jira call is recorded and retried (the link's sync state, a channel note once per failing spell). */
export function jiraFailures(kick: () => void): FailureHandling {
  return {
    system: 'Jira',
    vendor: (e) => (e instanceof JiraError ? e : null),
    record: (ctx, incidentId, state, message) => recordJiraSyncError(ctx.db, incidentId, state, message),
    failingTask: JiraTask.failing,
    kick,
  };
}

/** Where the lifecycle puts the incident's issue. */
function targetOf(event: JiraEvent): Category | null {
  switch (event.type) {
    case 'incident.triaged':
    case 'incident.reopened':
      return 'indeterminate';
    case 'incident.resolved':
    case 'incident.closed':
    case 'incident.classified':
      return 'done';
    default:
      return null;
  }
}

/** The comment an event adds to the incident's issue, or null (none, or not allowed out). */
function commentOf(event: JiraEvent, policy: JiraPolicy): string | null {
  const note = (text: string) => outboundText(event.incident, 'note', text, policy.security);
  switch (event.type) {
    case 'incident.updated':
      return policy.audiences[event.data.audience] ? note(`Update (${event.data.status}): ${event.data.message}`) : null;
    case 'incident.note_added':
      return policy.notes ? note(event.data.text) : null;
    case 'incident.resolved':
      return note(`Resolved: ${event.data.summary}`);
    case 'incident.reopened':
      return note(`Reopened: ${event.data.reason}`);
    case 'incident.classified':
      return note(`Classified as a security event, not an incident: ${event.data.reason}`);
    default:
      return null;
  }
}

export function jiraSubscriber(deps: JiraOutboundDeps): IntegrationSubscriber<(typeof JIRA_EVENTS)[number]> {
  const { client, policy, kick, meta, people } = deps;
  const failures = jiraFailures(kick);

  /** The incident's issue: the one linked, else the one carrying its label (an earlier try), else a new one. */
  async function ensureIssue(event: JiraEvent, link: JiraLink, ctx: DeliveryContext): Promise<IssueSync & { category: Category | null }> {
    if (link.issueKey && link.issueId) return { key: link.issueKey, id: link.issueId, created: false, sent: {}, category: link.statusCategory };
    const incident = event.incident;
    const label = incidentLabel(incident.ref);
    const found = (await client.search(`project = "${policy.project}" AND labels = "${label}" ORDER BY created ASC`, { signal: ctx.signal, max: 1 }))[0];
    if (found) return { key: found.key, id: found.id, created: false, sent: {}, category: null };
    const screen = await meta.screen(policy.project, policy.issue_type, { signal: ctx.signal });
    const missing = CreateMeta.unmapped(screen, policy.fields);
    if (missing.length) throw new PermanentFailure(`Jira ${policy.project} ${screen.issueType.name} requires ${missing.map((f) => `${f.name} (${f.fieldId})`).join(', ')}, which itsm.jira.fields does not give: no issue was created (Jira would refuse it)`);
    const priority = priorityName(incident.priority, policy);
    const allowed = screen.fields.find((f) => f.fieldId === 'priority')?.allowedValues;
    const assignee = await people.assignee(incident.commander, { signal: ctx.signal, logger: ctx.logger });
    const fields = onScreen(screen.fields, {
      ...policy.fields,
      project: { key: policy.project },
      issuetype: { id: screen.issueType.id },
      summary: summaryOf(incident, policy),
      description: descriptionOf(incident, policy, client.deployment),
      labels: [...policy.labels, label],
      ...(priority && (!allowed || allowed.some((v) => v.name === priority)) ? { priority: { name: priority } } : {}),
      ...(assignee ? { assignee } : {}),
    });
    const created = await client.createIssue(fields, { signal: ctx.signal });
    const sent: Record<string, string> = { summary: String(fields.summary), labels: label, ...(fields.priority ? { priority: priority! } : {}) };
    return { key: created.key, id: created.id, created: true, sent, category: 'new' };
  }

  /**
   * Records the issue an incident was just linked to, with its bookmark, card refresh and (when this
   * sync created it) its timeline row. The channel's remote link comes first: it is keyed by the
   * channel, so a retry after a failure here sets it again without a second one.
   */
  async function recordLinked(event: JiraEvent, link: JiraLink, issue: IssueSync & { category: Category | null }, ctx: DeliveryContext): Promise<void> {
    const incident = event.incident;
    const sent = { ...issue.sent };
    if (incident.channelId) {
      await client.remoteLink(issue.key, { globalId: `slack-channel:${incident.channelId}`, url: channelUrl(incident.channelId, incident.teamId), title: `Slack channel of ${incident.ref}` }, { signal: ctx.signal });
      sent.remote_link = 'Slack channel';
    }
    await ctx.db.transaction().execute(async (trx) => {
      await recordIssue(trx, link.id, { id: issue.id, key: issue.key, category: issue.category });
      await enqueueTask(trx, { kind: JiraTask.linked, incidentId: incident.id, dedupeKey: `jira.linked:${incident.id}` });
      await enqueueTask(trx, { kind: IncidentTask.sync, incidentId: incident.id, dedupeKey: `sync:${incident.id}` });
      const payload = { system: 'jira' as const, event: event.type, table: 'issue', sys_id: issue.id, number: issue.key, created: issue.created, sent, remote: {} };
      await appendTimeline(trx, { incidentId: incident.id, actorId: null, kind: 'itsm_synced', dedupeKey: `jira:linked:${incident.id}`, payload });
    });
    kick();
  }

  /**
   * Edits fields the project may have left off its edit screen: a refusal naming only those fields
   * (400, "not on the appropriate screen") leaves them unchanged rather than failing the sync.
   */
  async function editIfOnScreen(key: string, fields: Record<string, unknown>, ctx: DeliveryContext): Promise<boolean> {
    try {
      await client.editIssue(key, fields, { signal: ctx.signal });
      return true;
    } catch (e) {
      const offScreen = e instanceof JiraError && e.status === 400 && Object.keys(e.errors).length > 0 && Object.keys(e.errors).every((f) => f in fields && /screen|cannot be set/i.test(e.errors[f]));
      if (!offScreen) throw e;
      ctx.logger.info({ issue: key, fields: Object.keys(fields) }, 'Jira: a field is not on the edit screen; left as it is');
      return false;
    }
  }

  /** What the event changes on the incident's existing issue. */
  async function change(event: JiraEvent, key: string, category: Category | null, ctx: DeliveryContext): Promise<{ sent: Record<string, string>; category?: Category }> {
    const opts = { signal: ctx.signal };
    const sent: Record<string, string> = {};
    const incident = event.incident;
    if (event.type === 'incident.channel_created') {
      await client.remoteLink(key, { globalId: `slack-channel:${event.data.channelId}`, url: channelUrl(event.data.channelId, incident.teamId), title: `Slack #${event.data.name}` }, opts);
      sent.remote_link = `#${event.data.name}`;
      if (await editIfOnScreen(key, { description: descriptionOf({ ...incident, channelId: event.data.channelId }, policy, client.deployment) }, ctx)) sent.description = 'with the channel link';
    }
    const priority = event.type === 'incident.triaged' ? event.data.priority : event.type === 'incident.priority_changed' ? event.data.to : null;
    const name = priorityName(priority, policy);
    if (name && (await editIfOnScreen(key, { priority: { name } }, ctx))) sent.priority = name;
    if (event.type === 'incident.role_assigned' && event.data.role === 'commander') {
      const assignee = await people.assignee(event.data.user, { signal: ctx.signal, logger: ctx.logger });
      if (assignee) {
        await client.editIssue(key, { assignee }, opts);
        sent.assignee = Object.values(assignee)[0];
      }
    }
    const comment = commentOf(event, policy);
    if (comment && comment.trim()) {
      // Added by an earlier try of this delivery (its answer lost): there once, and synced.
      await commentOnce(client, key, comment, ctx);
      sent.comment = event.type;
    }
    if (event.type === 'review.document_posted') {
      const file = await attachReview(event, key, ctx);
      if (file) sent.attachment = file;
    }
    const target = targetOf(event);
    // Triage after the issue moved on (resolved already) does not take it back.
    if (target && !(event.type === 'incident.triaged' && category === 'done')) {
      const moved = await moveToCategory(client, key, target, policy, opts);
      if (moved.path.length) sent.status = `${moved.status} (via ${moved.path.join(' → ')})`;
      return { sent, category: target };
    }
    return { sent };
  }

  /** The published review, attached once per version (looked up among the issue's attachments first). */
  async function attachReview(event: IntegrationEventOf<'review.document_posted'>, key: string, ctx: DeliveryContext): Promise<string | null> {
    if (event.data.state !== 'published') return null;
    if (event.incident.private && !policy.security.description) return null;
    const review = await ctx.db.selectFrom('reviews').select(['doc_version', 'doc_content']).where('incident_id', '=', event.incident.id).executeTakeFirst();
    if (!review || review.doc_version !== event.data.version || review.doc_content === null) return null;
    const fileName = reviewFileName(event.incident.ref, event.data.version);
    const issue = await client.getIssue(key, { signal: ctx.signal, fields: ['attachment'] });
    const existing = ((issue?.fields as { attachment?: { filename?: string }[] } | undefined)?.attachment ?? []).some((a) => a.filename === fileName);
    if (existing) return null;
    await client.attach(key, { name: fileName, contentType: 'text/markdown', bytes: new TextEncoder().encode(review.doc_content) }, { signal: ctx.signal });
    return fileName;
  }

  async function sync(event: JiraEvent, ctx: DeliveryContext): Promise<void> {
    const incidentId = event.incident.id;
    const dedupeKey = `jira:${event.id}`;
    // Done before (the process stopped before the delivery was recorded): never comment twice.
    if (await ctx.db.selectFrom('timeline_events').select('id').where('dedupe_key', '=', dedupeKey).executeTakeFirst()) return;
    const link = await ensureJiraLink(ctx.db, incidentId);
    const issue = await ensureIssue(event, link, ctx);
    if (link.issueKey === null) await recordLinked(event, link, issue, ctx);
    const changed = issue.created && event.type === 'incident.declared' ? { sent: {} } : await change(event, issue.key, issue.category, ctx);
    const action = isActionEvent(event) && policy.actions.enabled ? await syncActionIssue({ db: ctx.db, client, policy, people, meta, signal: ctx.signal, logger: ctx.logger }, event, issue.key) : null;
    await ctx.db.transaction().execute(async (trx) => {
      await recordJiraSynced(trx, link.id, changed.category);
      const rows: { sync: IssueSync; key: string }[] = [];
      if (Object.keys(changed.sent).length) rows.push({ sync: { ...issue, created: false, sent: changed.sent }, key: action ? `${dedupeKey}:incident` : dedupeKey });
      if (action) rows.push({ sync: action, key: dedupeKey });
      for (const r of rows) {
        await appendTimeline(trx, {
          incidentId,
          actorId: null,
          kind: 'itsm_synced',
          dedupeKey: r.key,
          payload: { system: 'jira', event: event.type, table: 'issue', sys_id: r.sync.id, number: r.sync.key, created: r.sync.created, sent: r.sync.sent, remote: {} },
        });
      }
    });
  }

  return {
    name: JIRA_SUBSCRIBER,
    events: JIRA_EVENTS,
    retryForMs: policy.retry_hours * 3_600_000,
    // Security incidents are synced, redacted per itsm.jira.security; exercises are not.
    include: { private: true, drills: false },
    handle: handledBy(failures, sync),
  };
}
