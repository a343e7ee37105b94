import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Span, SpanSink } from '../../src/collector/model';
import { listSpanFiles, readJsonText, readSpanFile } from '../../src/collector/readers';
import { otlpId, quoteNumericIds } from '../../src/collector/readers/ids';

import { UserError } from '../../src/errors';

function collect(): SpanSink & { spans: Span[]; bad: [string, string][] } {
  const s = {
    spans: [] as Span[],
    bad: [] as [string, string][],
    span: (x: Span) => s.spans.push(x),
    malformed: (r: string, o: string) => s.bad.push([r, o]),
  };
  return s;
}

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readers-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  fs.writeFileSync(path.join(dir, name), text);
  return name;
};

const item = (attrs: Record<string, unknown>) => ({
  type: 'spans',
  attributes: {
    trace_id: '18446744073709551615',
    span_id: '9007199254740993',
    parent_id: '0',
    service: 'checkout-api',
    env: 'prod',
    start_timestamp: '2026-11-28T12:00:00.000Z',
    ...attrs,
  },
});

describe('Datadog JSON pages', () => {
  it('maps a span, keeping ids above 2^53 as exact strings', () => {
    const sink = collect();
    const page = {
      data: [
        item({
          resource_name: 'POST /orders',
          tags: ['version:2.14.0', 'team:checkout'],
          ingestion_reason: 'rule',
          custom: { span: { kind: 'server' }, usr: { id: 'u1' }, status: 'error', operation_name: 'http.request' },
        }),
        item({
          span_id: '12',
          parent_id: '9007199254740993',
          custom: { 'span.kind': 'client', 'peer.service': 'payments-api' },
        }),
      ],
      meta: { page: { after: 'x' } },
    };
    readJsonText(JSON.stringify(page), 'page.json', sink);
    expect(sink.bad).toEqual([]);
    expect(sink.spans[0]).toMatchObject({
      traceId: '18446744073709551615',
      spanId: '9007199254740993',
      parentId: undefined,
      service: 'checkout-api',
      env: 'prod',
      version: '2.14.0',
      resource: 'POST /orders',
      operation: 'http.request',
      kind: 'server',
      error: true,
      tracer: 'datadog',
      start: Date.UTC(2026, 10, 28, 12),
      excludedBy: undefined,
    });
    expect(sink.spans[1]).toMatchObject({ parentId: '9007199254740993', kind: 'client', peerService: 'payments-api' });
  });

  it('recovers the exact digits of numeric id literals above 2^53 from the source text', () => {
    const sink = collect();
    const text =
      '{"data":[{"type":"spans","attributes":{"trace_id":18446744073709551615,"span_id":9007199254740993,' +
      '"parent_id":0,"service":"a","start_timestamp":"2026-11-28T12:00:00Z"}},' +
      '{"type":"spans","attributes":{"trace_id":123,"span_id":4,"parent_id":9007199254740993,"service":"a",' +
      '"start_timestamp":"2026-11-28T12:00:00Z","custom":{"msg":"\\"span_id\\":5"}}}]}';
    readJsonText(text, 'p.json', sink);
    expect(sink.spans.map((s) => [s.traceId, s.spanId, s.parentId])).toEqual([
      ['18446744073709551615', '9007199254740993', undefined],
      ['123', '4', '9007199254740993'],
    ]);
    expect(sink.spans[1].attributes).toEqual({ msg: '"span_id":5' });
    expect(quoteNumericIds('{"span_id": 12, "x": 3}')).toBe('{"span_id": "12", "x": 3}');
  });

  it('marks spans kept without their trace as excluded', () => {
    const sink = collect();
    readJsonText(
      JSON.stringify([
        item({ ingestion_reason: 'error' }),
        item({ ingestion_reason: 'rare' }),
        item({ ingestion_reason: 'single_span' }),
        item({ ingestion_reason: 'rule', single_span: true }),
        item({ ingestion_reason: 'rule' }),
      ]),
      'a.json',
      sink,
    );
    expect(sink.spans.map((s) => s.excludedBy)).toEqual(['error', 'rare', 'single_span', 'single_span', undefined]);
  });

  it('detects OpenTelemetry spans by their otel scope attributes', () => {
    const sink = collect();
    readJsonText(
      JSON.stringify([
        item({ custom: { otel: { scope: { name: 'x' } } } }),
        item({ attributes: { 'otel.library.name': 'y' } }),
      ]),
      'a.json',
      sink,
    );
    expect(sink.spans.map((s) => s.tracer)).toEqual(['opentelemetry', 'opentelemetry']);
  });

  it.each([
    [{ trace_id: undefined }, 'missing trace_id'],
    [{ trace_id: 'not an id' }, 'invalid trace_id'],
    [{ span_id: undefined }, 'missing span_id'],
    [{ span_id: -4 }, 'invalid span_id'],
    [{ span_id: 1.5 }, 'invalid span_id'],
    [{ parent_id: { x: 1 } }, 'invalid parent_id'],
    [{ service: undefined }, 'missing service'],
    [{ service: 3 }, 'invalid service'],
    [{ start_timestamp: undefined }, 'missing start_timestamp'],
    [{ start_timestamp: 'yesterday' }, 'invalid start_timestamp'],
  ])('counts a malformed span %j as %s', (attrs, reason) => {
    const sink = collect();
    readJsonText(JSON.stringify({ data: [item({}), item(attrs)] }), 'p.json', sink);
    expect(sink.spans.length).toBe(1);
    expect(sink.bad).toEqual([[reason, 'p.json: data[1]']]);
  });

  it('fails with file:line:col for invalid JSON, and names what a span file must hold', () => {
    expect(() => readJsonText('{\n  "data": [\n   }', 'bad.json', collect())).toThrow(
      new UserError('bad.json:3:4: invalid JSON (Unexpected token \'}\', "{\n  "data": [\n   }" is not valid JSON)'),
    );
    expect(() => readJsonText('{"spans": []}', 'odd.json', collect())).toThrow(
      /^odd\.json: not a span export \(expected a Datadog spans page/,
    );
  });
});

describe('NDJSON', () => {
  it('streams lines, skipping blank ones and counting bad ones with file:line', () => {
    const lines = [
      JSON.stringify(item({})),
      '',
      '{"type":"spans","attributes":{"trace_id":18446744073709551615,"span_id":2,"service":"a","start_timestamp":"2026-11-28T12:00:00Z"}}\r',
      '{broken',
      JSON.stringify(item({ span_id: undefined })),
      JSON.stringify(item({ span_id: '7' }).attributes),
    ];
    const sink = collect();
    readSpanFile(write('s.ndjson', lines.join('\n')), sink, dir);
    expect(sink.spans.map((s) => [s.traceId, s.spanId])).toEqual([
      ['18446744073709551615', '9007199254740993'],
      ['18446744073709551615', '2'],
      ['18446744073709551615', '7'],
    ]);
    expect(sink.bad).toEqual([
      ['invalid JSON', 's.ndjson:4'],
      ['missing span_id', 's.ndjson:5'],
    ]);
  });

  it('keeps multi-byte characters whole across read chunks', () => {
    const long = 'é'.repeat(700_000); // 1.4 MB of two-byte characters: the line spans two 1 MiB chunks
    const sink = collect();
    readSpanFile(write('big.jsonl', `${JSON.stringify(item({ resource_name: long }))}\n`), sink, dir);
    expect(sink.bad).toEqual([]);
    expect(sink.spans[0].resource).toBe(long);
  });
});

describe('OTLP JSON', () => {
  const doc = (spans: unknown[], scope = 'io.opentelemetry.http') => ({
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: 'search-api' } },
            { key: 'service.version', value: { stringValue: '0.31.0' } },
            { key: 'deployment.environment', value: { stringValue: 'prod' } },
          ],
        },
        scopeSpans: [{ scope: { name: scope }, spans }],
      },
    ],
  });
  const base = {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    parentSpanId: '',
    name: 'GET /search',
    kind: 2,
    startTimeUnixNano: '1795867200123456789',
    attributes: [
      { key: 'http.request.method', value: { stringValue: 'GET' } },
      { key: 'http.route', value: { stringValue: '/search' } },
      { key: 'usr.id', value: { stringValue: 'u1' } },
      { key: 'http.status_code', value: { intValue: '500' } },
    ],
    status: { code: 2 },
  };

  it('maps resource and span attributes, hex ids, kind and status', () => {
    const sink = collect();
    readJsonText(
      JSON.stringify(
        doc([
          base,
          { ...base, spanId: 'APBnqguqArg=', parentSpanId: '00f067aa0ba902b7', kind: 'SPAN_KIND_CLIENT', status: {} },
        ]),
      ),
      'o.json',
      sink,
    );
    expect(sink.bad).toEqual([]);
    expect(sink.spans[0]).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      parentId: undefined,
      service: 'search-api',
      env: 'prod',
      version: '0.31.0',
      resource: 'GET /search',
      operation: 'GET /search',
      kind: 'server',
      error: true,
      tracer: 'opentelemetry',
      start: 1795867200123,
    });
    expect(sink.spans[0].attributes).toMatchObject({
      'usr.id': 'u1',
      'http.status_code': 500,
      'service.name': 'search-api',
    });
    // base64 ids (protobuf JSON mapping) become hex.
    expect(sink.spans[1]).toMatchObject({
      spanId: '00f067aa0baa02b8',
      parentId: '00f067aa0ba902b7',
      kind: 'client',
      error: false,
    });
  });

  it('recognises spans a Datadog tracer exported', () => {
    const sink = collect();
    readJsonText(JSON.stringify(doc([base], 'dd-trace-java')), 'o.json', sink);
    expect(sink.spans[0].tracer).toBe('datadog');
  });

  it('counts malformed OTLP spans', () => {
    const sink = collect();
    readJsonText(
      JSON.stringify(
        doc([
          { ...base, traceId: '00000000000000000000000000000000' },
          { ...base, spanId: 'xyz' },
          { ...base, startTimeUnixNano: 'soon' },
        ]),
      ),
      'o.json',
      sink,
    );
    expect(sink.bad).toEqual([
      ['invalid traceId', 'o.json: resourceSpans[0].scopeSpans[0].spans[0]'],
      ['invalid spanId', 'o.json: resourceSpans[0].scopeSpans[0].spans[1]'],
      ['invalid startTimeUnixNano', 'o.json: resourceSpans[0].scopeSpans[0].spans[2]'],
    ]);
  });
});

