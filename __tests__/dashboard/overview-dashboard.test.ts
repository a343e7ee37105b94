import {
  dashboardSearchUrl,
  overviewDashboardJson,
  serviceDashboardTitle,
  widgetTitles,
  type DashboardJson,
} from '../../src/constructs/dashboard';
import {
  checkedSpansQuery,
  dashboardFilter,
  orphanRateQuery,
  tagCoverageQuery,
  tagsFilter,
  uncatalogedServicesQuery,
  unexpectedRootsQuery,
  unseenServicesQuery,
} from '../../src/datadog/queries';
import { OVERVIEW_POLICIES, RULES } from './fixtures';
import { VERSION_TAGGED_METRICS } from '../../src/datadog/metrics';
import {
  allStrings,
  expectGolden,
  FORBIDDEN_KEYS,
  keysInTree,
  metricQueries,
  metricTerms,
  usesVersion,
  widgetsOfType,
} from './helpers';

const URLS = {
  'checkout-api': '${datadog_dashboard_json.checkout-api.url}',
  'web-gateway': 'https://app.datadoghq.com/dashboard/abc-def-ghi',
};

describe('overviewDashboardJson', () => {
  const d = overviewDashboardJson({ services: OVERVIEW_POLICIES, site: 'datadoghq.com', dashboardUrls: URLS });

  function teamNotes(out: DashboardJson): string[] {
    return widgetsOfType(out, 'note')
      .map((n) => n.content as string)
      .filter((c) => c.startsWith('## Team '));
  }

  it('matches the golden file (UPDATE_GOLDEN=1 npx jest __tests__/dashboard to regenerate)', () => {
    expectGolden('overview.json', d);
  });

  it('has none of the fields the provider strips or that cause perpetual diffs, anywhere in the tree', () => {
    const keys = keysInTree(d);
    for (const k of FORBIDDEN_KEYS) expect(keys.has(k)).toBe(false);
    expect(d.layout_type).toBe('ordered');
    expect(d.reflow_type).toBe('auto');
    expect(d.tags).toEqual([]);
    expect(d.template_variables).toEqual([
      { name: 'env', prefix: 'env', available_values: ['prod'], defaults: ['prod'] },
    ]);
  });

  it('filters or groups by version only metrics that carry a version tag (span-based metrics do not)', () => {
    const terms = metricQueries(d).flatMap(metricTerms);
    expect(terms.length).toBeGreaterThan(0);
    expect(terms.filter((t) => usesVersion(t) && !VERSION_TAGGED_METRICS.has(t.metric))).toEqual([]);
  });

  it('has the default title, or the one given', () => {
    expect(d.title).toBe('Trace health — overview');
    expect(
      overviewDashboardJson({ services: OVERVIEW_POLICIES, site: 'datadoghq.com', title: 'Org traces' }).title,
    ).toBe('Org traces');
  });

  it('ranks services by orphan rate, highest first, excluding disabled services', () => {
    const f = '{$env,!service:legacy-batch}';
    const [orphans] = widgetsOfType(d, 'toplist');
    expect(orphans.title).toBe('Orphan span rate by service');
    const req = (orphans.requests as Record<string, unknown>[])[0];
    expect(req.queries).toEqual([
      {
        data_source: 'metrics',
        name: 'orphans_bad',
        query: orphanRateQuery(f, ['service']).numerator,
        aggregator: 'sum',
      },
      {
        data_source: 'metrics',
        name: 'orphans_all',
        query: orphanRateQuery(f, ['service']).denominator,
        aggregator: 'sum',
      },
    ]);
    expect(req.sort).toEqual({ count: 100, order_by: [{ type: 'formula', index: 0, order: 'desc' }] });
  });

  it('ranks services by tag coverage, lowest first; a rule only some services have excludes the others', () => {
    const tops = widgetsOfType(d, 'toplist').slice(1, -1);
    expect(tops.map((t) => t.title)).toEqual([
      'error.message coverage (status:error) by service',
      'usr.id coverage (@_top_level:1) by service',
      'version coverage (all spans) by service',
    ]);
    for (const t of tops)
      expect((t.requests as Record<string, unknown>[])[0].sort).toEqual({
        count: 100,
        order_by: [{ type: 'formula', index: 0, order: 'asc' }],
      });
    const usrQueries = metricQueries(tops[1]);
    expect(usrQueries).toEqual([
      tagCoverageQuery(RULES[0].scope, 'usr.id', '{$env,!service:legacy-batch,!service:notification-worker}', [
        'service',
      ]).numerator,
      tagCoverageQuery(RULES[0].scope, 'usr.id', '{$env,!service:legacy-batch,!service:notification-worker}', [
        'service',
      ]).denominator,
    ]);
  });

  it('shows the catalog coverage the collector reports: services not in the catalog (by $env) and unseen ones', () => {
    expect(widgetsOfType(d, 'query_value').map((w) => [w.title, metricQueries(w)])).toEqual([
      // One series per service, however many shards or envs sent it, then counted.
      [
        'Services sending spans, not in the catalog',
        ['count_nonzero(max:trace_health.services.uncataloged{$env} by {service})'],
      ],
      [
        'Catalog services without spans in the sample',
        ['count_nonzero(max:trace_health.services.unseen{*} by {service})'],
      ],
    ]);
    const top = widgetsOfType(d, 'toplist').at(-1)!;
    expect([top.title, metricQueries(top)]).toEqual([
      'Services not in the catalog',
      ['max:trace_health.services.uncataloged{$env} by {service}'],
    ]);
  });

  it('runs only queries from src/datadog/queries.ts, all filtered by $env (but unseen services, which have no env)', () => {
    const all = '{$env,!service:legacy-batch}';
    const by = ['service'];
    const expected = new Set([
      ...[orphanRateQuery(all, by), unexpectedRootsQuery(all, by)].flatMap((q) => [q.numerator, q.denominator]),
      checkedSpansQuery(all, by),
      ...[
        tagCoverageQuery(RULES[0].scope, 'usr.id', '{$env,!service:legacy-batch,!service:notification-worker}', by),
        tagCoverageQuery(RULES[1].scope, 'error.message', all, by),
        tagCoverageQuery(RULES[2].scope, 'version', all, by),
      ].flatMap((q) => [q.numerator, q.denominator]),
      uncatalogedServicesQuery('{$env}'),
      uncatalogedServicesQuery('{$env}', ['service']),
      unseenServicesQuery(),
    ]);
    const actual = new Set(metricQueries(d));
    expect([...actual].sort()).toEqual([...expected].sort());
  });

  it('shows SLO status and a monitor summary of everything trace-health manages', () => {
    expect(widgetsOfType(d, 'slo_list').map((w) => w.requests)).toEqual([
      [{ request_type: 'slo_list', query: { query_string: 'managed-by:trace-health', limit: 100 } }],
    ]);
    expect(widgetsOfType(d, 'manage_status').map((w) => w.query)).toEqual(['tag:"managed-by:trace-health"']);
  });

  it('has one note per team, sorted, listing its enabled services with dashboard links when known', () => {
    expect(teamNotes(d)).toEqual([
      [
        '## Team checkout',
        '',
        '- **cart-service** (tier 2): [APM](https://app.datadoghq.com/apm/services/cart-service?env=prod)',
        '- **checkout-api** (tier 1): [dashboard](${datadog_dashboard_json.checkout-api.url}) · [APM](https://app.datadoghq.com/apm/services/checkout-api?env=prod)',
      ].join('\n'),
      [
        '## Team data',
        '',
        '- **search-api** (tier 3): [APM](https://app.datadoghq.com/apm/services/search-api?env=prod)',
      ].join('\n'),
      [
        '## Team payments',
        '',
        '- **payments-api** (tier 1): [APM](https://app.datadoghq.com/apm/services/payments-api?env=prod)',
      ].join('\n'),
      [
        '## Team platform',
        '',
        '- **notification-worker** (tier 3): [APM](https://app.datadoghq.com/apm/services/notification-worker?env=prod)',
        '- **web-gateway** (tier 1): [dashboard](https://app.datadoghq.com/dashboard/abc-def-ghi) · [APM](https://app.datadoghq.com/apm/services/web-gateway?env=prod)',
      ].join('\n'),
    ]);
    expect(allStrings(d).some((s) => s.includes('legacy-batch') && !s.includes('!service:legacy-batch'))).toBe(false);
  });

  it.each([
    ['datadoghq.eu', 'https://app.datadoghq.eu'],
    ['ddog-gov.com', 'https://app.ddog-gov.com'],
  ])('makes service links for site %s', (site, host) => {
    const notes = teamNotes(overviewDashboardJson({ services: OVERVIEW_POLICIES, site }));
    expect(notes[0]).toContain(`[APM](${host}/apm/services/cart-service?env=prod)`);
    expect(notes.join('\n')).not.toContain('app.datadoghq.com');
  });

  it('is deterministic: same output for services in any order', () => {
    const reversed = overviewDashboardJson({
      services: [...OVERVIEW_POLICIES].reverse(),
      site: 'datadoghq.com',
      dashboardUrls: URLS,
    });
    expect(JSON.stringify(reversed)).toBe(JSON.stringify(d));
  });

  it('lists widget titles in order for the review manifest', () => {
    expect(widgetTitles(d)).toEqual([
      'note: Trace health — overview',
      'Trace continuity, worst first',
      'Trace continuity, worst first / Orphan span rate by service',
      'Trace continuity, worst first / Trace continuity by service',
      'Tag coverage, worst first',
      'Tag coverage, worst first / error.message coverage (status:error) by service',
      'Tag coverage, worst first / usr.id coverage (@_top_level:1) by service',
      'Tag coverage, worst first / version coverage (all spans) by service',
      'Tag coverage, worst first / Tag coverage by service',
      'Catalog coverage',
      'Catalog coverage / note: Services that send spans but have no catalog definition get no monitors, dashboard or SLO. The collector counts them (and the catalog services it saw no span of); `trace-health catalog suggest --from REPORT --out DIR` drafts their definitions.',
      'Catalog coverage / Services sending spans, not in the catalog',
      'Catalog coverage / Catalog services without spans in the sample',
      'Catalog coverage / Services not in the catalog',
      'SLOs and monitors',
      'SLOs and monitors / Trace-health SLOs',
      'SLOs and monitors / Trace-health monitors',
      'Teams',
      'Teams / note: Team checkout',
      'Teams / note: Team data',
      'Teams / note: Team payments',
      'Teams / note: Team platform',
    ]);
  });
});

