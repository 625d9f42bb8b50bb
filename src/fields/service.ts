import type { ServiceContext } from '../context.js';
import { DomainError, refuseInvalid } from '../incidents/errors.js';
import { isClosed, isResolved, type Incident } from '../incidents/incident.js';
import * as repo from '../incidents/repository.js';
import type { IncidentService } from '../incidents/service.js';
import { fieldErrorKey, fieldLabel, fieldsOfType, findType, isEmpty, missingProblems, sameValue, valueProblem, type FieldValue, type FieldValues } from '../incidents/fields.js';

export interface FieldEdit {
  incidentId: string;
  actorId: string;
  /** The new type by name, null for none; undefined leaves it as it is. */
  type?: string | null;
  /** Values of the (new) type's fields by key; an empty value clears the field, a key not given keeps its value. */
  values: Record<string, FieldValue | null>;
}

/**
 * An incident's type and custom field values after its declaration (`/incident fields`, the resolve
 * form). Each change is its own timeline row; values of fields the type (or the policy) no longer
 * has are kept, never dropped. The fields the (new) type requires by the incident's stage (declare,
 * or resolve once resolved) must be filled, as the declare and resolve forms require them.
 */
export class FieldService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly incidents: IncidentService,
  ) {}

  async edit(input: FieldEdit): Promise<{ incident: Incident; changed: number }> {
    const policy = this.ctx.policy;
    return this.incidents.applyChange(input.incidentId, async (trx, current, t) => {
      if (isClosed(current)) throw new DomainError('invalid_state', 'This incident is closed; its fields are final. `/incident reopen <reason>` reopens it.');
      const type = input.type === undefined ? findType(policy, current.type) : input.type === null ? undefined : findType(policy, input.type);
      refuseInvalid<string>({ type: input.type && !type ? `Unknown incident type ${input.type}.` : undefined });
      const typeName = input.type === undefined ? current.type : (type?.name ?? null);
      const fields = fieldsOfType(policy, typeName);
      refuseInvalid<string>(Object.fromEntries(fields.map((f) => [fieldErrorKey(f.key), valueProblem(f, input.values[f.key])])));
      const next: FieldValues = { ...current.fields };
      let changed = 0;
      if (typeName !== current.type) {
        await t.append({ actorId: input.actorId, kind: 'type_changed', payload: { from: current.type, to: typeName } });
        changed++;
      }
      for (const f of fields) {
        if (!(f.key in input.values)) continue;
        const to = input.values[f.key];
        const from = current.fields[f.key];
        if (sameValue(from, to)) continue;
        if (isEmpty(to)) delete next[f.key];
        else next[f.key] = to!;
        await t.append({ actorId: input.actorId, kind: 'field_changed', payload: { key: f.key, label: fieldLabel(f), field_type: f.type, from: isEmpty(from) ? null : from!, to: isEmpty(to) ? null : to! } });
        changed++;
      }
      const stage = isResolved(current) ? 'resolve' : 'declare';
      refuseInvalid<string>(missingProblems(policy, { type: typeName, fields: next }, stage));
      if (!changed) return { incident: current, changed };
      const incident = await repo.updateIncident(trx, current.id, { incident_type: typeName, custom_fields: JSON.stringify(next) });
      return { incident, changed };
    });
  }
}
