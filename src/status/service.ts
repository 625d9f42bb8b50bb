import type { Kysely } from 'kysely';
import type { ServiceContext } from '../context.js';
import type { Database } from '../db/schema.js';
import { DomainError, refuseInvalid } from '../incidents/errors.js';
import { isPrivate, type Incident } from '../incidents/incident.js';
import type { ChangeTools, IncidentHooks, IncidentService } from '../incidents/service.js';
import { enqueueTask } from '../outbox/tasks.js';
import type { StatusPagePolicy } from '../policy/status-page-schema.js';
import { resolveRoleAlias } from '../roles/aliases.js';
import { currentRoles } from '../roles/repository.js';
import type { PublicIncidentPost } from '../statuspage/types.js';
import { effectivePriority } from '../triage/priority.js';
import { pageChanged, StatusTask, type StatusPublishers } from './changed.js';
import { isComponentState, isPublicStatus, type ComponentChange, type PublicIncidentStatus, type StatusPost } from './post.js';
import * as repo from './repository.js';

export const PUBLIC_TITLE_MAX = 200;
export const PUBLIC_BODY_MAX = 3000;

export interface PostInput {
  incidentId: string;
  authorId: string;
  status: string;
  title: string;
  body: string;
  components: { name: string; state: string }[];
  notify?: boolean;
}

const GONE = 'This status page post is no longer waiting: it was published already, or it is not yours to confirm.';

/** The incident's public post as the Statuspage connector receives it. */
export function publicPost(post: StatusPost): PublicIncidentPost {
  return { incidentId: post.incidentId, postId: post.id, status: post.status, title: post.title, body: post.body, components: post.components, notify: post.notify, publishedAt: post.publishedAt!.toISOString() };
}

/**
 * Public status page posts of incidents: written behind a preview, approved by a second person when
 * the policy asks for it (never the author), then published, on the timeline, and handed on.
 */
