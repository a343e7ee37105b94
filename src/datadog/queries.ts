/**
 * Datadog metric queries over trace-health metrics, shared by monitors, SLOs and dashboards so that a widget
 * always shows exactly what the monitor alerts on. Pure strings; no provider import.
 */
import {
  COLLECTOR_METRICS,
  METRIC_TAGS,
  NATIVE_METRICS,
  requiredTagValue,
  missingTagMetricName,
  scopeMetricName,
} from './metrics';

/** Tag filter `{service:x,env:prod}`; extra filters (e.g. `version:$version.value`) appended in order. */
export function filter(service: string, env: string | undefined, extra: readonly string[] = []): string {
  const parts = [`service:${service}`];
  if (env !== undefined) parts.push(`env:${env}`);
  parts.push(...extra);
  return `{${parts.join(',')}}`;
}

/** `sum:metric{filter}[ by {a,b}].as_count()` */
export function countQuery(metric: string, tagFilter: string, by: readonly string[] = []): string {
  const groupBy = by.length ? ` by {${by.join(',')}}` : '';
  return `sum:${metric}${tagFilter}${groupBy}.as_count()`;
}

export interface RatioQuery {
  readonly numerator: string;
  readonly denominator: string;
  /**
   * Graph `1 - numerator / denominator` (coverage from a count of failures). Dashboards wrap the numerator in
   * `default_zero()`: a failure count has no points while nothing fails, and filling those intervals with 0 on a
   * timeseries widget is a documented use of it (DOC:content/en/dashboards/functions/interpolation.md).
   */
  readonly complement?: boolean;
}

/** Orphan spans over checked spans (collector metrics). */
export function orphanRateQuery(tagFilter: string, by: readonly string[] = []): RatioQuery {
  return {
    numerator: countQuery(COLLECTOR_METRICS.spansOrphaned, tagFilter, by),
    denominator: countQuery(COLLECTOR_METRICS.spansChecked, tagFilter, by),
  };
}

/** Non-orphan (continuous) spans over checked spans: the trace-continuity SLO's good/total. */
export function continuityQuery(tagFilter: string): RatioQuery {
  const checked = countQuery(COLLECTOR_METRICS.spansChecked, tagFilter);
  return {
    numerator: `${checked} - ${countQuery(COLLECTOR_METRICS.spansOrphaned, tagFilter)}`,
    denominator: checked,
  };
}

/**
 * Spans in `scope` lacking `tag` over spans in `scope` (native span-based metrics): the share tag-coverage monitors
 * alert on. Total loss of the tag makes the numerator equal the denominator instead of making it vanish
 * (see missingTagMetricName).
 */
export function missingTagQuery(scope: string, tag: string, tagFilter: string, by: readonly string[] = []): RatioQuery {
  return {
    numerator: countQuery(missingTagMetricName(scope, tag), tagFilter, by),
    denominator: countQuery(scopeMetricName(scope), tagFilter, by),
  };
}

/** Tag coverage for graphs: `1 - missing / in scope` (see missingTagQuery). */
export function tagCoverageQuery(
  scope: string,
  tag: string,
  tagFilter: string,
  by: readonly string[] = [],
): RatioQuery {
  return { ...missingTagQuery(scope, tag, tagFilter, by), complement: true };
}

/** `required_tag:usr.id`: selects one rule's series among the collector's tag-coverage metrics. */
export function requiredTagFilter(tag: string): string {
  return `${METRIC_TAGS.requiredTag}:${requiredTagValue(tag)}`;
}

/** `tagFilter` with one more term: `{service:x,env:prod}` + `a:b` → `{service:x,env:prod,a:b}`. */
function withTerm(tagFilter: string, term: string): string {
  const inner = tagFilter.slice(1, -1);
  return inner === '*' || inner === '' ? `{${term}}` : `{${inner},${term}}`;
}

/**
 * Spans carrying `tag` over spans in its rule's scope, counted by the collector on sampled complete traces. Unlike
 * `tagCoverageQuery` (span-based metrics: all spans, but only service and env), these series carry `version`, so
 * this is the query for coverage *by version*.
 */
export function sampledTagCoverageQuery(tag: string, tagFilter: string, by: readonly string[] = []): RatioQuery {
  const f = withTerm(tagFilter, requiredTagFilter(tag));
  return {
    numerator: countQuery(COLLECTOR_METRICS.tagsCovered, f, by),
    denominator: countQuery(COLLECTOR_METRICS.tagsChecked, f, by),
  };
}

