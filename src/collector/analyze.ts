/**
 * The detectors (DESIGN §4), run once per assembled trace and accumulated per service, env and version:
 * orphan spans, unexpected roots, unpaired calls, tracer families / double instrumentation, tag coverage.
 *
 * Pure: `analyze(spans, options)` for hand-built inputs; `Collector` for streams (readers → assembler → here).
 * Decisions that depend on the whole input (is a `peer.service` a service? is a service internal because someone
 * calls it?) are taken in `finish()`, so the result does not depend on the order spans arrive in.
 */
import { hasTagQuery } from '../datadog/metrics';
import { parseSpanQuery, queryFields, SpanQuery } from '../datadog/span-query';
import type { CheckPolicy } from '../policy/checks';
import type { TagRule, Thresholds } from '../policy/model';
import { DEFAULT_HORIZON_MS, TraceAssembler } from './assembler';
import { compileAttributePath } from './attr-path';
import { isEntrySpan, processIdentity, tracerLanguage } from './entry';
import { compileSpanQuery, SpanMatcher } from './match';
import { INCOMPLETE_PAGE, RETAINED_BY_PREFIX, Span, SpanSink, TracerFamily, WHOLE_TRACE_RETENTION } from './model';
import { compareIds } from './readers/ids';
import { buildReport, CollectReport } from './report';

export interface ServiceOptions {
  readonly team?: string;
  /** The catalog's runbook URL, for findings. */
  readonly runbook?: string;
  /** Thresholds and volume guard of the service's resolved policy: findings are judged with them (src/policy/checks.ts). */
  readonly checks?: CheckPolicy;
  /** false: the service is skipped (its spans still count as parents of others). */
  readonly enabled?: boolean;
  readonly requiredTags?: readonly TagRule[];
  readonly orphanRate?: Thresholds;
  readonly tagCoverage?: Thresholds;
}

export interface AnalyzeOptions {
  /** Datadog site for links, e.g. `datadoghq.eu`. */
  readonly site: string;
  /** Per-service settings (from the resolved policy); services absent here use the defaults below. */
  readonly services?: Readonly<Record<string, ServiceOptions>>;
  /** Tag rules for services without their own (services seen in spans but not in the catalog). */
  readonly defaultRequiredTags?: readonly TagRule[];
  /** Thresholds and guard for services without their own (the policy's defaults; built-in ones without a policy). */
  readonly defaultChecks?: CheckPolicy;
  /** Catalog service → the catalog services whose `dependsOn` names it (likely callers of an unexpected root). */
  readonly dependents?: Readonly<Record<string, readonly string[]>>;
  /** Services that should only be called by traced services: the targets of catalog `dependsOn`. */
  readonly internalServices?: readonly string[];
  /** Services allowed to start traces (the policy's `entrypoints`): never unexpected roots. */
  readonly entrypoints?: readonly string[];
  /** Catalog service names: a `peer.service` naming one of them (or a service seen in the spans) is a call to check. */
  readonly catalogServices?: readonly string[];
  /** Example trace ids kept per finding (default 3). */
  readonly maxExamples?: number;
  /** Span-time horizon after which a trace is considered complete (default 10 min). */
  readonly horizonMs?: number;
  /**
   * Live windows: only traces whose earliest span starts in [from, to) are counted; traces starting earlier or
   * later belong to the neighbouring window (pulled with a margin so they arrive whole).
   */
  readonly window?: { readonly from: number; readonly to: number };
  /** `collect --serve`: spans arrive as a stream (see TraceAssembler); counts are taken with `cut()`. */
  readonly streaming?: boolean;
  /**
   * The policy's envs: spans of other envs (or none) are counted apart, as the monitors, which filter on `env:`, never
   * see them. Empty or absent: every env.
   */
  readonly envs?: readonly string[];
  /**
   * `retained_by` values whose spans come with their whole trace (default WHOLE_TRACE_RETENTION; `*` trusts all).
   * Spans retained otherwise are excluded (`retained_by:<value>`) and never judged as orphans.
   */
  readonly wholeTraceRetention?: readonly string[];
}

