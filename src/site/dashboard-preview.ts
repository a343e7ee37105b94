/**
 * The dashboard preview: ONE renderer of the dashboard JSON that synth hands to `datadog_dashboard_json` (the
 * same object, parsed from the plan's `json`), drawn as HTML — title, template variables, groups in order, widget
 * titles, note content (Markdown) and charts (inline SVG) from sample series. Every number comes from the
 * widget's own queries run against a SampleData (src/site/samples.ts); nothing here knows which widgets a
 * trace-health dashboard has. Layout follows `layout_type: ordered` with `reflow_type: auto`: widgets in list
 * order, groups full width. Pure.
 */
import type { Json, JsonObject } from '../constructs/dashboard/widgets';
import { legend, lineChartSvg, Marker, shortNumber } from './charts';
import { byServiceName, esc, markdown, unescapeInterpolation } from './html';
import type { NamedQuery, SampleData } from './samples';

/** What an SLO widget shows about the SLO its `slo_id` names. */
export interface SloInfo {
  /** As the dashboard JSON names it: a Terraform reference `${datadog_service_level_objective.x.id}`. */
  readonly ref: string;
  readonly name: string;
  readonly target: number;
  readonly warning: number;
  readonly timeframe: string;
  readonly numerator: string;
  readonly denominator: string;
  readonly tags: readonly string[];
}

/** A monitor as a monitor search sees it. */
export interface MonitorInfo {
  readonly name: string;
  readonly tags: readonly string[];
}

export interface PreviewContext {
  readonly sample: SampleData;
  readonly slos: readonly SloInfo[];
  readonly monitors: readonly MonitorInfo[];
  /** The service the dashboard is about (lets note rendering be shared between services). */
  readonly service?: string;
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const str = (v: Json | undefined, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const arr = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);

/**
 * Note Markdown starts at `##`; a note has no title, so its own first heading takes the widget's level (h3 inside
 * a group, h2 at the top) and the rest follow: one heading outline per page.
 */
function noteHtml(content: string, level: number, name?: string): string {
  const shift = level - 2;
  if (shift === 0) return markdown(content, name);
  return markdown(content, name).replace(/<(\/?)h([1-6])>/g, (_m, close: string, l: string) => {
    return `<${close}h${Math.min(6, Math.max(1, Number(l) + shift))}>`;
  });
}

function queriesOf(request: JsonObject): NamedQuery[] {
  return arr(request.queries)
    .filter(isObject)
    .map((q) => ({ name: str(q.name), query: str(q.query) }));
}

/** `y = 0.05` → 0.05 (the marker forms trace-health writes); other forms are not drawn. */
function markerOf(m: JsonObject): Marker | undefined {
  const match = /^y\s*=\s*(-?[\d.]+(?:e-?\d+)?)$/.exec(str(m.value).trim());
  if (!match) return undefined;
  return { label: str(m.label), value: Number(match[1]), kind: str(m.display_type).split(' ')[0] };
}

function percentOrNumber(v: number): string {
  return shortNumber(v);
}

interface Rendered {
  readonly html: string;
  /** CSS class for the widget's width. */
  readonly wide: boolean;
}

export class DashboardRenderer {
  private ids = 0;
  constructor(private readonly ctx: PreviewContext) {}

  /** The whole dashboard, with `headingLevel` for its title (the page's `<h1>`). */
  render(dashboard: JsonObject): string {
    this.ids = 0;
    const vars = arr(dashboard.template_variables)
      .filter(isObject)
      .map((v) => {
        const defaults = arr(v.defaults).map((d) => str(d));
        const values = arr(v.available_values).map((d) => str(d));
        return `<li><code>$${esc(str(v.name))}</code> = <strong>${esc(defaults.join(', ') || '*')}</strong>${
          values.length ? ` <span class="muted">(of ${esc(values.join(', '))})</span>` : ''
        }</li>`;
      });
    const s = this.ctx.sample;
    return [
      `<h1>${esc(unescapeInterpolation(str(dashboard.title)))}</h1>`,
      `<p class="lead">${esc(unescapeInterpolation(str(dashboard.description)))}</p>`,
      '<div class="dash-meta">',
      vars.length
        ? `<p>Template variables (their defaults drive the charts):</p><ul class="inline">${vars.join('')}</ul>`
        : '',
      `<p class="sample-note"><strong>Sample data</strong>, not your traffic: ${esc(s.description)} One point per ${s.bucketMinutes} minutes; dotted vertical lines are deploys.</p>`,
      '</div>',
      this.widgets(arr(dashboard.widgets), 2),
    ].join('\n');
  }

