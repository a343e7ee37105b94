/**
 * The collector's span model: what every reader (Datadog JSON pages, NDJSON, OTLP JSON, the live Spans API)
 * produces, and what trace assembly and the detectors read. Ids are strings, always: Datadog ids are unsigned
 * 64-bit decimals (above 2^53, a JS number silently changes them) and OTLP ids are hex.
 */
import type { SearchableSpan } from '../datadog/span-query';

export type SpanKind = 'server' | 'client' | 'producer' | 'consumer' | 'internal';

/** Instrumentation family: spans of one service from two families point at two tracing libraries. */
export type TracerFamily = 'datadog' | 'opentelemetry';

export interface Span extends SearchableSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** Undefined for a root span (Datadog `parent_id` "0" or absent; OTLP empty `parentSpanId`). */
  readonly parentId: string | undefined;
  readonly service: string;
  readonly kind: SpanKind | undefined;
  /** `peer.service` of a client/producer span: the service it calls. */
  readonly peerService: string | undefined;
  readonly tracer: TracerFamily;
  /** Start time, milliseconds since the epoch. */
  readonly start: number;
  /**
   * Why the span was kept without its trace (`error`, `rare`, `single_span` samplers), or undefined for spans of
   * complete traces. Such spans are counted as excluded and never judged as orphans.
   */
  readonly excludedBy: string | undefined;
  /**
   * Datadog `retained_by` (which retention filter indexed the span), when the input says: only retention that keeps
   * whole traces lets a missing parent mean an orphan (AnalyzeOptions.wholeTraceRetention).
   */
  readonly retainedBy?: string;
  /** Service-entry span; computed by the detectors (src/collector/entry.ts) when the span has no `_top_level`. */
  topLevel?: boolean;
  /**
   * Process identity (Datadog `runtime-id`/`process_id`, OpenTelemetry `service.instance.id`), set by the collector
   * from the attributes before it trims them (src/collector/entry.ts).
   */
  process?: string;
  /** Language the tracer reports (Datadog `language`, OpenTelemetry `telemetry.sdk.language`), set like `process`. */
  language?: string;
}

/** Where a span came from, for malformed-span messages: `file:line` (NDJSON) or `file: data[3]` (JSON). */
export type SpanOrigin = string;

/** Receives what a reader finds. Readers never throw for a bad span, only for a file they cannot read at all. */
export interface SpanSink {
  span(span: Span): void;
  malformed(reason: string, origin: SpanOrigin): void;
  /** A page of the input that Datadog marked partial (its spans arrive with `excludedBy: INCOMPLETE_PAGE`). */
  incomplete?(reason: string, origin: SpanOrigin): void;
}

/** `ingestion_reason` values whose spans were kept without (the rest of) their trace. */
export const EXCLUDED_INGESTION_REASONS: ReadonlySet<string> = new Set(['error', 'rare', 'single_span']);

/**
 * `retained_by` values whose spans arrive with their whole trace, unless the user says otherwise: the 1 % flat sample
 * is decided per trace_id, "all spans belonging to the same trace share the same sampling decision"
 * (docs.datadoghq.com/tracing/guide/trace_queries_dataset). Diversity sampling keeps latency outliers per resource,
 * a biased sample whose traces are whole only where Trace Queries is on; a page of them (the API clients'
 * recordings) is not whole traces.
 */
export const WHOLE_TRACE_RETENTION: readonly string[] = ['flat_sampled'];

/** `excludedBy` of spans whose retention does not keep whole traces: `retained_by:<value>`. */
export const RETAINED_BY_PREFIX = 'retained_by:';

/**
 * `excludedBy` of spans from a Spans API page Datadog marked partial (`meta.status: "timeout"`, or `meta.warnings`):
 * the traces they belong to may miss spans, so all their spans are counted apart.
 */
export const INCOMPLETE_PAGE = 'incomplete_page';
