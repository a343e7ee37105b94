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
import { compileAttributePath } from '../attr-path';
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

/** Digit positions of `YYYY-MM-DDTHH:MM:SS.sssZ`. */
const ISO_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];

/**
 * `YYYY-MM-DDTHH:MM:SS.sssZ` (what the Spans API returns) by arithmetic: Date.parse costs ~200 ns, once per span.
 * Undefined for any other shape or an out-of-range field, which Date.parse then decides; for the shapes handled
 * here the result is Date.parse's, day overflow included (`02-30` is March 2nd for both).
 */
function isoUtcMs(v: string): number | undefined {
  if (
    v.length !== 24 ||
    v.charCodeAt(4) !== 45 ||
    v.charCodeAt(7) !== 45 ||
    v.charCodeAt(10) !== 84 ||
    v.charCodeAt(13) !== 58 ||
    v.charCodeAt(16) !== 58 ||
    v.charCodeAt(19) !== 46 ||
    v.charCodeAt(23) !== 90
  )
    return undefined;
  // No inner helper function: tsx (esbuild keepNames) would define its name property on every call.
  for (let i = 0; i < ISO_DIGITS.length; i++) {
    const c = v.charCodeAt(ISO_DIGITS[i]);
    if (c < 48 || c > 57) return undefined;
  }
  const year = v.charCodeAt(0) * 1000 + v.charCodeAt(1) * 100 + v.charCodeAt(2) * 10 + v.charCodeAt(3) - 53328;
  const month = v.charCodeAt(5) * 10 + v.charCodeAt(6) - 528;
  const day = v.charCodeAt(8) * 10 + v.charCodeAt(9) - 528;
  const hour = v.charCodeAt(11) * 10 + v.charCodeAt(12) - 528;
  const minute = v.charCodeAt(14) * 10 + v.charCodeAt(15) - 528;
  const second = v.charCodeAt(17) * 10 + v.charCodeAt(18) - 528;
  const millis = v.charCodeAt(20) * 100 + v.charCodeAt(21) * 10 + v.charCodeAt(22) - 5328;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  const days = era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
  return days * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis;
}

/** Milliseconds since the epoch from an ISO string or a number (s, ms, µs or ns, by magnitude). */
export function timestampMs(v: unknown): number | undefined {
  if (typeof v === 'string') {
    const iso = isoUtcMs(v);
    if (iso !== undefined) return iso;
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

const spanKindOf = compileAttributePath('span.kind');
const peerServiceOf = compileAttributePath('peer.service');
const libraryNameOf = compileAttributePath('library.name');
const scopeNameOf = compileAttributePath('scope.name');

/** The array itself when every entry is a string (the usual case), else a copy with only the strings. */
function stringTags(tags: unknown[]): string[] {
  for (let i = 0; i < tags.length; i++)
    if (typeof tags[i] !== 'string') return tags.filter((t) => typeof t === 'string') as string[];
  return tags as string[];
}

/**
 * `intern` behind a one-entry cache per field: consecutive spans often share a service, host, env or version, and
 * comparing with the previous value is cheaper than hashing a fresh string for the map.
 */
const lastInterned: (string | undefined)[] = [
  undefined,
  undefined,
  undefined,
  undefined,
  undefined,
  undefined,
  undefined,
  undefined,
];
function internField(field: number, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const last = lastInterned[field];
  if (v === last) return last;
  return (lastInterned[field] = intern(v));
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
  const tags = Array.isArray(a.tags) ? stringTags(a.tags) : undefined;

  const custom = isObj(a.custom) ? a.custom : undefined;
  const inner = isObj(a.attributes) ? a.attributes : undefined;
  const attributes = custom && inner ? { ...custom, ...inner } : (custom ?? inner ?? {});

  const kindRaw = str(spanKindOf(attributes))?.toLowerCase();
  const kind = kindRaw && KINDS.has(kindRaw) ? (kindRaw as SpanKind) : undefined;
  const status = str(a.status) ?? str(attributes.status);
  const errFlag = attributes.error;
  const error = status === 'error' || errFlag === 1 || errFlag === true || errFlag === '1';

  // otel.library.name / otel.scope.name, nested under `otel` or flat.
  const otel = attributes.otel;
  const tracer: TracerFamily =
    (otel !== null &&
      typeof otel === 'object' &&
      (libraryNameOf(otel as Obj) !== undefined || scopeNameOf(otel as Obj) !== undefined)) ||
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
    service: internField(0, service)!,
    env: internField(1, str(a.env) ?? str(attributes.env) ?? tagValue(tags, 'env')),
    version: internField(2, str(a.version) ?? str(attributes.version) ?? tagValue(tags, 'version')),
    resource: internField(3, str(a.resource_name) ?? str(attributes.resource_name)),
    operation: internField(4, str(a.operation_name) ?? str(attributes.operation_name)),
    host: internField(5, str(a.host)),
    error,
    tags,
    attributes,
    kind,
    peerService: internField(6, str(peerServiceOf(attributes))),
    tracer,
    start,
    excludedBy,
    retainedBy: internField(7, str(a.retained_by)),
  };
}

/** Unwrap a list item (`{type:"spans", attributes:{…}}`) or accept a bare span object. */
export function spanAttributesOf(item: unknown): unknown {
  if (isObj(item) && isObj(item.attributes) && (item.type === 'spans' || item.attributes.trace_id !== undefined))
    return item.attributes;
  return item;
}

/**
 * Why Datadog says a Spans API page may be partial, or undefined for a whole page. `meta.status` is `done` or
 * `timeout`, and "partial results might be returned if warnings are present in the response"
 * (datadog-api-client SpansListResponseMetadata / SpansAggregateResponseStatus).
 */
export function pageIncompleteReason(meta: unknown): string | undefined {
  if (!isObj(meta)) return undefined;
  const parts: string[] = [];
  if (meta.status === 'timeout') parts.push('meta.status "timeout"');
  if (Array.isArray(meta.warnings))
    for (const w of meta.warnings) {
      if (!isObj(w)) continue;
      const text = [str(w.code), str(w.title), str(w.detail)].filter((x) => x !== undefined).join(': ');
      parts.push(`warning ${JSON.stringify(text || 'unnamed')}`);
    }
  return parts.length ? parts.join(', ') : undefined;
}

/** Feed every span of a parsed page / array to the sink. Throws UnsafeNumericId (before emitting anything). */
export function emitDatadogItems(
  items: readonly unknown[],
  origin: (i: number) => string,
  sink: SpanSink,
  excludedBy?: string,
): void {
  // Map everything first: if one id needs the source digits, the caller re-reads the whole text and nothing has
  // been emitted twice.
  const mapped = items.map((item) => mapDatadogSpan(spanAttributesOf(item)));
  mapped.forEach((m, i) =>
    typeof m === 'string' ? sink.malformed(m, origin(i)) : sink.span(excludedBy ? { ...m, excludedBy } : m),
  );
}
