import { analyze, AnalyzeOptions } from '../../src/collector/analyze';
import { span, T0 } from './helpers';

const opts: AnalyzeOptions = { site: 'datadoghq.com' };

describe('orphan spans', () => {
  it('counts a span whose parent is absent from the trace', () => {
    const r = analyze(
      [
        span({ traceId: '1', spanId: '10', service: 'a' }),
        span({ traceId: '1', spanId: '11', parentId: '10', service: 'a', kind: 'internal' }),
        span({ traceId: '1', spanId: '12', parentId: '99', service: 'a', kind: 'internal' }),
      ],
      opts,
    );
    expect(r.services.a).toMatchObject({ spans: 3, orphanSpans: 1, orphanRate: 0.333333, rootSpans: 1 });
    expect(r.services.a.examples.orphanSpans).toEqual(['1']);
    expect(r.totals).toEqual({ spans: 3, traces: 1, excludedSpans: 0, excludedByReason: {}, malformedSpans: 0 });
  });

  it('keeps ids above 2^53 exact: parent 9007199254740993 is not span 9007199254740992', () => {
    const r = analyze(
      [
        span({ traceId: '18446744073709551615', spanId: '9007199254740992', service: 'a' }),
        span({
          traceId: '18446744073709551615',
          spanId: '9007199254740994',
          parentId: '9007199254740993',
          service: 'a',
        }),
        span({
          traceId: '18446744073709551615',
          spanId: '9007199254740995',
          parentId: '9007199254740992',
          service: 'a',
        }),
      ],
      opts,
    );
    expect(r.services.a.orphanSpans).toBe(1);
    expect(r.services.a.examples.orphanSpans).toEqual(['18446744073709551615']);
  });

  it('excludes spans kept without their trace (error/rare samplers, single spans): counted, never orphans', () => {
    const r = analyze(
      [
        span({ traceId: '2', spanId: '20', parentId: '1', service: 'a', excludedBy: 'error' }),
        span({ traceId: '3', spanId: '30', parentId: '1', service: 'a', excludedBy: 'rare' }),
        span({ traceId: '4', spanId: '40', parentId: '1', service: 'a', excludedBy: 'single_span' }),
        span({ traceId: '5', spanId: '50', service: 'a' }),
      ],
      opts,
    );
    expect(r.services.a).toMatchObject({ spans: 1, orphanSpans: 0, orphanRate: 0 });
    expect(r.totals).toEqual({
      spans: 4,
      traces: 4,
      excludedSpans: 3,
      excludedByReason: { error: 1, rare: 1, single_span: 1 },
      malformedSpans: 0,
    });
  });

  it('assembles a trace whose spans arrive in separate chunks and out of order (no false orphans)', () => {
    const r = analyze(
      [
        span({ traceId: '7', spanId: '72', parentId: '71', service: 'b', start: T0 + 20 }),
        span({ traceId: '8', spanId: '80', service: 'c' }),
        span({ traceId: '7', spanId: '71', parentId: '70', service: 'b', start: T0 + 10 }),
        span({ traceId: '7', spanId: '70', service: 'a' }),
      ],
      opts,
    );
    expect(r.services.b.orphanSpans).toBe(0);
    expect(r.totals.traces).toBe(2);
  });

  it('an excluded parent still counts as present for its children', () => {
    const r = analyze(
      [
        span({ traceId: '9', spanId: '90', service: 'a', excludedBy: 'error' }),
        span({ traceId: '9', spanId: '91', parentId: '90', service: 'a' }),
      ],
      opts,
    );
    expect(r.services.a.orphanSpans).toBe(0);
  });

  it('ignores duplicate copies of a span (overlapping pages)', () => {
    const s = span({ traceId: '1', spanId: '10', service: 'a' });
    const r = analyze([s, { ...s }], opts);
    expect(r.services.a.spans).toBe(1);
  });

  it('splits counts by version', () => {
    const r = analyze(
      [
        span({ traceId: '1', spanId: '10', service: 'a', version: '1.0' }),
        span({ traceId: '2', spanId: '20', parentId: '1', service: 'a', version: '2.0' }),
        span({ traceId: '3', spanId: '30', service: 'a', version: undefined }),
      ],
      opts,
    );
    expect(r.services.a.byVersion).toEqual({
      '(none)': { spans: 1, orphanSpans: 0, tagCoverage: {} },
      '1.0': { spans: 1, orphanSpans: 0, tagCoverage: {} },
      '2.0': { spans: 1, orphanSpans: 1, tagCoverage: {} },
    });
  });
});

