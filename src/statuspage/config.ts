/**
 * The Statuspage connector's settings from the environment (STATUSPAGE_API_KEY). They are read with
 * the rest of the configuration in src/config.ts, as ServiceNow's are, so the configuration depends
 * on no connector folder.
 */
export { statuspageConfig, type StatuspageConfig } from '../config.js';
