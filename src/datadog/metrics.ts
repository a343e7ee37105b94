/**
 * Every metric name trace-health writes or reads, in one place: the span-based metrics (created in the core
 * stack), the metrics the collector submits, and the queries the monitors, SLOs and dashboards run over them.
 * A name changed here changes both sides at once.
 */

/** Prefix of everything we own. Datadog rejects span-based metric names under `trace.`. */
export const METRIC_PREFIX = 'trace_health';

/**
 * Span-based metrics (native, computed by Datadog from 100% of ingested spans) that do not depend on a tag rule.
 * `spansIngested` counts every span per service and env: the "no traces" monitor alerts when it has no data, and
 * it is also the scope metric of tag rules whose scope is every span (`*`): one metric, billed once.
 */
export const NATIVE_METRICS = {
  spansIngested: 'trace_health.spans.ingested',
} as const;

/** Metrics the collector submits (count type unless noted), tagged `service`, `env`, `version`. */
export const COLLECTOR_METRICS = {
  /** Spans examined for orphans (excluded spans not counted). */
  spansChecked: 'trace_health.spans.checked',
  /** Spans whose parent id is set but whose parent is absent from the complete trace. */
  spansOrphaned: 'trace_health.spans.orphaned',
  /** Root spans (no parent id) per service. */
  rootsTotal: 'trace_health.roots.total',
  /** Root spans in services that should only be called by traced services. */
  rootsUnexpected: 'trace_health.roots.unexpected',
  /** Client spans calling a catalog service (tags: service = caller, peer_service = callee). */
  callsChecked: 'trace_health.calls.checked',
  /** …of those, the ones with no server span of the callee below them. */
  callsUnpaired: 'trace_health.calls.unpaired',
  /** Server spans directly under a server span of the same service and resource. */
  spansDoubleInstrumented: 'trace_health.spans.double_instrumented',
  /** Gauge: number of distinct tracing-library families seen in the service's spans (no `version` tag). */
  tracerFamilies: 'trace_health.tracers.families',
  /**
   * Spans in a tag rule's scope (tag `required_tag`, see `requiredTagValue`): the denominator of tag coverage by
   * version. The span-based coverage metrics have no `version` (it would multiply their custom-metric cost), so
   * "which deploy dropped the tag" comes from these, counted on sampled complete traces.
   */
  tagsChecked: 'trace_health.tags.checked',
  /** …of those, the spans carrying the tag: the numerator of tag coverage by version. */
  tagsCovered: 'trace_health.tags.covered',
  /**
   * Gauge, 1 per (service, env) seen in spans but not in the service catalog (no monitors watch it); sent only when
   * the collector knows the catalog. Summed across services it is how many the catalog forgot.
   */
  servicesUncataloged: 'trace_health.services.uncataloged',
  /** Gauge, 1 per enabled catalog service with no span in the collector's window (no `env`, no `version`). */
  servicesUnseen: 'trace_health.services.unseen',
} as const;

export type CollectorMetric = (typeof COLLECTOR_METRICS)[keyof typeof COLLECTOR_METRICS];

/** Which collector metrics are gauges (all others are counts). */
export const GAUGE_METRICS: ReadonlySet<string> = new Set([
  COLLECTOR_METRICS.tracerFamilies,
  COLLECTOR_METRICS.servicesUncataloged,
  COLLECTOR_METRICS.servicesUnseen,
]);

/** Tag keys on collector metrics. */
export const METRIC_TAGS = {
  service: 'service',
  env: 'env',
  version: 'version',
  peerService: 'peer_service',
  requiredTag: 'required_tag',
} as const;

/**
 * Metrics that carry a `version` tag: every collector metric but the tracer-families gauge (counted per service
 * and env). Span-based metrics (NATIVE_METRICS, scope and tag metrics) are grouped by service and env only, so a
 * query filtering or grouping them by `version` can never show data.
 */
export const VERSION_TAGGED_METRICS: ReadonlySet<string> = new Set(
  Object.values(COLLECTOR_METRICS).filter((m) => !GAUGE_METRICS.has(m)),
);

/**
 * The `required_tag:<value>` of the tag-coverage series: the rule's tag as Datadog stores a tag value (lowercased;
 * characters other than letters, digits, `_ - : . /` become one `_`; no trailing `_`; 200 characters per tag in
 * all). `usr.id` stays `usr.id`. Dashboards query the same value, so what is sent is what is read. Keyed by tag
 * alone, not scope: synth refuses two rules of one service whose tags collide here (they would share a monitor
 * address; only tags over 186 characters could slip through), and a collector run on such a policy sums them,
 * as the report's `tagCoverage` does.
 */
export function requiredTagValue(tag: string): string {
  const max = 200 - METRIC_TAGS.requiredTag.length - 1;
  const v = tag
    .toLowerCase()
    .replace(/[^a-z0-9_\-:./]+/g, '_')
    .replace(/_+/g, '_')
    .slice(0, max)
    .replace(/_+$/, '');
  return v === '' ? 'none' : v;
}

/** Turn any text into a metric-name segment: `[a-z0-9_]`, no leading digit, no doubled underscores. */
export function metricSegment(text: string): string {
  let s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (s === '') s = 'all';
  if (/^[0-9]/.test(s)) s = `n${s}`;
  return s;
}

