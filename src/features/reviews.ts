import { ReviewService } from '../reviews/service.js';
import { reviewCard, reviewEffects } from '../slack/effects/reviews.js';
import { registerReviews, reviewCommands } from '../slack/listeners/reviews.js';
import { defineFeature } from './feature.js';

/** Post-incident reviews: which incidents need one, their states, the document, the close gate. */
export const reviews = defineFeature({
  name: 'reviews',
  register(ctx) {
    const { client, policy, clock, profiles, use } = ctx;
    const reviews = new ReviewService(ctx);
    return {
      services: { reviews },
      incidentHooks: reviews.hooks(),
      // The document ends with the sealed chain head: the audit feature comes last, so it is asked for when rendering.
      tasks: reviewEffects({ client, policy, clock, profiles, reviews, incidents: use('incidents'), actions: use('actions'), problems: use('problems'), audit: { head: (id) => use('audit').head(id) }, timestamps: use('timestamps') }),
      commands: reviewCommands,
      listeners: registerReviews,
      sections: { card: [reviewCard({ policy, reviews })] },
    };
  },
});
