import { registerTimestamps, timestampCommands } from '../slack/listeners/timestamps.js';
import { TimestampService } from '../timestamps/service.js';
import { defineFeature } from './feature.js';

/** Key timestamps (impact started … closed) that the commander or deputy can correct, with a reason, on the record. */
export const timestamps = defineFeature({
  name: 'timestamps',
  register: (ctx) => ({
    services: { timestamps: new TimestampService(ctx, ctx.use('incidents')) },
    commands: timestampCommands,
    listeners: registerTimestamps,
  }),
});
