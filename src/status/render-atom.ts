import type { PageModel } from './page.js';
import { MAINTENANCE_LABELS, STATUS_LABELS } from './post.js';

const xml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

/** The page's history as an Atom feed: one entry per published update and per maintenance, newest first. */
export function historyAtom(m: PageModel, pageUrl: string): string {
  const entries = [
    ...m.incidents.flatMap((i) => i.updates.map((u) => ({ id: `${i.id}-${u.id}`, title: `${i.name}: ${STATUS_LABELS[u.status]}`, at: u.at, body: u.body, anchor: `incident-${i.id}` }))),
    ...[...m.maintenance, ...m.pastMaintenance].map((x) => ({
      id: `${x.id}-${x.status}`,
      title: `${x.name}: ${MAINTENANCE_LABELS[x.status]} (maintenance)`,
      at: x.status === 'completed' ? x.scheduledUntil : x.status === 'in_progress' ? x.scheduledFor : x.createdAt,
      body: `${x.scheduledFor.toISOString()} to ${x.scheduledUntil.toISOString()}\n${x.body}`,
      anchor: `maintenance-${x.id}`,
    })),
  ].sort((a, b) => b.at.getTime() - a.at.getTime());
  const entry = (e: (typeof entries)[number]) =>
    `<entry><id>urn:status:${e.id}</id><title>${xml(e.title)}</title><updated>${e.at.toISOString()}</updated><link rel="alternate" type="text/html" href="${xml(`${pageUrl}#${e.anchor}`)}"/><content type="text">${xml(e.body)}</content></entry>`;
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:status:${m.id}</id><title>${xml(m.title)}</title><updated>${m.updatedAt.toISOString()}</updated><link rel="alternate" type="text/html" href="${xml(pageUrl)}"/><author><name>${xml(m.title)}</name></author>
${entries.map(entry).join('\n')}
</feed>
`;
}
