import { analyzeSpans, Collector } from '../../src/collector/analyze';
import { TraceAssembler } from '../../src/collector/assembler';
import { Span } from '../../src/collector/model';
import { buildSeries, splitPayloads } from '../../src/collector/series';
import { span, T0 } from './helpers';

const MIN = 60_000;

describe('TraceAssembler', () => {
  it('finalizes traces once the input has moved the horizon past them (memory = traces in flight)', () => {
    const seen: string[][] = [];
    const a = new TraceAssembler((spans) => seen.push(spans.map((s) => s.spanId)), 10 * MIN);
    for (let i = 0; i < 10_000; i++) {
      const t = T0 + i * 1000; // one trace per second, two spans each
      a.span(span({ traceId: `t${i}`, spanId: `${i}a`, service: 'a', start: t }));
      a.span(span({ traceId: `t${i}`, spanId: `${i}b`, parentId: `${i}a`, service: 'a', start: t + 5 }));
    }
    expect(a.peakInFlight).toBeLessThan(700 + 4096);
    a.finish();
    expect(seen.length).toBe(10_000);
    expect(seen.every((ids) => ids.length === 2)).toBe(true);
    expect(a.stats).toMatchObject({ spans: 20_000, traces: 10_000, malformed: 0 });
  });

  it('stops finalizing early when the input is not time-ordered, so no trace is split', () => {
    const seen: number[] = [];
    const a = new TraceAssembler((spans) => seen.push(spans.length), 10 * MIN);
    // Newest first (the API's default sort): every trace must still arrive whole.
    for (let i = 9999; i >= 0; i--) {
      a.span(span({ traceId: `t${i % 100}`, spanId: `${i}`, service: 'a', start: T0 + i * 1000 }));
    }
    a.finish();
    expect(seen.length).toBe(100);
    expect(seen.every((n) => n === 100)).toBe(true);
  });

  describe('streaming (collect --serve)', () => {
    it('keeps finalizing after a span far behind the newest (the root of a long request arrives last), between requests only', () => {
      const seen: string[] = [];
      const a = new TraceAssembler((spans) => seen.push(`${spans[0].traceId}:${spans.length}`), 10 * MIN, true);
      // The root of trace "long" started 30 minutes before its child: exported last, it arrives behind the newest.
      a.span(span({ traceId: 'long', spanId: 'c', parentId: 'r', service: 'a', start: T0 + 30 * MIN }));
      a.span(span({ traceId: 'long', spanId: 'r', service: 'a', start: T0 }));
      for (let i = 0; i < 5000; i++)
        a.span(span({ traceId: `t${i}`, spanId: `${i}`, service: 'a', start: T0 + 41 * MIN }));
      // No sweep inside a request, however many spans it holds.
      expect(seen).toEqual([]);
      a.settle();
      expect(seen).toEqual(['long:2']);
      expect(a.inFlight).toBe(5000);
      // While nothing arrives, wall time moves the horizon on.
      a.idle(9 * MIN);
      expect(a.inFlight).toBe(5000);
      a.idle(10 * MIN + 1);
      expect(a.inFlight).toBe(0);
      expect(seen.length).toBe(5001);
    });

    it('drops a late span of a finalized trace, naming --horizon', () => {
      const a = new TraceAssembler(() => {}, 10 * MIN, true);
      a.span(span({ traceId: 'old', spanId: '1', service: 'a', start: T0 }));
      for (let i = 0; i < 4096; i++)
        a.span(span({ traceId: `n${i}`, spanId: `${i}`, service: 'a', start: T0 + 11 * MIN }));
      a.settle();
      a.span(span({ traceId: 'old', spanId: '2', parentId: '1', service: 'a', start: T0 + 1 }));
      expect(a.stats.malformed).toBe(1);
      expect([...a.stats.malformedReasons.keys()]).toEqual([
        'late span (its trace was already finalized; it arrived more than --horizon after the newest span)',
      ]);
    });

    it('hands over the traces in flight unfinalized, to be restored after a restart', () => {
      const seen: number[] = [];
      const a = new TraceAssembler((spans) => seen.push(spans.length), 10 * MIN, true);
      a.span(span({ traceId: 'x', spanId: '1', service: 'a', start: T0 }));
      a.span(span({ traceId: 'x', spanId: '2', parentId: '1', service: 'a', start: T0 + 1 }));
      const drained = a.drain();
      expect(drained.map((t) => t.map((s) => s.spanId))).toEqual([['1', '2']]);
      expect(a.inFlight).toBe(0);
      a.finish();
      expect(seen).toEqual([]);
    });
  });

  it('counts a span of an already finalized trace as malformed ("late"), never as a second partial trace', () => {
    const c = new Collector({ site: 'datadoghq.com', horizonMs: 10 * MIN });
    c.sink.span(span({ traceId: 'old', spanId: '1', service: 'a', start: T0 }));
    for (let i = 0; i < 5000; i++)
      c.sink.span(span({ traceId: `n${i}`, spanId: `n${i}`, service: 'a', start: T0 + 20 * MIN }));
    c.sink.span(span({ traceId: 'old', spanId: '2', parentId: '1', service: 'a', start: T0 + 1 }));
    const a = c.finish();
    expect(a.totals.malformedSpans).toBe(1);
    expect([...a.malformedReasons.keys()]).toEqual([
      'late span (its trace was already finalized; sort the input by time)',
    ]);
    expect(a.services.get('a')!.groups.values().next().value!.orphans).toBe(0);
  });
});

