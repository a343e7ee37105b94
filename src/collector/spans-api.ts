/**
 * The Datadog API as the collector uses it: `SpansApi.listSpans` (POST /api/v2/spans/events/search, cursor
 * pagination, at most 1,000 spans per page, 300 requests per hour), `MetricsApi.submitMetrics`
 * (POST /api/v2/series) and, for deploy markers, v1 `EventsApi.createEvent` (POST /api/v1/events).
 *
 * Retries are the API client's own (`enableRetry`): it retries 429 and 5xx, waiting `x-ratelimit-reset` seconds
 * when the response says so and 2 s, 4 s, 8 s… otherwise. Around it, our `fetch` adds what the client lacks: a
 * timeout per request, retries of timeouts and network errors (not of a refused connection or an unknown host:
 * those fail at once, naming the cause), a request budget that counts every attempt (retries included), and the raw
 * body of each page, so spans go through the same big-id-safe reader as files.
 */
import {
  ApiException,
  BaseServerConfiguration,
  createConfiguration,
  IsomorphicFetchHttpLibrary,
} from '@datadog/datadog-api-client/dist/packages/datadog-api-client-common';
import type { EventsApi } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1';
import { MetricsApi, SpansApi } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v2';
import { describeNetworkError } from '../datadog/network-error';
import { apiUrl } from '../datadog/site';
import { UserError } from '../errors';
import { pageIncompleteReason } from './readers/datadog';

export { DEFAULT_MAX_REQUESTS } from './limits';
export const PAGE_LIMIT = 1000;
const DEFAULT_TIMEOUT_MS = 30_000;
const NETWORK_RETRIES = 2;
/** Status our fetch answers with (never sent by Datadog) when it stops on its own: the client neither retries nor logs it. */
const STOPPED_STATUS = 499;

/** The API failed after retries (exit 1), in one line that never contains the keys. */
export class LiveFailed extends UserError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'LiveFailed';
  }
}

export interface ApiTarget {
  /** `https://api.datadoghq.eu`, or DD_HOST. */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly appKey: string;
}

