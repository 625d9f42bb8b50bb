import type { Migration } from 'kysely';
import * as core from './20261126_0001_core.js';
import * as triage from './20261126_0002_triage.js';
import * as preparedness from './20261126_0008_preparedness.js';

/** Every migration, by name; names sort in the order they apply. */
export const migrations: Record<string, Migration> = {
  '20261126_0001_core': core,
  '20261126_0002_triage': triage,
  '20261126_0008_preparedness': preparedness,
};