  private widgets(list: Json[], level: number): string {
    const out: string[] = [];
    for (const w of list) {
      if (!isObject(w) || !isObject(w.definition)) continue;
      const d = w.definition;
      if (str(d.type) === 'group') {
        const id = `g${++this.ids}`;
        out.push(
          `<section class="group" aria-labelledby="${id}"><h${level} id="${id}">${esc(str(d.title, 'Group'))}</h${level}>`,
          `<div class="widgets">${this.widgets(arr(d.widgets), level + 1)}</div></section>`,
        );
        continue;
      }
      const r = this.widget(d, level);
      out.push(`<div class="widget ${r.wide ? 'wide' : ''} w-${esc(str(d.type))}">${r.html}</div>`);
    }
    return out.join('\n');
  }

  private widget(d: JsonObject, level: number): Rendered {
    const type = str(d.type);
    // Charts and rankings depend only on the widget and the sample: shared between services of the same shape.
    const sample = this.ctx.sample;
    if (
      sample.key !== undefined &&
      sample.raw &&
      (type === 'timeseries' || type === 'toplist' || type === 'query_table')
    ) {
      const key = `${sample.key}\u0000${level}\u0000${JSON.stringify(d)}`;
      const raw = sample.raw();
      const names = sample.placeholders ?? new Map<string, string>();
      let html = byServiceName(WIDGETS, key, this.ctx.service, [...names.keys()], () => {
        this.current = raw;
        try {
          return this.draw(d, level).html;
        } finally {
          this.current = undefined;
        }
      });
      // Other services' names (callees in group labels) go in after the cache: the drawing is the shape's.
      for (const [stored, real] of names) html = html.split(stored).join(esc(real));
      return { html, wide: type === 'query_table' };
    }
    return this.draw(d, level);
  }

  /** The sample a drawing reads: the context's, or its raw view while a shared drawing is made. */
  private current: SampleData | undefined;
  private get sample(): SampleData {
    return this.current ?? this.ctx.sample;
  }

  private draw(d: JsonObject, level: number): Rendered {
    const h = (title: string) => `<h${level}>${esc(unescapeInterpolation(title))}</h${level}>`;
    const title = str(d.title);
    switch (str(d.type)) {
      case 'note':
        return { html: `<div class="note">${noteHtml(str(d.content), level, this.ctx.service)}</div>`, wide: true };
      case 'timeseries':
        return { html: h(title) + this.timeseries(d, title), wide: false };
      case 'toplist':
        return { html: h(title) + this.toplist(d), wide: false };
      case 'query_table':
        return { html: h(title) + this.table(d), wide: true };
      case 'slo':
        return { html: h(title) + this.slo(d), wide: false };
      case 'slo_list':
        return { html: h(title) + this.sloList(d), wide: false };
      case 'manage_status':
        return { html: h(title) + this.monitorSummary(d), wide: true };
      default:
        return {
          html: `${h(title || str(d.type))}<p class="muted">A <code>${esc(str(d.type))}</code> widget (not drawn in previews).</p>`,
          wide: false,
        };
    }
  }

  private timeseries(d: JsonObject, title: string): string {
    const s = this.sample;
    const lines = arr(d.requests)
      .filter(isObject)
      .flatMap((req) => {
        const queries = queriesOf(req);
        return arr(req.formulas)
          .filter(isObject)
          .flatMap((f) =>
            s.timeseries(queries, str(f.formula)).map((l) => ({
              label: l.label ? `${str(f.alias)} · ${l.label}` : str(f.alias),
              values: l.values,
            })),
          );
      });
    const markers = arr(d.markers)
      .filter(isObject)
      .map(markerOf)
      .filter((m): m is Marker => m !== undefined);
    const buckets = Math.ceil(s.minutes / s.bucketMinutes);
    const hasEvents = arr(d.events).length > 0;
    const svg = lineChartSvg({
      title,
      lines,
      markers,
      deploys: hasEvents ? s.deploys.map((m) => Math.floor(m / s.bucketMinutes)) : [],
      buckets,
      bucketMinutes: s.bucketMinutes,
    });
    return `<figure>${svg}<figcaption>${legend(lines, title)}</figcaption></figure>`;
  }

  /** One row per group of the first formula, sorted as the request says, limited to `sort.count`. */
  private ranked(req: JsonObject, formulaIndex: number): { group: string; value: number }[] {
    const formulas = arr(req.formulas).filter(isObject);
    const sort = isObject(req.sort) ? req.sort : {};
    const order = arr(sort.order_by).filter(isObject)[0];
    const desc = str(order?.order, 'desc') === 'desc';
    const limit = typeof sort.count === 'number' ? sort.count : 10;
    const f = formulas[formulaIndex];
    if (!f) return [];
    const rows = this.sample.scalar(queriesOf(req), str(f.formula));
    return [...rows].sort((a, b) => (desc ? b.value - a.value : a.value - b.value)).slice(0, limit);
  }

