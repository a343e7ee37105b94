/**
 * `collect --serve`: an OTLP/HTTP trace receiver (`POST /v1/traces`, protobuf or JSON, optionally gzip) feeding
 * the same trace assembly and detectors as `--input` and `--live`, that submits the counts every interval.
 *
 * Behaviour the OpenTelemetry exporters rely on (OTLP specification, "OTLP/HTTP"): a success answers 200 with an
 * ExportTraceServiceResponse in the request's encoding (partial_success names spans that could not be read); a
 * bad request answers 400 with a google.rpc.Status, which exporters do not retry; 429 and 503 with Retry-After
 * are retried after that delay (https://opentelemetry.io/docs/specs/otlp/#otlphttp-throttling).
 *
 * Memory is bounded by `--max-traces`: while that many traces are in flight, requests are refused with 429 and
 * Retry-After (back-pressure: the exporter keeps the spans and sends them again) instead of growing the heap.
 *
 * Submission (`--submit`), every `--interval`: the traces finalized since the last interval are counted (one point
 * at the interval's end, `interval` = its length) and sent with the state-file protocol of `--live`: the payloads
 * are saved as pending before anything is sent and marked as Datadog accepts them, so a crash between save and
 * send neither loses nor repeats them (the next start sends what is pending). While a submission stays unsent the
 * counts keep accumulating into the next one. On SIGTERM the receiver stops accepting, the traces still in flight
 * are saved beside the state file (`<state>.spans.ndjson`) and restored on the next start, and the last interval
 * is submitted: a restart loses and repeats nothing. Without `--state`, the traces in flight are counted at exit.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import type { Io } from '../io';
import { writeFileAtomic } from '../fs-atomic';
import { UserError } from '../errors';
import { Analysis, AnalyzeOptions, Collector } from './analyze';
import type * as Live from './live';
import { Span, SpanSink } from './model';
import { emitOtlpDocument, isOtlpDocument } from './readers/otlp';
import { encodeExportResponse, encodeRpcStatus, ProtobufError, readOtlpProtobuf } from './readers/otlp-proto';
import { buildSeries, splitPayloads } from './series';
import type { ApiTarget } from './spans-api';
import { CollectorState, emptyState, PendingSubmission, readState, writeState } from './state';

/** v2 series intake: points may be at most 1 hour old (as live.ts; not imported from there, see `live()`). */
const MAX_POINT_AGE_MS = 60 * 60 * 1000;
/** A request body larger than this (compressed) is refused with 413. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** ... and so is one that inflates to more than this. */
export const MAX_INFLATED_BYTES = 128 * 1024 * 1024;
/** Retry-After (seconds) while too many traces are in flight or the receiver is shutting down. */
export const RETRY_AFTER_S = 5;
/** How often traces are finalized while no span arrives. */
const IDLE_SWEEP_MS = 1000;
/** How long a graceful stop waits for requests in progress. */
const DRAIN_MS = 10_000;
/** google.rpc.Code INVALID_ARGUMENT / RESOURCE_EXHAUSTED / UNAVAILABLE. */
const RPC = { invalid: 3, exhausted: 8, unavailable: 14 } as const;

export interface ServeParams {
  readonly io: Io;
  readonly options: AnalyzeOptions;
  readonly host: string;
  readonly port: number;
  readonly intervalMs: number;
  readonly maxTraces: number;
  /**
   * This instance's name, sent as the host resource of every series ("Host name is one of the resources in the
   * Resources field": https://docs.datadoghq.com/api/latest/metrics/submit-metrics/): several instances (shards)
   * then never write a point of the same series and timestamp. What Datadog does with two such points is not
   * documented; the reading under which counts still add up is that only the last is kept, so none are sent.
   */
  readonly instance: string;
  readonly submit: boolean;
  /** Where to submit (API key from the environment); required with `submit`. */
  readonly target?: ApiTarget;
  readonly statePath?: string;
  readonly stateShown?: string;
  readonly timeoutMs?: number;
  /** Test seam: runs after a pending submission is saved and before anything is sent. */
  readonly afterSave?: () => void;
}

