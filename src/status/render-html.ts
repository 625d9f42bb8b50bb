import type { ComponentView, DayBar, PageModel, PublicIncident, PublicMaintenanceView } from './page.js';
import { MAINTENANCE_LABELS, STATE_LABELS, STATUS_LABELS } from './post.js';

/*
 * The public page as one self-contained HTML document: no JavaScript, no outside assets, links
 * relative to the page (so the exported folder works wherever it is served, or from disk).
 */

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const when = (d: Date) => `<time datetime="${d.toISOString()}">${d.toISOString().slice(0, 16).replace('T', ' ')} UTC</time>`;
const percent = (x: number) => `${(Math.floor(x * 10_000) / 100).toFixed(2)} %`;
const paragraphs = (text: string) =>
  text
    .split(/\n{2,}/)
    .map((p) => `<p>${esc(p).replace(/\n/g, '<br>')}</p>`)
    .join('');

const CSS = `
:root{color-scheme:light;--ok:#2e7d32;--minor:#b7950b;--major:#e67e22;--critical:#c0392b;--maint:#2874a6;--line:#e3e6ea;--muted:#5f6b7a}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;background:#f6f7f9}
main{max-width:860px;margin:0 auto;padding:24px 16px 48px}h1{font-size:1.6rem;margin:0 0 16px}h2{font-size:1.15rem;margin:32px 0 12px}h3{font-size:1.05rem;margin:0 0 4px}
.banner{padding:16px;border-radius:8px;color:#fff;font-weight:600;font-size:1.1rem;background:var(--ok)}.banner.minor{background:var(--minor)}.banner.major{background:var(--major)}.banner.critical{background:var(--critical)}.banner.maintenance{background:var(--maint)}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px;margin:0 0 12px}
.components{list-style:none;margin:0;padding:0}.components li{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 16px;margin:0 0 8px}
.row{display:flex;flex-wrap:wrap;justify-content:space-between;gap:4px 12px;align-items:baseline}.name{font-weight:600}
.state{font-weight:600;color:var(--ok)}.state.degraded_performance{color:var(--minor)}.state.partial_outage{color:var(--major)}.state.major_outage{color:var(--critical)}.state.under_maintenance{color:var(--maint)}
.bars{display:flex;gap:1px;height:28px;margin:10px 0 4px}.bar{flex:1 1 0;min-width:0;border-radius:1px;background:var(--ok)}.bar.degraded_performance{background:var(--minor)}.bar.partial_outage{background:var(--major)}.bar.major_outage{background:var(--critical)}.bar.under_maintenance{background:var(--maint)}
.legend{display:flex;justify-content:space-between;font-size:.8rem;color:var(--muted)}
.updates{list-style:none;margin:8px 0 0;padding:0}.updates li{border-left:3px solid var(--line);padding:0 0 8px 12px;margin:0 0 8px}.updates p{margin:4px 0}
.meta,.muted{color:var(--muted);font-size:.875rem}.empty{color:var(--muted)}footer{margin-top:40px;font-size:.875rem;color:var(--muted)}footer a{color:inherit}
@media (max-width:480px){main{padding:16px 12px 32px}h1{font-size:1.35rem}.bars{height:22px}}
`;

function bar(d: DayBar): string {
  const label = `${d.date}: ${d.worst === 'operational' ? 'no incidents' : STATE_LABELS[d.worst].toLowerCase()}, ${percent(d.uptime)} uptime`;
  return `<span class="bar ${d.worst}" title="${esc(label)}"></span>`;
}

function componentItem(c: ComponentView): string {
  return `<li id="component-${c.id}"><div class="row"><span class="name">${esc(c.name)}</span><span class="state ${c.state}">${STATE_LABELS[c.state]}</span></div>${c.description ? `<div class="muted">${esc(c.description)}</div>` : ''}<div class="bars" role="img" aria-label="${esc(`${c.name}: ${percent(c.uptime)} uptime over 90 days`)}">${c.days.map(bar).join('')}</div><div class="legend"><span>90 days ago</span><span>${percent(c.uptime)} uptime</span><span>Today</span></div></li>`;
}

function incidentCard(i: PublicIncident, opts: { current: boolean }): string {
  const affected = i.components.map((name) => `${esc(name)}${opts.current ? ` · ${STATE_LABELS[i.states.get(name) ?? 'operational']}` : ''}`).join(', ');
  const updates = i.updates.map((u) => `<li><strong>${STATUS_LABELS[u.status]}</strong> <span class="meta">${when(u.at)}</span>${paragraphs(u.body)}</li>`).join('');
  return `<article class="card incident" id="incident-${i.id}"><h3>${esc(i.name)}</h3>${affected ? `<div class="meta">Affected: ${affected}</div>` : ''}<ol class="updates">${updates}</ol></article>`;
}

function maintenanceCard(m: PublicMaintenanceView): string {
  return `<article class="card maintenance" id="maintenance-${m.id}"><h3>${esc(m.name)}</h3><div class="meta"><strong>${MAINTENANCE_LABELS[m.status]}</strong> · ${when(m.scheduledFor)} to ${when(m.scheduledUntil)}${m.components.length ? ` · ${m.components.map(esc).join(', ')}` : ''}</div>${paragraphs(m.body)}</article>`;
}

/** The whole page. */
export function statusHtml(m: PageModel): string {
  const past = m.incidents.filter((i) => i.status === 'resolved');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(m.title)}</title>
<link rel="alternate" type="application/atom+xml" title="${esc(m.title)}" href="history.atom"><style>${CSS}</style></head>
<body><main>
<h1>${esc(m.title)}</h1>
<div class="banner ${m.indicator}" role="status">${esc(m.description)}</div>
${m.open.length ? `<section><h2>Current incidents</h2>${m.open.map((i) => incidentCard(i, { current: true })).join('')}</section>` : ''}
${m.maintenance.length ? `<section><h2>Scheduled maintenance</h2>${m.maintenance.map(maintenanceCard).join('')}</section>` : ''}
<section><h2>Components</h2><ul class="components">${m.components.map(componentItem).join('')}</ul></section>
<section><h2>Past incidents</h2>${past.length ? past.map((i) => incidentCard(i, { current: false })).join('') : '<p class="empty">No incidents in the last 90 days.</p>'}
${m.pastMaintenance.length ? `<h2>Completed maintenance</h2>${m.pastMaintenance.map(maintenanceCard).join('')}` : ''}</section>
<footer>Updated ${when(m.updatedAt)} · <a href="api/v2/summary.json">JSON</a> · <a href="history.atom">Atom feed</a></footer>
</main></body></html>
`;
}