export const DEFAULT_MAX_EXAMPLES = 3;
export const NO_VERSION = '(none)';
/** The env key of spans without one (AnalysisTotals.otherEnvSpans). */
export const NO_ENV = '(none)';

/** Keeps the k smallest distinct ids (by length, then text), so examples do not depend on input order. */
export class Examples {
  readonly ids: string[] = [];
  constructor(private readonly k: number) {}
  add(id: string): void {
    if (this.ids.length >= this.k && compareIds(id, this.ids[this.ids.length - 1]) >= 0) return;
    if (this.ids.includes(id)) return;
    this.ids.push(id);
    this.ids.sort(compareIds);
    if (this.ids.length > this.k) this.ids.pop();
  }
}

export interface Coverage {
  covered: number;
  total: number;
}

/** Counters for one (service, env, version). */
export interface GroupCounts {
  readonly env: string | undefined;
  readonly version: string | undefined;
  spans: number;
  /** Start (ms) of the earliest counted span: when this version was first seen in the window (deploy markers). */
  firstStart: number;
  orphans: number;
  roots: number;
  doubleInstrumented: number;
  /** Tracer families seen in this group: bit 1 datadog, bit 2 opentelemetry. */
  tracerMask: number;
  /** peer service → counts */
  readonly calls: Map<string, { checked: number; unpaired: number }>;
  /** Per rule of the service (same order as ServiceAccumulator.rules). */
  readonly coverage: Coverage[];
  /** Example traces of this group's findings (the service-wide ones are in ServiceAccumulator.examples). */
  readonly examples: GroupExamples;
}

export interface GroupExamples {
  readonly orphanSpans: Examples;
  readonly roots: Examples;
  readonly unpairedCalls: Map<string, Examples>;
  readonly doubleInstrumentedSpans: Examples;
  readonly missingTags: Map<string, Examples>;
}

export const TRACER_BITS: Readonly<Record<TracerFamily, number>> = { datadog: 1, opentelemetry: 2 };

export interface ServiceAccumulator {
  readonly name: string;
  excluded: number;
  readonly groups: Map<string, GroupCounts>;
  /** env → version → the same GroupCounts as in `groups`. */
  readonly groupIndex: Map<string | undefined, Map<string, GroupCounts>>;
  readonly tracers: Set<TracerFamily>;
  /** Languages its tracers report (`catalog suggest` drafts `spec.languages` from them). */
  readonly languages: Set<string>;
  /** Services it was seen calling: `peer.service` of its client/producer spans, services of its spans' children. */
  readonly callees: Set<string>;
  readonly coverage: Map<string, Coverage>;
  readonly coverageByVersion: Map<string, Map<string, Coverage>>;
  readonly rules: readonly CompiledRule[];
  readonly examples: {
    readonly orphanSpans: Examples;
    readonly unexpectedRoots: Examples;
    readonly unpairedCalls: Map<string, Examples>;
    readonly doubleInstrumentedSpans: Examples;
    readonly tracers: Map<TracerFamily, Examples>;
    readonly missingTags: Map<string, Examples>;
  };
}

export interface CompiledRule {
  readonly rule: TagRule;
  readonly scope: SpanQuery;
  readonly has: SpanQuery;
  /** `scope` / `has`, compiled (`compileSpanQuery`). */
  readonly inScope: SpanMatcher;
  readonly hasTag: SpanMatcher;
}

export interface AnalysisTotals {
  spans: number;
  traces: number;
  excludedSpans: number;
  /** Why spans were excluded (`error`, `retained_by:diversity_sampling`, `incomplete_page`…) → spans. */
  excludedByReason: Record<string, number>;
  /** Spans of envs outside AnalyzeOptions.envs, by env (`(none)` for no env): not counted anywhere else. */
  otherEnvSpans: Record<string, number>;
  malformedSpans: number;
  /** Spans/traces outside the live window (counted by the neighbouring window). */
  outsideWindowTraces: number;
  firstSpanMs: number;
  lastSpanMs: number;
}