describe('unexpected roots', () => {
  const trace = [
    span({ traceId: '1', spanId: '10', service: 'web-gateway' }),
    span({ traceId: '2', spanId: '20', service: 'payments-api' }),
    span({ traceId: '3', spanId: '30', service: 'checkout-api' }),
  ];

  it('flags roots in services the catalog says are called by others', () => {
    const r = analyze(trace, {
      ...opts,
      internalServices: ['payments-api', 'web-gateway'],
      entrypoints: ['web-gateway'],
    });
    expect(r.services['payments-api']).toMatchObject({ rootSpans: 1, unexpectedRoots: 1 });
    expect(r.services['payments-api'].examples.unexpectedRoots).toEqual(['2']);
    // Legit roots: entrypoints, and services nobody calls.
    expect(r.services['web-gateway']).toMatchObject({ rootSpans: 1, unexpectedRoots: 0 });
    expect(r.services['checkout-api']).toMatchObject({ rootSpans: 1, unexpectedRoots: 0 });
    expect(r.services['web-gateway'].examples.unexpectedRoots).toEqual([]);
  });

  it('also treats services seen as peer.service of client spans as internal', () => {
    const r = analyze(
      [
        ...trace,
        span({ traceId: '4', spanId: '40', service: 'web-gateway' }),
        span({
          traceId: '4',
          spanId: '41',
          parentId: '40',
          service: 'web-gateway',
          kind: 'client',
          peerService: 'checkout-api',
        }),
        span({ traceId: '4', spanId: '42', parentId: '41', service: 'checkout-api' }),
      ],
      { ...opts, entrypoints: ['web-gateway'] },
    );
    expect(r.services['checkout-api']).toMatchObject({ rootSpans: 1, unexpectedRoots: 1 });
    expect(r.services['payments-api'].unexpectedRoots).toBe(0);
  });
});

describe('unpaired calls', () => {
  it('counts client spans with no span of the callee below them, per callee', () => {
    const r = analyze(
      [
        span({ traceId: '1', spanId: '10', service: 'checkout-api' }),
        span({
          traceId: '1',
          spanId: '11',
          parentId: '10',
          service: 'checkout-api',
          kind: 'client',
          peerService: 'payments-api',
        }),
        span({
          traceId: '1',
          spanId: '12',
          parentId: '10',
          service: 'checkout-api',
          kind: 'client',
          peerService: 'cart-service',
        }),
        span({ traceId: '1', spanId: '13', parentId: '12', service: 'checkout-api', kind: 'internal' }),
        span({ traceId: '1', spanId: '14', parentId: '13', service: 'cart-service', kind: 'server' }),
        // Calls to things that are not services (a datastore, an external API) are not checked.
        span({
          traceId: '1',
          spanId: '15',
          parentId: '10',
          service: 'checkout-api',
          kind: 'client',
          peerService: 'orders-db',
        }),
        span({ traceId: '2', spanId: '20', service: 'payments-api' }),
      ],
      opts,
    );
    expect(r.services['checkout-api'].unpairedCalls).toEqual({ 'payments-api': 1 });
    expect(r.services['checkout-api'].examples.unpairedCalls).toEqual({ 'payments-api': ['1'] });
  });

  it('checks calls to catalog services even when the callee sent no span at all', () => {
    const r = analyze(
      [
        span({ traceId: '1', spanId: '10', service: 'checkout-api' }),
        span({
          traceId: '1',
          spanId: '11',
          parentId: '10',
          service: 'checkout-api',
          kind: 'client',
          peerService: 'payments-api',
        }),
      ],
      { ...opts, catalogServices: ['payments-api'] },
    );
    expect(r.services['checkout-api'].unpairedCalls).toEqual({ 'payments-api': 1 });
  });
});

