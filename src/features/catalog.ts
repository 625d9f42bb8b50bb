import { CatalogService } from '../catalog/service.js';
import { catalogCommands, registerCatalog } from '../slack/listeners/catalog.js';
import { defineFeature } from './feature.js';

/** The service catalog: owners paged by priority, search, dependencies. */
export const catalog = defineFeature({
  name: 'catalog',
  register(ctx) {
    const catalog = new CatalogService(ctx);
    return { services: { catalog }, incidentHooks: catalog.hooks(), commands: catalogCommands, listeners: registerCatalog };
  },
});