  private toplist(d: JsonObject): string {
    const req = arr(d.requests).filter(isObject)[0];
    if (!req) return '<p class="muted">No request.</p>';
    const rows = this.ranked(req, 0);
    if (rows.length === 0) return '<p class="muted">No sample data for this query.</p>';
    const max = Math.max(...rows.map((r) => Math.abs(r.value)), 1e-12);
    const alias = str(arr(req.formulas).filter(isObject)[0]?.alias);
    return (
      `<table class="toplist"><thead><tr><th scope="col">group</th><th scope="col">${esc(alias)}</th></tr></thead><tbody>` +
      rows
        .map(
          (r) =>
            `<tr><th scope="row">${esc(r.group || '(all)')}</th><td><span class="bar" style="width:${Math.round((100 * Math.abs(r.value)) / max)}%"></span>${esc(percentOrNumber(r.value))}</td></tr>`,
        )
        .join('') +
      '</tbody></table>'
    );
  }

  private table(d: JsonObject): string {
    const req = arr(d.requests).filter(isObject)[0];
    if (!req) return '<p class="muted">No request.</p>';
    const formulas = arr(req.formulas).filter(isObject);
    const first = this.ranked(req, 0);
    if (first.length === 0) return '<p class="muted">No sample data for this query.</p>';
    const columns = formulas.map((f) => {
      const rows = this.sample.scalar(queriesOf(req), str(f.formula));
      return new Map(rows.map((r) => [r.group, r.value]));
    });
    const head = formulas.map((f) => `<th scope="col">${esc(str(f.alias))}</th>`).join('');
    const body = first
      .map(
        (r) =>
          `<tr><th scope="row">${esc(r.group || '(all)')}</th>${columns
            .map((c) => {
              const v = c.get(r.group);
              return `<td>${v === undefined ? '—' : esc(percentOrNumber(v))}</td>`;
            })
            .join('')}</tr>`,
      )
      .join('');
    return `<table><thead><tr><th scope="col">group</th>${head}</tr></thead><tbody>${body}</tbody></table>`;
  }

  private slo(d: JsonObject): string {
    const ref = str(d.slo_id);
    const info = this.ctx.slos.find((x) => x.ref === ref);
    if (!info) return `<p class="muted">SLO <code>${esc(ref)}</code> (not in this plan).</p>`;
    const [row] = this.ctx.sample.scalar(
      [
        { name: 'good', query: info.numerator },
        { name: 'total', query: info.denominator },
      ],
      'good / total',
    );
    const sli = row ? `${Number((row.value * 100).toPrecision(5))}%` : 'no sample data';
    const status = row ? (row.value * 100 >= info.target ? 'meets' : 'misses') : '';
    return [
      `<p><strong>${esc(info.name)}</strong></p>`,
      `<dl class="facts"><dt>target</dt><dd>${info.target}% over ${esc(info.timeframe)} (warning ${info.warning}%)</dd>`,
      `<dt>sample SLI</dt><dd>${esc(sli)}${status ? ` — ${status} the target` : ''}</dd></dl>`,
    ].join('');
  }

  private sloList(d: JsonObject): string {
    const req = arr(d.requests).filter(isObject)[0];
    const q = isObject(req?.query) ? str(req.query.query_string) : '';
    const matching = this.ctx.slos.filter((s) => q === '' || s.tags.includes(q));
    return `<p>SLO search <code>${esc(q)}</code>: ${matching.length} SLOs.</p>${shortList(matching.map((s) => s.name))}`;
  }

  private monitorSummary(d: JsonObject): string {
    const q = str(d.query);
    const tags = [...q.matchAll(/tag:"([^"]*)"/g)].map((m) => m[1]);
    const matching = this.ctx.monitors.filter((m) => tags.every((t) => m.tags.includes(t)));
    return `<p>Monitor search <code>${esc(q)}</code>: ${matching.length} monitors.</p>${shortList(matching.map((m) => m.name))}`;
  }
}

const WIDGETS = new Map<string, string>();

/** The first ten names, and how many more. */
function shortList(names: readonly string[]): string {
  if (names.length === 0) return '';
  const shown = names.slice(0, 10).map((n) => `<li>${esc(n)}</li>`);
  if (names.length > 10) shown.push(`<li class="muted">… and ${names.length - 10} more</li>`);
  return `<ul>${shown.join('')}</ul>`;
}

/** Render a dashboard JSON object (as synth writes it) with sample numbers. */
export function renderDashboardPreview(dashboard: JsonObject, ctx: PreviewContext): string {
  return new DashboardRenderer(ctx).render(dashboard);
}
