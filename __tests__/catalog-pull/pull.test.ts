import { UserError } from '../../src/errors';
import { mergeDefinitions, PullEvent, PullFailed, pullCatalog, readKeys, resolveTarget } from '../../src/catalog/pull';
import { definitionKey } from '../../src/catalog/snapshot-write';
import { FakeDatadog } from '../fake-datadog/server';
import { CatalogStore, catalogRoutes } from '../fake-datadog/routes/catalog';
import { API_KEY, APP_KEY, manyDefinitions, manyEntities, ROSTER_SERVICES, rosterStore } from './fixtures';

const keys = { apiKey: API_KEY, appKey: APP_KEY };
const ENTITY = '/api/v2/catalog/entity';
const DEFS = '/api/v2/services/definitions';

describe('pullCatalog against the fake Datadog API', () => {
  let dd: FakeDatadog;
  let store: CatalogStore;
  beforeEach(async () => {
    store = rosterStore();
    dd = await FakeDatadog.start([catalogRoutes(store)]);
  });
  afterEach(() => dd.stop());

  const pull = (opts: Parameters<typeof pullCatalog>[2] = {}) =>
    pullCatalog({ baseUrl: dd.url }, keys, { backoffMs: 5, ...opts });

  function serviceNames(defs: readonly unknown[]): string[] {
    return defs
      .map(definitionKey)
      .filter((r) => r?.kind === 'service')
      .map((r) => r!.name)
      .sort();
  }

  it('reads v3 entities with include=schema and legacy definitions as v2.2, sending the keys as headers', async () => {
    const result = await pull();
    expect(serviceNames(result.definitions)).toEqual(ROSTER_SERVICES);
    expect(result.definitions).toHaveLength(ROSTER_SERVICES.length + 3);
    expect(result.v3Entities).toBe(9);
    expect(result.legacyDefinitions).toBe(9);
    const [entityReq] = dd.requestsTo('GET', ENTITY);
    expect(entityReq.query).toEqual({ 'page[offset]': '0', 'page[limit]': '100', include: 'schema' });
    expect(entityReq.headers['dd-api-key']).toBe(API_KEY);
    expect(entityReq.headers['dd-application-key']).toBe(APP_KEY);
    expect(dd.requestsTo('GET', DEFS)[0].query).toEqual({
      'page[size]': '100',
      'page[number]': '0',
      schema_version: 'v2.2',
    });
    expect(result.requests).toBe(2);
    expect(result.retries).toBe(0);
  });

  it('keeps definitions exactly as Datadog sent them (keys like dd-service, serviceURL untouched)', async () => {
    const result = await pull();
    const payments = result.definitions.find((d) => d['dd-service'] === 'payments-api');
    expect(payments).toEqual(store.definitions.find((d) => d.definition['dd-service'] === 'payments-api')!.definition);
    const web = result.definitions.find((d) => definitionKey(d)?.name === 'web-gateway');
    expect(web).toEqual(store.entities[0].definition);
    // A v2 definition comes back converted to v2.2 (the version we ask for).
    const fraud = result.definitions.find((d) => d['dd-service'] === 'fraud-scorer')!;
    expect(fraud['schema-version']).toBe('v2.2');
    expect(fraud.integrations).toEqual({
      pagerduty: { 'service-url': 'https://example.pagerduty.com/service-directory/fraud-scorer' },
    });
  });

  it('prefers the v3 entity when a service is both a v3 entity and a legacy definition', async () => {
    const result = await pull();
    expect(result.v3Preferred).toEqual(['inventory-api']);
    const inventory = result.definitions.filter((d) => definitionKey(d)?.name === 'inventory-api');
    expect(inventory).toHaveLength(1);
    expect(inventory[0].apiVersion).toBe('v3');
  });

  it('pages through both endpoints (offset/limit and 0-based page numbers) until a short page', async () => {
    store.entities.push(...manyEntities(16)); // 25 entities: pages of 10, 10, 5
    store.definitions.push(...manyDefinitions(11)); // 20 definitions: pages of 10, 10, 0
    const events: PullEvent[] = [];
    const result = await pull({ entityPageSize: 10, definitionPageSize: 10, onEvent: (e) => events.push(e) });
    expect(dd.requestsTo('GET', ENTITY).map((r) => r.query['page[offset]'])).toEqual(['0', '10', '20']);
    expect(dd.requestsTo('GET', DEFS).map((r) => r.query['page[number]'])).toEqual(['0', '1', '2']);
    expect(result.v3Entities).toBe(25);
    expect(result.legacyDefinitions).toBe(20);
    expect(serviceNames(result.definitions)).toHaveLength(14 + 16 + 11);
    expect(events).toEqual([
      { type: 'page', source: 'v3', page: 1, items: 10 },
      { type: 'page', source: 'v3', page: 2, items: 20 },
      { type: 'page', source: 'v3', page: 3, items: 25 },
      { type: 'page', source: 'legacy', page: 1, items: 10 },
      { type: 'page', source: 'legacy', page: 2, items: 20 },
      { type: 'page', source: 'legacy', page: 3, items: 20 },
    ]);
  });

  it('waits the x-ratelimit-reset seconds on a 429, then carries on', async () => {
    store.entities.push(...manyEntities(16));
    dd.inject({ path: ENTITY, status: 429, headers: { 'x-ratelimit-reset': '1' }, body: { errors: ['Too many'] } });
    const events: PullEvent[] = [];
    const delays: number[] = [];
    const result = await pull({
      entityPageSize: 10,
      onEvent: (e) => events.push(e),
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    expect(delays).toEqual([1000]);
    expect(events.filter((e) => e.type === 'retry')).toEqual([
      {
        type: 'retry',
        request: 'GET /api/v2/catalog/entity?page[offset]=0&page[limit]=10&include=schema',
        reason: 'HTTP 429',
        attempt: 1,
        delayMs: 1000,
      },
    ]);
    expect(result.v3Entities).toBe(25);
    expect(result.retries).toBe(1);
  });

  it('really sleeps for a 1 s reset hint on a 429 in the middle of the pages (real timers)', async () => {
    store.entities.push(...manyEntities(16));
    let calls = 0;
    const started = Date.now();
    const result = await pull({
      entityPageSize: 10,
      onEvent: (e) => {
        if (e.type === 'page' && e.source === 'v3' && e.page === 1 && calls++ === 0)
          dd.inject({ path: ENTITY, status: 429, headers: { 'x-ratelimit-reset': '1' } });
      },
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(dd.requestsTo('GET', ENTITY).map((r) => [r.query['page[offset]'], r.status])).toEqual([
      ['0', 200],
      ['10', 429],
      ['10', 200],
      ['20', 200],
    ]);
    expect(result.v3Entities).toBe(25);
  });

  it('backs off exponentially on 5xx without a reset hint, mid-pagination of the legacy endpoint', async () => {
    store.definitions.push(...manyDefinitions(11));
    const delays: number[] = [];
    let injected = false;
    const result = await pull({
      definitionPageSize: 10,
      backoffMs: 7,
      sleep: async (ms) => {
        delays.push(ms);
      },
      onEvent: (e) => {
        if (!injected && e.type === 'page' && e.source === 'legacy') {
          injected = true;
          dd.inject({ path: DEFS, status: 503, times: 2 });
        }
      },
    });
    expect(delays).toEqual([7, 14]);
    expect(dd.requestsTo('GET', DEFS).map((r) => [r.query['page[number]'], r.status])).toEqual([
      ['0', 200],
      ['1', 503],
      ['1', 503],
      ['1', 200],
      ['2', 200],
    ]);
    expect(result.legacyDefinitions).toBe(20);
  });

  it('fails with the request and the last status after the retries run out', async () => {
    dd.inject({ path: ENTITY, status: 502, times: 10, body: { errors: ['Bad Gateway'] } });
    const err = await pull({ maxRetries: 2 }).catch((e) => e);
    expect(err).toBeInstanceOf(PullFailed);
    expect(err.exitCode).toBe(1);
    expect(err.message).toBe(
      'GET /api/v2/catalog/entity?page[offset]=0&page[limit]=100&include=schema failed after 3 attempts: ' +
        'HTTP 502: Bad Gateway',
    );
  });

  it('retries a truncated body, and fails clearly when it stays truncated', async () => {
    dd.inject({ path: DEFS, truncate: true });
    await expect(pull()).resolves.toMatchObject({ legacyDefinitions: 9, retries: 1 });

    dd.inject({ path: DEFS, truncate: true, times: 10 });
    const err = await pull({ maxRetries: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(PullFailed);
    expect(err.message).toMatch(
      /^GET \/api\/v2\/services\/definitions\?page\[size\]=100&page\[number\]=0&schema_version=v2\.2 failed after 2 attempts: the response body is not valid JSON \(\d+ bytes, truncated\?\): /,
    );
  });

  it('never repeats a key in a message, even when the server echoes it back', async () => {
    dd.inject({ path: ENTITY, status: 500, body: { errors: [`internal error for key ${API_KEY} / ${APP_KEY}`] } });
    const err = await pull({ maxRetries: 0 }).catch((e) => e);
    expect(err).toBeInstanceOf(PullFailed);
    expect(err.message).toBe(
      'GET /api/v2/catalog/entity?page[offset]=0&page[limit]=100&include=schema failed after 1 attempt: HTTP 500: ' +
        'internal error for key *** / ***',
    );
  });

  it('gives up at once when the reset hint is longer than it is willing to wait', async () => {
    dd.inject({ path: ENTITY, status: 429, headers: { 'x-ratelimit-reset': '3600' } });
    const err = await pull().catch((e) => e);
    expect(err).toBeInstanceOf(PullFailed);
    expect(err.message).toBe(
      'GET /api/v2/catalog/entity?page[offset]=0&page[limit]=100&include=schema: HTTP 429; Datadog says the limit ' +
        'resets in 3600 s, longer than the 120 s this command waits. Try again later.',
    );
  });

  it('times out a slow response and retries it', async () => {
    dd.inject({ path: ENTITY, delayMs: 400 });
    const events: PullEvent[] = [];
    const result = await pull({ timeoutMs: 100, onEvent: (e) => events.push(e) });
    expect(events.filter((e) => e.type === 'retry').map((e) => (e as { reason: string }).reason)).toEqual([
      'timeout after 0.1 s',
    ]);
    expect(result.v3Entities).toBe(9);
  });

  it('reports refused keys as a usage error, without the keys', async () => {
    const err = await pullCatalog({ baseUrl: dd.url }, { apiKey: 'wrong-api-key-1234', appKey: APP_KEY }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(
      'GET /api/v2/catalog/entity?page[offset]=0&page[limit]=100&include=schema: Datadog refused the keys ' +
        '(HTTP 403: Forbidden). Check DD_API_KEY and DD_APP_KEY (the application key needs the ' +
        'apm_service_catalog_read scope) and that they belong to this site (DD_SITE).',
    );
  });

  it('fails fast when nothing listens at the address', async () => {
    const url = dd.url;
    await dd.stop();
    const err = await pullCatalog({ baseUrl: url }, keys, { backoffMs: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(PullFailed);
    expect(err.message).toBe(
      `GET /api/v2/catalog/entity?page[offset]=0&page[limit]=100&include=schema: cannot reach ${url}: ` +
        'connection refused (ECONNREFUSED); check DD_SITE / DD_HOST',
    );
    dd = await FakeDatadog.start([]); // for afterEach
  });

  it('names entities listed without a definition and leaves them out', async () => {
    store.entities[2] = { ...store.entities[2], withoutSchema: true };
    const result = await pull();
    expect(result.withoutDefinition).toEqual(['service:cart-service']);
    expect(serviceNames(result.definitions)).not.toContain('cart-service');
  });

  it('refuses a server that ignores the page offset instead of looping forever', async () => {
    store.entities = manyEntities(10);
    await dd.stop();
    dd = await FakeDatadog.start([
      (app) =>
        app.get(ENTITY, async () => ({
          data: store.entities.map((e) => ({ id: e.id, type: 'entity', relationships: {} })),
          included: store.entities.map((e) => ({ id: e.id, type: 'schema', attributes: { schema: e.definition } })),
        })),
    ]);
    const err = await pull({ entityPageSize: 10 }).catch((e) => e);
    expect(err).toBeInstanceOf(PullFailed);
    expect(err.message).toBe(
      'GET /api/v2/catalog/entity?page[offset]=10: the API returned the previous page again (offset ignored?)',
    );
  });
});

describe('mergeDefinitions', () => {
  it('keeps every v3 entity and only the legacy definitions of services without one', () => {
    const v3 = [
      { apiVersion: 'v3', kind: 'service', metadata: { name: 'a' } },
      { apiVersion: 'v3', kind: 'datastore', metadata: { name: 'b' } },
    ];
    const legacy = [
      { 'schema-version': 'v2.2', 'dd-service': 'a' },
      { 'schema-version': 'v2.2', 'dd-service': 'b' },
      { 'schema-version': 'v2.1', 'dd-service': 'c' },
    ];
    expect(mergeDefinitions(v3, legacy)).toEqual({
      definitions: [v3[0], v3[1], legacy[1], legacy[2]],
      v3Preferred: ['a'],
    });
  });
});

describe('resolveTarget', () => {
  it('defaults to datadoghq.com, then the policy site, then DD_SITE', () => {
    expect(resolveTarget({})).toEqual({ baseUrl: 'https://api.datadoghq.com', site: 'datadoghq.com' });
    expect(resolveTarget({}, 'datadoghq.eu')).toEqual({ baseUrl: 'https://api.datadoghq.eu', site: 'datadoghq.eu' });
    expect(resolveTarget({ DD_SITE: 'ap1.datadoghq.com' }, 'datadoghq.eu')).toEqual({
      baseUrl: 'https://api.ap1.datadoghq.com',
      site: 'ap1.datadoghq.com',
    });
  });

  it('lets DD_HOST override the base URL, and records a site only when it is certain', () => {
    expect(resolveTarget({ DD_HOST: 'https://api.datadoghq.eu/' })).toEqual({
      baseUrl: 'https://api.datadoghq.eu',
      site: 'datadoghq.eu',
    });
    expect(resolveTarget({ DD_HOST: 'http://127.0.0.1:8126' })).toEqual({ baseUrl: 'http://127.0.0.1:8126' });
    expect(resolveTarget({ DD_HOST: 'proxy.internal/datadog', DD_SITE: 'us5.datadoghq.com' })).toEqual({
      baseUrl: 'https://proxy.internal/datadog',
      site: 'us5.datadoghq.com',
    });
  });

  it('fails when DD_SITE is not a Datadog site', () => {
    expect(() => resolveTarget({ DD_SITE: 'datadoghq.org' })).toThrow(
      new UserError(
        'DD_SITE: "datadoghq.org" is not a Datadog site (known: datadoghq.com, us3.datadoghq.com, ' +
          'us5.datadoghq.com, datadoghq.eu, ap1.datadoghq.com, ap2.datadoghq.com, uk1.datadoghq.com, ddog-gov.com, us2.ddog-gov.com)',
      ),
    );
  });

  it('fails when DD_HOST is not an http(s) URL, without echoing credentials', () => {
    expect(() => resolveTarget({ DD_HOST: 'ftp://user:secret@example.com' })).toThrow(
      'DD_HOST: "ftp://example.com" must be an http(s) URL',
    );
  });
});

describe('readKeys', () => {
  it('reads both keys from the environment', () => {
    expect(readKeys({ DD_API_KEY: ' a1 ', DD_APP_KEY: 'b2' })).toEqual({ apiKey: 'a1', appKey: 'b2' });
  });
  it('fails naming the missing variables', () => {
    expect(() => readKeys({ DD_APP_KEY: 'x' })).toThrow(
      'DD_API_KEY is not set: the catalog pull reads the Datadog API key and an application key ' +
        '(scope apm_service_catalog_read) from the environment only',
    );
    expect(() => readKeys({})).toThrow(/^DD_API_KEY and DD_APP_KEY are not set: /);
  });
});
