import { describe, expect, it } from 'vitest';
import { channelName } from '../src/slack/channel-name.js';

const incident = (title: string, number = 42) => ({ number, title, severity: 'SEV1', kind: 'service' as const });

describe('incident channel names', () => {
  it('follow the default template with a slug of the title', () => {
    expect(channelName('inc-{number}-{slug}', incident('Checkout returns 500s for EU customers!'))).toBe('inc-42-checkout-returns-500s-for-eu-customers');
  });

  it('keep only characters Slack allows', () => {
    const name = channelName('INC {number} {slug}', incident('Ünïcode — émojis 🚀 & $ymbols / slashes'));
    expect(name).toMatch(/^[a-z0-9_-]+$/);
    expect(name).toBe('inc-42-unicode-emojis-ymbols-slashes');
  });

  it('never exceed 80 characters, even with a suffix, and keep the number', () => {
    const long = incident('a very long title '.repeat(20), 123456);
    const name = channelName('inc-{number}-{slug}', long);
    const suffixed = channelName('inc-{number}-{slug}', long, '17');
    expect(name.length).toBeLessThanOrEqual(80);
    expect(suffixed.length).toBeLessThanOrEqual(80);
    expect(suffixed).toMatch(/^inc-123456-.*-17$/);
  });

  it('work for a title with no usable characters', () => {
    expect(channelName('inc-{number}-{slug}', incident('!!!'))).toBe('inc-42');
  });
});
