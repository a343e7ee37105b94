/**
 * Deterministic synthetic traces for the bundled example catalog, with known breakages — the source of
 * `examples/spans/` (see examples/spans/generate.ts) and of the collector benchmark. Same seed, same bytes.
 *
 * Breakages (what the collector must find):
 *   - inventory-api 3.1.0 (deployed half way through) loses the parent of its database spans: orphans;
 *   - auth-api → user-profile avatar lookups use an uninstrumented client: user-profile (which the catalog says
 *     auth-api calls) starts traces — unexpected roots;
 *   - checkout-api → payments-api: in ~1 in 4 checkouts the context is dropped on the call: the client span has no
 *     payments-api span below it (unpaired call) and payments-api starts its own trace;
 *   - search-api runs the Datadog tracer and an OpenTelemetry SDK side by side: two tracer families and
 *     double-instrumented server spans;
 *   - web-gateway 5.2.0 (deployed two thirds through) stops setting usr.id on its entry spans.
 * Plus spans kept without their trace (error sampler chunks, single spans) that must not count as orphans, and
 * ids above 2^53.
 */

export interface SyntheticSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentId: string | undefined;
  readonly service: string;
  readonly env: string;
  readonly version: string;
  readonly resource: string;
  readonly operation: string;
  readonly kind: 'server' | 'client' | 'producer' | 'consumer' | 'internal';
  readonly peerService?: string;
  readonly start: number;
  readonly durationMs: number;
  readonly error: boolean;
  readonly errorMessage?: string;
  readonly usrId?: string;
  readonly tracer: 'datadog' | 'opentelemetry';
  readonly ingestionReason?: string;
  readonly singleSpan?: boolean;
  /** More span attributes (flat keys). */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** mulberry32: tiny, fast, good enough for test data, and identical on every platform. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticOptions {
  readonly traces: number;
  readonly seed?: number;
  /** First trace start (ms). */
  readonly startMs?: number;
  /** Time covered by all traces (ms). */
  readonly spanMs?: number;
}

export const EXAMPLE_START_MS = Date.UTC(2026, 10, 28, 11, 0, 0);

