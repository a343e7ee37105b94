/**
 * Traffic → metric points, produced the way Datadog and the collector produce them.
 *
 * A scenario's traffic is a list of phases (requests per minute, version, and the share of requests with each
 * fault). Each minute's requests are split into kinds of trace (healthy, missing a tag, orphaned, …), faults
 * independent of each other. Counts per minute are whole traces (the integer part of each kind's running total),
 * so rates below one request a minute still produce sparse, real points.
 *
 * - Span-based metrics: every span metric of the core stack is matched against each kind's spans with the
 *   project's span-query evaluator (the collector's compiled matcher); a minute gets a point only where at least
 *   one span matched (datadog-semantics §9, pessimistic), tagged by the metric's group-bys (service, env).
 * - Collector metrics: the collector's own detectors (`analyzeSpans`) and series builder (`buildSeries`) run on one
 *   trace of each kind; a collector run every `collectorIntervalMinutes` scales them by the number of sampled
 *   traces of that kind in its window (the Spans API's flat 1% sample by default) and submits one point per
 *   series at the window's end, zeros included — as `collect --live --submit` does. The tracer-families gauge is
 *   the union of the families of the kinds sampled in the run.
 */
import type { AnalyzeOptions } from '../collector/analyze';
import { analyzeSpans } from '../collector/analyze';
import { compileSpanQuery, SpanMatcher } from '../collector/match';
import type { Span, TracerFamily } from '../collector/model';
import { buildSeries } from '../collector/series';
import { COLLECTOR_METRICS, RESERVED_ATTRIBUTES } from '../datadog/metrics';
import { parseSpanQuery } from '../datadog/span-query';
import { MetricStore } from './store';

export interface TrafficPhase {
  /** First minute of the phase (phases are sorted; the first starts at 0). */
  readonly from: number;
  /** Requests entering the service per minute (0: the service sends nothing). */
  readonly requestsPerMinute: number;
  readonly version: string;
  /** Share of requests whose spans lack the tag, by required tag. */
  readonly missing?: Readonly<Record<string, number>>;
  /** Share of requests in which one of the service's spans loses its parent. */
  readonly orphaned?: number;
  /** Share of requests that arrive without trace context: the service's entry span is a root. */
  readonly unexpectedRoots?: number;
  /** Share of calls to each callee whose server span is not in the trace (propagation lost on the edge). */
  readonly unpaired?: Readonly<Record<string, number>>;
  /** Share of requests traced by a second tracing library (OpenTelemetry). */
  readonly secondTracer?: number;
  /** Share of requests that fail (their entry span has status error). */
  readonly errors?: number;
}

export interface Traffic {
  readonly service: string;
  readonly env: string;
  /** Tags every span of the service carries (the service's required tags); missing shares remove them. */
  readonly tags: readonly string[];
  readonly phases: readonly TrafficPhase[];
  /** The service that calls this one (its client span is the parent of the entry span); none for an entrypoint. */
  readonly caller?: string;
  /** Services this one calls once per request. */
  readonly callees: readonly string[];
  /** Share of complete traces the collector reads (Spans API `retained_by:flat_sampled`: 1%). */
  readonly sampleRate: number;
  readonly collectorIntervalMinutes: number;
}

export interface SpanMetric {
  readonly name: string;
  readonly filter: string;
  readonly groupBy: readonly string[];
}

export const DEFAULT_ERROR_SHARE = 0.1;
export const DEFAULT_SAMPLE_RATE = 0.01;
export const COLLECTOR_INTERVAL_MINUTES = 15;

export interface Kind {
  readonly key: string;
  readonly version: string;
  readonly missing: ReadonlySet<string>;
  readonly orphaned: boolean;
  readonly root: boolean;
  readonly unpaired: ReadonlySet<string>;
  readonly tracer: TracerFamily;
  readonly error: boolean;
}

