/**
 * Datadog spans, as the Spans API list endpoint returns them: pages `{data:[{type:"spans", attributes:{…}}],
 * meta:{page:{after}}}`, one span object per NDJSON line, or a bare array of span objects.
 *
 * Where a field lives (the API's own layout, and what exports commonly hold):
 *   trace_id, span_id, parent_id ("0" or absent for a root), service, env, host, resource_name, start_timestamp,
 *   ingestion_reason, single_span, tags[] — top level of `attributes`;
 *   span attributes (`usr.id`, `span.kind`, `peer.service`, `error.message`, `otel.scope.name`, `_top_level`…)
 *   — in `attributes.custom` and/or `attributes.attributes`, nested or flat;
 *   version, operation_name, status — top level, in the span attributes, or (version) as a `version:` tag.
 */
import { lookupAttribute } from '../../datadog/span-query';
import { EXCLUDED_INGESTION_REASONS, Span, SpanKind, SpanSink, TracerFamily } from '../model';
import { datadogId } from './ids';

const KINDS: ReadonlySet<string> = new Set(['server', 'client', 'producer', 'consumer', 'internal']);

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Milliseconds since the epoch from an ISO string or a number (s, ms, µs or ns, by magnitude). */
export function timestampMs(v: unknown): number | undefined {
  if (typeof v === 'string') {
    if (/^[0-9]+$/.test(v)) return timestampMs(Number(v));
    const t = Date.parse(v);
    return Number.isFinite(t) ? t : undefined;
  }
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) {
    if (v > 1e17) return Math.floor(v / 1e6);
    if (v > 1e14) return Math.floor(v / 1e3);
    if (v > 1e11) return v;
    return v * 1000;
  }
  return undefined;
}

function tagValue(tags: readonly string[] | undefined, key: string): string | undefined {
  if (!tags) return undefined;
  const prefix = `${key}:`;
  for (const t of tags) if (t.startsWith(prefix)) return t.slice(prefix.length);
  return undefined;
}

/**
 * Low-cardinality strings (service, env, version, resource…) shared across spans: a span waiting for the rest of
 * its trace then holds a reference, not its own copy, so less survives into the old generation (GC time is the
 * collector's main cost on large inputs). Bounded: past the limit, strings are used as they come.
 */
const interned = new Map<string, string>();
const INTERN_LIMIT = 50_000;
export function intern(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const hit = interned.get(v);
  if (hit !== undefined) return hit;
  if (interned.size < INTERN_LIMIT) interned.set(v, v);
  return v;
}

/**
 * Map one Datadog span (the `attributes` object of a list item) to the span model. Returns a reason string when the
 * span is malformed. Throws UnsafeNumericId for numeric ids above 2^53 (the caller re-reads the source).
 */
export function mapDatadogSpan(a: unknown): Span | string {
  if (!isObj(a)) return 'span is not an object';
  const traceId = datadogId(a.trace_id);
  if (traceId === undefined) return a.trace_id === undefined ? 'missing trace_id' : 'invalid trace_id';
  const spanId = datadogId(a.span_id);
  if (spanId === undefined) return a.span_id === undefined ? 'missing span_id' : 'invalid span_id';
  let parentId: string | undefined;
  if (a.parent_id !== undefined && a.parent_id !== null) {
    parentId = datadogId(a.parent_id);
    if (parentId === undefined) return 'invalid parent_id';
    if (parentId === '0') parentId = undefined;
  }
  const service = a.service;
  if (typeof service !== 'string' || service === '')
    return service === undefined ? 'missing service' : 'invalid service';
  const start = timestampMs(a.start_timestamp ?? a.start);
  if (start === undefined)
    return a.start_timestamp === undefined ? 'missing start_timestamp' : 'invalid start_timestamp';
  // Tags are almost always all strings: copy only when one is not.
  const tags = Array.isArray(a.tags)
    ? a.tags.every((t) => typeof t === 'string')
      ? (a.tags as string[])
      : (a.tags.filter((t) => typeof t === 'string') as string[])
    : undefined;

  const custom = isObj(a.custom) ? a.custom : undefined;
  const inner = isObj(a.attributes) ? a.attributes : undefined;
  const attributes = custom && inner ? { ...custom, ...inner } : (custom ?? inner ?? {});

  const kindRaw = str(lookupAttribute(attributes, 'span.kind'));
  const kind = kindRaw && KINDS.has(kindRaw.toLowerCase()) ? (kindRaw.toLowerCase() as SpanKind) : undefined;
  const status = str(a.status) ?? str(attributes.status);
  const errFlag = attributes.error;
  const error = status === 'error' || errFlag === 1 || errFlag === true || errFlag === '1';

  // otel.library.name / otel.scope.name, nested under `otel` or flat.
  const otel = attributes.otel;
  const tracer: TracerFamily =
    (otel !== null &&
      typeof otel === 'object' &&
      (lookupAttribute(otel as Obj, 'library.name') !== undefined ||
        lookupAttribute(otel as Obj, 'scope.name') !== undefined)) ||
    attributes['otel.library.name'] !== undefined ||
    attributes['otel.scope.name'] !== undefined
      ? 'opentelemetry'
      : 'datadog';

  const reason = str(a.ingestion_reason);
  const excludedBy =
    a.single_span === true ? 'single_span' : reason && EXCLUDED_INGESTION_REASONS.has(reason) ? reason : undefined;

  return {
    traceId,
    spanId,
    parentId,
    service: intern(service)!,
    env: intern(str(a.env) ?? str(attributes.env) ?? tagValue(tags, 'env')),
    version: intern(str(a.version) ?? str(attributes.version) ?? tagValue(tags, 'version')),
    resource: intern(str(a.resource_name) ?? str(attributes.resource_name)),
    operation: intern(str(a.operation_name) ?? str(attributes.operation_name)),
    host: intern(str(a.host)),
    error,
    tags,
    attributes,
    kind,
    peerService: intern(str(lookupAttribute(attributes, 'peer.service'))),
    tracer,
    start,
    excludedBy,
  };
}

/** Unwrap a list item (`{type:"spans", attributes:{…}}`) or accept a bare span object. */
export function spanAttributesOf(item: unknown): unknown {
  if (isObj(item) && isObj(item.attributes) && (item.type === 'spans' || item.attributes.trace_id !== undefined))
    return item.attributes;
  return item;
}

/** Feed every span of a parsed page / array to the sink. Throws UnsafeNumericId (before emitting anything). */
export function emitDatadogItems(items: readonly unknown[], origin: (i: number) => string, sink: SpanSink): void {
  // Map everything first: if one id needs the source digits, the caller re-reads the whole text and nothing has
  // been emitted twice.
  const mapped = items.map((item) => mapDatadogSpan(spanAttributesOf(item)));
  mapped.forEach((m, i) => (typeof m === 'string' ? sink.malformed(m, origin(i)) : sink.span(m)));
}
