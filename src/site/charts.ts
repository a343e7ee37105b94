/**
 * Inline SVG charts for dashboard previews: a line chart (timeseries widgets) with threshold markers and deploy
 * markers. Deterministic text (coordinates rounded to 0.1 px). Colours come from `SERIES_COLOURS`, each at least
 * 3:1 against the white chart background (WCAG 1.4.11, non-text contrast); the browser test checks that.
 */
import { esc } from './html';
import type { Line } from './samples';

/** Line colours, in order of the chart's lines (a colour-blind-safe set, darkened for contrast on white). */
export const SERIES_COLOURS = ['#1f5fa8', '#b3501c', '#2e7d32', '#8e2a8b', '#5d4037', '#00695c', '#ad1457', '#455a64'];
export const MARKER_COLOURS: Readonly<Record<string, string>> = {
  error: '#c62828',
  warning: '#8d6e00',
  ok: '#2e7d32',
  info: '#455a64',
};

export interface Marker {
  readonly label: string;
  readonly value: number;
  /** `error`, `warning`, `ok` or `info` (the first word of Datadog's `display_type`). */
  readonly kind: string;
}

export interface LineChart {
  readonly title: string;
  readonly lines: readonly Line[];
  readonly markers: readonly Marker[];
  /** Bucket indexes where a deploy marker goes. */
  readonly deploys: readonly number[];
  /** Number of buckets on the x axis. */
  readonly buckets: number;
  readonly bucketMinutes: number;
}

const W = 440;
const H = 170;
const PAD = { left: 52, right: 10, top: 10, bottom: 26 };

const r1 = (n: number) => String(Math.round(n * 10) / 10);

/** `0.05` → `0.05`, `1234.5` → `1.23k`: short axis labels. */
export function shortNumber(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e6) return `${Number((n / 1e6).toPrecision(3))}M`;
  if (a >= 1e3) return `${Number((n / 1e3).toPrecision(3))}k`;
  return String(Number(n.toPrecision(3)));
}

export function lineChartSvg(c: LineChart): string {
  const values = c.lines.flatMap((l) => l.values.filter((v): v is number => v !== null));
  const top = Math.max(...values, ...c.markers.map((m) => m.value), 0);
  const bottom = Math.min(...values, 0);
  const span = top - bottom || 1;
  const yMax = top + span * 0.08;
  const yMin = bottom;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const n = Math.max(c.buckets, 2);
  const x = (i: number) => PAD.left + (plotW * i) / (n - 1);
  const y = (v: number) => PAD.top + plotH - (plotH * (v - yMin)) / (yMax - yMin);
  const summary = c.lines.length
    ? `${c.lines.length} ${c.lines.length === 1 ? 'line' : 'lines'} of sample data` +
      (c.markers.length ? `, markers at ${c.markers.map((m) => `${m.label} ${shortNumber(m.value)}`).join(', ')}` : '')
    : 'no sample data for this query';
  const parts: string[] = [
    `<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(`${c.title}: ${summary}`)}">`,
    `<rect x="${PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}" class="plot"/>`,
  ];
  for (const v of [yMin, (yMin + yMax) / 2, yMax]) {
    parts.push(
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${r1(y(v))}" y2="${r1(y(v))}" class="grid"/>`,
      `<text x="${PAD.left - 4}" y="${r1(y(v) + 4)}" text-anchor="end" class="axis">${esc(shortNumber(v))}</text>`,
    );
  }
  const totalMinutes = (n - 1) * c.bucketMinutes;
  parts.push(
    `<text x="${PAD.left}" y="${H - 6}" class="axis">0</text>`,
    `<text x="${W - PAD.right}" y="${H - 6}" text-anchor="end" class="axis">${totalMinutes} min</text>`,
  );
  for (const d of c.deploys)
    parts.push(
      `<line x1="${r1(x(d))}" x2="${r1(x(d))}" y1="${PAD.top}" y2="${PAD.top + plotH}" class="deploy"><title>deploy</title></line>`,
    );
  for (const m of c.markers)
    parts.push(
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${r1(y(m.value))}" y2="${r1(y(m.value))}" stroke="${MARKER_COLOURS[m.kind] ?? MARKER_COLOURS.info}" class="marker"><title>${esc(`${m.label}: ${m.value}`)}</title></line>`,
    );
  c.lines.forEach((l, i) => {
    const colour = SERIES_COLOURS[i % SERIES_COLOURS.length];
    // Gaps (no data) split the line into segments; a lone point is drawn as a dot.
    let seg: string[] = [];
    const flush = () => {
      if (seg.length === 1) {
        const [px, py] = seg[0].split(',');
        parts.push(`<circle cx="${px}" cy="${py}" r="2.5" fill="${colour}"/>`);
      } else if (seg.length > 1) parts.push(`<polyline points="${seg.join(' ')}" stroke="${colour}" class="series"/>`);
      seg = [];
    };
    l.values.forEach((v, j) => {
      if (v === null) flush();
      else seg.push(`${r1(x(j))},${r1(y(v))}`);
    });
    flush();
  });
  parts.push('</svg>');
  return parts.join('');
}

/** The legend under a chart (HTML, so screen readers read it as a list). */
export function legend(lines: readonly Line[], fallback: string): string {
  if (lines.length === 0) return '<p class="muted">No sample data for this query.</p>';
  return `<ul class="legend">${lines
    .map(
      (l, i) =>
        `<li><span class="swatch" style="background:${SERIES_COLOURS[i % SERIES_COLOURS.length]}"></span>${esc(l.label || fallback)}</li>`,
    )
    .join('')}</ul>`;
}
