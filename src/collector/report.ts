/**
 * The JSON report: a stable contract (docs/collector-report.md). Keys are sorted and ratios rounded so the same
 * input gives the same bytes.
 */
import { Analysis, Coverage, Examples, NO_ENV } from './analyze';
import { buildFindings, Finding } from './findings';
import { RETAINED_BY_PREFIX } from './model';

export interface CoverageReport {
  readonly covered: number;
  readonly total: number;
  /** covered / total, or null when no span was in scope. */
  readonly ratio: number | null;
}

export interface VersionReport {
  readonly spans: number;
  readonly orphanSpans: number;
  readonly tagCoverage: Readonly<Record<string, CoverageReport>>;
}

export interface ServiceReport {
  /** Spans checked (excluded spans not counted). */
  readonly spans: number;
  readonly orphanSpans: number;
  /** orphanSpans / spans, or null when no span was checked. */
  readonly orphanRate: number | null;
  readonly rootSpans: number;
  readonly unexpectedRoots: number;
  /** Callee → client spans with no span of the callee below them. Only callees with at least one. */
  readonly unpairedCalls: Readonly<Record<string, number>>;
  readonly tracers: readonly string[];
  /** Languages the tracers report (Datadog `language`, OpenTelemetry `telemetry.sdk.language`), sorted. */
  readonly languages: readonly string[];
  /** Services this one was seen calling (client spans' `peer.service`, children in another service), sorted. */
  readonly calls: readonly string[];
  readonly multipleTracers: boolean;
  readonly doubleInstrumentedSpans: number;
  readonly tagCoverage: Readonly<Record<string, CoverageReport>>;
  readonly byVersion: Readonly<Record<string, VersionReport>>;
  readonly examples: {
    readonly orphanSpans: readonly string[];
    readonly unexpectedRoots: readonly string[];
    readonly unpairedCalls: Readonly<Record<string, readonly string[]>>;
    readonly doubleInstrumentedSpans: readonly string[];
    /** Tracer family → traces holding this service's spans from that family (shown when there are several). */
    readonly tracers: Readonly<Record<string, readonly string[]>>;
    /** Tag → traces with an in-scope span lacking it. */
    readonly missingTags: Readonly<Record<string, readonly string[]>>;
  };
}

export interface CollectReport {
  readonly window: { readonly from: string | null; readonly to: string | null };
  /** Which envs the figures are about. */
  readonly env: {
    /** The policy's envs the input was restricted to; empty: every env (no policy file). */
    readonly watched: readonly string[];
    /** Env → spans checked (`(none)`: spans without env). */
    readonly seen: Readonly<Record<string, number>>;
    /** Env → spans of envs outside `watched`, not counted anywhere else in the report. */
    readonly skipped: Readonly<Record<string, number>>;
  };
  readonly totals: {
    readonly spans: number;
    readonly traces: number;
    readonly excludedSpans: number;
    /** Why spans were excluded → spans (`retained_by:<value>`, `incomplete_page`, `error`, `rare`, `single_span`). */
    readonly excludedByReason: Readonly<Record<string, number>>;
    readonly malformedSpans: number;
  };
  /** Input pages Datadog marked partial (meta.status "timeout" or meta.warnings): their traces are excluded. */
  readonly incompletePages: readonly { readonly source: string; readonly reason: string }[];
  readonly services: Readonly<Record<string, ServiceReport>>;
  /** What to act on, worst first: one model for this report, the Markdown and `--fail-on` (src/collector/findings.ts). */
  readonly findings: readonly Finding[];
}

export function ratio(num: number, den: number): number | null {
  return den === 0 ? null : Math.round((num / den) * 1e6) / 1e6;
}

function coverageReport(m: ReadonlyMap<string, Coverage>): Record<string, CoverageReport> {
  const out: Record<string, CoverageReport> = {};
  for (const tag of [...m.keys()].sort()) {
    const c = m.get(tag) as Coverage;
    out[tag] = { covered: c.covered, total: c.total, ratio: ratio(c.covered, c.total) };
  }
  return out;
}