/** DD_HOST wins over DD_SITE, which wins over the policy site. Keys from the environment only. */
export function apiTarget(env: NodeJS.ProcessEnv, site: string, needAppKey: boolean): ApiTarget {
  const missing = ['DD_API_KEY', ...(needAppKey ? ['DD_APP_KEY'] : [])].filter((k) => !env[k]?.trim());
  if (missing.length)
    throw new UserError(
      `${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set: collect --live reads the Datadog API key ` +
        '(and, to search spans, an application key with the apm_read scope) from the environment only',
    );
  const host = env.DD_HOST?.trim();
  const baseUrl = host ? (/^https?:\/\//.test(host) ? host : `https://${host}`).replace(/\/+$/, '') : apiUrl(site);
  return { baseUrl, apiKey: env.DD_API_KEY!.trim(), appKey: env.DD_APP_KEY?.trim() ?? '' };
}

export interface HttpStats {
  requests: number;
  retries: number;
}

/** `fetch` for the API client: budget, timeout, network retries, raw body capture. */
class BudgetedFetch {
  readonly stats: HttpStats = { requests: 0, retries: 0 };
  lastText: string | undefined;
  stopped: 'budget' | 'network' | undefined;
  lastNetworkError: string | undefined;
  constructor(
    private readonly maxRequests: number,
    private readonly timeoutMs: number,
  ) {}

  readonly fetch = async (url: string, init: RequestInit & { body?: unknown }): Promise<Response> => {
    for (let attempt = 0; ; attempt++) {
      if (this.stats.requests >= this.maxRequests) {
        // Out of budget while retrying a network error: the error is the news, not the budget.
        this.stopped = attempt > 0 && this.lastNetworkError !== undefined ? 'network' : 'budget';
        return new Response('{"errors":["request budget exhausted"]}', { status: STOPPED_STATUS });
      }
      this.stats.requests++;
      if (attempt > 0) this.stats.retries++;
      this.lastNetworkError = undefined;
      try {
        const res = await fetch(url, {
          method: init.method,
          headers: init.headers,
          body: init.body as string | Buffer | undefined,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        const text = await res.text();
        if (res.status === 429 || res.status >= 500) this.stats.retries++;
        this.lastText = text;
        return new Response(text, { status: res.status, headers: res.headers });
      } catch (e) {
        // `cannot reach http://127.0.0.1:9: connection refused (ECONNREFUSED)`: the cause, not fetch's TypeError.
        const failure = describeNetworkError(e, url, this.timeoutMs);
        this.lastNetworkError = failure.message;
        if (failure.permanent || attempt >= NETWORK_RETRIES) {
          this.stopped = 'network';
          return new Response('{"errors":["network"]}', { status: STOPPED_STATUS });
        }
      }
    }
  };
}

export interface DatadogClient {
  readonly spans: SpansApi;
  readonly metrics: MetricsApi;
  /** v1 events, on the same fetch (budget, timeout, retries); the v1 package loads on first use (≈0.5 s). */
  readonly events: EventsApi;
  readonly http: BudgetedFetch;
}

export function datadogClient(target: ApiTarget, maxRequests: number, timeoutMs = DEFAULT_TIMEOUT_MS): DatadogClient {
  const http = new BudgetedFetch(maxRequests, timeoutMs);
  const configuration = createConfiguration({
    baseServer: new BaseServerConfiguration(target.baseUrl, {}),
    authMethods: { apiKeyAuth: target.apiKey, ...(target.appKey ? { appKeyAuth: target.appKey } : {}) },
    httpApi: new IsomorphicFetchHttpLibrary(),
    // createConfiguration() sets httpApi.fetch from here (and would reset one set on httpApi beforehand).
    fetch: http.fetch,
    enableRetry: true,
    maxRetries: 3,
  });
  let events: EventsApi | undefined;
  return {
    spans: new SpansApi(configuration),
    metrics: new MetricsApi(configuration),
    get events(): EventsApi {
      if (!events) {
        const v1 = require('@datadog/datadog-api-client/dist/packages/datadog-api-client-v1') as {
          EventsApi: typeof EventsApi;
        };
        events = new v1.EventsApi(configuration);
      }
      return events;
    },
    http,
  };
}

/** One line for an API failure, with the keys removed whatever the server echoed. */
export function apiFailure(what: string, e: unknown, client: DatadogClient, target: ApiTarget): LiveFailed {
  let detail: string;
  if (client.http.stopped === 'network') detail = client.http.lastNetworkError ?? 'cannot reach the API';
  else if (e instanceof ApiException) {
    const body = typeof e.body === 'string' ? e.body : JSON.stringify(e.body);
    detail = `HTTP ${e.code}: ${body.replace(/^Unknown API Status Code!\nBody: /, '').slice(0, 300)}`;
    if (e.code === 403 || e.code === 401) detail += ' (check DD_API_KEY / DD_APP_KEY and DD_SITE)';
  } else detail = e instanceof Error ? e.message : String(e);
  let msg = `${what}: ${detail}`;
  for (const secret of [target.apiKey, target.appKey]) if (secret.length >= 4) msg = msg.split(secret).join('***');
  return new LiveFailed(msg);
}

/**
 * Datadog answered that the request itself is wrong (400 Bad Request, 413 Payload Too Large, 422): sending it
 * again cannot succeed. Keys (401/403), rate limits and server errors are not this.
 */
export function isInvalidRequest(e: unknown, client: DatadogClient): boolean {
  return client.http.stopped === undefined && e instanceof ApiException && [400, 413, 422].includes(e.code);
}

export interface SpanPage {
  /** The raw JSON text of the page, for the reader. */
  readonly text: string;
  readonly count: number;
}

export interface PullResult {
  /** False when the budget ran out, or a page stayed partial, before the last page. */
  readonly complete: boolean;
  readonly pages: number;
  /** Why the pull stopped at a page Datadog kept marking partial (pageIncompleteReason), when it did. */
  readonly partial?: string;
}

/** A page Datadog marks partial is asked again this many times before the pull stops there. */
export const PARTIAL_PAGE_RETRIES = 2;

/**
 * Page through `query` in [fromMs, toMs), oldest first, handing each raw page to `onPage`. Stops early (complete:
 * false) when the request budget is spent, or when a page is still partial (`meta.status: "timeout"` or
 * `meta.warnings`) after PARTIAL_PAGE_RETRIES more asks: a partial page is never handed on, so what was pulled
 * before it is whole and the caller cuts the window there, as for the budget.
 */
export async function pullSpans(
  client: DatadogClient,
  target: ApiTarget,
  query: string,
  fromMs: number,
  toMs: number,
  onPage: (page: SpanPage) => void,
): Promise<PullResult> {
  let cursor: string | undefined;
  let pages = 0;
  let partialTries = 0;
  for (;;) {
    let res;
    try {
      res = await client.spans.listSpans({
        body: {
          data: {
            type: 'search_request',
            attributes: {
              filter: { query, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() },
              sort: 'timestamp',
              page: { limit: PAGE_LIMIT, ...(cursor ? { cursor } : {}) },
            },
          },
        },
      });
    } catch (e) {
      if (client.http.stopped === 'budget') return { complete: false, pages };
      throw apiFailure(`POST /api/v2/spans/events/search (page ${pages + 1})`, e, client, target);
    }
    const partial = pageIncompleteReason(res.meta);
    if (partial !== undefined) {
      if (partialTries++ < PARTIAL_PAGE_RETRIES) {
        client.http.stats.retries++;
        continue;
      }
      return { complete: false, pages, partial };
    }
    partialTries = 0;
    pages++;
    onPage({ text: client.http.lastText ?? '{"data":[]}', count: res.data?.length ?? 0 });
    const next = res.meta?.page?.after;
    if (!next || !res.data || res.data.length === 0) return { complete: true, pages };
    cursor = next;
  }
}
