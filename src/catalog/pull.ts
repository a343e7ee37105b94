/**
 * Reading the Service Catalog from Datadog with `@datadog/datadog-api-client`:
 *
 * - v3 entities from `SoftwareCatalogApi.listCatalogEntity` with `include=schema`. The full definitions arrive in
 *   `included` (linked from each entity by `relationships.schema`); `listCatalogEntityWithPagination` yields only
 *   `data`, so pages are walked here with `page[offset]`/`page[limit]`.
 * - legacy definitions (v2, v2.1, v2.2) from `ServiceDefinitionApi.listServiceDefinitions`, `page[size]` /
 *   `page[number]` (0-based), asked for as `schema_version=v2.2` so that every definition comes back in a schema
 *   version the reader knows (v1 definitions included).
 * - merged by service name; a service that exists as both keeps its v3 entity (callers say so).
 *
 * Definitions are kept exactly as Datadog sent them: the client's typed models rename keys (`dd-service` →
 * `ddService`) and fall back to opaque objects for some v3 shapes, so the raw JSON body of each page is kept by
 * the HTTP layer below and the typed result is only used as the client's verdict that the call succeeded.
 *
 * The HTTP layer is ours, not the client's `enableRetry`: that one waits at least 2 s per retry (its
 * `backoffBase` must be ≥ 2), never retries network errors, timeouts or truncated bodies, has no timeout, and
 * gives up with the raw error body. Here every request has a timeout, 429/5xx/network errors/unreadable bodies are
 * retried (waiting `x-ratelimit-reset` seconds when Datadog says so, exponential backoff otherwise), and failures
 * end in one message that names the request, never the keys.
 */
import {
  BaseServerConfiguration,
  createConfiguration,
  HttpLibrary,
  RequestContext,
  ResponseContext,
} from '@datadog/datadog-api-client/dist/packages/datadog-api-client-common';
import {
  ServiceDefinitionApi,
  SoftwareCatalogApi,
} from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v2';
import { UserError } from '../errors';
import { describeNetworkError } from '../datadog/network-error';
import { apiUrl, isSite, SITES } from '../datadog/site';
import { compareStrings } from './problems';
import { definitionKey } from './snapshot-write';

/** The pull could not complete (API errors after retries, unreadable responses): nothing is written, exit 1. */
export class PullFailed extends UserError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'PullFailed';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Where and who: site, base URL and keys, from the environment only.

export interface PullTarget {
  /** API base URL without a trailing slash, e.g. `https://api.datadoghq.eu`. */
  readonly baseUrl: string;
  /** The Datadog site recorded in the snapshot, when known (never a host with credentials, never a port). */
  readonly site?: string;
}

/**
 * `DD_HOST` (the Terraform provider's variable: an API base URL, e.g. a proxy) wins over `DD_SITE`, which wins
 * over the policy's `site`, which defaults to `datadoghq.com`.
 */
export function resolveTarget(env: NodeJS.ProcessEnv, policySite?: string): PullTarget {
  const siteVar = env.DD_SITE?.trim();
  if (siteVar && !isSite(siteVar))
    throw new UserError(`DD_SITE: ${JSON.stringify(siteVar)} is not a Datadog site (known: ${SITES.join(', ')})`);
  const site = siteVar || policySite || 'datadoghq.com';
  const host = env.DD_HOST?.trim();
  if (!host) return { baseUrl: apiUrl(site), site };
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `https://${host}`);
  } catch {
    throw new UserError(`DD_HOST: ${JSON.stringify(redactUrl(host))} is not a URL (e.g. https://api.datadoghq.eu)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new UserError(`DD_HOST: ${JSON.stringify(redactUrl(host))} must be an http(s) URL`);
  const baseUrl =
    `${url.protocol}//${url.username ? `${url.username}:${url.password}@` : ''}${url.host}${url.pathname}`.replace(
      /\/+$/,
      '',
    );
  // Record a site only when it is certain: DD_SITE, or a host that is a Datadog API host (`api.<site>`).
  const hostSite = url.hostname.replace(/^api\./, '');
  return { baseUrl, site: siteVar || (url.hostname.startsWith('api.') && isSite(hostSite) ? hostSite : undefined) };
}

