/**
 * The `status_page.atlassian` policy section: the Atlassian Statuspage connector. Setting it (and
 * STATUSPAGE_API_KEY in the environment) turns the connector on.
 */
import { z } from 'zod';
import { connectorUrl } from '../net/outbound.js';

/** Statuspage's API root (kept with the policy, so the client and the schema agree). */
export const DEFAULT_STATUSPAGE_API_URL = 'https://api.statuspage.io/v1';

const apiUrl = connectorUrl('https://api.statuspage.io/v1')
  .refine((u) => !new URL(u).search && !new URL(u).hash, 'must not have a query or fragment')
  .transform((u) => u.replace(/\/+$/, ''));

/**
 * Statuspage ids are short alphanumeric strings (e.g. `kctbh9vrtdwd`); `_` and `-` are let through
 * (they are safe in a URL path) so that placeholders such as `cmp_1` read as ids, not as errors.
 */
const statuspageId = (what: string) => z.string().trim().regex(/^[A-Za-z0-9_-]{1,64}$/, `must be a Statuspage ${what} id (letters, digits, _ or -, such as kctbh9vrtdwd)`);

export const atlassianStatusPageSchema = z
  .object({
    /** The page to publish to (Statuspage → your page → API info). */
    page_id: statuspageId('page'),
    /** Overridable so tests can point the connector at a fake. */
    api_url: apiUrl.default(DEFAULT_STATUSPAGE_API_URL),
    /** Hours a post or maintenance that Statuspage keeps refusing with a retryable error (or cannot be reached for) is retried before it is given up. */
    retry_hours: z.number().int().min(1, 'must be at least 1').max(720, 'must be at most 720 (30 days)').default(24),
    /** Status page component name (`status_page.components[].name`) → Statuspage component id. */
    components: z.record(z.string().trim().min(1, 'component names must not be empty'), statuspageId('component')).default({}),
  })
  .strict();

export type AtlassianStatusPagePolicy = z.infer<typeof atlassianStatusPageSchema>;