/** Generate traces one at a time (memory stays at one trace), oldest first. */
export function* syntheticTraces(o: SyntheticOptions): Generator<SyntheticSpan[]> {
  const rand = mulberry32(o.seed ?? 42);
  const start0 = o.startMs ?? EXAMPLE_START_MS;
  const total = o.spanMs ?? 60 * 60 * 1000;
  // 64-bit decimal ids: most are above 2^53.
  const id = (): string =>
    ((BigInt(Math.floor(rand() * 0x100000000)) << 32n) | BigInt(Math.floor(rand() * 0x100000000)) | 1n).toString();

  for (let i = 0; i < o.traces; i++) {
    const progress = i / o.traces;
    const t0 = start0 + Math.floor(progress * total);
    const spans: SyntheticSpan[] = [];
    let traceId = id();
    const user = `u-${1000 + Math.floor(rand() * 9000)}`;
    let clock = t0;
    const add = (
      s: Omit<SyntheticSpan, 'traceId' | 'spanId' | 'env' | 'start' | 'durationMs' | 'error' | 'tracer'> &
        Partial<Pick<SyntheticSpan, 'error' | 'tracer' | 'traceId'>>,
    ): string => {
      const spanId = id();
      clock += 1 + Math.floor(rand() * 5);
      const error = s.error ?? rand() < 0.01;
      spans.push({
        traceId,
        spanId,
        env: 'prod',
        start: clock,
        durationMs: 5 + Math.floor(rand() * 200),
        tracer: 'datadog',
        ...s,
        error,
        ...(error ? { errorMessage: s.errorMessage ?? 'upstream timed out' } : {}),
      });
      return spanId;
    };
    const kindOfTrace = rand();
    const gatewayVersion = progress < 2 / 3 ? '5.1.0' : '5.2.0';
    const gatewayUser = gatewayVersion === '5.1.0' ? user : undefined;

    if (kindOfTrace < 0.45) {
      // Checkout.
      const gw = add({
        parentId: undefined,
        service: 'web-gateway',
        version: gatewayVersion,
        resource: 'POST /checkout',
        operation: 'http.request',
        kind: 'server',
        usrId: gatewayUser,
      });
      const gwc = add({
        parentId: gw,
        service: 'web-gateway',
        version: gatewayVersion,
        resource: 'POST /orders',
        operation: 'http.client.request',
        kind: 'client',
        peerService: 'checkout-api',
      });
      const co = add({
        parentId: gwc,
        service: 'checkout-api',
        version: '2.14.0',
        resource: 'POST /orders',
        operation: 'http.request',
        kind: 'server',
        usrId: user,
      });
      const cart = add({
        parentId: co,
        service: 'checkout-api',
        version: '2.14.0',
        resource: 'GET /carts/:id',
        operation: 'grpc.client',
        kind: 'client',
        peerService: 'cart-service',
      });
      add({
        parentId: cart,
        service: 'cart-service',
        version: '1.8.2',
        resource: 'GetCart',
        operation: 'grpc.server',
        kind: 'server',
        usrId: user,
      });
      const inv = add({
        parentId: co,
        service: 'checkout-api',
        version: '2.14.0',
        resource: 'POST /reservations',
        operation: 'http.client.request',
        kind: 'client',
        peerService: 'inventory-api',
      });
      const invVersion = progress < 0.5 ? '3.0.0' : '3.1.0';
      const invs = add({
        parentId: inv,
        service: 'inventory-api',
        version: invVersion,
        resource: 'POST /reservations',
        operation: 'http.request',
        kind: 'server',
        usrId: user,
      });
      // 3.1.0 runs its queries on a worker pool that drops the active span: their parent is never sent.
      add({
        parentId: invVersion === '3.1.0' ? id() : invs,
        service: 'inventory-api',
        version: invVersion,
        resource: 'UPDATE stock',
        operation: 'postgres.query',
        kind: 'client',
      });
      const pay = add({
        parentId: co,
        service: 'checkout-api',
        version: '2.14.0',
        resource: 'POST /payments',
        operation: 'http.client.request',
        kind: 'client',
        peerService: 'payments-api',
      });
      const checkoutTrace = traceId;
      const dropped = rand() < 0.25;
      if (dropped) traceId = id(); // payments-api starts a new trace: context lost on the edge
      const ps = add({
        parentId: dropped ? undefined : pay,
        service: 'payments-api',
        version: '4.2.1',
        resource: 'POST /payments',
        operation: 'http.request',
        kind: 'server',
        usrId: user,
      });
      const led = add({
        parentId: ps,
        service: 'payments-api',
        version: '4.2.1',
        resource: 'POST /entries',
        operation: 'http.client.request',
        kind: 'client',
        peerService: 'payments-ledger',
      });
      add({
        parentId: led,
        service: 'payments-ledger',
        version: '0.9.0',
        resource: 'POST /entries',
        operation: 'http.request',
        kind: 'server',
        usrId: user,
      });
      const fr = add({
        parentId: ps,
        service: 'payments-api',
        version: '4.2.1',
        resource: 'POST /score',
        operation: 'http.client.request',
        kind: 'client',
        peerService: 'fraud-scorer',
      });
      add({
        parentId: fr,
        service: 'fraud-scorer',
        version: '2.0.3',
        resource: 'POST /score',
        operation: 'http.request',
        kind: 'server',
        usrId: user,
      });
      traceId = checkoutTrace;
      add({
        parentId: co,
        service: 'checkout-api',
        version: '2.14.0',
        resource: 'orders-db',
        operation: 'postgres.query',
        kind: 'client',
        peerService: 'orders-db',
      });
      add({
        parentId: co,
        service: 'checkout-api',
        version: '2.14.0',
        resource: 'order-events',
        operation: 'kafka.produce',
        kind: 'producer',
        peerService: 'order-events',
      });
    } else if (kindOfTrace < 0.7) {
      // Login.
      const gw = add({
        parentId: undefined,
        service: 'web-gateway',
        version: gatewayVersion,
        resource: 'POST /login',
        operation: 'http.request',
        kind: 'server',
        usrId: gatewayUser,
      });
      const c = add({
        parentId: gw,
        service: 'web-gateway',
        version: gatewayVersion,
        resource: 'POST /sessions',
        operation: 'http.client.request',
        kind: 'client',
        peerService: 'auth-api',
      });
      const a = add({
        parentId: c,
        service: 'auth-api',
        version: '7.0.0',
        resource: 'POST /sessions',
        operation: 'http.request',
        kind: 'server',
        usrId: user,
      });
      if (rand() < 0.3) {
        // The avatar lookup uses a raw HTTP client nobody instrumented: user-profile gets no context and starts a
        // trace of its own, although the catalog says auth-api calls it.
        traceId = id();
        add({
          parentId: undefined,
          service: 'user-profile',
          version: '1.2.0',
          resource: 'GET /avatars/:id',
          operation: 'http.request',
          kind: 'server',
          usrId: user,
        });
      } else {
        const up = add({
          parentId: a,
          service: 'auth-api',
          version: '7.0.0',
          resource: 'GET /profiles/:id',
          operation: 'http.client.request',
          kind: 'client',
          peerService: 'user-profile',
        });
        add({
          parentId: up,
          service: 'user-profile',
          version: '1.2.0',
          resource: 'GET /profiles/:id',
          operation: 'http.request',
          kind: 'server',
          usrId: user,
        });
      }
    } else if (kindOfTrace < 0.9) {
      // Search: search-api runs dd-trace and an OpenTelemetry SDK at once; both instrument the HTTP server.
      const gw = add({
        parentId: undefined,
        service: 'web-gateway',
        version: gatewayVersion,
        resource: 'GET /search',
        operation: 'http.request',
        kind: 'server',
        usrId: gatewayUser,
      });
      const c = add({
        parentId: gw,
        service: 'web-gateway',
        version: gatewayVersion,
        resource: 'GET /search',
        operation: 'http.client.request',
        kind: 'client',
        peerService: 'search-api',
      });
      const outer = add({
        parentId: c,
        service: 'search-api',
        version: '0.31.0',
        resource: 'GET /search',
        operation: 'http.request',
        kind: 'server',
        usrId: user,
      });
      const inner = add({
        parentId: outer,
        service: 'search-api',
        version: '0.31.0',
        resource: 'GET /search',
        operation: 'GET /search',
        kind: 'server',
        tracer: 'opentelemetry',
        usrId: user,
      });
      const rc = add({
        parentId: inner,
        service: 'search-api',
        version: '0.31.0',
        resource: 'GET /recommendations',
        operation: 'GET',
        kind: 'client',
        tracer: 'opentelemetry',
        peerService: 'recommendations',
      });
      add({
        parentId: rc,
        service: 'recommendations',
        version: '3.3.0',
        resource: 'GET /recommendations',
        operation: 'http.request',
        kind: 'server',
        usrId: user,
      });
    } else if (kindOfTrace < 0.97) {
      // Background work: legit roots in services nobody calls.
      const svc = kindOfTrace < 0.93 ? 'notification-worker' : kindOfTrace < 0.95 ? 'billing' : 'legacy-batch';
      const root = add({
        parentId: undefined,
        service: svc,
        version: '1.0.0',
        resource: `${svc} job`,
        operation: 'worker.run',
        kind: 'consumer',
        usrId: 'system',
        ...(svc === 'billing' ? { attributes: { 'billing.account_id': `acct-${Math.floor(rand() * 500)}` } } : {}),
      });
      add({
        parentId: root,
        service: svc,
        version: '1.0.0',
        resource: 'SELECT',
        operation: 'postgres.query',
        kind: 'client',
      });
    } else if (kindOfTrace < 0.985) {
      // A local chunk kept by the error sampler: its parent lives in a trace that was not kept. Not an orphan.
      add({
        parentId: id(),
        service: 'payments-ledger',
        version: '0.9.0',
        resource: 'POST /entries',
        operation: 'http.request',
        kind: 'server',
        error: true,
        errorMessage: 'ledger locked',
        usrId: user,
        ingestionReason: 'error',
      } as never);
    } else {
      // A single span kept on its own (single-span ingestion rule).
      add({
        parentId: id(),
        service: 'billing',
        version: '1.0.0',
        resource: 'charge',
        operation: 'billing.charge',
        kind: 'internal',
        usrId: 'system',
        attributes: { 'billing.account_id': 'acct-1' },
        ingestionReason: 'single_span',
        singleSpan: true,
      } as never);
    }
    yield spans;
  }
}