/** Everything the report and the metric series are built from. */
export interface Analysis {
  readonly options: AnalyzeOptions;
  readonly services: ReadonlyMap<string, ServiceAccumulator>;
  /** Services some catalog `dependsOn` or some client span's `peer.service` points at, minus entrypoints. */
  readonly internal: ReadonlySet<string>;
  /** Services whose calls are checked: catalog services plus every service seen in the spans. */
  readonly knownServices: ReadonlySet<string>;
  readonly totals: AnalysisTotals;
  readonly malformedReasons: ReadonlyMap<string, number>;
  readonly firstMalformed: string | undefined;
  /** Input pages Datadog marked partial (their traces are excluded as INCOMPLETE_PAGE), in input order. */
  readonly incompletePages: readonly { readonly origin: string; readonly reason: string }[];
}

const queryCache = new Map<string, { query: SpanQuery; match: SpanMatcher }>();
function compile(text: string): { query: SpanQuery; match: SpanMatcher } {
  let q = queryCache.get(text);
  if (!q) {
    const query = parseSpanQuery(text);
    q = { query, match: compileSpanQuery(query) };
    queryCache.set(text, q);
  }
  return q;
}

export function compileRules(rules: readonly TagRule[]): CompiledRule[] {
  return rules.map((rule) => {
    const scope = compile(rule.scope);
    const has = compile(hasTagQuery(rule.tag));
    return { rule, scope: scope.query, has: has.query, inScope: scope.match, hasTag: has.match };
  });
}

/** Streams spans (as a SpanSink) through trace assembly and the detectors. */
export class Collector {
  readonly sink: SpanSink;
  private readonly assembler: TraceAssembler;
  private services = new Map<string, ServiceAccumulator>();
  private readonly peersCalled = new Set<string>();
  private readonly seenServices = new Set<string>();
  private readonly maxExamples: number;
  private totals: AnalysisTotals = emptyTotals();
  /** Malformed spans counted by earlier cuts (the assembler's counters run on). */
  private malformedBefore = new Map<string, number>();

  private window: AnalyzeOptions['window'];
  private readonly envs: ReadonlySet<string> | undefined;
  private readonly incompletePages: { origin: string; reason: string }[] = [];

  constructor(private readonly options: AnalyzeOptions) {
    this.window = options.window;
    this.maxExamples = options.maxExamples ?? DEFAULT_MAX_EXAMPLES;
    this.assembler = new TraceAssembler(
      (spans) => this.trace(spans),
      options.horizonMs ?? DEFAULT_HORIZON_MS,
      options.streaming === true,
    );
    // Validate every scope up front: a bad scope is a policy error before any input is read.
    const all = [...compileRules(options.defaultRequiredTags ?? [])];
    for (const s of Object.values(options.services ?? {})) all.push(...compileRules(s.requiredTags ?? []));
    const fields = { attributes: new Set<string>(['_top_level']), tags: new Set<string>() };
    for (const r of all) {
      queryFields(r.scope, fields);
      queryFields(r.has, fields);
    }
    const attributeKeys = [...fields.attributes];
    const attributeLookups = attributeKeys.map(compileAttributePath);
    const tagPrefixes = [...fields.tags].map((t) => `${t.toLowerCase()}:`);
    // Spans wait in memory until their trace is complete: keep only the attributes and tags the rules read, so a
    // span in flight costs a few hundred bytes instead of its whole parsed JSON (and the rest dies young).
    const assembler = this.assembler;
    const retention = options.wholeTraceRetention ?? WHOLE_TRACE_RETENTION;
    const trustAll = retention.includes('*');
    const incompletePages = this.incompletePages;
    this.sink = {
      span(s: Span): void {
        if (s.retainedBy !== undefined && s.excludedBy === undefined && !trustAll && !retention.includes(s.retainedBy))
          (s as { excludedBy?: string }).excludedBy = RETAINED_BY_PREFIX + s.retainedBy;
        const process = processIdentity(s);
        if (process !== undefined) s.process = process;
        // Datadog tracers tag the language where they tag the process (chunk roots): one lookup per chunk, not per span.
        if (process !== undefined || s.tracer !== 'datadog') {
          const language = tracerLanguage(s);
          if (language !== undefined) s.language = language;
        }
        let attributes: Record<string, unknown> | undefined;
        for (let i = 0; i < attributeKeys.length; i++) {
          const v = attributeLookups[i](s.attributes);
          if (v !== undefined) (attributes ??= {})[attributeKeys[i]] = v;
        }
        let tags: string[] | undefined;
        if (tagPrefixes.length && s.tags)
          for (const t of s.tags) if (tagPrefixes.some((p) => t.toLowerCase().startsWith(p))) (tags ??= []).push(t);
        // The reader hands the span over: replace its fields in place rather than copying 18 of them.
        const owned = s as { attributes?: Readonly<Record<string, unknown>>; tags?: readonly string[] };
        owned.attributes = attributes;
        owned.tags = tags;
        assembler.span(s);
      },
      malformed: (reason: string, origin: string) => assembler.malformed(reason, origin),
      incomplete: (reason: string, origin: string) => void incompletePages.push({ origin, reason }),
    };
    this.envs = options.envs?.length ? new Set(options.envs) : undefined;
  }

