import { Testing } from 'cdktf';
import { envFilter, spanMetricSpecs } from '../../src/constructs';
import { isValidMetricName, NATIVE_METRICS, scopeMetricName, tagMetricName } from '../../src/datadog/metrics';
import { CoreStack } from '../../stacks';
import { policy, RULES } from './fixtures';

describe('span-based metrics', () => {
  const specs = spanMetricSpecs({ rules: [...RULES, ...RULES], envs: ['prod', 'staging', 'prod'] });

  test('one per distinct scope, one per (scope, tag), plus spans ingested; names from metrics.ts', () => {
    expect(specs.map((s) => s.name)).toEqual(
      [
        NATIVE_METRICS.spansIngested,
        scopeMetricName('*'),
        tagMetricName('*', 'version'),
        scopeMetricName('status:error'),
        tagMetricName('status:error', 'error.message'),
        scopeMetricName('@_top_level:1'),
        tagMetricName('@_top_level:1', 'usr.id'),
      ].sort(),
    );
    expect(specs.every((s) => isValidMetricName(s.name))).toBe(true);
  });

  test('filters: the env set plus the scope, plus "has the tag" for numerators; grouped by service and env', () => {
    const byName = new Map(specs.map((s) => [s.name, s]));
    expect(byName.get(NATIVE_METRICS.spansIngested)!.filter).toBe('(env:prod OR env:staging)');
    expect(byName.get(scopeMetricName('@_top_level:1'))!.filter).toBe('(env:prod OR env:staging) @_top_level:1');
    expect(byName.get(tagMetricName('@_top_level:1', 'usr.id'))!.filter).toBe(
      '(env:prod OR env:staging) (@_top_level:1) @usr.id:*',
    );
    expect(byName.get(tagMetricName('*', 'version'))!.filter).toBe('(env:prod OR env:staging) version:*');
    expect(new Set(specs.map((s) => s.groupBy.join(',')))).toEqual(new Set(['service,env']));
  });

  test('envFilter', () => {
    expect(envFilter([])).toBe('*');
    expect(envFilter(['prod'])).toBe('env:prod');
  });

  test('the core stack holds them as count metrics, plus the overview and its list', () => {
    const stack = new CoreStack(Testing.app(), 'core', {
      site: 'datadoghq.com',
      backend: { type: 'local', path: 'terraform.core.tfstate' },
      policyDirFromStack: '../../..',
      services: [policy('a'), policy('b', { enabled: false, requiredTags: [{ tag: 'x.y', scope: '*', slo: false }] })],
    });
    const tf = JSON.parse(Testing.synth(stack)) as {
      resource: Record<string, Record<string, Record<string, unknown>>>;
    };
    const metrics = tf.resource.datadog_spans_metric;
    expect(Object.keys(metrics)).toHaveLength(7); // the disabled service's rule gets no metric
    expect(metrics[`span-metrics_${NATIVE_METRICS.spansIngested.replace(/\./g, '_')}`]).toEqual({
      name: NATIVE_METRICS.spansIngested,
      compute: { aggregation_type: 'count' },
      filter: { query: 'env:prod' },
      group_by: [
        { path: 'service', tag_name: 'service' },
        { path: 'env', tag_name: 'env' },
      ],
    });
    expect(Object.keys(tf.resource.datadog_dashboard_json)).toEqual(['overview_dashboard']);
    expect(tf.resource.datadog_dashboard_list['dashboard-list'].dash_item).toEqual([
      { dash_id: '${datadog_dashboard_json.overview_dashboard.id}', type: 'custom_timeboard' },
    ]);
  });
});
