import type { Migration } from 'kysely';
import * as core from './20261126_0001_core.js';
import * as triage from './20261126_0002_triage.js';
import * as reviews from './20261126_0005_reviews.js';

/** Every migration, by name; names sort in the order they apply. */
export const migrations: Record<string, Migration> = {
  '20261126_0001_core': core,
  '20261126_0002_triage': triage,
  '20261126_0005_reviews': reviews,
};