const HEX_WIDTH = { trace: 32, span: 16 } as const;
const hex = (decimal: string, width: number) => BigInt(decimal).toString(16).padStart(width, '0');

/** A Datadog Spans API list item. */
export function datadogItem(s: SyntheticSpan): Record<string, unknown> {
  const custom: Record<string, unknown> = {
    version: s.version,
    operation_name: s.operation,
    status: s.error ? 'error' : 'ok',
    span: { kind: s.kind },
    duration: s.durationMs * 1e6,
  };
  if (s.peerService) custom.peer = { service: s.peerService };
  if (s.usrId) custom.usr = { id: s.usrId };
  if (s.errorMessage) custom.error = { message: s.errorMessage, type: 'TimeoutError' };
  for (const [k, v] of Object.entries(s.attributes ?? {})) custom[k] = v;
  if (s.tracer === 'opentelemetry') custom.otel = { scope: { name: '@opentelemetry/instrumentation-http' } };
  return {
    type: 'spans',
    id: s.spanId,
    attributes: {
      trace_id: s.traceId,
      span_id: s.spanId,
      parent_id: s.parentId ?? '0',
      service: s.service,
      env: s.env,
      host: `i-${s.service}`,
      resource_name: s.resource,
      start_timestamp: new Date(s.start).toISOString(),
      end_timestamp: new Date(s.start + s.durationMs).toISOString(),
      ingestion_reason: s.ingestionReason ?? 'rule',
      retained_by: s.ingestionReason ? 'retention_filter' : 'flat_sampled',
      single_span: s.singleSpan === true,
      tags: [`env:${s.env}`, `version:${s.version}`, `service:${s.service}`],
      type: 'web',
      custom,
    },
  };
}

