import { z } from 'zod';

/**
 * Slack sends message and slash-command text with &, < and > escaped (its own markup such as
 * `<@U123>` stays as it is). Stored text is what the person typed; each surface escapes it again
 * for itself (Slack's mrkdwn, the dashboard's HTML).
 */
export function slackUnescape(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The parts of Slack payloads the listeners rely on, validated before use. */
export const commandPayload = z.object({
  text: z.string().default(''),
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
  team_id: z.string().min(1),
  trigger_id: z.string().min(1),
});

export const viewPayload = z.object({
  user: z.object({ id: z.string().min(1), team_id: z.string().optional() }),
  team: z.object({ id: z.string().min(1) }).nullable().optional(),
  view: z.object({
    id: z.string().min(1),
    callback_id: z.string(),
    private_metadata: z.string().default(''),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.any())) }),
  }),
});

export const shortcutPayload = z.object({
  trigger_id: z.string().min(1),
  user: z.object({ id: z.string().min(1) }),
});

type Values = Record<string, Record<string, any>>;

/** Reads a plain text input's value ('' when empty). */
export function textValue(values: Values, block: string): string {
  return String(values[block]?.[block]?.value ?? '').trim();
}

/** Reads a select's or radio group's chosen value. */
export function selectedValue(values: Values, block: string): string | undefined {
  return values[block]?.[block]?.selected_option?.value ?? undefined;
}

/** The services chosen in a services input: the multi-select's options, or the comma-separated text. */
export function selectedServices(values: Values, block: string): string[] {
  const v = values[block]?.[block];
  const picked = Array.isArray(v?.selected_options) ? (v.selected_options as { value?: unknown }[]).map((o) => String(o.value ?? '')) : String(v?.value ?? '').split(',');
  return picked.map((s) => s.trim()).filter(Boolean);
}

/** The values chosen in a multi-select or checkbox group. */
export function selectedValues(values: Values, block: string): string[] {
  return ((values[block]?.[block]?.selected_options ?? []) as { value: string }[]).map((o) => o.value);
}

/** True when a single-checkbox input is ticked. */
export function checked(values: Values, block: string): boolean {
  return selectedValues(values, block).length > 0;
}

export function selectedUser(values: Values, block: string): string | undefined {
  return values[block]?.[block]?.selected_user ?? undefined;
}

/** Parses private_metadata that this app wrote; malformed metadata yields undefined. */
export function metadata<T extends z.ZodTypeAny>(schema: T, raw: string): z.infer<T> | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(raw || '{}'));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export const incidentMetadata = z.object({ incidentId: z.string().regex(/^\d+$/) });

/** The declare form's metadata; an origin in it is the alert group whose triage post a person declared from. */
export const declareMetadata = z.object({
  channelId: z.string().optional(),
  origin: z.object({ signalGroupId: z.string().regex(/^\d+$/), how: z.literal('manual') }).optional(),
  type: z.string().max(60).optional(),
});

/** The update preview carries only its stored draft's id. */
/** `thenPublic`: the public status page post form follows once the update is posted. */
export const previewMetadata = z.object({ draftId: z.uuid(), thenPublic: z.boolean().optional() });