/** Unexpected roots over all roots (collector metrics). */
export function unexpectedRootsQuery(tagFilter: string, by: readonly string[] = []): RatioQuery {
  return {
    numerator: countQuery(COLLECTOR_METRICS.rootsUnexpected, tagFilter, by),
    denominator: countQuery(COLLECTOR_METRICS.rootsTotal, tagFilter, by),
  };
}

/** Unpaired calls over checked calls, per callee (`peer_service`) unless `by` says otherwise. */
export function unpairedCallsQuery(tagFilter: string, by: readonly string[] = ['peer_service']): RatioQuery {
  return {
    numerator: countQuery(COLLECTOR_METRICS.callsUnpaired, tagFilter, by),
    denominator: countQuery(COLLECTOR_METRICS.callsChecked, tagFilter, by),
  };
}

/** Distinct tracing-library families (gauge; > 1 means two tracers in one service). */
export function tracerFamiliesQuery(tagFilter: string, by: readonly string[] = []): string {
  const groupBy = by.length ? ` by {${by.join(',')}}` : '';
  return `max:${COLLECTOR_METRICS.tracerFamilies}${tagFilter}${groupBy}`;
}

/** Every ingested span (native): no point in a window means tracing is off. */
export function ingestedSpansQuery(tagFilter: string, by: readonly string[] = []): string {
  return countQuery(NATIVE_METRICS.spansIngested, tagFilter, by);
}

/** `A / B` as a monitor/timeseries expression. */
export function ratioExpression(q: RatioQuery): string {
  return `${q.numerator} / ${q.denominator}`;
}

// --- Dashboards -------------------------------------------------------------------------------------------------

/**
 * Dashboard template variables as they appear inside a metric filter: `$env` expands to `env:prod` (or `*`) and
 * `$version` to `version:1.2.3` (or `*`), so one dashboard serves every env and version.
 */
export const TEMPLATE_FILTERS = { env: '$env', version: '$version' } as const;

/** `{a,b,…}` from filter terms; `{*}` when there are none. */
export function tagsFilter(terms: readonly string[]): string {
  return terms.length ? `{${terms.join(',')}}` : '{*}';
}

/** A service dashboard's filter for metrics with a `version` tag (see VERSION_TAGGED_METRICS): `{service:x,$env,$version}`. */
export function dashboardFilter(service: string): string {
  return filter(service, undefined, [TEMPLATE_FILTERS.env, TEMPLATE_FILTERS.version]);
}

/**
 * A service dashboard's filter for metrics without a `version` tag — the span-based metrics (grouped by service
 * and env only, for cost) and the tracer-families gauge: `{service:x,$env}`. Filtering them on `$version` would
 * empty the graph as soon as a version is picked.
 */
export function dashboardUnversionedFilter(service: string): string {
  return filter(service, undefined, [TEMPLATE_FILTERS.env]);
}

/** Spans examined by the collector (the volume behind every collector ratio). */
export function checkedSpansQuery(tagFilter: string, by: readonly string[] = []): string {
  return countQuery(COLLECTOR_METRICS.spansChecked, tagFilter, by);
}

/** Server spans nested directly in a server span of the same service and resource (double instrumentation). */
export function doubleInstrumentedQuery(tagFilter: string, by: readonly string[] = []): string {
  return countQuery(COLLECTOR_METRICS.spansDoubleInstrumented, tagFilter, by);
}

/**
 * A catalog-coverage gauge (1 per service) as one series per service, `max` over whoever reported it (several
 * `collect --serve` shards, several envs); without `by {service}`, how many services that is: `count_nonzero()`
 * counts "the tag values with non-zero metric values at each point" (docs.datadoghq.com/dashboards/functions/count).
 */
function servicesGaugeQuery(metric: string, tagFilter: string, by: readonly string[]): string {
  const perService = `max:${metric}${tagFilter} by {service}`;
  return by.includes('service') ? perService : `count_nonzero(${perService})`;
}

/** Services seen in spans but not in the catalog (collector gauge, 1 per service and env). */
export function uncatalogedServicesQuery(tagFilter: string, by: readonly string[] = []): string {
  return servicesGaugeQuery(COLLECTOR_METRICS.servicesUncataloged, tagFilter, by);
}

/** Catalog services with no span in a `collect --live` window (collector gauge, 1 per service, no env). */
export function unseenServicesQuery(by: readonly string[] = []): string {
  return servicesGaugeQuery(COLLECTOR_METRICS.servicesUnseen, '{*}', by);
}
