/**
 * Every route of the fake that takes a request body reads it with the API client's model for the endpoint: per
 * route, a body with an unknown enum value, one missing a required attribute (or, where the model has no enum or
 * no required attribute, one with a wrong type) get 400 with Datadog's error shape and the exact reason; a valid
 * body is accepted.
 */
import { FakeDatadog } from './server';
import { metricsRoutes, metricsStore } from './routes/metrics';
import { spansRoutes, spansStore } from './routes/spans';
import { terraformRoutes } from './routes/terraform';

type Json = Record<string, unknown>;

const MONITOR = {
  name: 'orphans',
  type: 'query alert',
  query: 'sum(last_1h):sum:a{*}.as_count() / sum:b{*}.as_count() > 0.05',
  options: { thresholds: { critical: 0.05 }, on_missing_data: 'show_and_notify_no_data' },
};
const SLO = {
  name: 's',
  type: 'metric',
  thresholds: [{ timeframe: '30d', target: 99 }],
  query: { numerator: 'a', denominator: 'b' },
};
const DASHBOARD = {
  title: 't',
  layout_type: 'ordered',
  widgets: [{ definition: { type: 'timeseries', requests: [{ q: 'avg:a{*}', display_type: 'line' }] } }],
};
const ITEMS = { dashboards: [{ id: 'abc-001-xyz', type: 'custom_timeboard' }] };
const SPANS_METRIC = {
  data: {
    id: 'trace_health.x',
    type: 'spans_metrics',
    attributes: { compute: { aggregation_type: 'count' }, filter: { query: 'service:a' } },
  },
};
const SERIES = (now: number) => ({ series: [{ metric: 'm', type: 1, points: [{ timestamp: now, value: 1 }] }] });
const SEARCH = {
  data: { type: 'search_request', attributes: { filter: { query: '*' }, sort: 'timestamp', page: { limit: 10 } } },
};

/** `[body, error]`: a bad body and the exact error message. */
type Bad = readonly [unknown, string];
interface RouteCase {
  readonly method: string;
  readonly path: string;
  readonly valid: unknown;
  readonly validStatus: number;
  readonly bad: readonly Bad[];
  /** JSON:API error items instead of strings. */
  readonly jsonApi?: boolean;
}

const nowSec = Math.floor(Date.now() / 1000);
const ON_MISSING_DATA = 'OnMissingDataOption: default, show_no_data, show_and_notify_no_data, resolve';
const DASHBOARD_TYPE =
  'DashboardType: custom_timeboard, custom_screenboard, integration_screenboard, integration_timeboard, host_timeboard';
const itemsCases = (method: string): RouteCase => ({
  method,
  path: '/api/v2/dashboard/lists/manual/500/dashboards',
  valid: ITEMS,
  validStatus: 200,
  bad: [
    [
      { dashboards: [{ id: 'abc-001-xyz', type: 'custom_board' }] },
      `invalid ${itemsModel[method]}: dashboards[0].type: unknown enum value "custom_board" (${DASHBOARD_TYPE})`,
    ],
    [
      { dashboards: [{ type: 'custom_timeboard' }] },
      `invalid ${itemsModel[method]}: dashboards[0].id: missing required attribute (DashboardListItemRequest)`,
    ],
  ],
});
const itemsModel: Record<string, string> = {
  POST: 'DashboardListAddItemsRequest',
  PUT: 'DashboardListUpdateItemsRequest',
  DELETE: 'DashboardListDeleteItemsRequest',
};

