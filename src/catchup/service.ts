import type { ActionService } from '../actions/service.js';
import type { FollowUpAction } from '../actions/action.js';
import type { ServiceContext } from '../context.js';
import type { Incident } from '../incidents/incident.js';
import { enqueueTask } from '../outbox/tasks.js';
import type { TaskKind } from '../outbox/kinds.js';
import type { RoleService } from '../roles/service.js';
import { latestTimeline, timelinePayloads, type TimelineEvent, type TimelineKind } from '../timeline/timeline.js';
import type { TimestampService } from '../timestamps/service.js';

/** Outbox task: send the catch-up to someone who just joined the incident's channel. */
export const CatchupTask = { post: 'catchup.post' } as const satisfies Record<string, TaskKind>;

/** Rows worth reading when catching up (not pages, checklists ticks, syncs…). */
const NOTABLE: readonly TimelineKind[] = [
  'declared', 'update', 'note', 'status_changed', 'severity_changed', 'priority_changed', 'triaged', 'role_assigned', 'escalated',
  'resolved', 'reopened', 'closed', 'message_captured', 'signal_linked', 'bridge_set', 'vendor_engaged', 'dr_activated', 'dr_deactivated',
  'cause_linked', 'timestamp_corrected', 'action_added',
];
const RECENT = 5;
const ACTIONS = 5;

/** Where an incident stands, for someone arriving late: built from our own records only. */
export interface Catchup {
  incident: Incident;
  /** Since when it has been going: impact start when known, else the declaration (corrections applied). */
  since: Date;
  sinceImpact: boolean;
  /** When it ended, for a resolved incident (corrections applied). */
  resolvedAt: Date | null;
  roles: { role: string; userId: string }[];
  latestUpdate: TimelineEvent | undefined;
  openActions: FollowUpAction[];
  openActionCount: number;
  /** The last few notable timeline entries, oldest first. */
  recent: TimelineEvent[];
}

export interface CatchupDeps {
  roles: RoleService;
  actions: ActionService;
  timestamps: TimestampService;
}

/**
 * Catch-up for late joiners: `/incident catchup`, and once per person when they join the channel.
 * It is only ever shown in the incident's own channel, to someone in it, and holds nothing that
 * `/incident timeline` does not show there: a private incident's catch-up reaches no one else.
 */
export class CatchupService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly deps: CatchupDeps,
  ) {}

  async build(incident: Incident): Promise<Catchup> {
    const { db, timelineLog } = this.ctx;
    const [times, roles, actions, [latestUpdate], recent] = await Promise.all([
      this.deps.timestamps.times(incident.id),
      this.deps.roles.current(incident.id),
      this.deps.actions.forIncident(incident.id),
      latestTimeline(db, incident.id, ['update'], 1, timelineLog),
      latestTimeline(db, incident.id, NOTABLE, RECENT, timelineLog),
    ]);
    const at = (key: string) => times.find((t) => t.key === key)?.effective ?? null;
    const open = actions.filter((a) => a.status === 'open');
    return {
      incident,
      since: at('impact_started') ?? at('declared') ?? incident.declaredAt,
      sinceImpact: at('impact_started') !== null,
      resolvedAt: at('resolved'),
      roles: roles.map((r) => ({ role: r.role, userId: r.userId })),
      latestUpdate,
      openActions: open.slice(0, ACTIONS),
      openActionCount: open.length,
      recent: recent.slice(0, RECENT).reverse(),
    };
  }

  /**
   * Someone joined the incident's channel: queues their catch-up unless they were sent one for this
   * incident before. Returns whether it was queued.
   */
  async joined(incident: Incident, userId: string): Promise<boolean> {
    // The reporter and the first commander are invited when the channel is made: they were there from the start.
    const [declared] = await timelinePayloads(this.ctx.db, incident.id, 'declared');
    if (userId === incident.reporterId || userId === declared?.commander) return false;
    const queued = await this.ctx.db.transaction().execute(async (trx) => {
      const row = await trx.insertInto('catchups_sent').values({ incident_id: incident.id, user_id: userId, at: this.ctx.clock.now() }).onConflict((oc) => oc.doNothing()).returning('user_id').executeTakeFirst();
      if (!row) return false;
      await enqueueTask(trx, { kind: CatchupTask.post, incidentId: incident.id, payload: { userId } });
      return true;
    });
    if (queued) this.ctx.tasks.kick();
    return queued;
  }
}
