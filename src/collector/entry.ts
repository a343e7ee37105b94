/**
 * Service-entry spans (`@_top_level:1`), decided as Datadog does, so the collector's coverage of rules scoped to
 * entry spans agrees with the span-based metrics the monitors count:
 *
 * - a span that carries `_top_level` (the backend's flag) is read as it is (src/collector/match.ts);
 * - otherwise, for spans of a Datadog tracer, the agent's rule: a root, a span whose parent is not in its chunk, or
 *   a span whose parent belongs to another service (DataDog/libdatadog trace-utils `compute_top_level_span`: "its
 *   parent is unknown … OR its parent belongs to another service"). A chunk is what one tracer process sends; its
 *   first span carries the tracer's `runtime-id` / `process_id` tags (observed in the dd-trace-py snapshots and
 *   the Spans API recordings in ../shared/real-traces: only chunk roots carry them), so a span carrying them
 *   starts a chunk — its parent ran in another process, or in another chunk of the same process;
 * - for OpenTelemetry spans, Datadog's mapping: root, server and consumer spans are service-entry spans
 *   (https://docs.datadoghq.com/opentelemetry/mapping/service_entry_spans), and a parent in another process
 *   (`service.instance.id` differs) or another service starts one too;
 * - a server/consumer span under a client/producer span of the same service, when neither carries a process
 *   identity, is read as a call that crossed processes;
 * - an orphan (its parent is missing from the complete trace): a server/consumer span (or one of unknown kind)
 *   lost its caller's client span, and is an entry span as the tracer marked it; a client/producer/internal span
 *   lost an in-process parent — not an entry span: what it lacks belongs to the orphan finding, not to a coverage
 *   finding about entry spans.
 */
import { compileAttributePath } from './attr-path';
import type { Span } from './model';

const runtimeId = compileAttributePath('runtime-id');
const processId = compileAttributePath('process_id');
const instanceId = compileAttributePath('service.instance.id');

/**
 * The span's process identity, read from its attributes before the collector trims them: a Datadog tracer's
 * `runtime-id` (else `process_id`), an OpenTelemetry resource's `service.instance.id`. Undefined when absent.
 */
export function processIdentity(s: Pick<Span, 'tracer' | 'attributes'>): string | undefined {
  const a = s.attributes;
  if (a === undefined) return undefined;
  const v = s.tracer === 'datadog' ? (runtimeId(a) ?? processId(a)) : instanceId(a);
  return v === undefined || v === null || v === '' ? undefined : String(v);
}

const ddLanguage = compileAttributePath('language');
const otelLanguage = compileAttributePath('telemetry.sdk.language');

/** The language the span's tracer reports: Datadog tracers tag `language`, OpenTelemetry SDKs `telemetry.sdk.language`. */
export function tracerLanguage(s: Pick<Span, 'tracer' | 'attributes'>): string | undefined {
  const a = s.attributes;
  if (a === undefined) return undefined;
  const v = s.tracer === 'datadog' ? ddLanguage(a) : otelLanguage(a);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

const SERVER_SIDE = (k: Span['kind']) => k === 'server' || k === 'consumer';
const CLIENT_SIDE = (k: Span['kind']) => k === 'client' || k === 'producer';

/** Is `s` a service-entry span, given its parent in the trace (undefined: a root, or an orphan)? */
export function isEntrySpan(s: Span, parent: Span | undefined): boolean {
  if (s.parentId === undefined) return true;
  if (parent === undefined) return !(CLIENT_SIDE(s.kind) || s.kind === 'internal');
  if (parent.service !== s.service) return true;
  if (s.tracer === 'opentelemetry') {
    if (SERVER_SIDE(s.kind)) return true;
    return s.process !== undefined && parent.process !== undefined && s.process !== parent.process;
  }
  if (s.process !== undefined) return true;
  return parent.process === undefined && SERVER_SIDE(s.kind) && CLIENT_SIDE(parent.kind);
}
