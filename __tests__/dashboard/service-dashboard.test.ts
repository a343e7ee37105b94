import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  serviceDashboardJson,
  widgetTitles,
  type DashboardJson,
  type ServiceDashboardInput,
} from '../../src/constructs/dashboard';
import { languageSections } from '../../src/constructs/dashboard/cheat-sheet';
import {
  checkedSpansQuery,
  dashboardFilter,
  dashboardUnversionedFilter,
  doubleInstrumentedQuery,
  orphanRateQuery,
  sampledTagCoverageQuery,
  tagCoverageQuery,
  tracerFamiliesQuery,
  unexpectedRootsQuery,
  unpairedCallsQuery,
} from '../../src/datadog/queries';
import {
  CHECKOUT_MONITOR_TAGS,
  CHECKOUT_POLICY,
  CHECKOUT_SERVICE,
  CHECKOUT_SLO_IDS,
  policyFor,
  RULES,
  serviceFor,
} from './fixtures';
import { scopeMetricName, missingTagMetricName, VERSION_TAGGED_METRICS } from '../../src/datadog/metrics';
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

const input: ServiceDashboardInput = {
  policy: CHECKOUT_POLICY,
  service: CHECKOUT_SERVICE,
  site: 'datadoghq.com',
  sloIds: CHECKOUT_SLO_IDS,
  monitorTags: CHECKOUT_MONITOR_TAGS,
};

function notes(d: DashboardJson): string {
  return widgetsOfType(d, 'note')
    .map((w) => w.content as string)
    .join('\n');
}

