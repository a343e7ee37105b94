/** The fake's Terraform endpoints, without terraform: what they accept, reject and give back. */
import { FakeDatadog } from '../fake-datadog/server';
import { checkMonitor, terraformRoutes, terraformStore } from '../fake-datadog/routes/terraform';

const MONITOR = {
  name: 'orphans',
  type: 'query alert',
  query: 'sum(last_1h):sum:a{*}.as_count() / sum:b{*}.as_count() > 0.05',
  options: { thresholds: { critical: 0.05 } },
};

describe('fake Datadog terraform routes', () => {
  let dd: FakeDatadog;
  beforeEach(async () => {
    dd = await FakeDatadog.start([terraformRoutes()]);
  });
  afterEach(() => dd.stop());

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${dd.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  it('fails monitor validation when the query threshold differs from options.thresholds.critical', () => {
    expect(checkMonitor(MONITOR)).toBeUndefined();
    expect(checkMonitor({ ...MONITOR, options: { thresholds: { critical: 0.1 } } })).toBe(
      'Alert threshold (0.1) does not match that used in the query (0.05).',
    );
    expect(checkMonitor({ ...MONITOR, name: '' })).toBe("The value provided for parameter 'name' is invalid: missing");
    expect(checkMonitor({ ...MONITOR, type: 'query' })).toMatch(
      /^invalid Monitor: type: unknown enum value "query" \(MonitorType: composite, event alert, .*, query alert, /,
    );
    expect(checkMonitor({ ...MONITOR, query: 'avg(last_5m):avg:a{*}' })).toBe(
      'The value provided for parameter \'query\' is invalid: expected a comparator (>, >=, <, <=, ==, !=) and a threshold at character 22 of "avg(last_5m):avg:a{*}"',
    );
  });

  it('refuses a query the simulator cannot parse (what passes is what `trace-health simulate` evaluates)', () => {
    expect(checkMonitor({ ...MONITOR, query: 'sum(last_1h):sum:a{service:} > 1' })).toBe(
      'The value provided for parameter \'query\' is invalid: "service:" is not a tag at character 20 of "sum(last_1h):sum:a{service:} > 1"',
    );
    expect(checkMonitor({ ...MONITOR, type: 'composite', query: '12 && && 13' })).toBe(
      'The value provided for parameter \'query\' is invalid: expected a monitor id at character 7 of "12 && && 13"',
    );
    expect(checkMonitor({ ...MONITOR, type: 'composite', query: '12 && !13' })).toBeUndefined();
  });

  it('answers monitor validation with 200 or 400 and the reason', async () => {
    expect(await call('POST', '/api/v1/monitor/validate', MONITOR)).toEqual({ status: 200, body: {} });
    expect(await call('POST', '/api/v1/monitor/validate', { ...MONITOR, name: '' })).toEqual({
      status: 400,
      body: { errors: ["The value provided for parameter 'name' is invalid: missing"] },
    });
  });

  it('stores a monitor with an id and gives it back, then deletes it', async () => {
    const created = await call('POST', '/api/v1/monitor', MONITOR);
    expect(created.body).toEqual(
      expect.objectContaining({
        ...MONITOR,
        // What Datadog adds to the options it was sent.
        options: { notify_audit: false, silenced: {}, thresholds: { critical: 0.05 } },
        id: 1000,
      }),
    );
    expect((await call('GET', '/api/v1/monitor/1000')).body).toEqual(created.body);
    expect((await call('DELETE', '/api/v1/monitor/1000')).body).toEqual({ deleted_monitor_id: 1000 });
    expect((await call('GET', '/api/v1/monitor/1000')).status).toBe(404);
  });

  it('strips the quotes the provider puts around a span-based metric name', async () => {
    const attributes = { compute: { aggregation_type: 'count' }, filter: { query: '*' } };
    const sent = { data: { id: '"trace_health.x"', type: 'spans_metrics', attributes } };
    const created = await call('POST', '/api/v2/apm/config/metrics', sent);
    expect(created.body).toEqual({ data: { id: 'trace_health.x', type: 'spans_metrics', attributes } });
    expect(terraformStore(dd).spansMetrics.has('trace_health.x')).toBe(true);
    expect((await call('POST', '/api/v2/apm/config/metrics', sent)).status).toBe(409);
  });

  it('keeps the aggregation type of a span-based metric through an update, as Datadog does', async () => {
    const attributes = { compute: { aggregation_type: 'count' }, filter: { query: '*' } };
    await call('POST', '/api/v2/apm/config/metrics', { data: { id: 'm', type: 'spans_metrics', attributes } });
    // The provider's update: SpansMetricUpdateCompute has include_percentiles only.
    const update = { compute: { include_percentiles: false }, filter: { query: 'env:prod' } };
    const patched = await call('PATCH', '/api/v2/apm/config/metrics/m', {
      data: { type: 'spans_metrics', attributes: update },
    });
    expect(patched).toEqual({
      status: 200,
      body: {
        data: {
          id: 'm',
          type: 'spans_metrics',
          attributes: {
            compute: { aggregation_type: 'count', include_percentiles: false },
            filter: { query: 'env:prod' },
          },
        },
      },
    });
  });

  it('returns an SLO with what Datadog adds: monitor_tags, type_id, threshold display strings', async () => {
    const sent = { name: 's', type: 'metric', thresholds: [{ timeframe: '30d', target: 99, warning: 99.5 }] };
    const created = await call('POST', '/api/v1/slo', sent);
    expect(created.body.data[0]).toEqual(
      expect.objectContaining({
        name: 's',
        type: 'metric',
        type_id: 1,
        monitor_tags: [],
        thresholds: [{ timeframe: '30d', target: 99, target_display: '99', warning: 99.5, warning_display: '99.5' }],
      }),
    );
    const id = created.body.data[0].id;
    expect((await call('GET', `/api/v1/slo/${id}`)).body.data).toEqual(created.body.data[0]);
  });

  it('gives every widget an id, inside groups too, as Datadog does', async () => {
    const note = { definition: { type: 'note', content: 'x' } };
    const group = { definition: { type: 'group', layout_type: 'ordered', widgets: [note] } };
    const dash = await call('POST', '/api/v1/dashboard', {
      title: 't',
      layout_type: 'ordered',
      widgets: [note, group],
    });
    expect(dash.body.widgets).toEqual([
      { ...note, id: 1000000000000001 },
      { definition: { ...group.definition, widgets: [{ ...note, id: 1000000000000002 }] }, id: 1000000000000003 },
    ]);
  });

  it('keeps dashboard list items in the list', async () => {
    const dash = await call('POST', '/api/v1/dashboard', { title: 'A b', layout_type: 'ordered', widgets: [] });
    expect(dash.body).toEqual(expect.objectContaining({ id: 'abc-001-xyz', url: '/dashboard/abc-001-xyz/a-b' }));
    const list = await call('POST', '/api/v1/dashboard/lists/manual', { name: 'trace health' });
    const items = `/api/v2/dashboard/lists/manual/${list.body.id}/dashboards`;
    await call('POST', items, { dashboards: [{ id: 'abc-001-xyz', type: 'custom_timeboard' }] });
    expect((await call('GET', items)).body).toEqual({
      dashboards: [
        {
          id: 'abc-001-xyz',
          type: 'custom_timeboard',
          title: 'A b',
          url: '/dashboard/abc-001-xyz/a-b',
          is_read_only: false,
          is_shared: false,
        },
      ],
      total: 1,
    });
  });
});