describe('dashboard filters in src/datadog/queries.ts', () => {
  it('builds template-variable filters', () => {
    expect(dashboardFilter('checkout-api')).toBe('{service:checkout-api,$env,$version}');
    expect(tagsFilter([])).toBe('{*}');
    expect(tagsFilter(['$env', '!service:a'])).toBe('{$env,!service:a}');
  });
});

describe('dashboardSearchUrl', () => {
  it('links a dashboard by title, without an id (usable across Terraform stacks)', () => {
    expect(dashboardSearchUrl('datadoghq.eu', serviceDashboardTitle('cart-service'))).toBe(
      'https://app.datadoghq.eu/dashboard/lists?q=Trace%20health%20%E2%80%94%20cart-service',
    );
  });

  it('can be passed as dashboardUrls for the team notes', () => {
    const urls = Object.fromEntries(
      OVERVIEW_POLICIES.map((p) => [p.service, dashboardSearchUrl('datadoghq.com', serviceDashboardTitle(p.service))]),
    );
    const d = overviewDashboardJson({ services: OVERVIEW_POLICIES, site: 'datadoghq.com', dashboardUrls: urls });
    const notes = widgetsOfType(d, 'note').map((n) => n.content as string);
    expect(notes.find((n) => n.startsWith('## Team data'))).toBe(
      [
        '## Team data',
        '',
        '- **search-api** (tier 3): [dashboard](https://app.datadoghq.com/dashboard/lists?q=Trace%20health%20%E2%80%94%20search-api) · [APM](https://app.datadoghq.com/apm/services/search-api?env=prod)',
      ].join('\n'),
    );
  });
});