export class StatusPostService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly incidents: IncidentService,
    readonly page: StatusPagePolicy,
    /** Who else hears of published posts (a connector). */
    private readonly publishers: readonly StatusPublishers[] = [],
  ) {}

  get componentNames(): string[] {
    return this.page.components.map((c) => c.name);
  }

  /** Components whose services the incident affects (none for a private incident: nothing is proposed for it). */
  suggestedComponents(incident: Pick<Incident, 'services' | 'kind'>): string[] {
    if (isPrivate(incident)) return [];
    const services = new Set(incident.services.map((s) => s.toLowerCase()));
    return this.page.components.filter((c) => c.services.some((s) => services.has(s.toLowerCase()))).map((c) => c.name);
  }

  /** The incident roles whose holders approve, as the policy's role ids. */
  approverRoles(): string[] {
    return [...new Set(this.page.approval.approvers.map(resolveRoleAlias))];
  }

  approvalRequired(incident: Pick<Incident, 'priority' | 'severity'>): boolean {
    return this.page.approval.priorities.includes(effectivePriority(this.ctx.policy, incident));
  }

  /** A post behind its preview: checked now, while the form is open. */
  async draft(input: PostInput): Promise<StatusPost> {
    const title = input.title.trim();
    const body = input.body.trim();
    const names = new Map(this.page.components.map((c) => [c.name.toLowerCase(), c.name]));
    const unknown = input.components.filter((c) => !names.has(c.name.toLowerCase()) || !isComponentState(c.state));
    refuseInvalid<'status' | 'title' | 'body' | 'components'>({
      status: isPublicStatus(input.status) ? undefined : 'Choose the public status.',
      title: !title ? 'Give the post a public title.' : title.length > PUBLIC_TITLE_MAX ? `Keep the title to ${PUBLIC_TITLE_MAX} characters.` : undefined,
      body: !body ? 'Write what the public should read.' : body.length > PUBLIC_BODY_MAX ? `Keep it to ${PUBLIC_BODY_MAX} characters.` : undefined,
      components: unknown.length ? `Unknown component ${unknown[0].name}.` : undefined,
    });
    const incident = await this.incidents.findById(input.incidentId);
    if (!incident) throw new DomainError('not_found', 'That incident no longer exists.');
    if (incident.isDrill) throw new DomainError('invalid_state', 'This is an exercise: nothing about it goes on the public status page.');
    const components: ComponentChange[] = input.components.map((c) => ({ name: names.get(c.name.toLowerCase())!, state: c.state as ComponentChange['state'] }));
    return repo.insertPost(this.ctx.db, { incidentId: incident.id, authorId: input.authorId, status: input.status as PublicIncidentStatus, title, body, components, notify: input.notify ?? true, createdAt: this.ctx.clock.now() });
  }

  /** The author's draft, for its preview. */
  async findDraft(postId: string, authorId: string): Promise<StatusPost> {
    const post = await repo.findPost(this.ctx.db, postId);
    if (!post || post.authorId !== authorId || post.state !== 'draft') throw new DomainError('not_found', GONE);
    return post;
  }

  find(postId: string): Promise<StatusPost | undefined> {
    return repo.findPost(this.ctx.db, postId);
  }

  /** A published post as the connector receives it. */
  async published(postId: string): Promise<PublicIncidentPost | undefined> {
    const post = await repo.findPost(this.ctx.db, postId);
    return post?.state === 'published' ? publicPost(post) : undefined;
  }

  /** The author confirms the preview: published at once, or waiting for an approver when the policy asks for one. */
  async submit(postId: string, actorId: string): Promise<{ post: StatusPost; published: boolean }> {
    const post = await this.findDraft(postId, actorId);
    return this.incidents.applyChange(
      post.incidentId,
      async (trx, incident, t) => {
        const current = await repo.findPost(trx, postId, { forUpdate: true });
        if (!current || current.state !== 'draft') throw new DomainError('invalid_state', GONE);
        if (!this.approvalRequired(incident)) return { post: await this.publish(trx, t, current, null), published: true };
        await repo.markPending(trx, current.id);
        await t.append({ actorId, kind: 'public_post_proposed', payload: { post_id: current.id, status: current.status, title: current.title, approvers: this.approverRoles() } });
        await t.enqueue({ kind: StatusTask.approval, payload: { postId: current.id } });
        return { post: { ...current, state: 'pending' as const }, published: false };
      },
      { sync: false },
    );
  }

  /** Whether `userId` may approve the post: holds an approver role in its incident, and did not write it. */
  async approvalProblem(db: Kysely<Database>, post: StatusPost, incident: Incident, userId: string): Promise<string | undefined> {
    if (post.state === 'published') return 'This post is already published.';
    if (post.state !== 'pending') return 'This post is not waiting for approval.';
    if (post.authorId === userId) return 'You wrote this post: someone else must approve it.';
    const roles = this.approverRoles();
    const holders = (await currentRoles(db, incident.id)).filter((h) => roles.includes(h.role)).map((h) => h.userId);
    if (roles.includes('commander') && incident.commanderId) holders.push(incident.commanderId);
    if (!holders.includes(userId)) return `Only the incident's ${roles.join(' or ')} can approve public posts.`;
    return undefined;
  }

  /** A second person approves: the post is published. */
  async approve(postId: string, actorId: string): Promise<StatusPost> {
    const post = await repo.findPost(this.ctx.db, postId);
    if (!post) throw new DomainError('not_found', 'That status page post no longer exists.');
    return this.incidents.applyChange(
      post.incidentId,
      async (trx, incident, t) => {
        const current = (await repo.findPost(trx, postId, { forUpdate: true }))!;
        const problem = await this.approvalProblem(trx, current, incident, actorId);
        if (problem) throw new DomainError(current.state === 'pending' ? 'forbidden' : 'invalid_state', problem);
        return this.publish(trx, t, current, actorId);
      },
      { sync: false },
    );
  }

  private async publish(trx: Kysely<Database>, t: ChangeTools, post: StatusPost, approvedBy: string | null): Promise<StatusPost> {
    const published = await repo.markPublished(trx, post.id, t.now, approvedBy);
    await t.append({
      actorId: approvedBy ?? post.authorId,
      kind: 'public_post_published',
      payload: { post_id: post.id, status: post.status, title: post.title, body: post.body, components: post.components, approved_by: approvedBy },
    });
    await t.enqueue({ kind: StatusTask.published, payload: { postId: post.id } });
    await pageChanged(trx, Boolean(this.page.export_dir));
    for (const p of this.publishers) await p.post?.(trx, publicPost(published));
    return published;
  }

  /** What the page shows of the incident: its latest title and status, and its components' states. */
  async pageState(incidentId: string): Promise<{ title: string; status: PublicIncidentStatus; states: Map<string, ComponentChange['state']> } | undefined> {
    const posts = await repo.publishedPostsOf(this.ctx.db, incidentId);
    if (!posts.length) return undefined;
    const states = new Map<string, ComponentChange['state']>();
    for (const p of posts) for (const c of p.components) states.set(c.name, c.state);
    const last = posts.at(-1)!;
    return { title: last.title, status: last.status, states };
  }

  /** Where the approval request was posted, to close it once published. */
  recordRequest(postId: string, channel: string, ts: string): Promise<void> {
    return repo.setRequestMessage(this.ctx.db, postId, channel, ts);
  }

  /** The incident's latest published post, if it is on the page. */
  async latestPublished(db: Kysely<Database>, incidentId: string): Promise<StatusPost | undefined> {
    return (await repo.publishedPostsOf(db, incidentId)).at(-1);
  }

  /** Resolving an incident whose page entry is still open proposes the public "resolved" post. */
  hooks(): IncidentHooks {
    return {
      resolved: async (trx, incident) => {
        const last = await this.latestPublished(trx, incident.id);
        if (last && last.status !== 'resolved') await enqueueTask(trx, { kind: StatusTask.proposeResolved, incidentId: incident.id });
      },
    };
  }
}
