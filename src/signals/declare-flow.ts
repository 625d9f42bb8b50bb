import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { DomainError } from '../incidents/errors.js';
import type { DeclarationOrigin, Incident } from '../incidents/incident.js';
import { recordDetection } from '../incidents/repository.js';
import { TITLE_MAX, type IncidentHooks, type IncidentService } from '../incidents/service.js';
import { PermanentFailure, type TaskHandler } from '../jobs/task-runner.js';
import type { OncallService } from '../oncall/service.js';
import type { Policy } from '../policy/schema.js';
import { incidentSeverityFor } from './routing.js';
import type { SignalService } from './service.js';
import type { SignalGroup } from './signal.js';

/** Who declares what a routing rule declares: the bot's user and workspace, known once it has started. */
export interface DeclaringActor {
  teamId: string;
  userId: string;
}

/** The incident severity a group proposes: its rule's, else the policy severity matching its alerts'. */
export function proposedSeverity(group: SignalGroup, policy: Policy): string {
  return group.route.severity ?? incidentSeverityFor(group.severity, policy.severities);
}

export interface SignalDeclareFlowDeps {
  policy: Policy;
  incidents: IncidentService;
  signals: SignalService;
  oncall: OncallService;
}

/**
 * Signal → incident. A group whose routing rule says "declare" declares its incident once per
 * episode, through the incident service, with the group as the declaration's origin. Any
 * declaration with an origin (a rule's, or a person's from the triage post) links its group in the
 * declaring transaction: the incident and the link commit together or not at all.
 */
export class SignalDeclareFlow {
  constructor(private readonly deps: SignalDeclareFlowDeps) {}

  /**
   * Carries out a group's auto-declare rule. Nothing happens when the group no longer asks for it (a
   * later episode, a group linked meanwhile); the source key makes a replayed or retried run return
   * the incident already declared.
   */
  async autoDeclare(groupId: string, episode: number, actor: DeclaringActor): Promise<Incident | undefined> {
    const { policy, incidents, signals, oncall } = this.deps;
    const group = await signals.findGroup(groupId);
    if (!group || group.episode !== episode || group.incidentId || group.route.action !== 'declare') return undefined;
    const rotation = group.route.commanderRotation;
    const onCall = rotation ? await oncall.whoIsOn(rotation) : undefined;
    const { incident } = await incidents.declare({
      teamId: actor.teamId,
      title: group.title.slice(0, TITLE_MAX),
      description: [group.description, group.link ? `Alert: ${group.link}` : ''].filter(Boolean).join('\n'),
      severity: proposedSeverity(group, policy),
      kind: group.route.kind,
      services: group.service ? [group.service] : [],
      commanderId: onCall?.userId ?? actor.userId,
      reporterId: actor.userId,
      sourceKey: `signal:${group.id}:${group.episode}`,
      origin: { signalGroupId: group.id, how: 'auto' },
    });
    return incident;
  }

  /** The incident hook that links a declaration's group, inside the declaring transaction. */
  hooks(): IncidentHooks {
    return { declared: (trx, incident, origin) => this.linkOrigin(trx, incident, origin) };
  }

  private async linkOrigin(trx: Kysely<Database>, incident: Incident, origin: DeclarationOrigin | undefined): Promise<void> {
    if (!origin) return;
    const { signals } = this.deps;
    const group =
      origin.how === 'auto'
        ? await signals.linkInTransaction(trx, origin.signalGroupId, incident, null, 'auto')
        : await signals.linkInTransaction(trx, origin.signalGroupId, incident, incident.reporterId, 'declared');
    // Declared from a signal: it was detected when its first alert came in.
    if (group) await recordDetection(trx, incident.id, group.firstSeenAt);
  }
}

/**
 * The outbox handler of an auto-declare task. `actor` gives the bot's identity (resolved at
 * start-up; it asks for a retry later while Slack has not answered yet).
 */
export function autoDeclareHandler(flow: SignalDeclareFlow, actor: () => Promise<DeclaringActor>): TaskHandler<'signal.declare'> {
  return async (task) => {
    const who = await actor();
    try {
      await flow.autoDeclare(task.payload.groupId, task.payload.episode, who);
    } catch (err) {
      // A rule that cannot declare (e.g. its severity was removed from the policy) will not succeed on retry.
      if (err instanceof DomainError) throw new PermanentFailure(`auto-declare refused: ${err.message}`);
      throw err;
    }
  };
}
