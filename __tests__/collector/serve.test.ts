import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { analyzeSpans, AnalyzeOptions } from '../../src/collector/analyze';
import { Span } from '../../src/collector/model';
import { emitOtlpDocument } from '../../src/collector/readers/otlp';
import { encodeOtlpRequest } from '../../src/collector/readers/otlp-proto';
import { buildReport } from '../../src/collector/report';
import { buildSeries } from '../../src/collector/series';
import { OtlpServer, ServeParams, spoolPath } from '../../src/collector/serve';
import { readState } from '../../src/collector/state';
import { main } from '../../src/cli';
import { memoryIo } from '../../src/cli/io';
import { otlpDocument, SyntheticSpan, syntheticTraces } from '../../bench/synthetic-spans';
import { metricsRoutes, metricsStore, MetricsStore } from '../fake-datadog/routes/metrics';
import { FakeDatadog } from '../fake-datadog/server';

const options: AnalyzeOptions = {
  site: 'datadoghq.eu',
  internalServices: ['payments-api', 'user-profile', 'checkout-api'],
  entrypoints: ['web-gateway'],
  defaultRequiredTags: [{ tag: 'usr.id', scope: '@_top_level:1', slo: true }],
};
const API_KEY = 'api-key-secret-1234';

/** The corpus as traces (oldest first), 5 minutes of span time ending now. */
function corpus(traces: number, seed = 21): SyntheticSpan[][] {
  return [...syntheticTraces({ traces, seed, startMs: Date.now() - 5 * 60_000, spanMs: 5 * 60_000 })];
}

/** What `collect --input` finds in the same spans (the OTLP JSON mapping; spans kept without a trace excluded). */
function offline(traces: SyntheticSpan[][]) {
  const spans: Span[] = [];
  emitOtlpDocument(JSON.parse(JSON.stringify(otlpDocument(traces.flat()))), 'x', {
    span: (s) => spans.push(s),
    malformed: () => {},
  });
  return analyzeSpans(spans, options);
}