describe('serviceDashboardJson', () => {
  const d = serviceDashboardJson(input);

  it('matches the golden file (UPDATE_GOLDEN=1 npx jest __tests__/dashboard to regenerate)', () => {
    expectGolden('service-checkout-api.json', d);
  });

  it('has none of the fields the provider strips or that cause perpetual diffs, anywhere in the tree', () => {
    const keys = keysInTree(d);
    for (const k of FORBIDDEN_KEYS) expect(keys.has(k)).toBe(false);
  });

  it('uses reflow_type only with the ordered layout', () => {
    expect(d.layout_type).toBe('ordered');
    expect(d.reflow_type).toBe('auto');
    for (const g of widgetsOfType(d, 'group')) expect(g.reflow_type).toBeUndefined();
  });

  it('has env and version template variables with `defaults` lists', () => {
    expect(d.template_variables).toEqual([
      { name: 'env', prefix: 'env', available_values: ['prod'], defaults: ['prod'] },
      { name: 'version', prefix: 'version', defaults: ['*'] },
    ]);
  });

  it('tags the dashboard with the team only', () => {
    expect(d.tags).toEqual(['team:checkout']);
  });

  it('runs exactly the queries of src/datadog/queries.ts, filtered by $env, and by $version where the metric has it', () => {
    const f = dashboardFilter('checkout-api');
    const unversioned = dashboardUnversionedFilter('checkout-api');
    const ratios = [
      orphanRateQuery(f),
      orphanRateQuery(f, ['version']),
      unexpectedRootsQuery(f),
      unpairedCallsQuery(f),
      ...RULES.flatMap((r) => [
        tagCoverageQuery(r.scope, r.tag, unversioned),
        sampledTagCoverageQuery(r.tag, f, ['version']),
      ]),
    ];
    const expected = [
      ...ratios.flatMap((q) => [q.numerator, q.denominator]),
      tracerFamiliesQuery(unversioned),
      doubleInstrumentedQuery(f),
      checkedSpansQuery(f),
    ].sort();
    const actual = metricQueries(d).sort();
    expect(actual).toEqual(expected);
    for (const q of actual) expect(q).toMatch(/\{service:checkout-api,\$env[,}]/);
  });

  it('filters or groups by version only metrics that carry a version tag (span-based metrics do not)', () => {
    const terms = metricQueries(d).flatMap(metricTerms);
    expect(terms.length).toBe(metricQueries(d).length);
    const misused = terms.filter((t) => usesVersion(t) && !VERSION_TAGGED_METRICS.has(t.metric));
    expect(misused).toEqual([]);
    // Span-based metrics are still on the dashboard (coverage over time), just without version.
    const unversioned = terms.filter((t) => !VERSION_TAGGED_METRICS.has(t.metric)).map((t) => t.metric);
    expect(unversioned.sort()).toEqual(
      [
        ...RULES.flatMap((r) => [scopeMetricName(r.scope), missingTagMetricName(r.scope, r.tag)]),
        'trace_health.tracers.families',
      ].sort(),
    );
  });

  it('detects a span-based metric filtered by $version (the check above can fail)', () => {
    const bad = metricTerms(tagCoverageQuery('*', 'usr.id', dashboardFilter('x'), ['version']).numerator);
    expect(bad.map((t) => [t.metric, usesVersion(t), VERSION_TAGGED_METRICS.has(t.metric)])).toEqual([
      [missingTagMetricName('*', 'usr.id'), true, false],
    ]);
  });

  it('shows tag coverage by version from the collector, per required tag, with deploy markers', () => {
    const byVersion = widgetsOfType(d, 'timeseries').filter((w) => (w.title as string).includes('by version'));
    expect(byVersion.map((w) => w.title)).toEqual([
      'Orphan span rate by version',
      'usr.id coverage by version (sampled complete traces)',
      'error.message coverage by version (sampled complete traces)',
      'version coverage by version (sampled complete traces)',
    ]);
    expect(metricQueries(byVersion[1])).toEqual([
      'sum:trace_health.tags.covered{service:checkout-api,$env,$version,required_tag:usr.id} by {version}.as_count()',
      'sum:trace_health.tags.checked{service:checkout-api,$env,$version,required_tag:usr.id} by {version}.as_count()',
    ]);
    for (const w of byVersion) {
      // Deploy markers: the collector's "version first seen" events of this service, in the dashboard's env.
      expect(w.events).toEqual([
        { q: 'trace_health:version_first_seen (service:checkout-api OR tags:("service:checkout-api")) $env' },
      ]);
      expect(JSON.stringify(w.requests)).toContain(' by {version}.as_count()');
    }
  });

  it('draws the resolved thresholds as markers', () => {
    const orphan = widgetsOfType(d, 'timeseries').find((w) => w.title === 'Orphan span rate')!;
    expect(orphan.markers).toEqual([
      { label: 'warning', value: 'y = 0.01', display_type: 'warning dashed' },
      { label: 'critical', value: 'y = 0.01', display_type: 'error dashed' },
    ]);
    const usr = widgetsOfType(d, 'timeseries').find(
      (w) => w.title === 'usr.id coverage (@_top_level:1), all versions',
    )!;
    expect(usr.markers).toEqual([
      { label: 'warning', value: 'y = 0.98', display_type: 'warning dashed' },
      { label: 'critical', value: 'y = 0.95', display_type: 'error dashed' },
    ]);
  });

  it('ranks unpaired calls by callee, worst first', () => {
    const [top] = widgetsOfType(d, 'toplist');
    expect(top.title).toBe('Unpaired calls by callee (peer_service), worst first');
    const req = (top.requests as Record<string, unknown>[])[0];
    expect(req.sort).toEqual({ count: 25, order_by: [{ type: 'formula', index: 0, order: 'desc' }] });
    expect(req.formulas).toEqual([{ alias: 'unpaired calls', formula: 'calls_bad / calls_all' }]);
  });

  it('has one SLO widget per given id, continuity first, referencing exactly those ids', () => {
    const slos = widgetsOfType(d, 'slo');
    expect(slos.map((w) => [w.title, w.slo_id, w.time_windows])).toEqual([
      ['SLO: trace continuity (spans with their parent)', CHECKOUT_SLO_IDS.continuity, ['30d']],
      ['SLO: usr.id coverage', CHECKOUT_SLO_IDS['tag:usr.id'], ['30d']],
      ['SLO: error.message coverage', CHECKOUT_SLO_IDS['tag:error.message'], ['30d']],
    ]);
  });

  it('has no SLO group when there are no SLOs', () => {
    const none = serviceDashboardJson({ ...input, sloIds: {} });
    expect(widgetsOfType(none, 'slo')).toEqual([]);
    expect(widgetTitles(none)).not.toContain('SLOs');
  });

  it('shows the status of the service’s trace-health monitors', () => {
    const [m] = widgetsOfType(d, 'manage_status');
    expect(m.query).toBe('tag:"env:prod" tag:"managed-by:trace-health" tag:"service:checkout-api" tag:"team:checkout"');
  });

  it('contains no Terraform interpolation other than the SLO ids', () => {
    const strings = allStrings(d);
    const interpolated = strings.filter((s) => s.includes('${') || s.includes('%{'));
    expect(interpolated.sort()).toEqual(Object.values(CHECKOUT_SLO_IDS).sort());
  });

  it('escapes interpolation syntax coming from the catalog', () => {
    const svc = serviceFor('odd', 'x', {
      runbook: 'https://wiki.example.com/${oops}/%{x}',
      links: [{ name: 'Runbook', type: 'runbook', url: 'https://wiki.example.com/${oops}/%{x}' }],
    });
    const out = serviceDashboardJson({ ...input, policy: policyFor('odd', 'x'), service: svc, sloIds: {} });
    expect(notes(out)).toContain('[Runbook](https://wiki.example.com/$${oops}/%%{x})');
  });

  it('links the APM service page, Trace Explorer filtered to bad spans, the runbook, repo and docs', () => {
    const text = notes(d);
    expect(text).toContain('[APM service page](https://app.datadoghq.com/apm/services/checkout-api?env=prod)');
    expect(text).toContain(
      '[Spans missing `usr.id`](https://app.datadoghq.com/apm/traces?query=service%3Acheckout-api%20env%3Aprod%20%40_top_level%3A1%20-%40usr.id%3A*)',
    );
    expect(text).toContain(
      '[Spans missing `version`](https://app.datadoghq.com/apm/traces?query=service%3Acheckout-api%20env%3Aprod%20-version%3A*)',
    );
    expect(text).toContain('[Runbook](https://wiki.example.com/runbooks/checkout-api)');
    expect(text).toContain('[Source (repo)](https://github.com/example/checkout-api)');
    expect(text).toContain('[Design doc (doc)](https://docs.example.com/checkout-api)');
    expect(text).not.toContain('No runbook in the catalog');
  });

  it.each([
    ['datadoghq.eu', 'https://app.datadoghq.eu'],
    ['ddog-gov.com', 'https://app.ddog-gov.com'],
    ['us5.datadoghq.com', 'https://us5.datadoghq.com'],
  ])('makes links for site %s', (site, host) => {
    const text = notes(serviceDashboardJson({ ...input, site }));
    expect(text).toContain(`[APM service page](${host}/apm/services/checkout-api?env=prod)`);
    expect(text).toContain(
      `[Error spans](${host}/apm/traces?query=service%3Acheckout-api%20env%3Aprod%20status%3Aerror)`,
    );
    expect(text).not.toContain('app.datadoghq.com');
  });

  it('says the runbook is missing when the catalog has none', () => {
    const svc = serviceFor('notification-worker', 'platform');
    const out = serviceDashboardJson({
      ...input,
      policy: policyFor('notification-worker', 'platform'),
      service: svc,
    });
    expect(notes(out)).toContain('**No runbook in the catalog**: add a link of type `runbook`');
    expect(notes(out)).not.toContain('[Runbook]');
  });

  it('teaches orphans, unexpected roots, unpaired calls, two tracers, deploys, env/version and headers', () => {
    const text = notes(d);
    for (const term of [
      '**Orphan span**',
      '**Unexpected root**',
      '**Unpaired call**',
      '**Two tracers**',
      'Which deploy broke it?',
      '`DD_ENV`',
      '`DD_VERSION`',
      'OTEL_RESOURCE_ATTRIBUTES',
      '`traceparent`',
      '`x-datadog-trace-id`',
      'DD_TRACE_PROPAGATION_STYLE=datadog,tracecontext',
    ])
      expect(text).toContain(term);
  });

  it('lists the common causes of the service’s own languages only', () => {
    expect(notes(d)).toContain('**Java / JVM**');
    expect(notes(d)).not.toContain('**Go**');
    expect(languageSections(['Go', 'TypeScript'])).toEqual(['go', 'node']);
    expect(languageSections([])).toEqual(['java', 'go', 'node', 'python', 'ruby', 'dotnet', 'php']);
    expect(languageSections(['cobol'])).toEqual(['java', 'go', 'node', 'python', 'ruby', 'dotnet', 'php']);
  });

  it('is deterministic: same output for SLO ids and monitor tags in any order', () => {
    const shuffled = serviceDashboardJson({
      ...input,
      sloIds: Object.fromEntries(Object.entries(CHECKOUT_SLO_IDS).reverse()),
      monitorTags: [...CHECKOUT_MONITOR_TAGS].reverse(),
    });
    expect(JSON.stringify(shuffled)).toBe(JSON.stringify(d));
  });

  it('lists widget titles in order for the review manifest', () => {
    expect(widgetTitles(d)).toEqual([
      'How to read this dashboard',
      'How to read this dashboard / note: Trace health — checkout-api',
      'How to read this dashboard / note: Cheat sheet: reading trace health',
      'How to read this dashboard / note: How to investigate',
      'How to read this dashboard / note: Where env and version are set',
      'How to read this dashboard / note: Common causes by language',
      'Trace continuity',
      'Trace continuity / Orphan span rate',
      'Trace continuity / Orphan span rate by version',
      'Trace continuity / Unexpected trace roots (share of roots)',
      'Trace continuity / Unpaired calls by callee (peer_service), worst first',
      'Trace continuity / Tracing-library families (more than 1 = two tracers)',
      'Trace continuity / Double-instrumented spans',
      'Trace continuity / Spans checked by the collector',
      'Tag coverage',
      'Tag coverage / usr.id coverage (@_top_level:1), all versions',
      'Tag coverage / usr.id coverage by version (sampled complete traces)',
      'Tag coverage / error.message coverage (status:error), all versions',
      'Tag coverage / error.message coverage by version (sampled complete traces)',
      'Tag coverage / version coverage (all spans), all versions',
      'Tag coverage / version coverage by version (sampled complete traces)',
      'SLOs',
      'SLOs / SLO: trace continuity (spans with their parent)',
      'SLOs / SLO: usr.id coverage',
      'SLOs / SLO: error.message coverage',
      'Monitors',
      'Monitors / Trace-health monitors',
    ]);
  });
});

describe('golden file helper', () => {
  it('stores the golden JSON pretty-printed with a trailing newline', () => {
    const text = readFileSync(join(__dirname, 'golden', 'service-checkout-api.json'), 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text).title).toBe('Trace health — checkout-api');
  });
});
