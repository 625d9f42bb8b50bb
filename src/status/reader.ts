import type { Db } from '../db/database.js';
import type { StatusPagePolicy } from '../policy/status-page-schema.js';
import { buildPage, HISTORY_DAYS, type PageModel } from './page.js';
import * as repo from './repository.js';

const DAY = 86_400_000;

/** Reads what was published over the history and builds the page at `now`. */
export async function readPage(db: Db, policy: StatusPagePolicy, now: Date): Promise<PageModel> {
  const since = new Date(now.getTime() - HISTORY_DAYS * DAY);
  const [posts, incidentTimes, maintenances] = await Promise.all([repo.publishedPostsSince(db, since), repo.publicIncidentTimes(db, since), repo.maintenancesSince(db, since)]);
  return buildPage({ policy, now, posts, incidentTimes, maintenances });
}