describe('metric series', () => {
  const spans: Span[] = [
    span({ traceId: '1', spanId: '10', service: 'web', version: '1.0' }),
    span({
      traceId: '1',
      spanId: '11',
      parentId: '10',
      service: 'web',
      kind: 'client',
      peerService: 'api',
      version: '1.0',
    }),
    span({ traceId: '2', spanId: '20', service: 'api', version: undefined }),
    span({ traceId: '3', spanId: '30', parentId: '9', service: 'api', version: undefined, tracer: 'opentelemetry' }),
  ];

  it('builds count series per service, env and version (zeros included) and the tracer gauge', () => {
    const a = analyzeSpans(spans, { site: 'datadoghq.com', entrypoints: ['web'] });
    const series = buildSeries(a, 1_800_000_000, 900);
    const show = series.map((s) => `${s.metric}{${s.tags.join(',')}} ${s.type} ${s.points[0].value}`);
    expect(show).toEqual([
      'trace_health.calls.checked{service:web,env:prod,version:1.0,peer_service:api} 1 1',
      'trace_health.calls.unpaired{service:web,env:prod,version:1.0,peer_service:api} 1 1',
      'trace_health.roots.total{service:api,env:prod} 1 1',
      'trace_health.roots.total{service:web,env:prod,version:1.0} 1 1',
      'trace_health.roots.unexpected{service:api,env:prod} 1 1',
      'trace_health.roots.unexpected{service:web,env:prod,version:1.0} 1 0',
      'trace_health.spans.checked{service:api,env:prod} 1 2',
      'trace_health.spans.checked{service:web,env:prod,version:1.0} 1 2',
      'trace_health.spans.double_instrumented{service:api,env:prod} 1 0',
      'trace_health.spans.double_instrumented{service:web,env:prod,version:1.0} 1 0',
      'trace_health.spans.orphaned{service:api,env:prod} 1 1',
      'trace_health.spans.orphaned{service:web,env:prod,version:1.0} 1 0',
      'trace_health.tracers.families{service:api,env:prod} 3 2',
      'trace_health.tracers.families{service:web,env:prod} 3 1',
    ]);
    expect(series[0]).toMatchObject({ interval: 900, points: [{ timestamp: 1_800_000_000, value: 1 }] });
    expect(series.find((s) => s.type === 3)).not.toHaveProperty('interval');
  });

  it('splits payloads under the size limit, keeping every series once and in order', () => {
    const many: Span[] = [];
    for (let i = 0; i < 3000; i++) many.push(span({ traceId: `${i}`, spanId: `${i}`, service: `service-${i}` }));
    const series = buildSeries(analyzeSpans(many, { site: 'datadoghq.com' }), 1_800_000_000, 900);
    const payloads = splitPayloads(series, 100_000);
    expect(payloads.length).toBeGreaterThan(3);
    for (const p of payloads) expect(Buffer.byteLength(JSON.stringify(p))).toBeLessThan(100_000);
    expect(payloads.flatMap((p) => p.series)).toEqual(series);
  });
});
