/**
 * A local fake of Datadog's HTTP API for tests: real HTTP on 127.0.0.1 (never another address), every request
 * recorded, faults injectable (429 with `x-ratelimit-reset`, 5xx, slow or truncated responses).
 *
 * Endpoints are added by plugins (`routes/*.ts`), so each test starts only what it needs:
 *
 *   const dd = await FakeDatadog.start([spansRoutes(store)]);
 *   process.env.DD_HOST = dd.url;
 *   ...
 *   await dd.stop();
 */
import zlib from 'node:zlib';
import Fastify, { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON body when there was one (gzip/deflate bodies are decoded first). */
  readonly body: unknown;
  /** Status the fake answered with. */
  status: number;
}

export interface Fault {
  readonly method?: string;
  /** Matches the path exactly (string) or by pattern. */
  readonly path?: string | RegExp;
  /** How many matching requests get this fault (default 1). */
  times?: number;
  /** Status to answer instead of the real handler (e.g. 429, 500, 503). Omit to answer normally after delayMs. */
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** Wait this long before answering. */
  readonly delayMs?: number;
  /** Answer with the real handler's body cut in half (invalid JSON), status 200. */
  readonly truncate?: boolean;
}

/** A plugin registers routes on the fastify instance; `dd` gives access to shared state. */
export type FakePlugin = (app: FastifyInstance, dd: FakeDatadog) => void;

export class FakeDatadog {
  readonly requests: RecordedRequest[] = [];
  private readonly faults: Fault[] = [];
  /** `http://127.0.0.1:PORT`, set once listening. */
  url = '';
  /** Free-form state shared between plugins (stores of monitors, spans, …). */
  readonly state: Record<string, unknown> = {};
  private constructor(private readonly app: FastifyInstance) {}

  static async start(
    plugins: readonly FakePlugin[] = [],
    opts: { port?: number; host?: string } = {},
  ): Promise<FakeDatadog> {
    const host = opts.host ?? '127.0.0.1';
    if (!/^127\.|^localhost$|^::1$/.test(host))
      throw new Error(`the fake Datadog API only listens on loopback, not ${host}`);
    const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 });
    const dd = new FakeDatadog(app);

    // Accept any content type as a raw buffer; decode JSON (possibly gzip/deflate-compressed) ourselves so that
    // the fake sees exactly what a client sent.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
      const rec: RecordedRequest = {
        method: req.method,
        path: req.url.split('?')[0],
        query: Object.fromEntries(new URL(req.url, 'http://x').searchParams.entries()),
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        body: decodeBody(req),
        status: 0,
      };
      (req as FastifyRequest & { parsedBody?: unknown }).parsedBody = rec.body;
      dd.requests.push(rec);
      (reply as FastifyReply & { record?: RecordedRequest }).record = rec;
      const fault = dd.takeFault(rec);
      if (!fault) return;
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.status !== undefined) {
        rec.status = fault.status;
        reply.code(fault.status).headers(fault.headers ?? {});
        return reply.send(fault.body ?? { errors: [`injected ${fault.status}`] });
      }
      if (fault.truncate) (reply as FastifyReply & { truncate?: boolean }).truncate = true;
    });

    app.addHook('onSend', async (_req, reply, payload) => {
      const r = reply as FastifyReply & { record?: RecordedRequest; truncate?: boolean };
      if (r.record && r.record.status === 0) r.record.status = reply.statusCode;
      if (r.truncate && typeof payload === 'string') return payload.slice(0, Math.floor(payload.length / 2));
      return payload;
    });

    // The endpoint every Datadog client calls first to check the API key.
    app.get('/api/v1/validate', async () => ({ valid: true }));

    for (const plugin of plugins) plugin(app, dd);
    await app.listen({ port: opts.port ?? 0, host });
    const addr = app.server.address();
    if (!addr || typeof addr === 'string') throw new Error('fake Datadog API: no address');
    dd.url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
    return dd;
  }

  /** Answer the next `times` requests matching `fault` with it (first registered, first used). */
  inject(fault: Fault): void {
    this.faults.push({ ...fault, times: fault.times ?? 1 });
  }

  /** Requests matching a method and path (string: exact; RegExp: pattern). */
  requestsTo(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && matchPath(path, r.path));
  }

  async stop(): Promise<void> {
    await this.app.close();
  }

  private takeFault(rec: RecordedRequest): Fault | undefined {
    const i = this.faults.findIndex(
      (f) =>
        (f.method === undefined || f.method === rec.method) && (f.path === undefined || matchPath(f.path, rec.path)),
    );
    if (i < 0) return undefined;
    const f = this.faults[i];
    f.times = (f.times ?? 1) - 1;
    if (f.times <= 0) this.faults.splice(i, 1);
    return f;
  }
}

function matchPath(want: string | RegExp, path: string): boolean {
  return typeof want === 'string' ? want === path : want.test(path);
}

function decodeBody(req: FastifyRequest): unknown {
  const raw = req.body;
  if (!Buffer.isBuffer(raw) || raw.length === 0) return undefined;
  const enc = String(req.headers['content-encoding'] ?? '');
  let buf = raw;
  if (enc === 'gzip') buf = zlib.gunzipSync(raw);
  else if (enc === 'deflate') buf = zlib.inflateSync(raw);
  const text = buf.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The decoded JSON body of a request inside a route handler. */
export function bodyOf<T = unknown>(req: FastifyRequest): T {
  return (req as FastifyRequest & { parsedBody?: unknown }).parsedBody as T;
}

/** The DD-API-KEY / DD-APPLICATION-KEY values a route requires. */
export interface DatadogKeys {
  readonly apiKey: string;
  readonly appKey: string;
}

/** Whether a request carries `keys` (any, or none, when unset); answers 403 Forbidden when it does not. */
export function authorized(keys: DatadogKeys | undefined, req: FastifyRequest, reply: FastifyReply): boolean {
  if (!keys) return true;
  if (req.headers['dd-api-key'] === keys.apiKey && req.headers['dd-application-key'] === keys.appKey) return true;
  reply.code(403).send({ errors: ['Forbidden'] });
  return false;
}
