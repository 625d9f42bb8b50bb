import type { Incident } from '../incidents/incident.js';

/** Slack's rules: lowercase letters, digits, hyphens and underscores; at most 80 characters. */
export const CHANNEL_NAME_MAX = 80;

export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
}

function clean(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
}

/**
 * The channel name for an incident from the policy template ({number}, {slug}, {severity}, {kind}),
 * with `suffix` (for name_taken retries) kept inside the 80-character limit by shortening the slug.
 */
export function channelName(template: string, incident: Pick<Incident, 'number' | 'title' | 'severity' | 'kind'>, suffix = ''): string {
  const fill = (slug: string) =>
    clean(
      template
        .replaceAll('{number}', String(incident.number))
        .replaceAll('{severity}', incident.severity)
        .replaceAll('{kind}', incident.kind)
        .replaceAll('{slug}', slug),
    );
  const tail = suffix ? `-${suffix}` : '';
  let slug = slugify(incident.title);
  let name = fill(slug);
  while (name.length + tail.length > CHANNEL_NAME_MAX && slug.length > 0) {
    slug = slug.slice(0, -1).replace(/[-_]+$/, '');
    name = fill(slug);
  }
  return (name + tail).slice(0, CHANNEL_NAME_MAX);
}
