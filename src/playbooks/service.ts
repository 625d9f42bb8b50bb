import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { DomainError } from '../incidents/errors.js';
import type { Incident } from '../incidents/incident.js';
import type { IncidentHooks, IncidentService } from '../incidents/service.js';
import { enqueueTask } from '../outbox/tasks.js';
import { appendTimeline, type TimelineEvent } from '../timeline/timeline.js';
import { findPlaybook, matchingPlaybooks, type Playbook } from './matching.js';
import * as repo from './repository.js';
import type { TaskKind } from '../outbox/kinds.js';
import type { ServiceContext } from '../context.js';

export type { ChecklistRun, Tick } from './repository.js';

/** Outbox tasks: post a checklist message; bring it in line with its ticks. */
export const ChecklistTask = { post: 'checklist.post', render: 'checklist.render' } as const satisfies Record<string, TaskKind>;

export interface NewChecklist {
  source: 'playbook' | 'dr';
  name: string;
  title: string;
  items: { text: string; role?: string }[];
  /** Unique per incident: the same key is never posted twice. */
  runKey: string;
  startedBy: string | null;
}

const playbookKey = (name: string) => `playbook:${name}`;

/**
 * Interactive checklists in incident channels: playbooks (posted when an incident matches, or by
 * hand) and DR plans. Each tick and untick is written to the timeline with who and when.
 */
export class ChecklistService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly incidents: IncidentService,
  ) {}

  /** Starts a checklist inside an incident's change; undefined when one with the same key exists. */
  async start(trx: Kysely<Database>, incident: Incident, c: NewChecklist, now: Date): Promise<repo.ChecklistRun | undefined> {
    const run = await repo.insertRun(trx, { incidentId: incident.id, ...c, at: now });
    if (run) await enqueueTask(trx, { kind: ChecklistTask.post, incidentId: incident.id, payload: { runId: run.id } });
    return run;
  }

  /** `/incident playbook <name>`: posts a playbook by hand, or returns the run already posted. */
  async postPlaybook(incidentId: string, name: string, actorId: string): Promise<{ playbook: Playbook; run: repo.ChecklistRun; created: boolean }> {
    const playbook = findPlaybook(this.ctx.policy, name);
    if (!playbook) throw new DomainError('not_found', `No playbook called "${name}". Playbooks: ${this.ctx.policy.playbooks.map((p) => p.name).join(', ') || 'none configured'}.`);
    return this.incidents.applyChange(
      incidentId,
      async (trx, incident, t) => {
        if (incident.closedAt) throw new DomainError('invalid_state', 'This incident is closed.');
        const run = await this.start(trx, incident, this.fromPlaybook(playbook, actorId), t.now);
        if (run) return { playbook, run, created: true };
        return { playbook, run: (await repo.findRunByKey(trx, incident.id, playbookKey(playbook.name)))!, created: false };
      },
      { sync: false },
    );
  }

  /** Ticks an item, or unticks it when it was ticked; the message is re-rendered from the stored state. */
  async toggle(runId: string, index: number, actorId: string): Promise<{ ticked: boolean; entry?: TimelineEvent; run: repo.ChecklistRun }> {
    const found = await repo.findRun(this.ctx.db, runId);
    if (!found) throw new DomainError('not_found', 'That checklist no longer exists.');
    return this.incidents.applyChange(
      found.incidentId,
      async (trx, incident, t) => {
        if (incident.closedAt) throw new DomainError('invalid_state', 'This incident is closed; its checklists are final.');
        const run = (await repo.findRun(trx, runId, { forUpdate: true }))!;
        const item = run.items[index];
        if (!item) throw new DomainError('invalid_input', 'That checklist item no longer exists.');
        const done = (await repo.ticksOf(trx, run.id)).some((x) => x.index === index);
        if (done) await repo.removeTick(trx, run.id, index);
        else await repo.addTick(trx, run.id, index, actorId, t.now);
        const entry = await t.append({
          actorId,
          kind: done ? 'checklist_unticked' : 'checklist_ticked',
          payload: { run: run.id, source: run.source, checklist: run.title, item: index + 1, of: run.items.length, text: item.text, role: item.role ?? null },
        });
        await t.enqueue({ kind: ChecklistTask.render, payload: { runId: run.id }, dedupeKey: `checklist:${run.id}` });
        return { ticked: !done, entry, run };
      },
      { sync: false },
    );
  }

  /** Records where one message (part) of a checklist was posted; the first one goes on the timeline. */
  async posted(run: repo.ChecklistRun, channelId: string, part: number, ts: string): Promise<void> {
    await this.ctx.db.transaction().execute(async (trx) => {
      await repo.addRunPart(trx, run.id, channelId, part, ts);
      if (part > 0) return;
      await appendTimeline(trx, {
        incidentId: run.incidentId,
        actorId: run.startedBy,
        kind: 'checklist_posted',
        payload: { run: run.id, source: run.source, name: run.name, checklist: run.title, items: run.items.length },
        dedupeKey: `checklist_posted:${run.id}`,
        at: this.ctx.clock.now(),
      });
    });
  }

  /** A run with its current ticks, for rendering. */
  async view(runId: string): Promise<{ run: repo.ChecklistRun; ticks: repo.Tick[] } | undefined> {
    const run = await repo.findRun(this.ctx.db, runId);
    return run ? { run, ticks: await repo.ticksOf(this.ctx.db, runId) } : undefined;
  }

  /** Playbooks whose criteria an incident meets are posted at declaration and when triage changes them. */
  hooks(): IncidentHooks {
    return {
      declared: (trx, incident) => this.autoPost(trx, incident),
      triaged: (trx, incident) => this.autoPost(trx, incident),
    };
  }

  private async autoPost(trx: Kysely<Database>, incident: Incident): Promise<void> {
    const matching = matchingPlaybooks(this.ctx.policy, incident);
    if (!matching.length) return;
    const posted = await repo.runKeysOf(trx, incident.id);
    for (const pb of matching) {
      if (!posted.has(playbookKey(pb.name))) await this.start(trx, incident, this.fromPlaybook(pb, null), this.ctx.clock.now());
    }
  }

  private fromPlaybook(pb: Playbook, startedBy: string | null): NewChecklist {
    return { source: 'playbook', name: pb.name, title: pb.title, items: pb.items.map((i) => ({ text: i.text, ...(i.role ? { role: i.role } : {}) })), runKey: playbookKey(pb.name), startedBy };
  }
}
