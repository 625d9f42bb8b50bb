import { ItsmPanels } from '../integrations/itsm-panels.js';
import { itsmCommands } from '../slack/listeners/itsm.js';
import { defineFeature } from './feature.js';

/** `/incident itsm`: shared by the ITSM connectors listed after it, which add their panels. */
export const itsm = defineFeature({
  name: 'itsm',
  register() {
    const panels = new ItsmPanels();
    return { services: { itsmPanels: panels }, commands: itsmCommands(panels) };
  },
});