/** Counters for `/metrics`. */
export interface ServeStats {
  requests: Map<number, number>;
  spansReceived: number;
  spansRejected: number;
  throttled: number;
  submissions: number;
  submitFailures: number;
  lastSubmitMs: number;
}

/** The submission code of --live, loaded when first needed: it loads the API client (1.5–2 s). */
function live(): typeof Live {
  return require('./live') as typeof Live;
}

/** `<state>.spans.ndjson`: the traces in flight when the receiver stopped, restored on the next start. */
export function spoolPath(statePath: string): string {
  return `${statePath}.spans.ndjson`;
}

export class OtlpServer {
  readonly stats: ServeStats = {
    requests: new Map(),
    spansReceived: 0,
    spansRejected: 0,
    throttled: 0,
    submissions: 0,
    submitFailures: 0,
    lastSubmitMs: 0,
  };
  /** `HOST:PORT` actually listened on (port 0 resolved). */
  address = '';
  private readonly collector: Collector;
  private readonly server: http.Server;
  private state: CollectorState;
  private windowStart: number;
  private lastSpanAt = Date.now();
  private draining = false;
  private stopped = false;
  private ticking: Promise<void> | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private requestNo = 0;

  private constructor(private readonly p: ServeParams) {
    this.collector = new Collector({ ...p.options, streaming: true, window: undefined });
    this.state = p.statePath ? readState(p.statePath, p.stateShown ?? p.statePath) : emptyState();
    this.windowStart = this.resumeFrom();
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
  }