describe('tracers', () => {
  it('reports several tracer families in one service', () => {
    const r = analyze(
      [
        span({ traceId: '1', spanId: '10', service: 'a' }),
        span({ traceId: '2', spanId: '20', service: 'a', tracer: 'opentelemetry' }),
        span({ traceId: '3', spanId: '30', service: 'b' }),
      ],
      opts,
    );
    expect(r.services.a).toMatchObject({ tracers: ['datadog', 'opentelemetry'], multipleTracers: true });
    expect(r.services.a.examples.tracers).toEqual({ datadog: ['1'], opentelemetry: ['2'] });
    expect(r.services.b).toMatchObject({ tracers: ['datadog'], multipleTracers: false });
    expect(r.services.b.examples.tracers).toEqual({});
  });

  it('counts a server span directly under a server span of the same service and resource', () => {
    const r = analyze(
      [
        span({ traceId: '1', spanId: '10', service: 'a', resource: 'GET /x' }),
        span({ traceId: '1', spanId: '11', parentId: '10', service: 'a', resource: 'GET /x' }),
        // Different resource, or a different service: not double instrumentation.
        span({ traceId: '1', spanId: '12', parentId: '10', service: 'a', resource: 'GET /y' }),
        span({ traceId: '1', spanId: '13', parentId: '10', service: 'b', resource: 'GET /x' }),
      ],
      opts,
    );
    expect(r.services.a.doubleInstrumentedSpans).toBe(1);
    expect(r.services.b.doubleInstrumentedSpans).toBe(0);
  });
});

describe('tag coverage', () => {
  const rules = [
    { tag: 'usr.id', scope: '@_top_level:1', slo: true },
    { tag: 'error.message', scope: 'status:error', slo: true },
    { tag: 'version', scope: '*', slo: false },
  ];

  it('counts in-scope spans carrying each required tag, also by version, with @_top_level computed', () => {
    const r = analyze(
      [
        span({ traceId: '1', spanId: '10', service: 'a', attributes: { usr: { id: 'u' } } }),
        span({ traceId: '1', spanId: '11', parentId: '10', service: 'a', kind: 'internal' }), // not top-level
        span({ traceId: '1', spanId: '12', parentId: '11', service: 'b', attributes: {} }), // top-level in b
        span({ traceId: '2', spanId: '20', parentId: '1', service: 'a', version: '2.0', error: true }), // orphan: top-level
        span({
          traceId: '3',
          spanId: '30',
          service: 'a',
          version: undefined,
          error: true,
          attributes: { usr: { id: 'u' }, error: { message: 'boom' } },
        }),
      ],
      { ...opts, defaultRequiredTags: rules },
    );
    expect(r.services.a.tagCoverage).toEqual({
      'error.message': { covered: 1, total: 2, ratio: 0.5 },
      'usr.id': { covered: 2, total: 3, ratio: 0.666667 },
      version: { covered: 3, total: 4, ratio: 0.75 },
    });
    expect(r.services.a.byVersion['2.0'].tagCoverage['usr.id']).toEqual({ covered: 0, total: 1, ratio: 0 });
    expect(r.services.b.tagCoverage['usr.id']).toEqual({ covered: 0, total: 1, ratio: 0 });
    expect(r.services.a.examples.missingTags).toEqual({ 'error.message': ['2'], 'usr.id': ['2'], version: ['3'] });
  });

  it('uses per-service rules and skips disabled services', () => {
    const r = analyze(
      [span({ traceId: '1', spanId: '10', service: 'a' }), span({ traceId: '2', spanId: '20', service: 'off' })],
      {
        ...opts,
        defaultRequiredTags: rules,
        services: { a: { requiredTags: [{ tag: 'team', scope: '*', slo: false }] }, off: { enabled: false } },
      },
    );
    expect(Object.keys(r.services)).toEqual(['a']);
    expect(r.services.a.tagCoverage).toEqual({ team: { covered: 0, total: 1, ratio: 0 } });
    expect(r.totals.spans).toBe(2);
  });

  it('fails before reading spans when a scope is not supported', () => {
    expect(() => analyze([], { ...opts, defaultRequiredTags: [{ tag: 'x', scope: '@d:>5', slo: false }] })).toThrow(
      /span query "@d:>5": column 4: numeric comparisons/,
    );
  });
});

describe('windows', () => {
  it('counts only traces that start inside the window', () => {
    const r = analyze(
      [
        span({ traceId: '1', spanId: '10', service: 'a', start: T0 - 1 }),
        span({ traceId: '1', spanId: '11', parentId: '10', service: 'a', start: T0 + 5 }),
        span({ traceId: '2', spanId: '20', service: 'a', start: T0 }),
        span({ traceId: '3', spanId: '30', service: 'a', start: T0 + 1000 }),
      ],
      { ...opts, window: { from: T0, to: T0 + 1000 } },
    );
    expect(r.totals.traces).toBe(1);
    expect(r.window).toEqual({ from: '2026-11-28T12:00:00.000Z', to: '2026-11-28T12:00:01.000Z' });
  });
});