/** The kinds of request a phase produces, with the share of requests of each (shares sum to 1). */
export function phaseKinds(p: TrafficPhase): { kind: Kind; share: number }[] {
  const faults: { name: string; share: number }[] = [];
  const add = (name: string, share: number | undefined) => {
    if (share !== undefined && share > 0) faults.push({ name, share: Math.min(1, share) });
  };
  for (const [tag, share] of Object.entries(p.missing ?? {})) add(`missing:${tag}`, share);
  add('orphaned', p.orphaned);
  add('root', p.unexpectedRoots);
  for (const [callee, share] of Object.entries(p.unpaired ?? {})) add(`unpaired:${callee}`, share);
  add('otel', p.secondTracer);
  add('error', p.errors ?? DEFAULT_ERROR_SHARE);
  // Faults are independent: every combination, weighted by the product of the shares (10% missing a tag means
  // 10% of the error spans too, not the same requests as the errors).
  let combos: { on: string[]; share: number }[] = [{ on: [], share: 1 }];
  for (const f of faults)
    combos = combos.flatMap((c) =>
      [
        { on: [...c.on, f.name], share: c.share * f.share },
        { on: c.on, share: c.share * (1 - f.share) },
      ].filter((x) => x.share > 0),
    );
  const out: { kind: Kind; share: number }[] = [];
  for (const { on, share } of combos) {
    const missing = new Set(on.filter((n) => n.startsWith('missing:')).map((n) => n.slice(8)));
    const unpaired = new Set(on.filter((n) => n.startsWith('unpaired:')).map((n) => n.slice(9)));
    const kind: Kind = {
      key: `${p.version}|${[...on].sort().join('|')}`,
      version: p.version,
      missing,
      orphaned: on.includes('orphaned'),
      root: on.includes('root'),
      unpaired,
      tracer: on.includes('otel') ? 'opentelemetry' : 'datadog',
      error: on.includes('error'),
    };
    out.push({ kind, share });
  }
  return out;
}

/** The spans of one request of a kind: the caller's, the service's, and the callees' server spans. */
export function kindSpans(t: Traffic, kind: Kind, traceId: string): Span[] {
  const spans: Span[] = [];
  const base = { traceId, env: t.env, excludedBy: undefined, start: 0, tags: [] as string[] };
  const own = (spanId: string, parentId: string | undefined, k: Span['kind'], extra: Partial<Span> = {}): Span => {
    const attributes: Record<string, unknown> = {};
    let version: string | undefined = kind.version;
    let host: string | undefined = 'host-1';
    for (const tag of t.tags) {
      if (kind.missing.has(tag)) {
        if (tag === 'version') version = undefined;
        if (tag === 'host') host = undefined;
        continue;
      }
      if (!RESERVED_ATTRIBUTES.has(tag)) attributes[tag] = `sim-${tag}`;
    }
    return {
      ...base,
      spanId,
      parentId,
      service: t.service,
      kind: k,
      peerService: undefined,
      tracer: kind.tracer,
      error: false,
      version,
      host,
      resource: 'GET /',
      operation: 'request',
      attributes,
      ...extra,
    };
  };
  let entryParent: string | undefined;
  if (t.caller && !kind.root) {
    const callerBase = { ...base, service: t.caller, tracer: 'datadog' as const, error: false, version: '1' };
    spans.push({ ...callerBase, spanId: 'c1', parentId: undefined, kind: 'server', peerService: undefined });
    spans.push({ ...callerBase, spanId: 'c2', parentId: 'c1', kind: 'client', peerService: t.service });
    entryParent = 'c2';
  }
  const entry = own('s1', entryParent, 'server', { error: kind.error });
  // The tracer marks service-entry spans `_top_level` (what `@_top_level:1` searches).
  (entry.attributes as Record<string, unknown>)['_top_level'] = 1;
  if (kind.error && t.tags.includes('error.message') && !kind.missing.has('error.message'))
    (entry.attributes as Record<string, unknown>)['error.message'] = 'simulated failure';
  spans.push(entry);
  spans.push(own('s2', kind.orphaned ? 'lost-parent' : 's1', 'internal'));
  t.callees.forEach((callee, i) => {
    const id = `s${3 + i}`;
    spans.push(own(id, 's2', 'client', { peerService: callee }));
    if (!kind.unpaired.has(callee))
      spans.push({
        ...base,
        spanId: `p${i}`,
        parentId: id,
        service: callee,
        kind: 'server',
        peerService: undefined,
        tracer: 'datadog',
        error: false,
        version: '1',
      });
  });
  return spans;
}

interface KindMetrics {
  /** Span-based metric points of one request: metric → tags → count. */
  readonly spanMetrics: readonly { metric: string; tags: readonly string[]; count: number }[];
  /** Collector series of one request (the service's own), values per request. */
  readonly collector: readonly { metric: string; tags: readonly string[]; value: number; gauge: boolean }[];
  readonly tracers: ReadonlySet<TracerFamily>;
}

