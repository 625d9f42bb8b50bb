import { sql } from 'kysely';
import type { Audience } from '../policy/schema.js';
import { DomainError } from './errors.js';
import type { Incident } from './incident.js';
import type { IncidentService, UpdateInput } from './service.js';
import type { TimelineEvent } from '../timeline/timeline.js';
import type { ServiceContext } from '../context.js';

/** How long a previewed update waits for its author to confirm it. */
export const DRAFT_TTL_HOURS = 24;

/** An update waiting behind its audience preview. */
export interface UpdateDraft {
  id: string;
  incidentId: string;
  authorId: string;
  status: string;
  message: string;
  nextUpdateInMinutes: number | null;
  /** Audiences besides the incident channel. */
  audiences: Audience[];
  expiresAt: Date;
}

export type NewUpdateDraft = Omit<UpdateDraft, 'id' | 'expiresAt'>;

const GONE = `This preview is no longer available: it was posted already, or is older than ${DRAFT_TTL_HOURS} hours. Press *Back* and post the update again.`;

/**
 * Updates shown in a preview before they go out. The draft stays in the database (a view's
 * private_metadata is too small for a full update), and posting consumes it in the update's own
 * transaction, so a preview posts at most once.
 */
export class UpdateDraftService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly incidents: IncidentService,
  ) {}

  /**
   * An update from the form: posted at once when it goes to the incident channel only; for other
   * audiences it waits as a draft, shown to its author in a preview first.
   */
  async submit(input: UpdateInput): Promise<{ posted: true } | { draft: UpdateDraft; incident: Incident }> {
    const audiences = input.audiences ?? [];
    if (!audiences.length) {
      await this.incidents.postUpdate(input);
      return { posted: true };
    }
    this.incidents.checkUpdate(input);
    const incident = await this.incidents.findById(input.incidentId);
    if (!incident) throw new DomainError('not_found', 'That incident no longer exists.');
    const draft = await this.save({ incidentId: incident.id, authorId: input.actorId, status: input.status, message: input.message, nextUpdateInMinutes: input.nextUpdateInMinutes ?? null, audiences });
    return { draft, incident };
  }

  /** Keeps an update until its author confirms the preview. */
  async save(draft: NewUpdateDraft): Promise<UpdateDraft> {
    // Refused now, while the form is still open, rather than when the preview is confirmed.
    this.incidents.checkUpdate(draft);
    const now = this.ctx.clock.now();
    const row = await this.ctx.db
      .insertInto('update_drafts')
      .values({
        incident_id: draft.incidentId,
        author_id: draft.authorId,
        status: draft.status,
        message: draft.message,
        next_update_minutes: draft.nextUpdateInMinutes,
        audiences: [...new Set(draft.audiences)],
        created_at: now,
        expires_at: sql<Date>`${now}::timestamptz + make_interval(hours => ${DRAFT_TTL_HOURS})`,
      })
      .returning(['id', 'expires_at'])
      .executeTakeFirstOrThrow();
    return { ...draft, id: row.id, expiresAt: row.expires_at };
  }

  /** The author's draft while it has not expired; anyone else's, or an expired one, is not found. */
  async find(id: string, authorId: string): Promise<UpdateDraft> {
    const row = await this.ctx.db
      .selectFrom('update_drafts')
      .selectAll()
      .where('id', '=', id)
      .where('author_id', '=', authorId)
      .where('expires_at', '>', this.ctx.clock.now())
      .executeTakeFirst();
    if (!row) throw new DomainError('not_found', GONE);
    return {
      id: row.id,
      incidentId: row.incident_id,
      authorId: row.author_id,
      status: row.status,
      message: row.message,
      nextUpdateInMinutes: row.next_update_minutes,
      audiences: row.audiences as Audience[],
      expiresAt: row.expires_at,
    };
  }

  /** Posts the draft (an update, or a resolution) and deletes it in the same transaction. */
  post(draft: UpdateDraft, actorId: string): Promise<{ incident: Incident; event: TimelineEvent }> {
    return this.incidents.postUpdate(
      { incidentId: draft.incidentId, actorId, status: draft.status, message: draft.message, nextUpdateInMinutes: draft.nextUpdateInMinutes, audiences: draft.audiences },
      {
        within: async (trx) => {
          const deleted = await trx.deleteFrom('update_drafts').where('id', '=', draft.id).executeTakeFirst();
          // Someone posted it meanwhile (a second click): this transaction rolls back.
          if (!deleted.numDeletedRows) throw new DomainError('invalid_state', GONE);
        },
      },
    );
  }
}