function sortedRecord<V, W>(m: ReadonlyMap<string, V>, f: (v: V, k: string) => W | undefined): Record<string, W> {
  const out: Record<string, W> = {};
  for (const k of [...m.keys()].sort()) {
    const w = f(m.get(k) as V, k);
    if (w !== undefined) out[k] = w;
  }
  return out;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function buildReport(a: Analysis): CollectReport {
  const services: Record<string, ServiceReport> = {};
  const seenEnvs = new Map<string, number>();
  for (const acc of a.services.values())
    for (const g of acc.groups.values()) {
      const env = g.env ?? NO_ENV;
      if (g.spans > 0) seenEnvs.set(env, (seenEnvs.get(env) ?? 0) + g.spans);
    }
  for (const name of [...a.services.keys()].sort()) {
    const acc = a.services.get(name)!;
    let spans = 0;
    let orphans = 0;
    let roots = 0;
    let double = 0;
    const unpaired = new Map<string, number>();
    const byVersion = new Map<string, { spans: number; orphanSpans: number }>();
    for (const g of acc.groups.values()) {
      spans += g.spans;
      orphans += g.orphans;
      roots += g.roots;
      double += g.doubleInstrumented;
      for (const [peer, c] of g.calls)
        if (a.knownServices.has(peer) && c.unpaired > 0) unpaired.set(peer, (unpaired.get(peer) ?? 0) + c.unpaired);
      const v = g.version ?? '(none)';
      const bv = byVersion.get(v) ?? { spans: 0, orphanSpans: 0 };
      bv.spans += g.spans;
      bv.orphanSpans += g.orphans;
      byVersion.set(v, bv);
    }
    if (spans === 0 && acc.excluded === 0) continue;
    const internal = a.internal.has(name);
    const tracers = [...acc.tracers].sort();
    const ex = acc.examples;
    services[name] = {
      spans,
      orphanSpans: orphans,
      orphanRate: ratio(orphans, spans),
      rootSpans: roots,
      unexpectedRoots: internal ? roots : 0,
      unpairedCalls: Object.fromEntries([...unpaired.entries()].sort(([x], [y]) => (x < y ? -1 : 1))),
      tracers,
      languages: [...acc.languages].sort(),
      calls: [...acc.callees].sort(),
      multipleTracers: tracers.length > 1,
      doubleInstrumentedSpans: double,
      tagCoverage: coverageReport(acc.coverage),
      byVersion: sortedRecord(byVersion, (bv, v) => ({
        spans: bv.spans,
        orphanSpans: bv.orphanSpans,
        tagCoverage: coverageReport(acc.coverageByVersion.get(v) ?? new Map()),
      })),
      examples: {
        orphanSpans: orphans > 0 ? [...ex.orphanSpans.ids] : [],
        unexpectedRoots: internal && roots > 0 ? [...ex.unexpectedRoots.ids] : [],
        unpairedCalls: sortedRecord(ex.unpairedCalls, (e: Examples, peer) =>
          unpaired.has(peer) ? [...e.ids] : undefined,
        ),
        doubleInstrumentedSpans: [...ex.doubleInstrumentedSpans.ids],
        tracers: tracers.length > 1 ? sortedRecord(ex.tracers, (e: Examples) => [...e.ids]) : {},
        missingTags: sortedRecord(ex.missingTags, (e: Examples) => [...e.ids]),
      },
    };
  }
  const w = a.options.window;
  const t = a.totals;
  return {
    window: w
      ? { from: iso(w.from), to: iso(w.to) }
      : t.traces > 0
        ? { from: iso(t.firstSpanMs), to: iso(t.lastSpanMs) }
        : { from: null, to: null },
    env: {
      watched: [...(a.options.envs ?? [])],
      seen: sortedRecord(seenEnvs, (n) => n),
      skipped: sortedRecord(new Map(Object.entries(t.otherEnvSpans)), (n) => n),
    },
    totals: {
      spans: t.spans,
      traces: t.traces,
      excludedSpans: t.excludedSpans,
      excludedByReason: sortedRecord(new Map(Object.entries(t.excludedByReason)), (n) => n),
      malformedSpans: t.malformedSpans,
    },
    incompletePages: a.incompletePages.map((p) => ({ source: p.origin, reason: p.reason })),
    services,
    findings: buildFindings(a),
  };
}

/** One line about malformed spans (stderr), or undefined when there were none. */
export function malformedSummary(a: Analysis): string | undefined {
  if (a.totals.malformedSpans === 0) return undefined;
  const reasons = [...a.malformedReasons.entries()]
    .sort(([x, n], [y, m]) => m - n || (x < y ? -1 : 1))
    .map(([r, n]) => `${r}: ${n}`)
    .join(', ');
  const n = a.totals.malformedSpans;
  return `${n} malformed span${n === 1 ? '' : 's'} skipped (${reasons}); first at ${a.firstMalformed}`;
}

/** The exclusions for retention that does not keep whole traces (`retained_by:<value>` → spans), sorted. */
export function retainedApart(excludedByReason: Readonly<Record<string, number>>): [string, number][] {
  return Object.entries(excludedByReason)
    .filter(([k]) => k.startsWith(RETAINED_BY_PREFIX))
    .sort(([x], [y]) => (x < y ? -1 : 1));
}

/**
 * Lines (stderr) about input that is not what the figures assume: spans not from whole traces, and pages Datadog
 * marked partial. Empty when the input is whole traces.
 */
export function inputWarnings(a: Analysis): string[] {
  const out: string[] = [];
  const t = a.totals;
  const retained = retainedApart(t.excludedByReason);
  const apart = retained.reduce((n, [, v]) => n + v, 0);
  if (apart > 0)
    out.push(
      `${apart} of ${t.spans} spans are not from whole traces (${retained.map(([k, n]) => `${k} ${n}`).join(', ')}): ` +
        'counted apart, never called orphans; export retained_by:flat_sampled spans, or pass --whole-traces-retained-by ' +
        'VALUES if your retention keeps whole traces',
    );
  const skipped = Object.entries(t.otherEnvSpans).sort(([x], [y]) => (x < y ? -1 : 1));
  if (skipped.length)
    out.push(
      `${skipped.reduce((n, [, v]) => n + v, 0)} spans of envs other than the policy's (${(a.options.envs ?? []).join(', ')}) skipped: ${skipped.map(([k, n]) => `${k} ${n}`).join(', ')}`,
    );
  for (const p of a.incompletePages)
    out.push(`${p.origin}: Datadog marked this page partial (${p.reason}); its traces are counted apart`);
  return out;
}
