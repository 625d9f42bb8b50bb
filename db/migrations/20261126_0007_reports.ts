import { sql, type Kysely } from 'kysely';

// Reports: the index behind period statistics, and the record of scheduled reports already sent.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('incidents_team_declared_idx').on('incidents').columns(['team_id', 'declared_at']).execute();
  await db.schema.createIndex('incidents_declared_idx').on('incidents').column('declared_at').execute();
  await db.schema
    .createTable('sent_reports')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sent_reports').ifExists().execute();
  await db.schema.dropIndex('incidents_declared_idx').ifExists().execute();
  await db.schema.dropIndex('incidents_team_declared_idx').ifExists().execute();
}
