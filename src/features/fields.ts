import { FieldService } from '../fields/service.js';
import { defineFeature } from './feature.js';

/** Incident types and custom fields: the declare form's type and fields, `/incident fields`, the card's fields. */
export const fields = defineFeature({
  name: 'fields',
  register(ctx) {
    const fields = new FieldService(ctx, ctx.use('incidents'));
    return {
      services: { fields },
    };
  },
});