/** A short stable hash (FNV-1a, 32 bit, hex) so that two scopes that normalize alike still get distinct names. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0').slice(0, 6);
}

/** Longest normalized tag or scope text kept in a metric name (the hash keeps longer ones distinct). */
const SEGMENT_MAX = 40;

function isEveryScope(scope: string): boolean {
  const trimmed = scope.trim();
  return trimmed === '*' || trimmed === '';
}

/** `trace_health.scope.<scope segment>` (`…scope.all` for `*`): the stem of a rule's span-based metric names. */
function scopeStem(scope: string): string {
  const trimmed = scope.trim();
  if (isEveryScope(trimmed)) return `${METRIC_PREFIX}.scope.all`;
  return `${METRIC_PREFIX}.scope.${metricSegment(trimmed).slice(0, SEGMENT_MAX)}_${shortHash(trimmed)}`;
}

/**
 * Span-based metric counting the spans a tag rule's scope selects (the denominator of tag coverage). `*` (every
 * span) is `trace_health.spans.ingested`: the same filter and group-by as a `scope.all` metric would have.
 */
export function scopeMetricName(scope: string): string {
  return isEveryScope(scope) ? NATIVE_METRICS.spansIngested : `${scopeStem(scope)}.spans`;
}

/**
 * The tag's part of its coverage metric name. A tag that is already a clean segment of at most 40 characters
 * (`version`, `region`) is used as is; any other (`usr.id`, `Usr-ID`, a long one) gets the normalized, truncated
 * text plus a hash of the exact tag (`usr_id_1a2b3c`), as scopes do. So distinct tags get distinct segments —
 * `usr.id` and `usr_id` no longer share a metric — and a tag's segment depends on that tag alone: adding
 * another tag to the policy never renames an existing metric (which would restart its history).
 */
export function tagSegment(tag: string): string {
  const seg = metricSegment(tag);
  return seg === tag && seg.length <= SEGMENT_MAX ? seg : `${seg.slice(0, SEGMENT_MAX)}_${shortHash(tag)}`;
}

/**
 * Span-based metric counting the spans in `scope` that LACK `tag` (the failure count of tag coverage), e.g.
 * `trace_health.scope.top_level_1_d2057a.missing.usr_id_d4e5f6.spans`, `trace_health.scope.all.missing.version.spans`.
 * At most 19 + 47 + 9 + 47 + 6 = 128 characters.
 *
 * Why the failure is counted, not the spans carrying the tag: a span-based metric emits a point only where a span
 * matched its filter (datadog-semantics §9, undocumented: the pessimistic reading), so a "has the tag" metric
 * vanishes exactly when the tag vanishes, and `has / scope` with an absent numerator may be no data rather than 0
 * (§1, undocumented). Counting the spans missing the tag makes total loss a series equal to its denominator: the
 * monitor fires under every reading (DESIGN §4 "Silence").
 */
export function missingTagMetricName(scope: string, tag: string): string {
  return `${scopeStem(scope)}.missing.${tagSegment(tag)}.spans`;
}

/** The span-search filter of the scope metric (`*` means every span: the filter is just the env/service set). */
export function scopeFilterQuery(scope: string): string {
  const trimmed = scope.trim();
  return trimmed === '' || trimmed === '*' ? '*' : trimmed;
}

/**
 * Reserved span attributes are searched without `@` (`version:*`, not `@version:*`); everything else is a
 * span tag/attribute searched with `@`.
 */
export const RESERVED_ATTRIBUTES: ReadonlySet<string> = new Set([
  'env',
  'service',
  'version',
  'resource_name',
  'operation_name',
  'status',
  'host',
  'trace_id',
  'span_id',
]);

/** Span-search term meaning "the span has this tag": `@usr.id:*`, or `version:*` for reserved attributes. */
export function hasTagQuery(tag: string): string {
  return RESERVED_ATTRIBUTES.has(tag) ? `${tag}:*` : `@${tag}:*`;
}

/** The span-search filter of the missing-tag metric: the scope plus "lacks the tag" (`(scope) -@usr.id:*`). */
export function missingTagFilterQuery(scope: string, tag: string): string {
  const lacks = `-${hasTagQuery(tag)}`;
  const s = scopeFilterQuery(scope);
  return s === '*' ? lacks : `(${s}) ${lacks}`;
}

/**
 * Spans of one service and env in a tag rule's scope that lack its tag, for the Trace Explorer (monitor messages,
 * SLO budget alerts and dashboard links): `service:x env:prod (scope) -@tag:*`.
 */
export function missingTagSpanQuery(
  service: string,
  env: string,
  rule: { readonly scope: string; readonly tag: string },
): string {
  const scope = scopeFilterQuery(rule.scope);
  const parts = [`service:${service}`, `env:${env}`];
  if (scope !== '*') parts.push(scope.includes(' ') ? `(${scope})` : scope);
  parts.push(`-${hasTagQuery(rule.tag)}`);
  return parts.join(' ');
}

/** Datadog metric names: ASCII letters, digits, underscores and periods, start with a letter, at most 200 chars. */
export function isValidMetricName(name: string): boolean {
  return /^[a-z][a-z0-9_.]{0,199}$/.test(name) && !name.startsWith('trace.') && !name.includes('..');
}
