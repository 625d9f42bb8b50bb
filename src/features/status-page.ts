import { enqueueTask } from '../outbox/tasks.js';
import { statusRoutes } from '../http/status.js';
import { findIncidentById } from '../incidents/repository.js';
import { statusPageEffects } from '../slack/effects/status-page.js';
import { registerStatusPage } from '../slack/listeners/status-page.js';
import { StatusTask } from '../status/changed.js';
import { pageFiles, writePageFiles } from '../status/export.js';
import { MaintenanceService } from '../status/maintenance.js';
import { readPage } from '../status/reader.js';
import { StatusPostService } from '../status/service.js';
import { StatuspageClient } from '../statuspage/client.js';
import { STATUSPAGE_LANE, statuspageLaneHandlers, statuspagePublishers } from '../status/statuspage-lane.js';
import { createStatuspageSync } from '../statuspage/sync.js';
import { defineFeature } from './feature.js';

/**
 * The public status page (policy `status_page`): `/status` and its JSON and feed, public posts from
 * `/incident update` with a second person's approval, maintenance from change records, and a static
 * copy in `export_dir` written on every change; with `status_page.atlassian`, each published post and
 * maintenance revision is sent to Atlassian Statuspage in a lane of its own.
 */
export const statusPage = defineFeature({
  name: 'status-page',
  register(ctx) {
    const page = ctx.policy.status_page;
    const base = () => (ctx.publicUrl?.() ?? ctx.policy.reports.base_url ?? `http://localhost:${ctx.config.port}`).replace(/\/+$/, '');
    const pageUrl = () => `${base()}/status/`;
    // Atlassian Statuspage (policy status_page.atlassian + STATUSPAGE_API_KEY): its own lane.
    const atlassian = ctx.config.statuspage;
    const publishers = atlassian ? [statuspagePublishers()] : [];
    const posts = page ? new StatusPostService(ctx, ctx.use('incidents'), page, publishers) : undefined;
    const maintenances = page ? new MaintenanceService(ctx, page, publishers) : undefined;
    const read = () => readPage(ctx.db, page!, ctx.clock.now());
    const exportDir = page?.export_dir;
    const sync = atlassian
      ? createStatuspageSync({ db: ctx.db, pageId: atlassian.pageId, components: atlassian.components, client: new StatuspageClient({ apiUrl: atlassian.apiUrl, apiKey: atlassian.apiKey, logger: ctx.logger.child({ component: 'statuspage' }) }) })
      : undefined;
    return {
      services: { statusPosts: posts, maintenances },
      incidentHooks: posts?.hooks(),
      // Queued only with a status page; a task left from an earlier configuration does nothing.
      tasks: {
        ...statusPageEffects({ client: ctx.client, numberPrefix: ctx.policy.number_prefix, load: (id) => findIncidentById(ctx.db, id), posts, pageUrl }),
        [StatusTask.export]: async () => {
          if (page && exportDir) await writePageFiles(exportDir, pageFiles(await read(), pageUrl()));
        },
      },
      lanes:
        sync && posts && maintenances
          ? [
              {
                lane: STATUSPAGE_LANE,
                retryForMs: (page?.atlassian?.retry_hours ?? 24) * 3_600_000,
                tasks: statuspageLaneHandlers({
                  sync,
                  post: (id) => posts.published(id),
                  maintenance: (id) => maintenances.published(id),
                  failing: async (post, error) => {
                    const payload = { postId: post.postId, error: error.slice(0, 500) };
                    await enqueueTask(ctx.db, { kind: StatusTask.connectorFailing, incidentId: post.incidentId, payload, idempotencyKey: `statuspage.failing:${post.postId}` });
                    ctx.tasks.kick();
                  },
                }),
              },
            ]
          : [],
      listeners: registerStatusPage,
      jobs: maintenances
        ? [
            { name: 'status-maintenance', cron: '* * * * *', run: async (now: Date) => void (await maintenances.tick(now)) },
            // The copy's 90-day bars move with the clock: written again every hour (and at start-up).
            ...(exportDir
              ? [
                  {
                    name: 'status-export',
                    cron: '7 * * * *',
                    run: async () => {
                      await enqueueTask(ctx.db, { kind: StatusTask.export, dedupeKey: 'status.export' });
                      ctx.tasks.kick();
                    },
                  },
                ]
              : []),
          ]
        : [],
      routes: page ? statusRoutes({ read, pageUrl, logger: ctx.logger.child({ component: 'status-page' }) }) : [],
    };
  },
});
