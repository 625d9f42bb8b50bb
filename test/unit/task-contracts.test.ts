/*
 * The outbox contract is checked by the compiler (`npm run typecheck`): every line marked
 * `@ts-expect-error` below must stay refused, or the type check fails. A task kind without its
 * handler, or queued in a lane whose runner does not handle it, would otherwise only be found at run
 * time, as a task given up for want of a handler.
 */
import { describe, expect, it } from 'vitest';
import type { FEATURES } from '../../src/features/index.js';
import type { incidents } from '../../src/features/incidents.js';
import type { UnhandledKinds } from '../../src/features/feature.js';
import type { LaneTaskHandlers } from '../../src/jobs/task-runner.js';
import type { TaskFields } from '../../src/outbox/tasks.js';

const handled = async () => {};

// The Slack lane: the feature list handles every kind; a list without most features does not.
const complete: [UnhandledKinds<typeof FEATURES>] extends [never] ? true : never = true;
// @ts-expect-error kinds of the features left out have no handler
const incomplete: [UnhandledKinds<readonly [typeof incidents]>] extends [never] ? true : never = true;

// A feature's own lane has a handler for every kind it carries.
const statuspage: LaneTaskHandlers<'statuspage'> = { 'statuspage.post': handled, 'statuspage.maintenance': handled };
// @ts-expect-error statuspage.maintenance has no handler
const partial: LaneTaskHandlers<'statuspage'> = { 'statuspage.post': handled };

// A kind is queued in the lane whose runner handles it.
const keepOpen: TaskFields<'jira.keep_open'> = { kind: 'jira.keep_open', lane: 'jira', payload: { issueKey: 'OPS-1', decidedBy: 'U1' } };
// @ts-expect-error without its lane it would wait in the Slack lane, which has no handler for it
const laneless: TaskFields<'jira.keep_open'> = { kind: 'jira.keep_open', payload: { issueKey: 'OPS-1', decidedBy: 'U1' } };
// @ts-expect-error the Statuspage lane's runner has no handler for it
const otherLane: TaskFields<'jira.keep_open'> = { kind: 'jira.keep_open', lane: 'statuspage', payload: { issueKey: 'OPS-1', decidedBy: 'U1' } };
const sync: TaskFields<'incident.sync'> = { kind: 'incident.sync' };
// @ts-expect-error a Slack side effect in a connector's lane would never run
const misplaced: TaskFields<'incident.sync'> = { kind: 'incident.sync', lane: 'jira' };

describe('the outbox contract', () => {
  it('is checked by the type check (the declarations above)', () => {
    expect([complete, incomplete, statuspage, partial, keepOpen, laneless, otherLane, sync, misplaced]).toHaveLength(9);
  });
});