  /** Live mode: shorten the window (request budget spent); traces starting later are left to the next window. */
  setWindowEnd(to: number): void {
    if (this.window) this.window = { from: this.window.from, to };
  }

  /** Peak traces held in memory at once. */
  get peakTracesInFlight(): number {
    return this.assembler.peakInFlight;
  }

  /** Traces held in memory now. */
  get tracesInFlight(): number {
    return this.assembler.inFlight;
  }

  /** Traces finalized so far (all cuts). */
  get tracesFinalized(): number {
    return this.assembler.stats.traces;
  }

  /** Spans dropped as malformed or late so far (all cuts). */
  get malformedTotal(): number {
    return this.assembler.stats.malformed;
  }

  /** Streaming: let `elapsedMs` of wall time without spans count as span time (TraceAssembler.idle). */
  idle(elapsedMs: number): void {
    this.assembler.idle(elapsedMs);
  }

  /** Streaming: finalize what is complete (between requests; TraceAssembler.settle). */
  settle(): void {
    this.assembler.settle();
  }

  /** Streaming: the spans of every trace in flight, taken out unfinalized (to be saved and `restore`d later). */
  drain(): Span[][] {
    return this.assembler.drain();
  }

  /** Put back a span `drain` took out (already reduced to what the rules read). */
  restore(span: Span): void {
    this.assembler.span(span);
  }

  finish(): Analysis {
    this.assembler.finish();
    return this.analysis();
  }

  /**
   * Streaming: the counts of the traces finalized since the last cut, then start counting afresh. Traces in flight
   * stay; what was learned about services (who calls whom, which services exist) is kept for later cuts.
   */
  cut(): Analysis {
    const a = this.analysis();
    const malformedReasons = new Map<string, number>();
    let malformed = 0;
    for (const [reason, n] of a.malformedReasons) {
      const d = n - (this.malformedBefore.get(reason) ?? 0);
      if (d > 0) malformedReasons.set(reason, d);
      malformed += d;
    }
    this.malformedBefore = new Map(a.malformedReasons);
    this.services = new Map();
    this.totals = emptyTotals();
    this.incompletePages.length = 0;
    return {
      ...a,
      knownServices: new Set(a.knownServices),
      internal: new Set(a.internal),
      totals: { ...a.totals, malformedSpans: malformed },
      malformedReasons,
    };
  }