const OTLP_KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

/** An OTLP JSON document for spans (spans kept without their trace have no OTLP equivalent and are left out). */
export function otlpDocument(spans: readonly SyntheticSpan[]): Record<string, unknown> {
  const byResource = new Map<string, SyntheticSpan[]>();
  for (const s of spans) {
    if (s.ingestionReason) continue;
    const key = `${s.service}\u0000${s.version}\u0000${s.env}\u0000${s.tracer}`;
    const list = byResource.get(key) ?? [];
    list.push(s);
    byResource.set(key, list);
  }
  const kv = (key: string, value: string) => ({ key, value: { stringValue: value } });
  return {
    resourceSpans: [...byResource.keys()].sort().map((key) => {
      const list = byResource.get(key)!;
      const f = list[0];
      return {
        resource: {
          attributes: [
            kv('service.name', f.service),
            kv('service.version', f.version),
            kv('deployment.environment', f.env),
          ],
        },
        scopeSpans: [
          {
            scope: {
              name: f.tracer === 'datadog' ? 'dd-trace-js' : '@opentelemetry/instrumentation-http',
              version: '1.0.0',
            },
            spans: list.map((s) => ({
              traceId: hex(s.traceId, HEX_WIDTH.trace),
              spanId: hex(s.spanId, HEX_WIDTH.span),
              parentSpanId: s.parentId ? hex(s.parentId, HEX_WIDTH.span) : '',
              name: s.operation,
              kind: OTLP_KIND[s.kind],
              startTimeUnixNano: `${s.start}000000`,
              endTimeUnixNano: `${s.start + s.durationMs}000000`,
              attributes: [
                kv('resource.name', s.resource),
                ...(s.peerService ? [kv('peer.service', s.peerService)] : []),
                ...(s.usrId ? [kv('usr.id', s.usrId)] : []),
                ...(s.errorMessage ? [kv('error.message', s.errorMessage)] : []),
                ...Object.entries(s.attributes ?? {}).map(([k, v]) => kv(k, v)),
              ],
              status: s.error ? { code: 2, message: s.errorMessage } : { code: 0 },
            })),
          },
        ],
      };
    }),
  };
}
