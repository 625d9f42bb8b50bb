import { incidentRef, type Incident } from '../../incidents/incident.js';
import type { Policy } from '../../policy/schema.js';
import type { IncidentRow, TimelineRow } from '../../reports/export.js';
import { PERIODS } from '../../reports/period.js';
import type { Summary } from '../../reports/service.js';
import { TIME_LABELS, type KeyTime, type TimeKey } from '../../timestamps/keys.js';
import { horizontalBars, lineChart, stackedBars } from './charts.js';
import { fieldsOfType, labelOfKey, valueText } from '../../incidents/fields.js';

export function esc(s: unknown): string {
  return String(s ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const CSS = `
:root{--fg:#1d1f21;--muted:#6b7280;--line:#e5e7eb;--bg:#fafafa;--accent:#c0392b}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#1d1f21;color:#fff;padding:12px 24px;display:flex;flex-wrap:wrap;gap:4px 16px;align-items:baseline}header a{color:#fff;text-decoration:none;font-weight:600}
main{max-width:1200px;margin:0 auto;padding:16px 24px;overflow-wrap:anywhere}h1{font-size:20px;margin:8px 0 16px}h2{font-size:16px;margin:24px 0 8px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:12px}.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px}
.card b{display:block;font-size:22px}.muted{color:var(--muted);fill:var(--muted)}.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(420px,100%),1fr));gap:16px}
figure.chart{background:#fff;border:1px solid var(--line);border-radius:8px;margin:0;padding:12px}figcaption{font-weight:600;margin-bottom:4px}
svg text{font-size:11px;fill:#374151}.tick line{stroke:var(--line)}.legend span{margin-right:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
form.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:end;background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px}
label{display:flex;flex-direction:column;font-size:12px;color:var(--muted)}select,input{font:inherit;padding:4px 6px}button{font:inherit;padding:5px 12px;background:var(--fg);color:#fff;border:0;border-radius:4px}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line)}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}th{background:#f3f4f6;font-weight:600}
.scroll{overflow-x:auto}.scroll>table.wide{min-width:760px;overflow-wrap:normal}
td.num{text-align:right;font-variant-numeric:tabular-nums}.pill{display:inline-block;padding:0 6px;border-radius:10px;background:#eef2ff;font-size:12px}.bad{color:var(--accent)}pre{white-space:pre-wrap;background:#fff;border:1px solid var(--line);padding:12px;border-radius:8px}
.wide td:first-child{white-space:nowrap}
@media (max-width:600px){header{padding:10px 12px}main{padding:12px}
table.stack thead{display:none}table.stack,table.stack tbody,table.stack tr{display:block}table.stack tr{border-bottom:1px solid var(--line);padding:4px 0}
table.stack td{display:inline-block;border:0;padding:2px 8px;color:var(--muted)}table.stack td:last-child{display:block;color:var(--fg)}}
`;

/** A table that scrolls by itself on a narrow screen instead of widening the page (a `stack` table is laid out row by row there instead). */
function scrolling(table: string): string {
  return `<div class="scroll">${table}</div>`;
}

export function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)} · Incident Officer</title><style>${CSS}</style></head><body><header><a href="/dashboard">Incident Officer</a><span class="muted">${esc(title)}</span></header><main>${body}</main></body></html>`;
}

export function unauthorizedPage(): string {
  return layout('Sign-in needed', '<h1>This dashboard opens from Slack</h1><p>Run <code>/incident dashboard</code> in Slack for a private link. Links expire; ask for a new one if yours has.</p>');
}

export function notFoundPage(message: string): string {
  return layout('Not found', `<h1>${esc(message)}</h1><p><a href="/dashboard">Back to the dashboard</a></p>`);
}

function hours(seconds: number | null): string {
  if (seconds === null) return '–';
  if (seconds < 3600) return `${Math.round(seconds / 60)}m`;
  return `${(seconds / 3600).toFixed(1)}h`;
}

/** Monday (UTC) of the week of an ISO timestamp, as `MM-DD`. */
function weekOf(iso: string): string {
  const d = new Date(iso);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(5, 10);
}

export interface OverviewFilters {
  period: string;
  priority?: string;
  category?: string;
  service?: string;
  status?: string;
  type?: string;
}

function select(name: string, label: string, options: string[], current: string | undefined, any = true): string {
  const opts = (any ? ['<option value="">any</option>'] : []).concat(options.map((o) => `<option value="${esc(o)}"${o === current ? ' selected' : ''}>${esc(o)}</option>`));
  return `<label>${esc(label)}<select name="${name}">${opts.join('')}</select></label>`;
}

/** The overview: headline numbers, four charts, and the filterable incident table. */
export function overviewPage(policy: Policy, s: Summary, rows: IncidentRow[], f: OverviewFilters, exportQuery: string): string {
  const weeks = [...new Set(rows.map((r) => weekOf(r.declared_at)))].sort();
  const perWeek = stackedBars(
    'Incidents per week by priority',
    weeks,
    policy.priorities.map((p) => ({ name: p.id, values: weeks.map((w) => rows.filter((r) => r.priority === p.id && weekOf(r.declared_at) === w).length) })),
  );
  const mttrTrend = lineChart(
    'MTTR trend (weekly median, hours)',
    weeks.map((w) => {
      const v = rows.filter((r) => weekOf(r.declared_at) === w && r.mttr_seconds !== null).map((r) => r.mttr_seconds!).sort((a, b) => a - b);
      return { label: w, value: v.length ? v[Math.floor((v.length - 1) / 2)] / 3600 : null };
    }),
    (v) => `${v.toFixed(1)}h`,
  );
  const sla = horizontalBars('Resolution SLA met (%)', s.stats.sla.filter((x) => x.resolution.pct !== null).map((x) => ({ label: x.priority, value: x.resolution.pct! })), { max: 100, unit: '%' });
  const services = horizontalBars('Top services', Object.entries(s.stats.byService).slice(0, 8).map(([label, value]) => ({ label, value })));
  const cards = [
    ['Incidents', `${s.stats.total}`, `${s.stats.open} open`],
    ['MTTA', hours(s.stats.mtta.mean), `p50 ${hours(s.stats.mtta.p50)} · p90 ${hours(s.stats.mtta.p90)}`],
    ['MTTR', hours(s.stats.mttr.mean), `p50 ${hours(s.stats.mttr.p50)} · p90 ${hours(s.stats.mttr.p90)}`],
    ['Time to mitigate', hours(s.stats.mttm.mean), `p90 ${hours(s.stats.mttm.p90)}`],
    ['Time to detect', hours(s.stats.mttd.mean), `impact started → detected · n=${s.stats.mttd.count}`],
  ]
    .map(([k, v, sub]) => `<div class="card"><span class="muted">${esc(k)}</span><b>${esc(v)}</b><span class="muted">${esc(sub)}</span></div>`)
    .join('');
  const table = rows
    .slice(0, 500)
    .map(
      (r) =>
        `<tr><td><a href="/dashboard/incidents/${esc(r.id)}">${esc(r.ref)}</a></td><td>${esc(r.title)}</td><td><span class="pill">${esc(r.priority)}</span></td><td>${esc(r.type ?? '')}</td><td>${esc(r.category ?? '')}</td><td>${esc(r.services.join(', '))}</td><td>${esc(r.status)}</td><td>${esc(r.declared_at.slice(0, 16).replace('T', ' '))}</td><td class="num">${hours(r.mtta_seconds)}</td><td class="num">${hours(r.mttr_seconds)}${r.corrected.length ? ` <span class="muted" title="${esc(`corrected: ${r.corrected.map((k) => TIME_LABELS[k as TimeKey] ?? k).join(', ')}`)}">(corrected)</span>` : ''}</td><td class="${r.resolution_sla_met === false ? 'bad' : ''}">${r.resolution_sla_met === null ? '–' : r.resolution_sla_met ? 'met' : 'missed'}</td></tr>`,
    )
    .join('');
  const filters = `<form class="filters" method="get" action="/dashboard">
    ${select('period', 'Period', [...PERIODS], f.period, false)}
    ${select('priority', 'Priority', policy.priorities.map((p) => p.id), f.priority)}
    ${select('category', 'Category', policy.categories, f.category)}
    <label>Service<input name="service" value="${esc(f.service ?? '')}" size="14"></label>
    ${select('status', 'Status', ['open', 'resolved'], f.status)}
    ${policy.incident_types.length ? select('type', 'Type', [...policy.incident_types.map((t) => t.name), 'none'], f.type) : ''}
    <button type="submit">Apply</button>
    <span class="muted">Export: <a href="/dashboard/export.csv?${esc(exportQuery)}">CSV</a> · <a href="/dashboard/export.json?${esc(exportQuery)}">JSON</a></span>
  </form>`;
  return layout(
    'Overview',
    `<h1>Incidents, ${esc(s.period.label)}</h1>${filters}<h2>Headline</h2><div class="cards">${cards}</div>
     <h2>Charts</h2><div class="charts">${perWeek}${mttrTrend}${sla}${services}</div>
     <h2>Incidents (${rows.length})</h2>${scrolling(`<table class="wide"><thead><tr><th>Ref</th><th>Title</th><th>Priority</th><th>Type</th><th>Category</th><th>Services</th><th>Status</th><th>Declared (UTC)</th><th>MTTA</th><th>MTTR</th><th>Resolution SLA</th></tr></thead><tbody>${table || '<tr><td colspan="11" class="muted">No incidents match.</td></tr>'}</tbody></table>`)}`,
  );
}

/** One incident's report: facts, timeline, and the review when there is one. */
export function incidentPage(policy: Policy, incident: Incident, times: KeyTime[], timeline: TimelineRow[], review?: string): string {
  const ref = incidentRef(policy.number_prefix, incident);
  const facts = [
    ['Priority', incident.priority ?? '(untriaged)'],
    ['Severity', incident.severity],
    ['Kind', incident.kind],
    ['Category', incident.category ?? ''],
    ['Services', incident.services.join(', ')],
    ['Status', incident.closedAt ? 'closed' : incident.status],
    // Key timestamps as they count; a corrected one names what was recorded.
    ...times.map((k) => [
      TIME_LABELS[k.key].charAt(0).toUpperCase() + TIME_LABELS[k.key].slice(1),
      `${k.effective?.toISOString() ?? ''}${k.corrected ? ` (corrected; recorded ${k.recorded?.toISOString() ?? 'not set'})` : ''}`,
    ]),
    ['Commander', incident.commanderId ?? ''],
    ...(incident.type ? [['Type', incident.type]] : []),
    ...fieldFacts(policy, incident),
  ]
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join('');
  const rows = timeline.map((e) => `<tr><td>${esc(e.at.replace('T', ' ').slice(0, 19))}</td><td>${esc(e.actor ?? '')}</td><td>${esc(e.kind)}</td><td>${esc(summarise(e.payload))}</td></tr>`).join('');
  return layout(
    ref,
    `<h1>${esc(ref)}: ${esc(incident.title)}</h1>${scrolling(`<table>${facts}</table>`)}
     ${incident.resolutionSummary ? `<h2>Resolution</h2><p>${esc(incident.resolutionSummary)}</p>` : ''}
     <h2>Timeline</h2><p class="muted"><a href="/dashboard/export.csv?incident=${esc(incident.id)}">CSV</a> · <a href="/dashboard/export.json?incident=${esc(incident.id)}">JSON</a></p>
     ${scrolling(`<table class="stack"><thead><tr><th>Time (UTC)</th><th>Who</th><th>What</th><th>Details</th></tr></thead><tbody>${rows}</tbody></table>`)}
     ${review ? `<h2>Post-incident review</h2><pre>${esc(review)}</pre>` : ''}`,
  );
}

/** The incident's custom field values, its type's fields first (unset ones too), then values of fields it no longer has. */
function fieldFacts(policy: Policy, incident: Incident): string[][] {
  const own = fieldsOfType(policy, incident.type).map((f) => f.key);
  const keys = [...own, ...Object.keys(incident.fields).filter((k) => !own.includes(k))];
  return keys.map((k) => [labelOfKey(policy, k), valueText(incident.fields[k])]);
}

function summarise(payload: Record<string, unknown>): string {
  return Object.entries(payload)
    .filter(([, v]) => v !== null && v !== '' && !(Array.isArray(v) && !v.length))
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' · ')
    .slice(0, 600);
}