  /** Read the state (sending what a previous run left pending), restore the spooled traces, then listen. */
  static async start(p: ServeParams): Promise<OtlpServer> {
    if (p.submit && !p.target) throw new Error('serve: submit needs a target');
    const s = new OtlpServer(p);
    if (s.state.pending) {
      if (!p.submit) p.io.err(`${p.stateShown}: a previous run left metrics unsent; run with --submit to send them`);
      else await s.flush(s.state.pending);
      s.windowStart = s.resumeFrom();
    }
    s.restoreSpool();
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', (e: NodeJS.ErrnoException) =>
        reject(
          new UserError(
            `--listen ${p.host}:${p.port}: cannot listen (${e.code === 'EADDRINUSE' ? 'address in use' : (e.code ?? e.message)})`,
          ),
        ),
      );
      s.server.listen(p.port, p.host, () => resolve());
    });
    const addr = s.server.address() as AddressInfo;
    s.address = `${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
    s.timers.push(setInterval(() => s.collector.idle(Date.now() - s.lastSpanAt), IDLE_SWEEP_MS));
    if (p.submit) s.timers.push(setInterval(() => void s.tick(), p.intervalMs));
    for (const t of s.timers) t.unref();
    return s;
  }

  /** The first interval starts where the last one submitted ended, if that is recent enough to submit; else now. */
  private resumeFrom(): number {
    const last = this.state.lastWindowEnd === undefined ? NaN : Date.parse(this.state.lastWindowEnd);
    return Date.now() - last < MAX_POINT_AGE_MS ? last : Date.now();
  }

  get tracesInFlight(): number {
    return this.collector.tracesInFlight;
  }

  /**
   * Graceful stop: refuse new requests (503), let those in progress finish, then save or count the traces in
   * flight and submit the last interval. Without `--submit`, returns the analysis of the whole run.
   */
  async stop(): Promise<Analysis | undefined> {
    if (this.stopped) return undefined;
    this.draining = true;
    await this.closeServer();
    for (const t of this.timers) clearInterval(t);
    await this.ticking;
    this.stopped = true;
    if (!this.p.submit) return this.collector.finish();
    if (this.p.statePath) this.saveSpool();
    else this.collector.finish();
    await this.tick(true);
    return undefined;
  }

  /** Stop at once, saving and submitting nothing (what a crash leaves behind; for tests). */
  async abort(): Promise<void> {
    this.draining = true;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async closeServer(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const timer = setTimeout(() => this.server.closeAllConnections(), DRAIN_MS);
    await closed;
    clearTimeout(timer);
  }

  // --- submission -------------------------------------------------------------------------------------------------

  private save(s: CollectorState): void {
    this.state = s;
    if (this.p.statePath) writeState(this.p.statePath, s);
  }

  /** Send a pending submission; false (logged, kept in the state) when the intake did not take it. */
  private async flush(pending: PendingSubmission): Promise<boolean> {
    try {
      await live().flushPending(
        { io: this.p.io, now: Date.now(), stateShown: this.p.stateShown, timeoutMs: this.p.timeoutMs },
        this.p.target!,
        pending,
        (s) => this.save(s),
        () => this.state,
      );
      this.stats.submissions++;
      this.stats.lastSubmitMs = Date.now();
      return true;
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      this.stats.submitFailures++;
      this.p.io.err(e.message);
      return false;
    }
  }

  /** Submit now (what the interval timer does); for tests. */
  submitNow(): Promise<void> {
    return this.tick();
  }

  /** One interval: finish what is pending, then count the traces finalized since the last cut and send them. */
  private tick(final = false): Promise<void> {
    if (this.ticking) return this.ticking;
    const run = async () => {
      if (this.state.pending && !(await this.flush(this.state.pending))) return;
      const to = Date.now();
      const from = this.windowStart;
      const analysis = this.collector.cut();
      this.windowStart = to;
      // One point per series and second at most, also for a stop right after an interval or a quick restart.
      const last = this.state.lastWindowEnd === undefined ? 0 : Math.floor(Date.parse(this.state.lastWindowEnd) / 1000);
      const timestamp = Math.max(Math.floor(to / 1000), last + 1);
      const resources = [{ name: this.p.instance, type: 'host' as const }];
      const payloads = splitPayloads(
        buildSeries(analysis, timestamp, Math.max(1, Math.round((to - from) / 1000))).map((s) => ({ ...s, resources })),
      );
      const window = { from: new Date(from).toISOString(), to: new Date(timestamp * 1000).toISOString() };
      if (payloads.length === 0) {
        this.save({ ...live().withoutPending(this.state), lastWindowEnd: window.to });
        return;
      }
      const pending: PendingSubmission = { window, payloads, sent: payloads.map(() => false) };
      this.save({ ...this.state, pending });
      this.p.afterSave?.();
      await this.flush(pending);
      if (final && this.state.pending)
        this.p.io.err(`${this.p.stateShown ?? 'metrics'}: the last interval was not sent; the next start sends it`);
    };
    this.ticking = run().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  // --- spool of traces in flight ----------------------------------------------------------------------------------

  private saveSpool(): void {
    const traces = this.collector.drain();
    if (traces.length === 0) return;
    const lines: string[] = [];
    for (const t of traces) for (const s of t) lines.push(JSON.stringify(s));
    writeFileAtomic(spoolPath(this.p.statePath!), `${lines.join('\n')}\n`);
    this.p.io.err(`saved ${traces.length} traces in flight to ${spoolPath(this.p.stateShown ?? this.p.statePath!)}`);
  }

  private restoreSpool(): void {
    if (!this.p.statePath) return;
    const file = spoolPath(this.p.statePath);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new UserError(
        `${spoolPath(this.p.stateShown ?? file)}: cannot read (${(e as NodeJS.ErrnoException).code})`,
      );
    }
    let n = 0;
    for (const [i, line] of text.split('\n').entries()) {
      if (line === '') continue;
      let span: Span;
      try {
        span = JSON.parse(line) as Span;
      } catch {
        throw new UserError(
          `${spoolPath(this.p.stateShown ?? file)}:${i + 1}: invalid JSON; delete the file to start over`,
        );
      }
      this.collector.restore(span);
      n++;
    }
    // Removed once restored: from here these traces live in memory again, like any other.
    fs.rmSync(file);
    this.p.io.err(`restored ${n} spans of traces in flight from ${spoolPath(this.p.stateShown ?? file)}`);
  }

  // --- HTTP -------------------------------------------------------------------------------------------------------

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD'))
      return this.reply(res, this.draining ? 503 : 200, 'text/plain', this.draining ? 'draining\n' : 'ok\n');
    if (path === '/metrics' && req.method === 'GET')
      return this.reply(res, 200, 'text/plain; version=0.0.4', this.metricsText());
    if (path !== '/v1/traces') return this.reply(res, 404, 'text/plain', 'not found\n');
    if (req.method !== 'POST') return this.reply(res, 405, 'text/plain', 'POST only\n', { allow: 'POST' });

    const type = String(req.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    const proto = type === 'application/x-protobuf';
    if (!proto && type !== 'application/json') {
      req.resume();
      return this.reply(res, 415, 'text/plain', 'Content-Type must be application/x-protobuf or application/json\n');
    }
    if (this.draining) return this.refuse(req, res, proto, 503, RPC.unavailable, 'shutting down');
    if (this.collector.tracesInFlight >= this.p.maxTraces) {
      this.stats.throttled++;
      return this.refuse(req, res, proto, 429, RPC.exhausted, `--max-traces ${this.p.maxTraces} traces in flight`);
    }
    const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'gzip' && encoding !== 'identity') {
      req.resume();
      return this.error(res, proto, 400, `Content-Encoding ${encoding} is not supported (gzip or none)`);
    }
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > MAX_BODY_BYTES) {
      req.resume();
      return this.error(res, proto, 413, `body over ${MAX_BODY_BYTES} bytes`, { connection: 'close' });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (tooLarge) return this.error(res, proto, 413, `body over ${MAX_BODY_BYTES} bytes`, { connection: 'close' });
      this.receive(Buffer.concat(chunks, size), encoding === 'gzip', proto, res);
    });
    req.on('error', () => res.destroy());
  }

  private receive(raw: Buffer, gzip: boolean, proto: boolean, res: http.ServerResponse): void {
    let body = raw;
    if (gzip) {
      try {
        body = zlib.gunzipSync(raw, { maxOutputLength: MAX_INFLATED_BYTES });
      } catch (e) {
        const big = (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
        return this.error(
          res,
          proto,
          big ? 413 : 400,
          big ? `inflates to over ${MAX_INFLATED_BYTES} bytes` : 'invalid gzip',
        );
      }
    }
    const origin = `request ${++this.requestNo}`;
    let spans = 0;
    let rejected = 0;
    let firstRejection: string | undefined;
    const target = this.collector.sink;
    const sink: SpanSink = {
      span: (s) => {
        spans++;
        target.span(s);
      },
      malformed: (reason, where) => {
        rejected++;
        firstRejection ??= `${where}: ${reason}`;
        target.malformed(reason, where);
      },
    };
    try {
      if (proto) readOtlpProtobuf(body, origin, sink);
      else {
        let doc: unknown;
        try {
          doc = JSON.parse(body.toString('utf8'));
        } catch (e) {
          return this.error(res, proto, 400, `invalid JSON (${(e as Error).message})`);
        }
        if (!isOtlpDocument(doc))
          return this.error(res, proto, 400, 'not an OTLP trace export ({"resourceSpans":[…]})');
        emitOtlpDocument(doc, origin, sink);
      }
    } catch (e) {
      if (e instanceof ProtobufError) return this.error(res, proto, 400, e.message);
      throw e;
    }
    this.collector.settle();
    this.stats.spansReceived += spans;
    this.stats.spansRejected += rejected;
    if (spans > 0) this.lastSpanAt = Date.now();
    const message = rejected > 0 ? `${rejected} spans rejected; first: ${firstRejection}` : '';
    if (proto)
      return this.reply(res, 200, 'application/x-protobuf', Buffer.from(encodeExportResponse(rejected, message)));
    const json = rejected > 0 ? { partialSuccess: { rejectedSpans: String(rejected), errorMessage: message } } : {};
    return this.reply(res, 200, 'application/json', `${JSON.stringify(json)}\n`);
  }

  private refuse(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    proto: boolean,
    status: 429 | 503,
    code: number,
    message: string,
  ): void {
    req.resume();
    this.status(res, proto, status, code, message, { 'retry-after': String(RETRY_AFTER_S) });
  }

  private error(res: http.ServerResponse, proto: boolean, status: number, message: string, headers = {}): void {
    this.status(res, proto, status, RPC.invalid, message, headers);
  }

  private status(
    res: http.ServerResponse,
    proto: boolean,
    status: number,
    code: number,
    message: string,
    headers: Record<string, string>,
  ): void {
    if (proto) this.reply(res, status, 'application/x-protobuf', Buffer.from(encodeRpcStatus(code, message)), headers);
    else this.reply(res, status, 'application/json', `${JSON.stringify({ code, message })}\n`, headers);
  }

  private reply(
    res: http.ServerResponse,
    status: number,
    type: string,
    body: string | Buffer,
    headers: Record<string, string> = {},
  ): void {
    this.stats.requests.set(status, (this.stats.requests.get(status) ?? 0) + 1);
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  }

  /** Prometheus text exposition format 0.0.4. */
  private metricsText(): string {
    const lines: string[] = [];
    const metric = (name: string, type: 'counter' | 'gauge', help: string, values: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, v] of values) lines.push(`${name}${labels} ${v}`);
    };
    const codes = [...this.stats.requests.keys()].sort((a, b) => a - b);
    metric(
      'trace_health_serve_requests_total',
      'counter',
      'HTTP requests answered, by status code.',
      codes.map((c) => [`{code="${c}"}`, this.stats.requests.get(c)!]),
    );
    const s = this.stats;
    metric('trace_health_serve_spans_received_total', 'counter', 'Spans read from export requests.', [
      ['', s.spansReceived],
    ]);
    metric('trace_health_serve_spans_rejected_total', 'counter', 'Spans dropped as malformed when received.', [
      ['', s.spansRejected],
    ]);
    metric(
      'trace_health_serve_spans_dropped_total',
      'counter',
      'Spans dropped: malformed, or late for a finalized trace.',
      [['', this.collector.malformedTotal]],
    );
    metric('trace_health_serve_traces_finalized_total', 'counter', 'Traces completed and counted.', [
      ['', this.collector.tracesFinalized],
    ]);
    metric('trace_health_serve_traces_in_flight', 'gauge', 'Traces held in memory, waiting to complete.', [
      ['', this.collector.tracesInFlight],
    ]);
    metric('trace_health_serve_traces_in_flight_limit', 'gauge', 'The --max-traces limit.', [['', this.p.maxTraces]]);
    metric(
      'trace_health_serve_throttled_total',
      'counter',
      'Export requests refused with 429 (--max-traces reached).',
      [['', s.throttled]],
    );
    metric('trace_health_serve_submissions_total', 'counter', 'Interval submissions Datadog accepted.', [
      ['', s.submissions],
    ]);
    metric('trace_health_serve_submit_failures_total', 'counter', 'Interval submissions kept for a retry.', [
      ['', s.submitFailures],
    ]);
    metric('trace_health_serve_pending_submission', 'gauge', '1 while a submission waits to be sent.', [
      ['', this.state.pending ? 1 : 0],
    ]);
    return `${lines.join('\n')}\n`;
  }
}
