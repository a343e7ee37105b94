/**
 * Fake Spans API list endpoints, shaped like the real ones (paths, parameters and bodies as in
 * @datadog/datadog-api-client's SpansApi.listSpans / listSpansGet and Datadog's API reference):
 *
 * - `POST /api/v2/spans/events/search` with `{data:{type:"search_request", attributes:{filter:{query,from,to},
 *   sort, page:{limit, cursor}}}}`;
 * - `GET /api/v2/spans/events?filter[query]&filter[from]&filter[to]&sort&page[cursor]&page[limit]`.
 *
 * Both answer `{data:[{type:"spans", id, attributes}], meta:{page:{after}}, links}`; `after` is absent on the last
 * page. The search body is read with the API client's `SpansListRequest` model (400 in the JSON:API error shape
 * otherwise). Spans are filtered by `start_timestamp` in [from, to) and sorted by it (`-timestamp`: newest first);
 * the query text is recorded, not evaluated. Ids stay the strings the store holds. Checks keys when `store.keys` is set.
 */
import type { FastifyInstance } from 'fastify';
import type { DatadogKeys, FakeDatadog, FakePlugin } from '../server';
import { modelCheck, requestBody } from '../api-models';
import { authorized } from '../server';

export interface SpansStore {
  /** Spans API list items (`{type:"spans", attributes:{…}}`). */
  spans: { type?: string; id?: string; attributes: Record<string, unknown> }[];
  /** Queries received, in order. */
  readonly queries: string[];
  keys?: DatadogKeys;
  /** Page size cap (Datadog: 1,000). */
  maxLimit?: number;
  /**
   * Answer page `page` (1-based) partially `times` times: half its spans, with `meta.status` and `meta.warnings` as
   * given (Datadog: status "timeout", or warnings, "partial results might be returned").
   */
  partial?: {
    page: number;
    times: number;
    status?: 'timeout';
    warnings?: { code: string; title: string; detail: string }[];
  };
}

export function spansStore(spans: SpansStore['spans'] = []): SpansStore {
  return { spans, queries: [] };
}

function timeOf(v: unknown, fallback: number): number {
  if (typeof v !== 'string' || v === '') return fallback;
  if (/^\d+$/.test(v)) return Number(v);
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : fallback;
}

function list(
  store: SpansStore,
  q: { query?: string; from?: string; to?: string; sort?: string; cursor?: string; limit?: number },
) {
  store.queries.push(q.query ?? '*');
  const from = timeOf(q.from, -Infinity);
  const to = timeOf(q.to, Infinity);
  const desc = q.sort === '-timestamp';
  const matching = store.spans
    .filter((s) => {
      const t = Date.parse(String(s.attributes.start_timestamp));
      return t >= from && t < to;
    })
    .sort((a, b) => {
      const d = Date.parse(String(a.attributes.start_timestamp)) - Date.parse(String(b.attributes.start_timestamp));
      return desc ? -d : d;
    });
  const limit = Math.min(q.limit ?? 10, store.maxLimit ?? 1000);
  const offset = q.cursor ? Number(Buffer.from(q.cursor, 'base64url').toString()) : 0;
  let data = matching.slice(offset, offset + limit).map((s) => ({ type: 'spans', id: s.id, ...s }));
  const next = offset + limit < matching.length ? Buffer.from(String(offset + limit)).toString('base64url') : undefined;
  const p = store.partial;
  const partial = p !== undefined && p.times > 0 && Math.floor(offset / limit) + 1 === p.page;
  if (partial) {
    p.times--;
    data = data.filter((_, i) => i % 2 === 0);
  }
  return {
    data,
    meta: {
      elapsed: 1,
      page: next ? { after: next } : {},
      request_id: 'fake',
      status: partial ? (p.status ?? 'done') : 'done',
      ...(partial && p.warnings ? { warnings: p.warnings } : {}),
    },
    links: next ? { next: `/api/v2/spans/events?page[cursor]=${next}` } : {},
  };
}

export function spansRoutes(store: SpansStore): FakePlugin {
  return (app: FastifyInstance, _dd: FakeDatadog) => {
    app.post('/api/v2/spans/events/search', async (req, reply) => {
      if (!authorized(store.keys, req, reply)) return reply;
      // SpansApi.listSpans reads a 400 as JSONAPIErrorResponse (the client's response processor).
      const body = requestBody<{
        data?: {
          attributes?: {
            filter?: { query?: string; from?: string; to?: string };
            sort?: string;
            page?: { cursor?: string; limit?: number };
          };
        };
      }>(req, reply, modelCheck('v2', 'SpansListRequest'), 'JSONAPIErrorResponse');
      if (!body) return reply;
      const a = body.data?.attributes ?? {};
      return list(store, { ...a.filter, sort: a.sort, cursor: a.page?.cursor, limit: a.page?.limit });
    });
    app.get('/api/v2/spans/events', async (req, reply) => {
      if (!authorized(store.keys, req, reply)) return reply;
      const q = req.query as Record<string, string | undefined>;
      return list(store, {
        query: q['filter[query]'],
        from: q['filter[from]'],
        to: q['filter[to]'],
        sort: q.sort,
        cursor: q['page[cursor]'],
        limit: q['page[limit]'] ? Number(q['page[limit]']) : undefined,
      });
    });
  };
}
