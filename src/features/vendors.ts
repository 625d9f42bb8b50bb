import { VendorService } from '../vendors/service.js';
import { registerVendors, vendorCommands } from '../slack/listeners/vendors.js';
import { defineFeature } from './feature.js';

/** Vendors engaged on an incident, and their contractual response time. */
export const vendors = defineFeature({
  name: 'vendors',
  register: (ctx) => ({
    services: { vendors: new VendorService(ctx, ctx.use('incidents')) },
    commands: vendorCommands,
    listeners: registerVendors,
  }),
});
