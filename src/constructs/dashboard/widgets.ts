/**
 * Small factories for the dashboard JSON that `datadog_dashboard_json` takes. Each returns a plain object with
 * only the fields we mean: the provider diffs the JSON it sends against what the API returns, so every field we
 * leave out is one the API fills in and we never fight over (no ids, no `is_read_only`, no layouts — the
 * dashboards are `ordered` with `reflow_type: auto`, which places widgets by list order).
 */
import type { RatioQuery } from '../../datadog/queries';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Widget extends JsonObject {
  definition: JsonObject;
}

export interface TemplateVariable extends JsonObject {
  name: string;
  prefix: string;
  /** Always `defaults` (a list): the singular `default` is deprecated and causes a perpetual diff. */
  defaults: string[];
}

export interface DashboardJson extends JsonObject {
  title: string;
  description: string;
  layout_type: 'ordered';
  reflow_type: 'auto';
  template_variables: TemplateVariable[];
  /** Only `team:<name>`: the dashboards API rejects any other tag key. */
  tags: string[];
  widgets: Widget[];
}

/** A metric query of a formula request, named so that formulas can refer to it. */
function metricQuery(name: string, query: string): JsonObject {
  return { data_source: 'metrics', name, query };
}

export interface RatioFormula {
  /** Legend/column label. */
  readonly alias: string;
  readonly ratio: RatioQuery;
  /** Query-name prefix, unique within one request (formula names must be identifiers). */
  readonly name: string;
}

/** Queries and a formula `num / den` for one ratio. */
function ratioParts(f: RatioFormula): { queries: JsonObject[]; formula: JsonObject } {
  const num = `${f.name}_bad`;
  const den = `${f.name}_all`;
  return {
    queries: [metricQuery(num, f.ratio.numerator), metricQuery(den, f.ratio.denominator)],
    formula: {
      alias: f.alias,
      formula: f.ratio.complement ? `1 - (default_zero(${num}) / ${den})` : `${num} / ${den}`,
    },
  };
}

export function note(content: string): Widget {
  return {
    definition: {
      type: 'note',
      content,
      background_color: 'white',
      font_size: '14',
      text_align: 'left',
      vertical_align: 'top',
      show_tick: false,
      has_padding: true,
    },
  };
}

export function group(title: string, widgets: Widget[]): Widget {
  return { definition: { type: 'group', title, layout_type: 'ordered', show_title: true, widgets } };
}

export interface TimeseriesOptions {
  /** Horizontal lines, e.g. alert thresholds: `{ label: 'critical', value: 'y = 0.05', display_type: 'error dashed' }`. */
  readonly markers?: readonly { label: string; value: string; display_type: string }[];
  /** Event overlays (deploy markers): event search queries. */
  readonly events?: readonly string[];
}

function decorate(definition: JsonObject, options: TimeseriesOptions): JsonObject {
  if (options.markers?.length) definition.markers = options.markers.map((m) => ({ ...m }));
  if (options.events?.length) definition.events = options.events.map((q) => ({ q }));
  return definition;
}

/** A line chart: one timeseries request whose formulas draw the lines. */
function lineTimeseries(
  title: string,
  queries: JsonObject[],
  formulas: JsonObject[],
  options: TimeseriesOptions,
): Widget {
  return {
    definition: decorate(
      {
        type: 'timeseries',
        title,
        show_legend: true,
        legend_layout: 'auto',
        requests: [{ response_format: 'timeseries', queries, formulas, display_type: 'line' }],
      },
      options,
    ),
  };
}

/** A line per ratio (and per group when the queries have a `by`). */
export function ratioTimeseries(
  title: string,
  ratios: readonly RatioFormula[],
  options: TimeseriesOptions = {},
): Widget {
  const parts = ratios.map(ratioParts);
  return lineTimeseries(
    title,
    parts.flatMap((p) => p.queries),
    parts.map((p) => p.formula),
    options,
  );
}

