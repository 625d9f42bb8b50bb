import { givenUpDeliveries, redriveGivenUp } from '../integrations/given-up.js';
import { ItsmPanels } from '../integrations/itsm-panels.js';
import { itsmCommands } from '../slack/listeners/itsm.js';
import { defineFeature } from './feature.js';

/** `/incident itsm`: shared by the ITSM connectors listed after it, which add their panels. */
export const itsm = defineFeature({
  name: 'itsm',
  register(ctx) {
    const panels = new ItsmPanels();
    const deliveries = {
      list: (incidentId: string, lanes: readonly string[]) => givenUpDeliveries(ctx.db, incidentId, lanes),
      redrive: async (incidentId: string, lanes: readonly string[]) => {
        const queued = await redriveGivenUp(ctx.db, incidentId, lanes);
        if (queued) ctx.tasks.kick();
        return queued;
      },
    };
    return { services: { itsmPanels: panels }, commands: itsmCommands(panels, deliveries) };
  },
});
