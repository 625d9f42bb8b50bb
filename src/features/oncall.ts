import { OncallService } from '../oncall/service.js';
import { oncallCommands } from '../slack/listeners/oncall.js';
import { onCallSection } from '../slack/views/home-sections.js';
import { defineFeature } from './feature.js';

/** On-call rotations and overrides. */
export const oncall = defineFeature({
  name: 'oncall',
  register(ctx) {
    const oncall = new OncallService(ctx);
    return { services: { oncall }, commands: oncallCommands, sections: { home: [onCallSection(oncall)] } };
  },
});
