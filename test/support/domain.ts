import { ActionService } from '../../src/actions/service.js';
import { CatalogService } from '../../src/catalog/service.js';
import { ChangeService } from '../../src/changes/service.js';
import { openDatabase, type Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { DrillService } from '../../src/drills/service.js';
import { IncidentService } from '../../src/incidents/service.js';
import { OncallService } from '../../src/oncall/service.js';
import { PagingService } from '../../src/paging/service.js';
import { ChecklistService } from '../../src/playbooks/service.js';
import { policySchema, type Policy } from '../../src/policy/schema.js';
import { ProblemService } from '../../src/problems/service.js';
import { ReminderService } from '../../src/reminders/service.js';
import { ReportService } from '../../src/reports/service.js';
import { ReviewService } from '../../src/reviews/service.js';
import { RoleService } from '../../src/roles/service.js';
import { SignalDeclareFlow } from '../../src/signals/declare-flow.js';
import { SignalService } from '../../src/signals/service.js';
import { TriageService } from '../../src/triage/service.js';
import { VendorService } from '../../src/vendors/service.js';
import { FakeClock } from './clock.js';
import { createTestDatabase, type TestDatabase } from './database.js';

/**
 * The domain services wired as the composition root (src/server.ts) wires them, hooks included and
 * in the same order, on a fresh migrated database and a clock that moves only when told, without
 * Bolt, Slack or the task runner. Queued Slack side effects stay in `slack_tasks` for tests to read.
 */
export interface Domain {
  db: Db;
  policy: Policy;
  clock: FakeClock;
  database: TestDatabase;
  /** How often a commit told the task runner that tasks were queued. */
  readonly kicks: number;
  incidents: IncidentService;
  triage: TriageService;
  roles: RoleService;
  vendors: VendorService;
  reviews: ReviewService;
  actions: ActionService;
  problems: ProblemService;
  reminders: ReminderService;
  signals: SignalService;
  signalDeclare: SignalDeclareFlow;
  oncall: OncallService;
  paging: PagingService;
  catalog: CatalogService;
  checklists: ChecklistService;
  changes: ChangeService;
  drills: DrillService;
  reports: ReportService;
  stop(): Promise<void>;
}

export interface DomainOptions {
  /** Policy as in the YAML file (parsed with its defaults), e.g. `{ reminders: { time: '08:00' } }`. */
  policy?: Record<string, unknown>;
  /** Start time of the fake clock. */
  now?: string;
}

/** Builds the services on a fresh database; `stop()` closes and drops it. */
export async function startDomain(opts: DomainOptions = {}): Promise<Domain> {
  const policy = policySchema.parse(opts.policy ?? {});
  const clock = new FakeClock(opts.now);
  const database = await createTestDatabase();
  const handle = openDatabase(database.url, { max: 4 });
  await migrateToLatest(handle.db).catch(async (err) => {
    await handle.close();
    await database.drop();
    throw err;
  });
  const db = handle.db;
  let kicks = 0;
  const kick = () => {
    kicks++;
  };
  const incidents = new IncidentService(db, policy, kick, clock);
  const oncall = new OncallService(db, policy, clock);
  const paging = new PagingService(db, policy, oncall, clock, false, kick);
  const signals = new SignalService(db, policy, clock, kick);
  const signalDeclare = new SignalDeclareFlow({ policy, incidents, signals, oncall });
  incidents.addHooks(signalDeclare.hooks());
  incidents.addHooks({
    declared: (trx, incident) => paging.onDeclared(trx, incident),
    resolved: (trx, incident) => paging.onResolved(trx, incident),
    priorityChanged: (trx, incident, from, to) => paging.onPriorityChanged(trx, incident, from, to),
  });
  const reviews = new ReviewService(db, policy, clock, kick);
  incidents.addHooks(reviews.hooks());
  const catalog = new CatalogService(db, policy, clock);
  const changes = new ChangeService(db, incidents, policy, clock, kick);
  const checklists = new ChecklistService(db, incidents, policy, clock);
  const drills = new DrillService(db, incidents, policy, clock);
  for (const hooks of [catalog.hooks(), changes.hooks(), checklists.hooks(), drills.hooks()]) incidents.addHooks(hooks);
  const actions = new ActionService(db, policy, clock, kick);
  const reminders = new ReminderService(db, policy, clock);
  actions.addHooks(reminders.actionHooks());
  return {
    db,
    policy,
    clock,
    database,
    get kicks() {
      return kicks;
    },
    incidents,
    triage: new TriageService(incidents, policy),
    roles: new RoleService(db, incidents, policy),
    vendors: new VendorService(db, incidents, policy),
    reviews,
    actions,
    problems: new ProblemService(db, clock, kick),
    reminders,
    signals,
    signalDeclare,
    oncall,
    paging,
    catalog,
    checklists,
    changes,
    drills,
    reports: new ReportService(db, policy, clock),
    async stop() {
      await handle.close();
      await database.drop();
    },
  };
}

/** The Slack side effects queued and not yet carried out, oldest first (optionally of one kind). */
export async function queuedTasks(d: Pick<Domain, 'db'>, kind?: string): Promise<{ kind: string; incidentId: string | null; payload: Record<string, unknown>; dedupeKey: string | null; runAt: Date }[]> {
  let q = d.db.selectFrom('slack_tasks').selectAll().where('done_at', 'is', null);
  if (kind) q = q.where('kind', '=', kind);
  const rows = await q.orderBy('id').execute();
  return rows.map((r) => ({ kind: r.kind, incidentId: r.incident_id, payload: r.payload, dedupeKey: r.dedupe_key, runAt: r.run_at }));
}