  private analysis(): Analysis {
    for (const acc of this.services.values()) {
      for (const g of acc.groups.values()) {
        const version = g.version ?? NO_VERSION;
        g.coverage.forEach((c, i) => {
          if (c.total === 0) return;
          const tag = acc.rules[i].rule.tag;
          add(acc.coverage, tag, c);
          let byV = acc.coverageByVersion.get(version);
          if (!byV) acc.coverageByVersion.set(version, (byV = new Map()));
          add(byV, tag, c);
        });
      }
    }
    const st = this.assembler.stats;
    this.totals.malformedSpans = st.malformed;
    const entry = new Set(this.options.entrypoints ?? []);
    const internal = new Set<string>();
    for (const s of [...(this.options.internalServices ?? []), ...this.peersCalled]) if (!entry.has(s)) internal.add(s);
    const known = new Set([...(this.options.catalogServices ?? []), ...this.seenServices]);
    return {
      options: { ...this.options, window: this.window },
      services: this.services,
      internal,
      knownServices: known,
      totals: this.totals,
      malformedReasons: new Map(st.malformedReasons),
      firstMalformed: st.firstMalformed,
      incompletePages: [...this.incompletePages],
    };
  }

  private account(name: string): ServiceAccumulator | undefined {
    let acc = this.services.get(name);
    if (acc) return acc;
    const opts = this.options.services?.[name];
    if (opts?.enabled === false) return undefined;
    const k = this.maxExamples;
    acc = {
      name,
      excluded: 0,
      groups: new Map(),
      groupIndex: new Map(),
      tracers: new Set(),
      languages: new Set(),
      callees: new Set(),
      coverage: new Map(),
      coverageByVersion: new Map(),
      rules: compileRules(opts?.requiredTags ?? this.options.defaultRequiredTags ?? []),
      examples: {
        orphanSpans: new Examples(k),
        unexpectedRoots: new Examples(k),
        unpairedCalls: new Map(),
        doubleInstrumentedSpans: new Examples(k),
        tracers: new Map(),
        missingTags: new Map(),
      },
    };
    this.services.set(name, acc);
    return acc;
  }

  /** The counters of (service, env, version); `version` is the key (NO_VERSION for none). */
  private group(acc: ServiceAccumulator, env: string | undefined, spanVersion: string | undefined, version: string) {
    // Two map lookups rather than a key string built per span.
    let byVersion = acc.groupIndex.get(env);
    if (!byVersion) acc.groupIndex.set(env, (byVersion = new Map()));
    let g = byVersion.get(version);
    if (!g) {
      g = {
        env,
        version: spanVersion,
        spans: 0,
        firstStart: Infinity,
        orphans: 0,
        roots: 0,
        doubleInstrumented: 0,
        tracerMask: 0,
        calls: new Map(),
        coverage: acc.rules.map(() => ({ covered: 0, total: 0 })),
        examples: {
          orphanSpans: new Examples(this.maxExamples),
          roots: new Examples(this.maxExamples),
          unpairedCalls: new Map(),
          doubleInstrumentedSpans: new Examples(this.maxExamples),
          missingTags: new Map(),
        },
      };
      byVersion.set(version, g);
      acc.groups.set(`${env ?? ''}\u0000${version}`, g);
    }
    return g;
  }

