/**
 * OTLP JSON (`{resourceSpans:[{resource, scopeSpans:[{scope, spans:[…]}]}]}`, the OTLP/HTTP JSON encoding and
 * the file exporter's format) and decoded OTLP protobuf (./otlp-proto.ts: the same field names, with ids as bytes
 * and times as 64-bit integers) mapped to the span model: `service.name` → service, `deployment.environment`
 * (or `deployment.environment.name`) → env, `service.version` → version, span kind, `peer.service`, status code 2
 * → error. Ids are hex. Span and resource attributes are both searchable with `@`.
 */
import { Span, SpanKind, SpanSink } from '../model';
import { otlpId } from './ids';

type Obj = Record<string, unknown>;
function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const KIND_BY_NUMBER: readonly (SpanKind | undefined)[] = [
  undefined,
  'internal',
  'server',
  'client',
  'producer',
  'consumer',
];

function spanKind(v: unknown): SpanKind | undefined {
  if (typeof v === 'number') return KIND_BY_NUMBER[v];
  if (typeof v === 'string') {
    const k = v.replace(/^SPAN_KIND_/, '').toLowerCase();
    return (['internal', 'server', 'client', 'producer', 'consumer'] as const).find((x) => x === k);
  }
  return undefined;
}

/** A decoded protobuf int64/fixed64 (`long` package: two 32-bit halves). */
interface Long64 {
  readonly low: number;
  readonly high: number;
}
function isLong(v: unknown): v is Long64 {
  return isObj(v) && typeof v.low === 'number' && typeof v.high === 'number';
}

const ANY_VALUE_KEYS = ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue'] as const;

/**
 * An OTLP AnyValue as a plain JS value (intValue stays a string when it is not a safe integer). In a decoded
 * protobuf message the oneof's `value` names the member that is set (the others read as their defaults); in JSON
 * the member present is the one set.
 */
function anyValue(v: unknown): unknown {
  if (!isObj(v)) return undefined;
  const key = typeof v.value === 'string' ? v.value : ANY_VALUE_KEYS.find((k) => k in v);
  switch (key) {
    case 'stringValue':
    case 'boolValue':
    case 'doubleValue':
      return v[key];
    case 'intValue': {
      const i = v.intValue;
      const n = isLong(i) ? i.high * 4294967296 + (i.low >>> 0) : Number(i);
      if (Number.isSafeInteger(n)) return n;
      return isLong(i) ? String((BigInt(i.high) << 32n) | BigInt(i.low >>> 0)) : String(i);
    }
    case 'arrayValue':
      return isObj(v.arrayValue) && Array.isArray(v.arrayValue.values) ? v.arrayValue.values.map(anyValue) : [];
    case 'kvlistValue':
      return isObj(v.kvlistValue) ? attributesOf(v.kvlistValue.values) : {};
    default:
      return undefined;
  }
}

function attributesOf(list: unknown, into: Obj = {}): Obj {
  if (!Array.isArray(list)) return into;
  for (const kv of list) if (isObj(kv) && typeof kv.key === 'string') into[kv.key] = anyValue(kv.value);
  return into;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}

function nanosToMs(v: unknown): number | undefined {
  if (isLong(v)) {
    // Exactly floor((high·2^32 + low) / 10^6), with 2^32 = 4294·10^6 + 967296: every term stays below 2^53.
    const high = v.high >>> 0;
    return high * 4294 + Math.floor((high * 967296 + (v.low >>> 0)) / 1e6);
  }
  if (typeof v === 'string' && /^[0-9]+$/.test(v)) {
    // Nanoseconds exceed 2^53: drop the last 6 digits as text rather than through a float.
    return v.length > 6 ? Number(v.slice(0, -6)) : 0;
  }
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.floor(v / 1e6);
  return undefined;
}

/** True when a parsed JSON document looks like OTLP. */
export function isOtlpDocument(doc: unknown): boolean {
  return isObj(doc) && Array.isArray(doc.resourceSpans);
}

