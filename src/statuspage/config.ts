/**
 * The Statuspage connector's settings from the environment: STATUSPAGE_API_KEY, required once
 * `status_page.atlassian` is configured. Problems are listed one per line, as src/config.ts lists
 * them, and never include the key itself.
 */
import { ConfigError } from '../config.js';
import type { AtlassianStatusPagePolicy } from './policy.js';

export interface StatuspageConfig {
  apiUrl: string;
  apiKey: string;
  pageId: string;
  /** Status page component name → Statuspage component id. */
  components: Record<string, string>;
}

/**
 * The connector's configuration, or undefined when `status_page.atlassian` is not configured (a key
 * alone leaves it off). Throws ConfigError naming what is missing or malformed (a start-up problem).
 */
export function statuspageConfig(policy: AtlassianStatusPagePolicy | undefined, env: Readonly<Record<string, string | undefined>>): StatuspageConfig | undefined {
  if (!policy) return undefined;
  const key = env.STATUSPAGE_API_KEY?.trim() ?? '';
  const problems: string[] = [];
  if (key === '') problems.push('STATUSPAGE_API_KEY: is required by status_page.atlassian (Statuspage → your avatar → API info)');
  else if (/\s/.test(key)) problems.push('STATUSPAGE_API_KEY: must be the API key alone, without spaces or the "OAuth" prefix');
  if (problems.length) throw new ConfigError(problems);
  return { apiUrl: policy.api_url, apiKey: key, pageId: policy.page_id, components: policy.components };
}