  private trace(all: Span[]): void {
    // Index, dropping duplicate span ids (overlapping pages): the first copy wins.
    const byId = new Map<string, Span>();
    let spans = all;
    let minStart = Infinity;
    for (const s of all) {
      if (byId.has(s.spanId)) continue;
      byId.set(s.spanId, s);
      if (s.start < minStart) minStart = s.start;
    }
    if (byId.size !== all.length) spans = [...byId.values()];
    const w = this.window;
    if (w && (minStart < w.from || minStart >= w.to)) {
      this.totals.outsideWindowTraces++;
      return;
    }
    this.totals.traces++;
    this.totals.spans += spans.length;
    // A trace with a span from a page Datadog marked partial may miss others: none of it is judged.
    let incomplete = false;
    for (let i = 0; i < spans.length && !incomplete; i++) incomplete = spans[i].excludedBy === INCOMPLETE_PAGE;
    if (minStart < this.totals.firstSpanMs) this.totals.firstSpanMs = minStart;

    // Children of each span (for unpaired calls); top-level flags.
    let children: Map<string, Span[]> | undefined;
    // Parents are looked up once (the spans are old by now: every lookup is a cache miss or two).
    const parents: (Span | undefined)[] = new Array(spans.length);
    let lastService: string | undefined;
    for (let i = 0; i < spans.length; i++) {
      const s = spans[i];
      if (s.start > this.totals.lastSpanMs) this.totals.lastSpanMs = s.start;
      if (s.service !== lastService) this.seenServices.add((lastService = s.service));
      const parent = s.parentId === undefined ? undefined : byId.get(s.parentId);
      parents[i] = parent;
      s.topLevel = isEntrySpan(s, parent);
      if (s.peerService !== undefined && (s.kind === 'client' || s.kind === 'producer') && s.peerService !== s.service)
        this.peersCalled.add(s.peerService);
    }

    // Consecutive spans of a trace are often of one service and tracer: reuse the lookups (all idempotent).
    let accName: string | undefined;
    let acc: ServiceAccumulator | undefined;
    let tracerAcc: ServiceAccumulator | undefined;
    let tracer: TracerFamily | undefined;
    let gAcc: ServiceAccumulator | undefined;
    let gEnv: string | undefined;
    let gVersion: string | undefined;
    let g: GroupCounts | undefined;
    for (let i = 0; i < spans.length; i++) {
      const s = spans[i];
      // Still a parent of the spans below it (byId), but counted only as a span of another env.
      if (this.envs !== undefined && (s.env === undefined || !this.envs.has(s.env))) {
        const env = s.env ?? NO_ENV;
        this.totals.otherEnvSpans[env] = (this.totals.otherEnvSpans[env] ?? 0) + 1;
        continue;
      }
      if (s.service !== accName) acc = this.account((accName = s.service));
      if (!acc) continue;
      const excludedBy = incomplete ? INCOMPLETE_PAGE : s.excludedBy;
      if (excludedBy !== undefined) {
        acc.excluded++;
        this.totals.excludedSpans++;
        this.totals.excludedByReason[excludedBy] = (this.totals.excludedByReason[excludedBy] ?? 0) + 1;
        continue;
      }
      const version = s.version ?? NO_VERSION;
      if (g === undefined || acc !== gAcc || s.env !== gEnv || version !== gVersion) {
        gAcc = acc;
        gEnv = s.env;
        gVersion = version;
        g = this.group(acc, s.env, s.version, version);
      }
      g.spans++;
      if (s.start < g.firstStart) g.firstStart = s.start;
      if (s.language !== undefined && !acc.languages.has(s.language)) acc.languages.add(s.language);

      // 1. Orphans and roots.
      const parent = parents[i];
      if (parent !== undefined && parent.service !== s.service) {
        const caller = this.account(parent.service);
        if (caller && !caller.callees.has(s.service)) caller.callees.add(s.service);
      }
      if (s.parentId === undefined) {
        g.roots++;
        acc.examples.unexpectedRoots.add(s.traceId);
        g.examples.roots.add(s.traceId);
      } else {
        if (parent === undefined) {
          g.orphans++;
          acc.examples.orphanSpans.add(s.traceId);
          g.examples.orphanSpans.add(s.traceId);
        }
      }
      g.tracerMask |= TRACER_BITS[s.tracer];

      // 4. Tracer families and double instrumentation.
      if (acc !== tracerAcc || s.tracer !== tracer) {
        tracerAcc = acc;
        tracer = s.tracer;
        if (!acc.tracers.has(tracer)) acc.tracers.add(tracer);
        let ex = acc.examples.tracers.get(tracer);
        if (!ex) acc.examples.tracers.set(tracer, (ex = new Examples(this.maxExamples)));
        ex.add(s.traceId);
      }
      if (
        s.kind === 'server' &&
        parent !== undefined &&
        parent.kind === 'server' &&
        parent.service === s.service &&
        parent.resource === s.resource
      ) {
        g.doubleInstrumented++;
        acc.examples.doubleInstrumentedSpans.add(s.traceId);
        g.examples.doubleInstrumentedSpans.add(s.traceId);
      }

      // 3. Calls to another service: is a span of the callee below the client span?
      if (
        s.peerService !== undefined &&
        (s.kind === 'client' || s.kind === 'producer') &&
        s.peerService !== s.service
      ) {
        let c = g.calls.get(s.peerService);
        if (!c) g.calls.set(s.peerService, (c = { checked: 0, unpaired: 0 }));
        if (!acc.callees.has(s.peerService)) acc.callees.add(s.peerService);
        c.checked++;
        if (!children) children = childIndex(spans);
        if (!hasCalleeBelow(s, s.peerService, children)) {
          c.unpaired++;
          let ce = acc.examples.unpairedCalls.get(s.peerService);
          if (!ce) acc.examples.unpairedCalls.set(s.peerService, (ce = new Examples(this.maxExamples)));
          ce.add(s.traceId);
          let ge = g.examples.unpairedCalls.get(s.peerService);
          if (!ge) g.examples.unpairedCalls.set(s.peerService, (ge = new Examples(this.maxExamples)));
          ge.add(s.traceId);
        }
      }

      // 5. Tag coverage: counters per group and rule here; folded per service and version in finish().
      const rules = acc.rules;
      for (let j = 0; j < rules.length; j++) {
        const r = rules[j];
        if (!r.inScope(s)) continue;
        const covered = r.hasTag(s);
        const c = g.coverage[j];
        c.total++;
        if (covered) c.covered++;
        else {
          let me = acc.examples.missingTags.get(r.rule.tag);
          if (!me) acc.examples.missingTags.set(r.rule.tag, (me = new Examples(this.maxExamples)));
          me.add(s.traceId);
          let gm = g.examples.missingTags.get(r.rule.tag);
          if (!gm) g.examples.missingTags.set(r.rule.tag, (gm = new Examples(this.maxExamples)));
          gm.add(s.traceId);
        }
      }
    }
  }
}