async function post(url: string, body: Buffer | string, headers: Record<string, string>) {
  const res = await fetch(`${url}/v1/traces`, { method: 'POST', body, headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

const protoBody = (traces: SyntheticSpan[][]) => Buffer.from(encodeOtlpRequest(otlpDocument(traces.flat())));
const PROTO = { 'content-type': 'application/x-protobuf' };
const JSON_GZIP = { 'content-type': 'application/json', 'content-encoding': 'gzip' };

/** Poll (at most 100 × 50 ms) until `ok()`. */
async function until(ok: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met within 5 s');
}

/** Sum of each count series' values by metric and tags (gauges left out: they are not additive). */
function countSums(
  series: readonly { metric: string; type?: number; points: readonly { value: number }[]; tags?: readonly string[] }[],
) {
  const sums = new Map<string, number>();
  for (const s of series) {
    if (s.type !== 1) continue;
    const key = `${s.metric} ${(s.tags ?? []).join(',')}`;
    sums.set(key, (sums.get(key) ?? 0) + s.points.reduce((n, p) => n + p.value, 0));
  }
  return Object.fromEntries([...sums].filter(([, v]) => v > 0).sort(([a], [b]) => (a < b ? -1 : 1)));
}

describe('collect --serve (OTLP/HTTP receiver)', () => {
  const servers: OtlpServer[] = [];
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'serve-'));
  });
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.abort();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function start(over: Partial<ServeParams> = {}) {
    const io = memoryIo();
    const s = await OtlpServer.start({
      io,
      options,
      host: '127.0.0.1',
      port: 0,
      intervalMs: 3_600_000,
      maxTraces: 100_000,
      instance: 'test-instance',
      submit: false,
      ...over,
    });
    servers.push(s);
    return { s, url: `http://${s.address}`, io: (over.io ?? io) as ReturnType<typeof memoryIo> };
  }

  it('finds in protobuf, JSON and gzip requests exactly what collect --input finds in the same spans', async () => {
    const traces = corpus(400);
    const { s, url } = await start();
    expect(s.address).toMatch(/^127\.0\.0\.1:[1-9][0-9]*$/);
    for (let i = 0; i < traces.length; i += 50) {
      const part = traces.slice(i, i + 50);
      const r =
        (i / 50) % 3 === 0
          ? await post(url, protoBody(part), PROTO)
          : (i / 50) % 3 === 1
            ? await post(url, zlib.gzipSync(JSON.stringify(otlpDocument(part.flat()))), JSON_GZIP)
            : await post(url, zlib.gzipSync(protoBody(part)), { ...PROTO, 'content-encoding': 'gzip' });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe((i / 50) % 3 === 1 ? 'application/json' : 'application/x-protobuf');
      expect(r.body.toString()).toBe((i / 50) % 3 === 1 ? '{}\n' : '');
    }
    const a = await s.stop();
    expect(buildReport(a!)).toEqual(buildReport(offline(traces)));
    expect(buildReport(a!).totals.traces).toBeGreaterThan(400);
  });

  it('answers a request with malformed spans with a partial success naming the first one', async () => {
    const { url } = await start();
    const doc = {
      resourceSpans: [
        {
          resource: { attributes: [] },
          scopeSpans: [{ spans: [{ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0baa02b8' }] }],
        },
      ],
    };
    const r = await post(url, JSON.stringify(doc), { 'content-type': 'application/json' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body.toString())).toEqual({
      partialSuccess: {
        rejectedSpans: '1',
        errorMessage:
          '1 spans rejected; first: request 1: resourceSpans[0].scopeSpans[0].spans[0]: missing service.name resource attribute',
      },
    });
    const p = await post(url, Buffer.from(encodeOtlpRequest(doc)), PROTO);
    // The official decoder (0.208, the last for Node 20) reads the int64 count as a Long or a string.
    expect(plainResponse(ProtobufTraceSerializer.deserializeResponse(p.body))).toEqual({
      partialSuccess: {
        rejectedSpans: 1,
        errorMessage:
          '1 spans rejected; first: request 2: resourceSpans[0].scopeSpans[0].spans[0]: missing service.name resource attribute',
      },
    });
  });

  it('refuses what it cannot read with the OTLP/HTTP status codes', async () => {
    const { url } = await start();
    const status = async (body: string | Buffer, headers: Record<string, string>) => {
      const r = await post(url, body, headers);
      return `${r.status} ${r.body.toString('utf8').trim()}`;
    };
    expect(await status('x', { 'content-type': 'text/plain' })).toBe(
      '415 Content-Type must be application/x-protobuf or application/json',
    );
    expect(await status('{', { 'content-type': 'application/json' })).toMatch(
      /^400 \{"code":3,"message":"invalid JSON \(.*\)"\}$/,
    );
    expect(await status('{"data":[]}', { 'content-type': 'application/json' })).toBe(
      '400 {"code":3,"message":"not an OTLP trace export ({\\"resourceSpans\\":[…]})"}',
    );
    expect(await status('x', { 'content-type': 'application/json', 'content-encoding': 'br' })).toBe(
      '400 {"code":3,"message":"Content-Encoding br is not supported (gzip or none)"}',
    );
    expect(await status('not gzip', JSON_GZIP)).toBe('400 {"code":3,"message":"invalid gzip"}');
    const bad = await post(url, Buffer.from([0x0a, 0xff, 0xff, 0xff]), PROTO);
    expect(bad.status).toBe(400);
    // A google.rpc.Status: code 3 (INVALID_ARGUMENT), then the message.
    expect(bad.body.subarray(0, 2).toString('hex')).toBe('0803');
    expect(bad.body.toString('latin1')).toContain('not an OTLP ExportTraceServiceRequest');
    expect((await fetch(`${url}/v1/traces`)).status).toBe(405);
    expect((await fetch(`${url}/v1/logs`, { method: 'POST' })).status).toBe(404);
    // A body announced over 32 MiB is refused before it is read.
    const big = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${url}/v1/traces`, {
        method: 'POST',
        headers: { ...PROTO, 'content-length': String(40 * 1024 * 1024) },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.write('x');
    });
    expect(big).toBe(413);
  });

  it('applies back-pressure at --max-traces: 429 with Retry-After until traces complete', async () => {
    const traces = corpus(60);
    const { s, url } = await start({ maxTraces: 20, options: { ...options, horizonMs: 1000 } });
    // One request may take the receiver past the limit; the next is refused.
    expect((await post(url, protoBody(traces.slice(0, 30)), PROTO)).status).toBe(200);
    expect(s.tracesInFlight).toBeGreaterThanOrEqual(20);
    const refused = await post(url, protoBody(traces.slice(30)), PROTO);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(refused.body.subarray(0, 2).toString('hex')).toBe('0808'); // RESOURCE_EXHAUSTED
    const json = await post(url, JSON.stringify(otlpDocument(traces.slice(30).flat())), {
      'content-type': 'application/json',
    });
    expect(`${json.status} ${json.body.toString().trim()}`).toBe(
      '429 {"code":8,"message":"--max-traces 20 traces in flight"}',
    );
    // With no new spans, a horizon of wall time completes the traces in flight; then the exporter's retry is taken.
    await until(() => s.tracesInFlight === 0);
    expect((await post(url, protoBody(traces.slice(30)), PROTO)).status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('trace_health_serve_throttled_total 2\n');
    expect(metrics).toContain('trace_health_serve_requests_total{code="429"} 2\n');
    expect(metrics).toContain('trace_health_serve_traces_in_flight_limit 20\n');
    const a = await s.stop();
    expect(buildReport(a!)).toEqual(buildReport(offline(traces)));
  });

  it('reports its health and its own metrics for the platform running it', async () => {
    const traces = corpus(30);
    const { s, url } = await start();
    expect(await (await fetch(`${url}/healthz`)).text()).toBe('ok\n');
    await post(url, protoBody(traces), PROTO);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const spans = traces.flat().filter((x) => !x.ingestionReason).length;
    expect(metrics).toContain(`trace_health_serve_spans_received_total ${spans}\n`);
    expect(metrics).toContain('# TYPE trace_health_serve_traces_in_flight gauge\n');
    expect(metrics).toMatch(/^trace_health_serve_traces_in_flight [1-9][0-9]*$/m);
    // The /healthz request and the export.
    expect(metrics).toContain('trace_health_serve_requests_total{code="200"} 2\n');
    expect(metrics).toContain('trace_health_serve_spans_dropped_total 0\n');
    await s.stop();
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  describe('submission every interval', () => {
    let dd: FakeDatadog;
    let store: MetricsStore;
    // Submitting loads the Datadog API client (1.5–2 s alone, much longer on a loaded machine): once, up front.
    beforeAll(async () => {
      await import('../../src/collector/live');
    }, 120_000);
    beforeEach(async () => {
      store = metricsStore();
      dd = await FakeDatadog.start([metricsRoutes(store)]);
    });
    afterEach(async () => {
      await dd.stop();
    });
    const target = () => ({ baseUrl: dd.url, apiKey: API_KEY, appKey: '' });
    const submitting = (over: Partial<ServeParams> = {}) =>
      start({
        submit: true,
        target: target(),
        statePath: path.join(dir, 'state.json'),
        stateShown: 'state.json',
        options: { ...options, horizonMs: 1000 },
        ...over,
      });
    const sent = () => store.payloads.flatMap((p) => p.series);

    it('submits the traces finalized in each interval once, with the state advanced', async () => {
      const traces = corpus(200);
      const { s, url, io } = await submitting();
      await post(url, protoBody(traces.slice(0, 100)), PROTO);
      await until(() => s.tracesInFlight === 0);
      await s.submitNow();
      expect(store.payloads.length).toBe(1);
      await post(url, protoBody(traces.slice(100)), PROTO);
      await until(() => s.tracesInFlight === 0);
      await s.submitNow();
      // An interval without traces sends nothing.
      await s.submitNow();
      expect(store.payloads.length).toBe(2);
      expect(countSums(sent())).toEqual(countSums(buildSeries(offline(traces), 0, 60)));
      const [first, second] = store.payloads.map((p) => p.series[0]);
      expect(first.points[0].timestamp).toBeLessThanOrEqual(second.points[0].timestamp);
      const st = readState(path.join(dir, 'state.json'), 'state.json');
      expect(st.pending).toBeUndefined();
      expect(Date.now() - Date.parse(st.lastWindowEnd!)).toBeLessThan(60_000);
      expect(io.stderr).toMatch(/^submitted \d+ series in 1 payload\(s\) for /m);
    });

    it('a crash between save and send loses nothing and sends nothing twice', async () => {
      const traces = corpus(120);
      const first = await submitting({
        afterSave: () => {
          throw new Error('killed');
        },
      });
      await post(first.url, protoBody(traces), PROTO);
      await until(() => first.s.tracesInFlight === 0);
      await expect(first.s.submitNow()).rejects.toThrow('killed');
      await first.s.abort();
      expect(store.payloads).toEqual([]);
      const saved = readState(path.join(dir, 'state.json'), 'state.json');
      expect(saved.pending?.sent).toEqual([false]);

      // The next start sends the saved payload as it was, before it listens; later intervals do not repeat it.
      const { s, io } = await submitting();
      expect(store.payloads).toEqual([saved.pending!.payloads[0]]);
      await s.submitNow();
      expect(store.payloads.length).toBe(1);
      expect(countSums(sent())).toEqual(countSums(buildSeries(offline(traces), 0, 60)));
      expect(readState(path.join(dir, 'state.json'), 'state.json').pending).toBeUndefined();
      expect(io.stderr).toMatch(/^submitted \d+ series in 1 payload\(s\) for /m);
    });

    it('keeps a submission the intake refused and sends it with the next interval, counts accumulating meanwhile', async () => {
      const traces = corpus(120);
      dd.inject({ path: '/api/v2/series', status: 500, headers: { 'x-ratelimit-reset': '0' }, times: 4 });
      const { s, url, io } = await submitting();
      await post(url, protoBody(traces.slice(0, 60)), PROTO);
      await until(() => s.tracesInFlight === 0);
      await s.submitNow();
      expect(store.payloads).toEqual([]);
      expect(io.stderr).toMatch(
        /POST \/api\/v2\/series \(payload 1 of 1; kept in the state file for the next run\): HTTP 500/,
      );
      expect(await (await fetch(`${url}/metrics`)).text()).toContain('trace_health_serve_pending_submission 1\n');
      await post(url, protoBody(traces.slice(60)), PROTO);
      await until(() => s.tracesInFlight === 0);
      await s.submitNow();
      await s.submitNow();
      expect(store.payloads.length).toBe(2);
      expect(countSums(sent())).toEqual(countSums(buildSeries(offline(traces), 0, 60)));
    });

    it('a graceful restart saves the traces in flight and resumes them: nothing lost, nothing counted twice', async () => {
      const traces = corpus(150);
      // Every trace is split across the restart: its first half before, the rest after.
      const firstHalves = traces.map((t) => t.slice(0, Math.ceil(t.length / 2)));
      const secondHalves = traces.map((t) => t.slice(Math.ceil(t.length / 2))).filter((t) => t.length > 0);
      const before = await submitting({ options: { ...options, horizonMs: 600_000 } });
      await post(before.url, protoBody(firstHalves), PROTO);
      const inFlight = before.s.tracesInFlight;
      expect(inFlight).toBeGreaterThan(100);
      await before.s.stop();
      expect(before.io.stderr).toContain(`saved ${inFlight} traces in flight to state.json.spans.ndjson`);
      expect(fs.existsSync(spoolPath(path.join(dir, 'state.json')))).toBe(true);
      expect(store.payloads).toEqual([]);

      const after = await submitting();
      expect(after.io.stderr).toMatch(/^restored \d+ spans of traces in flight from state.json.spans.ndjson$/m);
      expect(fs.existsSync(spoolPath(path.join(dir, 'state.json')))).toBe(false);
      await post(after.url, protoBody(secondHalves), PROTO);
      await until(() => after.s.tracesInFlight === 0);
      await after.s.stop();
      expect(countSums(sent())).toEqual(countSums(buildSeries(offline(traces), 0, 60)));
    });

    it('without a state file, a stop counts the traces in flight and submits them', async () => {
      const traces = corpus(80);
      const { s, url } = await submitting({ statePath: undefined, options: { ...options, horizonMs: 600_000 } });
      await post(url, protoBody(traces), PROTO);
      await s.stop();
      expect(countSums(sent())).toEqual(countSums(buildSeries(offline(traces), 0, 60)));
    });
  });
});

describe('collect --serve: command line', () => {
  const run = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const io = memoryIo(env);
    const code = await main(['collect', ...args], io);
    return `${code} ${io.stderr.trim()}`;
  };

  it.each([
    [['--serve', '--input', 'x.json'], '2 trace-health: collect: --input and --serve exclude each other'],
    [
      ['--serve', '--listen', 'localhost'],
      '2 trace-health: --listen: "localhost" is not HOST:PORT (e.g. 127.0.0.1:4318, 0.0.0.0:4318, [::1]:0)',
    ],
    [
      ['--serve', '--listen', '127.0.0.1:70000'],
      '2 trace-health: --listen: "127.0.0.1:70000" is not HOST:PORT (e.g. 127.0.0.1:4318, 0.0.0.0:4318, [::1]:0)',
    ],
    [
      ['--serve', '--interval', '1 minute'],
      '2 trace-health: --interval: "1 minute" is not a duration (a whole number with ms, s, m or h: 60s, 10m)',
    ],
    [['--serve', '--interval', '10ms'], '2 trace-health: --interval: "10ms" is shorter than 1 s'],
    [
      ['--serve', '--horizon', '5'],
      '2 trace-health: --horizon: "5" is not a duration (a whole number with ms, s, m or h: 60s, 10m)',
    ],
    [['--serve', '--max-traces', '0'], '2 trace-health: --max-traces: "0" is not a positive integer'],
    [
      ['--serve', '--state', 's.json'],
      '2 trace-health: --state with --serve needs --submit: the state file records what was submitted',
    ],
    [
      ['--serve', '--submit'],
      '2 trace-health: DD_API_KEY is not set: collect --serve --submit reads the Datadog API key from the environment only',
    ],
    [['--input', 'x.json', '--listen', '127.0.0.1:0'], '2 trace-health: --listen only applies to --serve'],
    [['--input', 'x.json', '--max-traces', '5'], '2 trace-health: --max-traces only applies to --serve'],
    [
      ['--input', 'x.json', '--submit'],
      '2 trace-health: --submit needs --live or --serve: the metrics intake only accepts points from the last hour',
    ],
    [[], '2 trace-health: collect: pass --input FILES/FOLDERS, --live or --serve'],
  ])('fails when given %j', async (args, expected) => {
    expect(await run(args)).toBe(expected);
  });

  it('fails with the address when it is in use', async () => {
    const first = await OtlpServer.start({
      io: memoryIo(),
      options,
      host: '127.0.0.1',
      port: 0,
      intervalMs: 60_000,
      maxTraces: 10,
      instance: 'first',
      submit: false,
    });
    try {
      expect(await run(['--serve', '--listen', first.address])).toBe(
        `2 trace-health: --listen ${first.address}: cannot listen (address in use)`,
      );
    } finally {
      await first.abort();
    }
  });
});

/** The decoder's response as plain data: an int64 count as a number. */
function plainResponse(r: unknown): unknown {
  return JSON.parse(
    JSON.stringify(r, (key: string, v: unknown) => (key === 'rejectedSpans' ? Number(String(v)) : v)),
  ) as unknown;
}