export interface Keys {
  readonly apiKey: string;
  readonly appKey: string;
}

/** Both keys, from the environment only; a missing one is a usage error. */
export function readKeys(env: NodeJS.ProcessEnv): Keys {
  const missing = ['DD_API_KEY', 'DD_APP_KEY'].filter((name) => !env[name]?.trim());
  if (missing.length > 0)
    throw new UserError(
      `${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set: the catalog pull reads the Datadog ` +
        `API key and an application key (scope apm_service_catalog_read) from the environment only`,
    );
  return { apiKey: env.DD_API_KEY!.trim(), appKey: env.DD_APP_KEY!.trim() };
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP: timeouts, retries, progress, raw bodies.

export type PullEvent =
  | { readonly type: 'page'; readonly source: 'v3' | 'legacy'; readonly page: number; readonly items: number }
  | {
      readonly type: 'retry';
      readonly request: string;
      /** `HTTP 429`, `HTTP 503`, `timeout after 30 s`, `invalid JSON body`, `cannot reach …: connection reset (ECONNRESET)`… */
      readonly reason: string;
      readonly attempt: number;
      readonly delayMs: number;
    };

export interface HttpOptions {
  /** Per attempt, including reading the body. @default 30000 */
  readonly timeoutMs?: number;
  /** Retries after the first attempt. @default 5 */
  readonly maxRetries?: number;
  /** First backoff when Datadog gives no reset hint; doubles each retry. @default 1000 */
  readonly backoffMs?: number;
  /** A reset hint longer than this fails the pull instead of waiting. @default 120000 */
  readonly maxWaitMs?: number;
  readonly onEvent?: (event: PullEvent) => void;
  /** Injected in tests. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RETRIES = 5;
const DEFAULT_BACKOFF_MS = 1000;
const DEFAULT_MAX_WAIT_MS = 120_000;

/** The client's `HttpLibrary`, with our retry loop; remembers the raw JSON body of the last successful call. */
export class PullHttp implements HttpLibrary {
  // Properties the client's createConfiguration() assigns on its httpApi; unused here.
  enableRetry = false;
  maxRetries?: number;
  backoffBase?: number;
  backoffMultiplier?: number;
  debug?: boolean;
  fetch?: unknown;

  requests = 0;
  retries = 0;
  private lastJson: unknown;
  private readonly secrets: string[];

  constructor(
    private readonly opts: HttpOptions,
    keys: Keys,
  ) {
    this.secrets = [keys.apiKey, keys.appKey].filter((s) => s.length >= 4);
  }

  /** Run one typed client call and return the raw JSON body it succeeded with. */
  async capture(call: () => Promise<unknown>): Promise<unknown> {
    this.lastJson = undefined;
    try {
      await call();
    } catch (e) {
      if (e instanceof UserError) throw e;
      // The client could not deserialize a 2xx body: say so without its stack.
      throw new PullFailed(this.redact(`the Datadog API client could not read a response: ${errorText(e)}`));
    }
    return this.lastJson;
  }

  async send(request: RequestContext): Promise<ResponseContext> {
    const what = describeRequest(request);
    const timeoutMs = this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const maxRetries = this.opts.maxRetries ?? DEFAULT_MAX_RETRIES;
    const sleep = this.opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (let attempt = 0; ; attempt++) {
      this.requests++;
      const outcome = await this.attempt(request, timeoutMs);
      if (outcome.kind === 'ok') {
        this.lastJson = outcome.json;
        return new ResponseContext(outcome.status, outcome.headers, {
          text: async () => outcome.text,
          binary: async () => Buffer.from(outcome.text),
        });
      }
      if (outcome.kind === 'fatal') throw outcome.error;
      // Retryable.
      let delayMs = (this.opts.backoffMs ?? DEFAULT_BACKOFF_MS) * 2 ** attempt;
      if (outcome.resetSeconds !== undefined) {
        delayMs = outcome.resetSeconds * 1000;
        const maxWaitMs = this.opts.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
        if (delayMs > maxWaitMs)
          throw new PullFailed(
            `${what}: ${outcome.reason}; Datadog says the limit resets in ${outcome.resetSeconds} s, longer than ` +
              `the ${Math.round(maxWaitMs / 1000)} s this command waits. Try again later.`,
          );
      }
      if (attempt >= maxRetries)
        throw new PullFailed(
          this.redact(
            `${what} failed after ${attempt + 1} ${attempt === 0 ? 'attempt' : 'attempts'}: ${outcome.reason}${outcome.detail ?? ''}`,
          ),
        );
      this.retries++;
      this.opts.onEvent?.({ type: 'retry', request: what, reason: outcome.reason, attempt: attempt + 1, delayMs });
      await sleep(delayMs);
    }
  }

  private async attempt(request: RequestContext, timeoutMs: number): Promise<Outcome> {
    const what = describeRequest(request);
    let status: number;
    let headers: Record<string, string>;
    let text: string;
    try {
      const res = await fetch(request.getUrl(), {
        method: request.getHttpMethod(),
        headers: request.getHeaders(),
        body: request.getBody() as string | undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = res.status;
      headers = {};
      res.headers.forEach((value, name) => (headers[name] = value));
      text = await res.text();
    } catch (e) {
      const failure = describeNetworkError(e, request.getUrl(), timeoutMs);
      if (failure.code === 'timeout') return { kind: 'retry', reason: `timeout after ${timeoutMs / 1000} s` };
      // The message names the origin and the cause (connection refused, host not found…), never a key.
      if (failure.permanent)
        return {
          kind: 'fatal',
          error: new PullFailed(this.redact(`${what}: ${failure.message}; check DD_SITE / DD_HOST`)),
        };
      return { kind: 'retry', reason: this.redact(failure.message) };
    }
    if (status === 429 || status >= 500) {
      const reset = Number.parseInt(headers['x-ratelimit-reset'] ?? '', 10);
      return {
        kind: 'retry',
        reason: `HTTP ${status}`,
        detail: errorDetail(text),
        resetSeconds: Number.isFinite(reset) && reset >= 0 ? reset : undefined,
      };
    }
    if (status === 401 || status === 403)
      return {
        kind: 'fatal',
        error: new UserError(
          this.redact(
            `${what}: Datadog refused the keys (HTTP ${status}${errorDetail(text)}). Check DD_API_KEY and ` +
              `DD_APP_KEY (the application key needs the apm_service_catalog_read scope) and that they belong to ` +
              `this site (DD_SITE).`,
          ),
        ),
      };
    if (status < 200 || status > 299)
      return { kind: 'fatal', error: new PullFailed(this.redact(`${what}: HTTP ${status}${errorDetail(text)}`)) };
    try {
      return { kind: 'ok', status, headers, text, json: JSON.parse(text) };
    } catch (e) {
      // A body cut short by a proxy or a dropped connection: worth another try.
      return {
        kind: 'retry',
        reason: `the response body is not valid JSON (${Buffer.byteLength(text)} bytes, truncated?)`,
        detail: `: ${errorText(e)}`,
      };
    }
  }

  /** Belt and braces: no message leaves this module with a key in it, whatever a server echoes back. */
  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('***');
    return out;
  }
}

type Outcome =
  | { kind: 'ok'; status: number; headers: Record<string, string>; text: string; json: unknown }
  | { kind: 'retry'; reason: string; detail?: string; resetSeconds?: number }
  | { kind: 'fatal'; error: UserError };

function describeRequest(request: RequestContext): string {
  const url = new URL(request.getUrl());
  let query = url.search;
  try {
    query = decodeURIComponent(query);
  } catch {
    // keep it encoded
  }
  return `${request.getHttpMethod()} ${url.pathname}${query}`;
}

/** A URL without its credentials. */
function redactUrl(text: string): string {
  return text.replace(/\/\/[^/@\s]*@/, '//');
}

/** `: rate limited` from Datadog's `{"errors": [...]}`, or the start of any other body. */
function errorDetail(text: string): string {
  if (!text) return '';
  try {
    const body = JSON.parse(text) as { errors?: unknown };
    if (Array.isArray(body.errors) && body.errors.length > 0)
      return `: ${body.errors.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('; ')}`.slice(0, 300);
  } catch {
    // not JSON
  }
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine ? `: ${oneLine.slice(0, 200)}` : '';
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---------------------------------------------------------------------------------------------------------------
// The pull.

export interface PullOptions extends HttpOptions {
  /** `page[limit]` for entities. @default 100 */
  readonly entityPageSize?: number;
  /** `page[size]` for legacy definitions (Datadog's maximum is 100). @default 100 */
  readonly definitionPageSize?: number;
}

export interface PullResult {
  /** Merged raw definitions, in no particular order (the snapshot writer sorts them). */
  readonly definitions: Record<string, unknown>[];
  readonly v3Entities: number;
  readonly legacyDefinitions: number;
  /** Services defined both as a v3 entity and a legacy definition: the v3 entity was kept. Sorted. */
  readonly v3Preferred: readonly string[];
  /** Entities listed without a definition in `included` (e.g. a broken schema): not in the snapshot. Sorted. */
  readonly withoutDefinition: readonly string[];
  readonly requests: number;
  readonly retries: number;
}

// Stop a server that ignores the offset from keeping us in a loop forever.
const MAX_PAGES = 10_000;

export async function pullCatalog(target: PullTarget, keys: Keys, opts: PullOptions = {}): Promise<PullResult> {
  const http = new PullHttp(opts, keys);
  const configuration = createConfiguration({
    baseServer: new BaseServerConfiguration(target.baseUrl, {}),
    authMethods: { apiKeyAuth: keys.apiKey, appKeyAuth: keys.appKey },
    httpApi: http,
    enableRetry: false,
  });
  const entities = await pullEntities(new SoftwareCatalogApi(configuration), http, opts);
  const legacy = await pullLegacy(new ServiceDefinitionApi(configuration), http, opts);
  const merged = mergeDefinitions(entities.definitions, legacy);
  return {
    definitions: merged.definitions,
    v3Entities: entities.definitions.length,
    legacyDefinitions: legacy.length,
    v3Preferred: merged.v3Preferred,
    withoutDefinition: entities.withoutDefinition,
    requests: http.requests,
    retries: http.retries,
  };
}

async function pullEntities(
  api: SoftwareCatalogApi,
  http: PullHttp,
  opts: PullOptions,
): Promise<{ definitions: Record<string, unknown>[]; withoutDefinition: string[] }> {
  const limit = opts.entityPageSize ?? 100;
  const definitions: Record<string, unknown>[] = [];
  const withoutDefinition: string[] = [];
  const seen = new Set<string>();
  for (let page = 0; page < MAX_PAGES; page++) {
    const offset = page * limit;
    const body = await http.capture(() =>
      api.listCatalogEntity({ pageOffset: offset, pageLimit: limit, include: 'schema' }),
    );
    const where = `GET /api/v2/catalog/entity?page[offset]=${offset}`;
    const data = arrayField(body, 'data', where);
    const included = body && typeof body === 'object' ? (body as { included?: unknown }).included : undefined;
    const schemas = new Map<string, Record<string, unknown>>();
    for (const item of Array.isArray(included) ? included : []) {
      if (isObject(item) && item.type === 'schema' && typeof item.id === 'string') {
        const schema = isObject(item.attributes) ? item.attributes.schema : undefined;
        if (isObject(schema)) schemas.set(item.id, schema);
      }
    }
    let fresh = 0;
    for (const entity of data) {
      if (!isObject(entity)) throw new PullFailed(`${where}: an item of "data" is not an object`);
      const id = typeof entity.id === 'string' ? entity.id : undefined;
      if (id !== undefined) {
        if (seen.has(id)) continue;
        seen.add(id);
      }
      fresh++;
      const rel = isObject(entity.relationships) ? entity.relationships.schema : undefined;
      const relId = isObject(rel) && isObject(rel.data) && typeof rel.data.id === 'string' ? rel.data.id : id;
      const schema = relId !== undefined ? schemas.get(relId) : undefined;
      if (schema) definitions.push(schema);
      else withoutDefinition.push(entityLabel(entity));
    }
    opts.onEvent?.({ type: 'page', source: 'v3', page: page + 1, items: definitions.length });
    if (data.length < limit) break;
    if (fresh === 0) throw new PullFailed(`${where}: the API returned the previous page again (offset ignored?)`);
  }
  return { definitions, withoutDefinition: withoutDefinition.sort(compareStrings) };
}

async function pullLegacy(
  api: ServiceDefinitionApi,
  http: PullHttp,
  opts: PullOptions,
): Promise<Record<string, unknown>[]> {
  const size = opts.definitionPageSize ?? 100;
  const definitions: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (let page = 0; page < MAX_PAGES; page++) {
    const body = await http.capture(() =>
      api.listServiceDefinitions({ pageSize: size, pageNumber: page, schemaVersion: 'v2.2' }),
    );
    const where = `GET /api/v2/services/definitions?page[number]=${page}`;
    const data = arrayField(body, 'data', where);
    let fresh = 0;
    for (const item of data) {
      const schema = isObject(item) && isObject(item.attributes) ? item.attributes.schema : undefined;
      if (!isObject(schema)) throw new PullFailed(`${where}: an item of "data" has no attributes.schema object`);
      const key = isObject(item) && typeof item.id === 'string' ? item.id : JSON.stringify(schema);
      if (seen.has(key)) continue;
      seen.add(key);
      fresh++;
      definitions.push(schema);
    }
    opts.onEvent?.({ type: 'page', source: 'legacy', page: page + 1, items: definitions.length });
    if (data.length < size) break;
    if (fresh === 0) throw new PullFailed(`${where}: the API returned the previous page again (page number ignored?)`);
  }
  return definitions;
}

/**
 * v3 entities plus the legacy definitions of services that have no v3 entity. Datadog lists a service in both
 * places when it was registered with a v2.x definition and also has (or was converted to) a v3 entity; the v3
 * one is newer and richer (dependsOn, componentOf), so it wins.
 */
export function mergeDefinitions(
  v3: readonly Record<string, unknown>[],
  legacy: readonly Record<string, unknown>[],
): { definitions: Record<string, unknown>[]; v3Preferred: string[] } {
  const v3Services = new Set(
    v3
      .map(definitionKey)
      .filter((r) => r?.kind === 'service')
      .map((r) => r!.name),
  );
  const definitions = [...v3];
  const v3Preferred = new Set<string>();
  for (const def of legacy) {
    const name = definitionKey(def)?.name;
    if (name !== undefined && v3Services.has(name)) v3Preferred.add(name);
    else definitions.push(def);
  }
  return { definitions, v3Preferred: [...v3Preferred].sort(compareStrings) };
}

function arrayField(body: unknown, field: string, where: string): unknown[] {
  const value = isObject(body) ? body[field] : undefined;
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new PullFailed(`${where}: "${field}" is not a list`);
  return value;
}

function entityLabel(entity: Record<string, unknown>): string {
  const a = isObject(entity.attributes) ? entity.attributes : {};
  if (typeof a.kind === 'string' && typeof a.name === 'string') return `${a.kind}:${a.name}`;
  return typeof entity.id === 'string' ? entity.id : '?';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
