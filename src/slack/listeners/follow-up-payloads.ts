import { z } from 'zod';

/** A block action with where it happened: message (channel, ts, ephemeral?) or modal (view). */
export const interactionPayload = z.object({
  trigger_id: z.string().min(1),
  user: z.object({ id: z.string().min(1) }),
  team: z.object({ id: z.string().min(1) }).nullable().optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).min(1),
  container: z
    .object({ type: z.string(), channel_id: z.string().optional(), message_ts: z.string().optional(), view_id: z.string().optional(), is_ephemeral: z.boolean().optional() })
    .optional(),
  response_url: z.string().optional(),
  view: z.object({ id: z.string().min(1), type: z.string().optional(), private_metadata: z.string().default('') }).optional(),
});

/** A validated block action. */
export type InteractionPayload = z.infer<typeof interactionPayload>;

/** Reads a date picker's value ('YYYY-MM-DD' or undefined). */
export function selectedDate(values: Record<string, Record<string, any>>, block: string): string | undefined {
  return values[block]?.[block]?.selected_date ?? undefined;
}


/** private_metadata of the action form (reviewViewId: the review form it was pushed from). */
export const actionModalMetadata = z.object({ incidentId: z.string().regex(/^\d+$/), reviewViewId: z.string().optional() });
/** private_metadata of the reassign form (the list to redraw afterwards, if any). */
export const reassignMetadata = z.object({
  actionId: z.string().regex(/^\d+$/),
  responseUrl: z.string().url().optional(),
  list: z.object({ scope: z.enum(['mine', 'all', 'overdue']), incidentId: z.string().optional() }).optional(),
});
/** private_metadata of the problem form: a new record from an incident, or an edit. */
export const problemMetadata = z.object({ incidentId: z.string().regex(/^\d+$/).optional(), problemId: z.string().regex(/^\d+$/).optional() });