/** One metric (no ratio) over time, e.g. a gauge. */
export function metricTimeseries(
  title: string,
  series: readonly { alias: string; name: string; query: string }[],
  options: TimeseriesOptions = {},
): Widget {
  return lineTimeseries(
    title,
    series.map((s) => metricQuery(s.name, s.query)),
    series.map((s) => ({ alias: s.alias, formula: s.name })),
    options,
  );
}

export type SortOrder = 'asc' | 'desc';

/** Groups (e.g. services, callees) ranked by a ratio: `desc` puts the highest first, `asc` the lowest. */
export function ratioToplist(title: string, ratio: RatioFormula, order: SortOrder, limit: number): Widget {
  const { queries, formula } = ratioParts(ratio);
  return {
    definition: {
      type: 'toplist',
      title,
      requests: [
        {
          response_format: 'scalar',
          queries: queries.map((q) => ({ ...q, aggregator: 'sum' })),
          formulas: [formula],
          sort: { count: limit, order_by: [{ type: 'formula', index: 0, order }] },
        },
      ],
    },
  };
}

/**
 * One number (`query_value`): the query's groups aggregated by `aggregator` over the dashboard's time frame, e.g.
 * the most services a collector run reported at once (`max` of a gauge summed across services).
 */
export function queryValue(title: string, query: string, aggregator: 'max' | 'sum' | 'last'): Widget {
  return {
    definition: {
      type: 'query_value',
      title,
      precision: 0,
      requests: [
        {
          response_format: 'scalar',
          queries: [{ ...metricQuery('q', query), aggregator }],
          formulas: [{ formula: 'q' }],
        },
      ],
    },
  };
}

/** Groups ranked by one metric (no ratio), e.g. the services a gauge names. */
export function metricToplist(title: string, alias: string, query: string, limit: number): Widget {
  return {
    definition: {
      type: 'toplist',
      title,
      requests: [
        {
          response_format: 'scalar',
          queries: [{ ...metricQuery('q', query), aggregator: 'max' }],
          formulas: [{ alias, formula: 'q' }],
          sort: { count: limit, order_by: [{ type: 'formula', index: 0, order: 'desc' }] },
        },
      ],
    },
  };
}

/** A table, one row per group, one column per ratio (plus optional plain columns), sorted by the first ratio. */
export function ratioTable(
  title: string,
  ratios: readonly RatioFormula[],
  extra: readonly { alias: string; name: string; query: string }[],
  order: SortOrder,
  limit: number,
): Widget {
  const parts = ratios.map(ratioParts);
  const queries = [...parts.flatMap((p) => p.queries), ...extra.map((e) => metricQuery(e.name, e.query))];
  const formulas: JsonObject[] = [
    ...parts.map((p, i) => (i === 0 ? { ...p.formula, limit: { count: limit, order } } : p.formula)),
    ...extra.map((e) => ({ alias: e.alias, formula: e.name })),
  ];
  return {
    definition: {
      type: 'query_table',
      title,
      requests: [
        {
          response_format: 'scalar',
          queries: queries.map((q) => ({ ...q, aggregator: 'sum' })),
          formulas,
          sort: { count: limit, order_by: [{ type: 'formula', index: 0, order }] },
        },
      ],
    },
  };
}

/** An SLO's status and error budget. `sloId` may be a Terraform interpolation (`${…id}`). */
export function slo(title: string, sloId: string, timeframe: string): Widget {
  return {
    definition: {
      type: 'slo',
      title,
      slo_id: sloId,
      view_type: 'detail',
      view_mode: 'overall',
      time_windows: [timeframe],
      show_error_budget: true,
    },
  };
}

/** SLOs found by an SLO search query (e.g. a tag). */
export function sloList(title: string, query: string, limit: number): Widget {
  return {
    definition: {
      type: 'slo_list',
      title,
      requests: [{ request_type: 'slo_list', query: { query_string: query, limit } }],
    },
  };
}

/** Monitor summary (`manage_status`) for a monitor search query. */
export function monitorSummary(title: string, query: string): Widget {
  return {
    definition: {
      type: 'manage_status',
      title,
      query,
      summary_type: 'monitors',
      display_format: 'countsAndList',
      color_preference: 'text',
      hide_zero_counts: true,
      show_last_triggered: true,
      sort: 'status,asc',
    },
  };
}
