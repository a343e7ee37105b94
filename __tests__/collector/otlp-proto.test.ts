import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { Span } from '../../src/collector/model';
import { emitOtlpDocument } from '../../src/collector/readers/otlp';
import {
  encodeExportResponse,
  encodeOtlpRequest,
  encodeRpcStatus,
  readOtlpProtobuf,
} from '../../src/collector/readers/otlp-proto';
import { otlpDocument, syntheticTraces } from '../../bench/synthetic-spans';

type Out = (Span | [string, string])[];
const collect = (read: (sink: { span(s: Span): void; malformed(r: string, o: string): void }) => void): Out => {
  const out: Out = [];
  read({ span: (s) => out.push(s), malformed: (r, o) => out.push([r, o]) });
  return out;
};

/** ReadableSpans as the OpenTelemetry JS SDK hands them to its exporters (only what the serializers read). */
function sdkSpans() {
  const resource = {
    attributes: { 'service.name': 'checkout-api', 'service.version': '2.14.0', 'deployment.environment.name': 'prod' },
  };
  const scope = { name: '@opentelemetry/instrumentation-http', version: '0.1.0' };
  const base = {
    resource,
    instrumentationScope: scope,
    status: { code: 0 },
    events: [],
    links: [],
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    ended: true,
    duration: [0, 5_000_000],
  };
  const ctx = (spanId: string) => () => ({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId, traceFlags: 1 });
  return [
    {
      ...base,
      name: 'POST /orders',
      kind: 1, // SpanKind.SERVER in the API (OTLP: 2)
      spanContext: ctx('00f067aa0baa02b8'),
      parentSpanContext: undefined,
      // 2026-11-28T12:00:00.123456789Z: the nanoseconds must not round the millisecond up.
      startTime: [1795867200, 123_999_999],
      endTime: [1795867200, 128_000_000],
      attributes: {
        'http.request.method': 'POST',
        'http.route': '/orders',
        'usr.id': 'u-1',
        'retry.count': 3,
        'cart.total': 12.5,
        'feature.on': true,
        'tags.list': ['a', 'b'],
      },
    },
    {
      ...base,
      name: 'payments.charge',
      kind: 2, // CLIENT
      spanContext: ctx('53995c3f42cd8ad8'),
      parentSpanContext: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0baa02b8', traceFlags: 1 },
      startTime: [1795867200, 124_500_000],
      endTime: [1795867200, 127_000_000],
      attributes: { 'peer.service': 'payments-api', 'big.int': 2 ** 40 },
      status: { code: 2, message: 'declined' },
    },
  ];
}

describe('OTLP protobuf', () => {
  it('decodes what the official OpenTelemetry encoder writes exactly as the same spans in OTLP JSON', () => {
    const spans = sdkSpans() as never;
    const proto = ProtobufTraceSerializer.serializeRequest(spans)!;
    const json = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)!));
    const fromProto = collect((sink) => readOtlpProtobuf(proto, 'req', sink));
    const fromJson = collect((sink) => emitOtlpDocument(json, 'req', sink));
    expect(fromProto).toEqual(fromJson);
    expect(fromProto).toEqual([
      expect.objectContaining({
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0baa02b8',
        parentId: undefined,
        service: 'checkout-api',
        env: 'prod',
        version: '2.14.0',
        kind: 'server',
        start: 1795867200123,
        resource: 'POST /orders',
        operation: 'POST /orders',
        error: false,
        tracer: 'opentelemetry',
        attributes: expect.objectContaining({
          'usr.id': 'u-1',
          'retry.count': 3,
          'cart.total': 12.5,
          'feature.on': true,
          'tags.list': ['a', 'b'],
          'otel.scope.name': '@opentelemetry/instrumentation-http',
        }),
      }),
      expect.objectContaining({
        spanId: '53995c3f42cd8ad8',
        parentId: '00f067aa0baa02b8',
        kind: 'client',
        peerService: 'payments-api',
        start: 1795867200124,
        error: true,
        attributes: expect.objectContaining({ 'big.int': 2 ** 40 }),
      }),
    ]);
  });

  it('keeps every digit of an int64 above 2^53', () => {
    const doc = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'a' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
                  spanId: '00f067aa0baa02b8',
                  startTimeUnixNano: '1795867200123456789',
                  attributes: [{ key: 'n', value: { intValue: '1152921504606846977' } }],
                },
              ],
            },
          ],
        },
      ],
    };
    const [span] = collect((sink) => readOtlpProtobuf(encodeOtlpRequest(doc), 'r', sink)) as Span[];
    expect(span.attributes).toEqual({ 'service.name': 'a', n: '1152921504606846977' });
    expect(span.start).toBe(1795867200123);
  });

  it('reads the synthetic corpus the same as protobuf and as JSON', () => {
    const doc = otlpDocument([...syntheticTraces({ traces: 40, seed: 9 })].flat());
    const fromJson = collect((sink) => emitOtlpDocument(JSON.parse(JSON.stringify(doc)), 'r', sink));
    const fromProto = collect((sink) => readOtlpProtobuf(encodeOtlpRequest(doc), 'r', sink));
    expect(fromProto.length).toBeGreaterThan(200);
    expect(fromProto).toEqual(fromJson);
  });

  it('names malformed spans by their place in the request', () => {
    const doc = {
      resourceSpans: [
        {
          resource: { attributes: [] },
          scopeSpans: [{ spans: [{ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0baa02b8' }] }],
        },
      ],
    };
    expect(collect((sink) => readOtlpProtobuf(encodeOtlpRequest(doc), 'request 7', sink))).toEqual([
      ['missing service.name resource attribute', 'request 7: resourceSpans[0].scopeSpans[0].spans[0]'],
    ]);
  });

  it('refuses a body that is not an ExportTraceServiceRequest', () => {
    expect(() => readOtlpProtobuf(Buffer.from('{"resourceSpans":[]}'), 'r', { span() {}, malformed() {} })).toThrow(
      /^not an OTLP ExportTraceServiceRequest \(/,
    );
  });

  it('answers with an empty response, a partial success, or a google.rpc.Status', () => {
    expect(encodeExportResponse(0, '')).toEqual(new Uint8Array(0));
    // The official decoder (0.208, the last for Node 20) reads the int64 count as a Long or a string.
    expect(plainResponse(ProtobufTraceSerializer.deserializeResponse(encodeExportResponse(2, 'bad spans')))).toEqual({
      partialSuccess: { rejectedSpans: 2, errorMessage: 'bad spans' },
    });
    // code 8 (RESOURCE_EXHAUSTED), message "full": field 1 varint, field 2 string.
    expect(Buffer.from(encodeRpcStatus(8, 'full')).toString('hex')).toBe('0808120466756c6c');
  });
});

/** The decoder's response as plain data: an int64 count as a number. */
function plainResponse(r: unknown): unknown {
  return JSON.parse(
    JSON.stringify(r, (key: string, v: unknown) => (key === 'rejectedSpans' ? Number(String(v)) : v)),
  ) as unknown;
}