/** Fill `store` with what the traffic makes Datadog and the collector write. */
export function produceMetrics(
  t: Traffic,
  spanMetrics: readonly SpanMetric[],
  options: AnalyzeOptions,
  store: MetricStore,
): void {
  const minutes = store.minutes;
  const matchers = spanMetrics.map((m) => ({ m, match: compileSpanQuery(parseSpanQuery(m.filter)) }));
  const perKind = new Map<string, KindMetrics>();
  const metricsOf = (kind: Kind): KindMetrics => {
    let km = perKind.get(kind.key);
    if (!km) perKind.set(kind.key, (km = kindMetrics(t, kind, matchers, options)));
    return km;
  };
  // Running totals of requests per kind: counts per minute are differences of their integer parts.
  const running = new Map<string, number>();
  const sampled = new Map<string, { kind: Kind; traces: number }>();
  const sampledRunning = new Map<string, number>();
  let phase = 0;
  const kindsOf = t.phases.map((p) => (p.requestsPerMinute > 0 ? phaseKinds(p) : []));
  for (let m = 0; m < minutes; m++) {
    while (phase + 1 < t.phases.length && t.phases[phase + 1].from <= m) phase++;
    const p = t.phases[phase];
    for (const { kind, share } of kindsOf[phase]) {
      const before = running.get(kind.key) ?? 0;
      const after = before + p.requestsPerMinute * share;
      running.set(kind.key, after);
      const n = Math.floor(after) - Math.floor(before);
      const sBefore = sampledRunning.get(kind.key) ?? 0;
      const sAfter = sBefore + p.requestsPerMinute * share * t.sampleRate;
      sampledRunning.set(kind.key, sAfter);
      const ns = Math.floor(sAfter) - Math.floor(sBefore);
      if (ns > 0) {
        const e = sampled.get(kind.key) ?? { kind, traces: 0 };
        e.traces += ns;
        sampled.set(kind.key, e);
      }
      if (n === 0) continue;
      for (const sm of metricsOf(kind).spanMetrics) store.add(sm.metric, sm.tags, m, n * sm.count);
    }
    if ((m + 1) % t.collectorIntervalMinutes === 0) {
      collectorRun(
        [...sampled.values()].filter((e) => e.traces > 0),
        metricsOf,
        store,
        m,
      );
      sampled.clear();
    }
  }
}

/** One collector run: the window's sampled traces, submitted as one point per series at the window's end. */
function collectorRun(
  runs: readonly { kind: Kind; traces: number }[],
  metricsOf: (k: Kind) => KindMetrics,
  store: MetricStore,
  minute: number,
): void {
  if (runs.length === 0) return;
  const sums = new Map<string, { metric: string; tags: readonly string[]; value: number; gauge: boolean }>();
  const tracers = new Set<TracerFamily>();
  for (const { kind, traces } of runs) {
    const km = metricsOf(kind);
    for (const f of km.tracers) tracers.add(f);
    for (const s of km.collector) {
      if (s.gauge) continue;
      const key = `${s.metric}|${s.tags.join(',')}`;
      const e = sums.get(key) ?? { ...s, value: 0 };
      e.value += s.value * traces;
      sums.set(key, e);
    }
  }
  for (const s of sums.values()) store.add(s.metric, s.tags, minute, s.value);
  // The families gauge: one per (service, env), the distinct families seen in the run.
  const gauge = runs.flatMap(({ kind }) => metricsOf(kind).collector.filter((s) => s.gauge))[0];
  if (gauge) store.add(gauge.metric, gauge.tags, minute, tracers.size, true);
}

function kindMetrics(
  t: Traffic,
  kind: Kind,
  matchers: readonly { m: SpanMetric; match: SpanMatcher }[],
  options: AnalyzeOptions,
): KindMetrics {
  const spans = kindSpans(t, kind, `trace-${kind.key}`);
  const own = spans.filter((s) => s.service === t.service);
  for (const s of own) s.topLevel = s.spanId === 's1';
  const spanMetrics: { metric: string; tags: string[]; count: number }[] = [];
  for (const { m, match } of matchers) {
    const count = own.filter((s) => match(s)).length;
    if (count === 0) continue;
    const tags = m.groupBy.map((g) => (g === 'service' ? `service:${t.service}` : g === 'env' ? `env:${t.env}` : g));
    spanMetrics.push({ metric: m.name, tags, count });
  }
  const analysis = analyzeSpans(
    spans.map((s) => ({ ...s, topLevel: undefined })),
    options,
  );
  const collector = buildSeries(analysis, 0, 60)
    .filter((s) => s.tags.includes(`service:${t.service}`))
    .map((s) => ({
      metric: s.metric,
      tags: s.tags,
      value: s.points[0].value,
      gauge: s.metric === COLLECTOR_METRICS.tracerFamilies,
    }));
  return { spanMetrics, collector, tracers: new Set(own.map((s) => s.tracer)) };
}