const CASES: readonly RouteCase[] = [
  ...['/api/v1/monitor', '/api/v1/monitor/validate', '/api/v1/monitor/1000/validate'].map((path) => ({
    method: 'POST',
    path,
    valid: MONITOR,
    validStatus: 200,
    bad: [
      [
        { ...MONITOR, options: { ...MONITOR.options, on_missing_data: 'bogus' } },
        `invalid Monitor: options.on_missing_data: unknown enum value "bogus" (${ON_MISSING_DATA})`,
      ],
      [{ name: 'orphans', type: 'query alert' }, 'invalid Monitor: query: missing required attribute (Monitor)'],
      [{ ...MONITOR, priority: '1' }, 'invalid Monitor: priority: expected number, got "1"'],
    ] as Bad[],
  })),
  {
    method: 'PUT',
    path: '/api/v1/monitor/1000',
    valid: { ...MONITOR, name: 'renamed' },
    validStatus: 200,
    // MonitorUpdateRequest has no required attribute; the monitor it makes (old + update) is checked as a Monitor.
    bad: [
      [
        { options: { on_missing_data: 'bogus' } },
        `invalid MonitorUpdateRequest: options.on_missing_data: unknown enum value "bogus" (${ON_MISSING_DATA})`,
      ],
      [{ tags: 'team:a' }, 'invalid MonitorUpdateRequest: tags: expected an array, got "team:a"'],
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/slo',
    valid: SLO,
    validStatus: 200,
    bad: [
      [
        { ...SLO, thresholds: [{ timeframe: '14d', target: 99 }] },
        'invalid ServiceLevelObjectiveRequest: thresholds[0].timeframe: unknown enum value "14d" (SLOTimeframe: 7d, 30d, 90d, custom)',
      ],
      [
        { name: 's', type: 'metric' },
        'invalid ServiceLevelObjectiveRequest: thresholds: missing required attribute (ServiceLevelObjectiveRequest)',
      ],
    ],
  },
  {
    method: 'PUT',
    path: '/api/v1/slo/slo00000000000000000000000000001',
    valid: { ...SLO, name: 'renamed' },
    validStatus: 200,
    bad: [
      [
        { ...SLO, type: 'metrics' },
        'invalid ServiceLevelObjective: type: unknown enum value "metrics" (SLOType: metric, monitor, time_slice)',
      ],
      [
        { ...SLO, thresholds: [{ timeframe: '30d' }] },
        'invalid ServiceLevelObjective: thresholds[0].target: missing required attribute (SLOThreshold)',
      ],
    ],
  },
  ...[
    ['POST', '/api/v1/dashboard'],
    ['PUT', '/api/v1/dashboard/abc-001-xyz'],
  ].map(([method, path]) => ({
    method,
    path,
    valid: DASHBOARD,
    validStatus: 200,
    bad: [
      [
        {
          ...DASHBOARD,
          widgets: [{ definition: { type: 'timeseries', requests: [{ q: 'a', display_type: 'dots' }] } }],
        },
        'invalid Dashboard: widgets[0].definition.requests[0].display_type: unknown enum value "dots" (WidgetDisplayType: area, bars, line, overlay)',
      ],
      [{ title: 't', widgets: [] }, 'invalid Dashboard: layout_type: missing required attribute (Dashboard)'],
    ] as Bad[],
  })),
  ...[
    ['POST', '/api/v1/dashboard/lists/manual'],
    ['PUT', '/api/v1/dashboard/lists/manual/500'],
  ].map(([method, path]) => ({
    method,
    path,
    valid: { name: 'trace health' },
    validStatus: 200,
    // DashboardList has no enum attribute: a wrong type instead.
    bad: [
      [{ type: 'manual_dashboard_list' }, 'invalid DashboardList: name: missing required attribute (DashboardList)'],
      [{ name: ['trace health'] }, 'invalid DashboardList: name: expected string, got ["trace health"]'],
    ] as Bad[],
  })),
  itemsCases('POST'),
  itemsCases('PUT'),
  itemsCases('DELETE'),
  {
    method: 'POST',
    path: '/api/v2/apm/config/metrics',
    valid: { data: { ...SPANS_METRIC.data, id: 'trace_health.y' } },
    validStatus: 200,
    bad: [
      [
        { data: { ...SPANS_METRIC.data, attributes: { compute: { aggregation_type: 'sum' } } } },
        'invalid SpansMetricCreateRequest: data.attributes.compute.aggregation_type: unknown enum value "sum" (SpansMetricComputeAggregationType: count, distribution)',
      ],
      [
        { data: { id: 'trace_health.y', type: 'spans_metrics', attributes: { filter: { query: '*' } } } },
        'invalid SpansMetricCreateRequest: data.attributes.compute: missing required attribute (SpansMetricCreateAttributes)',
      ],
    ],
  },
  {
    method: 'PATCH',
    path: '/api/v2/apm/config/metrics/trace_health.x',
    valid: { data: { type: 'spans_metrics', attributes: { filter: { query: 'service:b' } } } },
    validStatus: 200,
    bad: [
      [
        { data: { type: 'span_metrics', attributes: {} } },
        'invalid SpansMetricUpdateRequest: data.type: unknown enum value "span_metrics" (SpansMetricType: spans_metrics)',
      ],
      [
        { data: { type: 'spans_metrics' } },
        'invalid SpansMetricUpdateRequest: data.attributes: missing required attribute (SpansMetricUpdateData)',
      ],
    ],
  },
  {
    method: 'POST',
    path: '/api/v2/series',
    valid: SERIES(nowSec),
    validStatus: 202,
    bad: [
      [
        { series: [{ metric: 'm', type: 9, points: [{ timestamp: nowSec, value: 1 }] }] },
        'invalid MetricPayload: series[0].type: unknown enum value 9 (MetricIntakeType: 0, 1, 2, 3)',
      ],
      [
        { series: [{ metric: 'm', type: 1 }] },
        'invalid MetricPayload: series[0].points: missing required attribute (MetricSeries)',
      ],
      [{}, 'invalid MetricPayload: series: missing required attribute (MetricPayload)'],
    ],
  },
  {
    method: 'POST',
    path: '/api/v2/spans/events/search',
    valid: SEARCH,
    validStatus: 200,
    jsonApi: true,
    // SpansListRequest has no required attribute: a wrong type instead.
    bad: [
      [
        { data: { ...SEARCH.data, attributes: { ...SEARCH.data.attributes, sort: 'start' } } },
        'invalid SpansListRequest: data.attributes.sort: unknown enum value "start" (SpansSort: timestamp, -timestamp)',
      ],
      [
        { data: { ...SEARCH.data, attributes: { ...SEARCH.data.attributes, page: { limit: '10' } } } },
        'invalid SpansListRequest: data.attributes.page.limit: expected number, got "10"',
      ],
    ],
  },
];

describe('fake Datadog routes read request bodies with the API client models', () => {
  let dd: FakeDatadog;
  beforeEach(async () => {
    dd = await FakeDatadog.start([terraformRoutes(), metricsRoutes(metricsStore()), spansRoutes(spansStore())]);
    // What the routes with an id in the path need: monitor 1000, the first SLO, dashboard abc-001-xyz, list 500
    // holding it, span-based metric trace_health.x.
    for (const [path, body] of [
      ['/api/v1/monitor', MONITOR],
      ['/api/v1/slo', SLO],
      ['/api/v1/dashboard', DASHBOARD],
      ['/api/v1/dashboard/lists/manual', { name: 'trace health' }],
      ['/api/v2/dashboard/lists/manual/500/dashboards', ITEMS],
      ['/api/v2/apm/config/metrics', SPANS_METRIC],
    ] as const)
      expect((await call('POST', path, body)).status).toBe(200);
  });
  afterEach(() => dd.stop());

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${dd.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Json) : undefined };
  };

  describe.each(CASES.map((c) => [`${c.method} ${c.path}`, c] as const))('%s', (_name, c) => {
    it('accepts a valid body', async () => {
      expect((await call(c.method, c.path, c.valid)).status).toBe(c.validStatus);
    });

    it.each(c.bad.map((b) => [b[1], b[0]] as const))('answers 400: %s', async (message, body) => {
      expect(await call(c.method, c.path, body)).toEqual({
        status: 400,
        body: { errors: [c.jsonApi ? { status: '400', title: 'Bad Request', detail: message } : message] },
      });
    });
  });

  it('answers 400 to a route without a body, naming the model', async () => {
    expect(await call('POST', '/api/v1/dashboard')).toEqual({
      status: 400,
      body: { errors: ['invalid Dashboard: (body): missing'] },
    });
  });

  it('stores nothing from a rejected body', async () => {
    const before = dd.requests.length;
    await call('POST', '/api/v1/monitor', { ...MONITOR, type: 'query' });
    expect((await call('GET', '/api/v1/monitor/1001')).status).toBe(404);
    expect(dd.requests.slice(before).map((r) => r.status)).toEqual([400, 404]);
  });
});
