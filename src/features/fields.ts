import { FieldService } from '../fields/service.js';
import { fieldCommands, registerFieldListeners } from '../slack/listeners/fields.js';
import { fieldsSection } from '../slack/views/fields.js';
import { defineFeature } from './feature.js';

/** Incident types and custom fields: the declare form's type and fields, `/incident fields`, the card's fields. */
export const fields = defineFeature({
  name: 'fields',
  register(ctx) {
    const fields = new FieldService(ctx, ctx.use('incidents'));
    return {
      services: { fields },
      commands: fieldCommands,
      listeners: registerFieldListeners,
      sections: { card: [async (incident) => ({ blocks: fieldsSection(ctx.policy, incident) })] },
    };
  },
});
