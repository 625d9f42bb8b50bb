import type { Kysely } from 'kysely';

/**
 * The text of the review document last posted (the version `doc_version`), so that outside systems
 * (the ServiceNow connector) are sent exactly the document the channel got.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('reviews').addColumn('doc_content', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('reviews').dropColumn('doc_content').execute();
}
