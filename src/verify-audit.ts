import path from 'node:path';
import { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { ChainHead } from './audit/verify.js';
import { verifyChains } from './audit/verify.js';
import { openDatabase } from './db/database.js';
import { startEmbeddedPostgres } from './db/embedded.js';
import { migrateToLatest } from './db/migrate.js';
import { readPostedHeads } from './slack/effects/audit.js';

/** An empty variable counts as unset. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (typeof v === 'string' && !v.trim() ? undefined : v), schema.optional());
const envSchema = z.object({
  DATABASE_URL: optional(z.string().trim()),
  DATA_DIR: optional(z.string().trim()),
  SLACK_BOT_TOKEN: optional(z.string().trim().startsWith('xoxb-', 'must be a bot token (xoxb-…)')),
  SLACK_API_URL: optional(z.string().trim().url()),
});

/**
 * `npm run verify-audit`: checks every incident's timeline hash chain and the chain heads recorded
 * in the database; with SLACK_BOT_TOKEN, also against the heads posted in the incident channels.
 * Exit 1 names the first broken row of each broken timeline.
 */
async function main(): Promise<number> {
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) console.error(`${issue.path.join('.')}: ${issue.message}`);
    return 2;
  }
  const env = parsed.data;
  const embedded = env.DATABASE_URL ? undefined : await startEmbeddedPostgres(path.resolve(env.DATA_DIR || './data'));
  const handle = openDatabase(env.DATABASE_URL || embedded!.url, { embedded: !env.DATABASE_URL });
  try {
    await migrateToLatest(handle.db);
    let posted: ChainHead[] = [];
    if (env.SLACK_BOT_TOKEN) {
      const incidents = await handle.db.selectFrom('incidents').select(['id', 'channel_id as channelId', 'number']).where('channel_id', 'is not', null).orderBy('id').execute();
      const client = new WebClient(env.SLACK_BOT_TOKEN, env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {});
      const read = await readPostedHeads(client, incidents);
      posted = read.heads;
      const numberOf = (id: string) => incidents.find((i) => i.id === id)?.number;
      for (const u of read.unread) console.log(`WARNING incident #${numberOf(u.incidentId)}: its channel could not be read (${u.error}); compared with the database only`);
      for (const id of read.partial) console.log(`WARNING incident #${numberOf(id)}: only the newest messages of its channel were read`);
    }
    const report = await verifyChains(handle.db, undefined, posted);
    const heads = `${report.heads.database} chain heads recorded in the database, ${env.SLACK_BOT_TOKEN ? `${report.heads.slack} posted in Slack` : 'none read from Slack (set SLACK_BOT_TOKEN to compare with the heads posted there)'}`;
    if (!report.broken.length) {
      console.log(`audit trail intact: ${report.rows} timeline rows in ${report.incidents} incidents verified; ${heads}`);
      return 0;
    }
    for (const b of report.broken) {
      const row = b.rowId ? ` (id ${b.rowId})` : '';
      const where = b.source ? ` [chain head ${b.source === 'slack' ? 'posted in Slack' : 'recorded in the database'}]` : '';
      console.log(`BROKEN incident #${b.number} (id ${b.incidentId}): row seq ${b.seq}${row}: ${b.reason}${where}`);
    }
    console.log(`${report.broken.length} of ${report.incidents} incident timelines are broken; ${heads}`);
    return 1;
  } finally {
    await handle.close();
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`verify-audit failed: ${(err as Error).message}`);
    process.exit(2);
  },
);
