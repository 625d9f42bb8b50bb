import { CaptureService } from '../capture/service.js';
import { registerCapture } from '../slack/listeners/capture.js';
import { defineFeature } from './feature.js';

/** Messages captured into the timeline with the message shortcut. */
export const capture = defineFeature({
  name: 'capture',
  register: (ctx) => ({
    services: { capture: new CaptureService(ctx.use('incidents')) },
    listeners: registerCapture,
  }),
});
