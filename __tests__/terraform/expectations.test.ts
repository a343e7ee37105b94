/** Reading what a plan must create from the review manifest, and what it does create from the plan. */
import { configAddresses, dashboardOwners, manifestExpectations, planExpectations } from './expectations';
import type { PlannedResource } from './harness';

const SERVICES_MANIFEST = `# trace-health review manifest
stack: "team-checkout"
services:
  "cart-service":
    team: "checkout"
    envs: ["prod"]
    monitors:
      prod_orphan-rate:
        name: "[trace-health] cart-service (prod): orphan span rate"
        type: "composite"
      prod_guard:
        name: "[trace-health] cart-service (prod): guard"
    slos:
      prod_slo_continuity:
        name: "cart-service continuity"
        target: 99
    dashboard:
      title: "Trace health — cart-service"
      widgets:
        - "Orphan span rate"
  "checkout-api":
    team: "checkout"
    envs: ["prod"]
    monitors:
    slos:
    dashboard:
      title: "Trace health — checkout-api"
      widgets: []
`;

const CORE_MANIFEST = `stack: "core"
span_metrics:
  "trace_health.scope.all.spans":
    filter: "*"
dashboards:
  overview:
    title: "Trace health — overview"
`;

const created = (type: string, name: string, after: Record<string, unknown>): PlannedResource => ({
  address: `${type}.${name}`,
  type,
  name,
  actions: ['create'],
  after,
});

describe('manifestExpectations', () => {
  it('lists each service’s monitor, SLO and dashboard names, sorted', () => {
    expect(manifestExpectations(SERVICES_MANIFEST)).toEqual({
      'cart-service': {
        monitors: ['[trace-health] cart-service (prod): guard', '[trace-health] cart-service (prod): orphan span rate'],
        slos: ['cart-service continuity'],
        dashboards: ['Trace health — cart-service'],
        spanMetrics: [],
      },
      'checkout-api': { monitors: [], slos: [], dashboards: ['Trace health — checkout-api'], spanMetrics: [] },
    });
  });

  it('lists the core stack’s span-based metrics and dashboards under the empty service', () => {
    expect(manifestExpectations(CORE_MANIFEST)).toEqual({
      '': {
        monitors: [],
        slos: [],
        dashboards: ['Trace health — overview'],
        spanMetrics: ['trace_health.scope.all.spans'],
      },
    });
  });
});

describe('planExpectations', () => {
  const config = {
    resource: {
      datadog_dashboard_json: {
        'cart-service_dashboard': { dashboard: '{"title":"Trace health — cart-service","widgets":[]}' },
      },
      datadog_monitor: { a: {}, b: {} },
    },
  };

  it('attributes monitors and SLOs by their service tag and dashboards by their title', () => {
    const resources = [
      created('datadog_monitor', 'a', {
        name: '[trace-health] cart-service (prod): orphan span rate',
        tags: ['env:prod', 'service:cart-service'],
      }),
      created('datadog_monitor', 'b', { name: 'untagged', tags: [] }),
      created('datadog_service_level_objective', 's', {
        name: 'cart-service continuity',
        tags: ['service:cart-service'],
      }),
      // The dashboard JSON is unknown at plan time (it embeds SLO ids): its title comes from the configuration.
      created('datadog_dashboard_json', 'cart-service_dashboard', {}),
      created('datadog_spans_metric', 'm', { name: 'trace_health.scope.all.spans' }),
      { ...created('datadog_monitor', 'gone', { name: 'deleted one' }), actions: ['delete'] },
    ];
    const expected = manifestExpectations(SERVICES_MANIFEST);
    expect(planExpectations(resources, config, dashboardOwners(expected))).toEqual({
      '': { monitors: [], slos: [], dashboards: [], spanMetrics: ['trace_health.scope.all.spans'] },
      '?': { monitors: ['untagged'], slos: [], dashboards: [], spanMetrics: [] },
      'cart-service': {
        monitors: ['[trace-health] cart-service (prod): orphan span rate'],
        slos: ['cart-service continuity'],
        dashboards: ['Trace health — cart-service'],
        spanMetrics: [],
      },
    });
  });

  it('lists every declared address', () => {
    expect(configAddresses(config)).toEqual([
      'datadog_dashboard_json.cart-service_dashboard',
      'datadog_monitor.a',
      'datadog_monitor.b',
    ]);
  });
});
