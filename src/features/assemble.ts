import type { Services } from '../services.js';
import type { IntegrationSubscriber } from '../integrations/registry.js';
import type { Contribution, Feature, FeatureContext, Sections, SubscriberContext } from './feature.js';

/** The features registered: every service by name, and what each brought, in the order of the list. */
export interface RegisteredFeatures {
  services: Services;
  contributions: Contribution[];
}

/**
 * Registers the features in order: each gets the services of those before it, its incident and
 * action hooks join the services' hooks, its sections join the lists the others render from.
 */
export function registerFeatures(features: readonly Feature<any>[], base: Omit<FeatureContext, 'use' | 'sections'>): RegisteredFeatures {
  const services: Partial<Services> = {};
  const sections: Sections = { card: [], weekly: [], home: [] };
  let registering: string | undefined;
  const use = <K extends keyof Services>(name: K): Services[K] => {
    const service = services[name];
    if (service) return service as Services[K];
    throw new Error(registering ? `the ${registering} feature needs the ${name} service: list the feature that provides it before ${registering}` : `no feature provides the ${name} service`);
  };
  const ctx: FeatureContext = { ...base, sections, use };
  const contributions: Contribution[] = [];
  for (const feature of features) {
    registering = feature.name;
    const c: Contribution = feature.register(ctx);
    Object.assign(services, c.services);
    if (c.incidentHooks) use('incidents').addHooks(c.incidentHooks);
    if (c.actionHooks) use('actions').addHooks(c.actionHooks);
    sections.card.push(...(c.sections?.card ?? []));
    sections.weekly.push(...(c.sections?.weekly ?? []));
    sections.home.push(...(c.sections?.home ?? []));
    contributions.push(c);
  }
  registering = undefined;
  return { services: services as Services, contributions };
}

/** The integration-event subscribers the features bring (connectors that are configured), in the order of the list. */
export function featureSubscribers(features: readonly Feature<any>[], ctx: SubscriberContext): IntegrationSubscriber[] {
  return features.flatMap((f) => f.subscribers?.(ctx) ?? []);
}