/** Feed every span of an OTLP JSON document to the sink. */
export function emitOtlpDocument(doc: unknown, file: string, sink: SpanSink): void {
  if (!isObj(doc) || !Array.isArray(doc.resourceSpans)) return;
  doc.resourceSpans.forEach((rs, r) => {
    if (!isObj(rs)) return sink.malformed('resourceSpans entry is not an object', `${file}: resourceSpans[${r}]`);
    const resource = attributesOf(isObj(rs.resource) ? rs.resource.attributes : undefined);
    const service = str(resource['service.name']);
    const env = str(resource['deployment.environment.name']) ?? str(resource['deployment.environment']);
    const version = str(resource['service.version']);
    const host = str(resource['host.name']);
    const scopes = Array.isArray(rs.scopeSpans)
      ? rs.scopeSpans
      : Array.isArray(rs.instrumentationLibrarySpans)
        ? rs.instrumentationLibrarySpans
        : [];
    scopes.forEach((ss: unknown, s: number) => {
      if (!isObj(ss) || !Array.isArray(ss.spans)) return;
      const scope = isObj(ss.scope) ? ss.scope : isObj(ss.instrumentationLibrary) ? ss.instrumentationLibrary : {};
      const scopeName = str(scope.name);
      ss.spans.forEach((sp: unknown, i: number) => {
        const origin = `${file}: resourceSpans[${r}].scopeSpans[${s}].spans[${i}]`;
        const m = mapOtlpSpan(sp, { resource, service, env, version, host, scopeName });
        if (typeof m === 'string') sink.malformed(m, origin);
        else sink.span(m);
      });
    });
  });
}

interface ResourceContext {
  resource: Obj;
  service?: string;
  env?: string;
  version?: string;
  host?: string;
  scopeName?: string;
}

function mapOtlpSpan(sp: unknown, ctx: ResourceContext): Span | string {
  if (!isObj(sp)) return 'span is not an object';
  const traceId = otlpId(sp.traceId, 16);
  if (!traceId) return sp.traceId === undefined || sp.traceId === '' ? 'missing traceId' : 'invalid traceId';
  const spanId = otlpId(sp.spanId, 8);
  if (!spanId) return sp.spanId === undefined || sp.spanId === '' ? 'missing spanId' : 'invalid spanId';
  const parent = otlpId(sp.parentSpanId, 8);
  if (parent === undefined) return 'invalid parentSpanId';
  if (!ctx.service) return 'missing service.name resource attribute';
  const start = nanosToMs(sp.startTimeUnixNano);
  if (start === undefined || start === 0)
    return sp.startTimeUnixNano === undefined ? 'missing startTimeUnixNano' : 'invalid startTimeUnixNano';
  const attributes: Obj = { ...ctx.resource };
  attributesOf(sp.attributes, attributes);
  if (ctx.scopeName !== undefined) attributes['otel.scope.name'] = ctx.scopeName;
  const status = isObj(sp.status) ? sp.status.code : undefined;
  const error = status === 2 || status === 'STATUS_CODE_ERROR';
  const name = str(sp.name);
  const method = str(attributes['http.request.method']) ?? str(attributes['http.method']);
  const route = str(attributes['http.route']);
  const resource = str(attributes['resource.name']) ?? (method && route ? `${method} ${route}` : name);
  return {
    traceId,
    spanId,
    parentId: parent === '' ? undefined : parent,
    service: ctx.service,
    env: ctx.env,
    version: ctx.version,
    resource,
    operation: name,
    host: ctx.host,
    error,
    tags: undefined,
    attributes,
    kind: spanKind(sp.kind),
    peerService: str(attributes['peer.service']),
    // Spans a Datadog tracer exported as OTLP name their scope after it; everything else is an OpenTelemetry SDK.
    tracer: ctx.scopeName !== undefined && /^(dd-trace|datadog)/i.test(ctx.scopeName) ? 'datadog' : 'opentelemetry',
    start,
    excludedBy: undefined,
  };
}
