import { DashboardAuth } from '../http/dashboard/auth.js';
import { dashboardRoutes } from '../http/dashboard/routes.js';
import { ReportService } from '../reports/service.js';
import { weeklyReportJob } from '../reports/weekly.js';
import { reportEffects } from '../slack/effects/reports.js';
import { renderReviewDocument } from '../slack/effects/reviews.js';
import { registerHome, reportCommands } from '../slack/listeners/reports.js';
import { defineFeature } from './feature.js';

/** Numbers and exports: `/incident stats`, the weekly report, the dashboard, the Home tab. */
export const reports = defineFeature({
  name: 'reports',
  register(ctx) {
    const reports = new ReportService(ctx);
    const dashboard = new DashboardAuth(ctx.config.slack.signingSecret);
    // The dashboard shows an incident's review document as it would be posted.
    const reviewFor = async (incidentId: string) => {
      const incident = await ctx.use('incidents').findById(incidentId);
      if (!incident) return undefined;
      const { policy, clock, profiles, use } = ctx;
      return renderReviewDocument({ policy, clock, profiles, incidents: use('incidents'), reviews: use('reviews'), actions: use('actions'), problems: use('problems'), audit: use('audit'), timestamps: use('timestamps') }, incident);
    };
    return {
      services: { reports, dashboard },
      tasks: reportEffects({ client: ctx.client, policy: ctx.policy, reports, weeklySections: ctx.sections.weekly }),
      commands: reportCommands,
      listeners: registerHome,
      jobs: [weeklyReportJob(ctx.db, ctx.policy, () => ctx.tasks.kick())],
      routes: dashboardRoutes({ policy: ctx.policy, reports, auth: dashboard, logger: ctx.logger.child({ component: 'dashboard' }), reviewFor }),
    };
  },
});
