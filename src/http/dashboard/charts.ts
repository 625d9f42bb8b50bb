import { scaleBand, scaleLinear } from 'd3-scale';
import { line } from 'd3-shape';

/** Server-rendered SVG charts (no JavaScript in the page). */

const W = 560;
const H = 220;
const M = { top: 16, right: 16, bottom: 36, left: 44 };
const PALETTE = ['#c0392b', '#e67e22', '#f1c40f', '#27ae60', '#2980b9', '#8e44ad', '#7f8c8d'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function frame(title: string, body: string, legend = ''): string {
  return `<figure class="chart"><figcaption>${esc(title)}</figcaption><svg role="img" aria-label="${esc(title)}" viewBox="0 0 ${W} ${H}" width="100%" xmlns="http://www.w3.org/2000/svg">${body}</svg>${legend}</figure>`;
}

function empty(title: string): string {
  return frame(title, `<text x="${W / 2}" y="${H / 2}" text-anchor="middle" class="muted">No data for this period</text>`);
}

function yAxis(y: ReturnType<typeof scaleLinear<number, number>>, format: (v: number) => string): string {
  return y
    .ticks(4)
    .map((t) => `<g class="tick"><line x1="${M.left}" x2="${W - M.right}" y1="${y(t)}" y2="${y(t)}"/><text x="${M.left - 6}" y="${y(t) + 4}" text-anchor="end">${esc(format(t))}</text></g>`)
    .join('');
}

/** Stacked bars: one bar per label, one colour per series. */
export function stackedBars(title: string, labels: string[], series: { name: string; values: number[] }[]): string {
  const totals = labels.map((_, i) => series.reduce((n, s) => n + (s.values[i] ?? 0), 0));
  if (!labels.length || Math.max(0, ...totals) === 0) return empty(title);
  const x = scaleBand().domain(labels).range([M.left, W - M.right]).padding(0.2);
  const y = scaleLinear().domain([0, Math.max(...totals)]).nice().range([H - M.bottom, M.top]);
  let bars = '';
  labels.forEach((label, i) => {
    let base = 0;
    series.forEach((s, j) => {
      const v = s.values[i] ?? 0;
      if (!v) return;
      bars += `<rect class="bar" data-series="${esc(s.name)}" x="${x(label)}" y="${y(base + v)}" width="${x.bandwidth()}" height="${y(base) - y(base + v)}" fill="${PALETTE[j % PALETTE.length]}"><title>${esc(`${label} ${s.name}: ${v}`)}</title></rect>`;
      base += v;
    });
  });
  const xLabels = labels.map((l) => `<text x="${(x(l) ?? 0) + x.bandwidth() / 2}" y="${H - M.bottom + 16}" text-anchor="middle">${esc(l)}</text>`).join('');
  const legend = `<p class="legend">${series.map((s, j) => `<span><i style="background:${PALETTE[j % PALETTE.length]}"></i>${esc(s.name)}</span>`).join(' ')}</p>`;
  return frame(title, yAxis(y, (v) => String(v)) + bars + xLabels, legend);
}

/** Horizontal bars, e.g. incidents per service or SLA met per priority. */
export function horizontalBars(title: string, items: { label: string; value: number }[], opts: { max?: number; unit?: string } = {}): string {
  if (!items.length) return empty(title);
  const left = 120;
  const y = scaleBand().domain(items.map((i) => i.label)).range([M.top, H - M.bottom]).padding(0.2);
  const x = scaleLinear().domain([0, opts.max ?? Math.max(1, ...items.map((i) => i.value))]).range([left, W - M.right - 40]);
  const body = items
    .map(
      (i) =>
        `<text x="${left - 6}" y="${(y(i.label) ?? 0) + y.bandwidth() / 2 + 4}" text-anchor="end">${esc(i.label)}</text>` +
        `<rect class="bar" x="${left}" y="${y(i.label)}" width="${Math.max(1, x(i.value) - left)}" height="${y.bandwidth()}" fill="#2980b9"><title>${esc(`${i.label}: ${i.value}${opts.unit ?? ''}`)}</title></rect>` +
        `<text x="${x(i.value) + 4}" y="${(y(i.label) ?? 0) + y.bandwidth() / 2 + 4}">${esc(`${i.value}${opts.unit ?? ''}`)}</text>`,
    )
    .join('');
  return frame(title, body);
}

/** A line over labelled points (gaps where a value is null). */
export function lineChart(title: string, points: { label: string; value: number | null }[], format: (v: number) => string): string {
  const known = points.filter((p) => p.value !== null);
  if (!known.length) return empty(title);
  const x = scaleBand().domain(points.map((p) => p.label)).range([M.left, W - M.right]).padding(0.2);
  const y = scaleLinear().domain([0, Math.max(...known.map((p) => p.value!))]).nice().range([H - M.bottom, M.top]);
  const path = line<{ label: string; value: number | null }>()
    .defined((p) => p.value !== null)
    .x((p) => (x(p.label) ?? 0) + x.bandwidth() / 2)
    .y((p) => y(p.value ?? 0))(points);
  const dots = known.map((p) => `<circle cx="${(x(p.label) ?? 0) + x.bandwidth() / 2}" cy="${y(p.value!)}" r="3.5" fill="#c0392b"><title>${esc(`${p.label}: ${format(p.value!)}`)}</title></circle>`).join('');
  const xLabels = points.map((p) => `<text x="${(x(p.label) ?? 0) + x.bandwidth() / 2}" y="${H - M.bottom + 16}" text-anchor="middle">${esc(p.label)}</text>`).join('');
  return frame(title, yAxis(y, format) + `<path class="line" d="${path}" fill="none" stroke="#c0392b" stroke-width="2"/>` + dots + xLabels);
}
