/**
 * OTLP protobuf (`application/x-protobuf`, the OTLP/HTTP default encoding) decoded with protobufjs into the same
 * field names as OTLP JSON, then mapped by ./otlp.ts — one mapping for both encodings.
 *
 * The schema below is the part of opentelemetry-proto v1 (`opentelemetry/proto/collector/trace/v1`, `trace/v1`,
 * `common/v1`, `resource/v1`; stable, field numbers never change) that the span model reads, plus the response and
 * `google.rpc.Status` messages the OTLP/HTTP spec has the server answer with. Fields left out (events, links,
 * trace state, end time, dropped counts) are skipped by the decoder as unknown fields, which is also faster.
 * Field numbers are checked against the official encoder (@opentelemetry/otlp-transformer) in the tests.
 */
import protobuf from 'protobufjs';
import { SpanSink } from '../model';
import { emitOtlpDocument } from './otlp';

const PROTO = `
syntax = "proto3";
package otlp;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; }
message Resource { repeated KeyValue attributes = 1; }

message Status { string message = 2; int32 code = 3; }
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  bytes parent_span_id = 4;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  repeated KeyValue attributes = 9;
  Status status = 15;
}
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }

message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }

message RpcStatus { int32 code = 1; string message = 2; }
`;

const root = protobuf.parse(PROTO, { keepCase: false }).root;
const Request = root.lookupType('otlp.ExportTraceServiceRequest');
const Response = root.lookupType('otlp.ExportTraceServiceResponse');
const RpcStatus = root.lookupType('otlp.RpcStatus');

/** Thrown for a body that is not an ExportTraceServiceRequest. */
export class ProtobufError extends Error {}

/** Decode an ExportTraceServiceRequest and feed its spans to the sink; origins read `<origin>: resourceSpans[i]…`. */
export function readOtlpProtobuf(body: Uint8Array, origin: string, sink: SpanSink): void {
  let msg: protobuf.Message;
  try {
    msg = Request.decode(body);
  } catch (e) {
    throw new ProtobufError(`not an OTLP ExportTraceServiceRequest (${(e as Error).message})`);
  }
  emitOtlpDocument(msg, origin, sink);
}

/** The encoded ExportTraceServiceResponse: empty on full success, partial_success when spans were rejected. */
export function encodeExportResponse(rejectedSpans: number, errorMessage: string): Uint8Array {
  if (rejectedSpans === 0) return new Uint8Array(0);
  return Response.encode(Response.create({ partialSuccess: { rejectedSpans, errorMessage } })).finish();
}

/** An encoded google.rpc.Status (the body of an OTLP/HTTP error response). */
export function encodeRpcStatus(code: number, message: string): Uint8Array {
  return RpcStatus.encode(RpcStatus.create({ code, message })).finish();
}

/** Encode an OTLP JSON-shaped request (hex ids, string nanos) as protobuf: for tests and the benchmark. */
export function encodeOtlpRequest(doc: unknown): Uint8Array {
  const hexToBytes = (v: unknown) => (typeof v === 'string' ? Buffer.from(v, 'hex') : v);
  const resourceSpans = ((doc as { resourceSpans?: unknown[] }).resourceSpans ?? []).map((rs) => {
    const r = rs as { scopeSpans?: { spans?: Record<string, unknown>[] }[] };
    return {
      ...r,
      scopeSpans: (r.scopeSpans ?? []).map((ss) => ({
        ...ss,
        spans: (ss.spans ?? []).map((s) => ({
          ...s,
          traceId: hexToBytes(s.traceId),
          spanId: hexToBytes(s.spanId),
          parentSpanId: hexToBytes(s.parentSpanId),
          startTimeUnixNano: String(s.startTimeUnixNano),
        })),
      })),
    };
  });
  return Request.encode(Request.fromObject({ resourceSpans })).finish();
}