describe('listSpanFiles', () => {
  it('lists the span files directly in a folder, sorted, not its sub-folders', () => {
    write('b.json', '[]');
    write('a.ndjson', '');
    write('notes.md', '');
    fs.mkdirSync(path.join(dir, 'otlp'));
    fs.writeFileSync(path.join(dir, 'otlp', 'x.json'), '{}');
    expect(listSpanFiles(['.'], dir)).toEqual(['a.ndjson', 'b.json']);
    expect(listSpanFiles(['b.json', 'otlp/x.json', './b.json'], dir)).toEqual(['b.json', 'otlp/x.json']);
  });

  it('fails for a missing path or a folder without span files', () => {
    expect(() => listSpanFiles(['nope'], dir)).toThrow(new UserError('nope: no such file or folder'));
    fs.mkdirSync(path.join(dir, 'empty'));
    expect(() => listSpanFiles(['empty'], dir)).toThrow(
      /^empty: no span files \(\.json, \.ndjson, \.jsonl\) in this folder$/,
    );
  });
});

describe('otlpId', () => {
  it('accepts hex and base64, rejects all-zero and wrong lengths', () => {
    expect(otlpId('4BF92F3577B34DA6A3CE929D0E0E4736', 16)).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(otlpId('APBnqguqArg=', 8)).toBe('00f067aa0baa02b8');
    expect(otlpId('0000000000000000', 8)).toBeUndefined();
    expect(otlpId('abc', 8)).toBeUndefined();
    expect(otlpId('', 8)).toBe('');
  });
});
