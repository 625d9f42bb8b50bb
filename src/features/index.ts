import { actions } from './actions.js';
import { audit } from './audit.js';
import { capture } from './capture.js';
import { catchup } from './catchup.js';
import { catalog } from './catalog.js';
import { changes } from './changes.js';
import { clocks } from './clocks.js';
import { dr } from './dr.js';
import { drills } from './drills.js';
import { escalation } from './escalation.js';
import { fields } from './fields.js';
import { healthchecks } from './healthchecks.js';
import { incidents } from './incidents.js';
import { oncall } from './oncall.js';
import { paging } from './paging.js';
import { playbooks } from './playbooks.js';
import { problems } from './problems.js';
import { reminders } from './reminders.js';
import { reports } from './reports.js';
import { reviews } from './reviews.js';
import { roles } from './roles.js';
import { servicenow } from './servicenow.js';
import { itsm } from './itsm.js';
import { jira } from './jira.js';
import { signals } from './signals.js';
import { statusPage } from './status-page.js';
import { timestamps } from './timestamps.js';
import { triage } from './triage.js';
import { vendors } from './vendors.js';

/**
 * Every feature, in order. A feature finds the services of those above it. The order is also that
 * of the incident hooks (so of the messages in a new channel: owners paged, what changed,
 * playbooks; the audit seal last, after what the others write), of `/incident help` and of the
 * Home tab's sections.
 */
export const FEATURES = [
  incidents,
  fields,
  triage,
  escalation,
  vendors,
  roles,
  timestamps,
  reports,
  actions,
  catchup,
  reminders,
  oncall,
  signals,
  healthchecks,
  paging,
  problems,
  reviews,
  catalog,
  changes,
  playbooks,
  drills,
  dr,
  capture,
  clocks,
  statusPage,
  itsm,
  servicenow,
  jira,
  audit,
] as const;