function emptyTotals(): AnalysisTotals {
  return {
    spans: 0,
    traces: 0,
    excludedSpans: 0,
    excludedByReason: {},
    otherEnvSpans: {},
    malformedSpans: 0,
    outsideWindowTraces: 0,
    firstSpanMs: Infinity,
    lastSpanMs: -Infinity,
  };
}

function add(m: Map<string, Coverage>, tag: string, from: Coverage): void {
  let c = m.get(tag);
  if (!c) m.set(tag, (c = { covered: 0, total: 0 }));
  c.total += from.total;
  c.covered += from.covered;
}

function childIndex(spans: readonly Span[]): Map<string, Span[]> {
  const m = new Map<string, Span[]>();
  for (const s of spans) {
    if (s.parentId === undefined) continue;
    const list = m.get(s.parentId);
    if (list) list.push(s);
    else m.set(s.parentId, [s]);
  }
  return m;
}

/**
 * Is there a span of `callee` below the client span that could be its server side (kind server/consumer, or no
 * kind)? Depth-first over descendants.
 */
function hasCalleeBelow(client: Span, callee: string, children: Map<string, Span[]>): boolean {
  const stack = [...(children.get(client.spanId) ?? [])];
  const seen = new Set<string>();
  while (stack.length) {
    const s = stack.pop() as Span;
    if (seen.has(s.spanId)) continue;
    seen.add(s.spanId);
    if (s.service === callee && (s.kind === undefined || s.kind === 'server' || s.kind === 'consumer')) return true;
    const c = children.get(s.spanId);
    if (c) stack.push(...c);
  }
  return false;
}

/** Analyze a complete set of spans (any order) and build the report. Pure. */
export function analyze(spans: Iterable<Span>, options: AnalyzeOptions): CollectReport {
  return buildReport(analyzeSpans(spans, options));
}

/** Like `analyze`, returning the accumulated counts (for metric series) rather than the report. */
export function analyzeSpans(spans: Iterable<Span>, options: AnalyzeOptions): Analysis {
  const c = new Collector({ ...options, horizonMs: options.horizonMs ?? Infinity });
  for (const s of spans) c.sink.span(s);
  return c.finish();
}
