import { Testing } from 'cdktf';
import { envFilter, spanMetricSpecs } from '../../src/constructs';
import {
  isValidMetricName,
  NATIVE_METRICS,
  scopeMetricName,
  shortHash,
  missingTagMetricName,
} from '../../src/datadog/metrics';
import { UserError } from '../../src/errors';
import type { TagRule } from '../../src/policy/model';
import { CoreStack } from '../../stacks';
import { policy, RULES } from './fixtures';
import { testApp } from '../cdktf-app';

describe('span-based metrics', () => {
  const specs = spanMetricSpecs({ rules: [...RULES, ...RULES], envs: ['prod', 'staging', 'prod'] });

  test('one per distinct scope, one per (scope, tag), plus spans ingested; names from metrics.ts', () => {
    expect(specs.map((s) => s.name)).toEqual(
      [
        NATIVE_METRICS.spansIngested,
        missingTagMetricName('*', 'version'),
        scopeMetricName('status:error'),
        missingTagMetricName('status:error', 'error.message'),
        scopeMetricName('@_top_level:1'),
        missingTagMetricName('@_top_level:1', 'usr.id'),
      ].sort(),
    );
    expect(specs.every((s) => isValidMetricName(s.name))).toBe(true);
  });

  test('filters: the env set plus the scope, plus "lacks the tag" for failure counts; grouped by service and env', () => {
    const byName = new Map(specs.map((s) => [s.name, s]));
    expect(byName.get(NATIVE_METRICS.spansIngested)!.filter).toBe('(env:prod OR env:staging)');
    expect(byName.get(scopeMetricName('@_top_level:1'))!.filter).toBe('(env:prod OR env:staging) @_top_level:1');
    expect(byName.get(missingTagMetricName('@_top_level:1', 'usr.id'))!.filter).toBe(
      '(env:prod OR env:staging) (@_top_level:1) -@usr.id:*',
    );
    expect(byName.get(missingTagMetricName('*', 'version'))!.filter).toBe('(env:prod OR env:staging) -version:*');
    // Scope `*` is spans.ingested itself: one metric, not a second one with the same filter and group-by.
    expect(scopeMetricName('*')).toBe(NATIVE_METRICS.spansIngested);
    expect(new Set(specs.map((s) => s.groupBy.join(',')))).toEqual(new Set(['service,env']));
  });

  test('tag segments: a clean tag as is, any other normalized plus a hash of the exact tag', () => {
    expect(missingTagMetricName('*', 'version')).toBe('trace_health.scope.all.missing.version.spans');
    expect(missingTagMetricName('*', 'usr.id')).toBe(
      `trace_health.scope.all.missing.usr_id_${shortHash('usr.id')}.spans`,
    );
    expect(missingTagMetricName('*', 'Region')).toBe(
      `trace_health.scope.all.missing.region_${shortHash('Region')}.spans`,
    );
  });

  test('distinct tags get distinct names: alike after normalizing, or alike in their first 40 characters', () => {
    const long = 'a'.repeat(40);
    const pairs = [
      ['billing.account_id', 'billing_account_id'],
      ['usr.id', 'usr-id'],
      ['usr.id', 'USR.ID'],
      [`${long}.x`, `${long}.y`],
      [`${long}x`, `${long}y`],
      [long, `${long}_`],
    ];
    for (const [a, b] of pairs)
      expect(missingTagMetricName('@_top_level:1', a)).not.toBe(missingTagMetricName('@_top_level:1', b));
  });

  test('names stay valid and short (Datadog: at most 200 characters), however long the scope and tag', () => {
    const name = missingTagMetricName(`@http.url:"${'x'.repeat(300)}"`, `${'Tag.'.repeat(100)}`);
    expect(isValidMetricName(name)).toBe(true);
    expect(name.length).toBeLessThanOrEqual(128);
  });

  test('a name depends on its own tag only: adding rules never renames an existing metric', () => {
    const before = spanMetricSpecs({ rules: RULES, envs: ['prod'] }).map((s) => s.name);
    const more: TagRule[] = [
      ...RULES,
      { tag: 'usr_id', scope: '@_top_level:1', slo: false },
      { tag: 'usr-id', scope: '@_top_level:1', slo: false },
    ];
    const after = spanMetricSpecs({ rules: more, envs: ['prod'] }).map((s) => s.name);
    expect(after).toEqual(expect.arrayContaining(before));
    expect(after).toHaveLength(before.length + 2);
  });

  test('two services requiring tags that normalize alike (billing.account_id, billing_account_id): two metrics', () => {
    const rules: TagRule[] = [
      { tag: 'billing.account_id', scope: '@_top_level:1', slo: false },
      { tag: 'billing_account_id', scope: '@_top_level:1', slo: false },
    ];
    const byName = new Map(spanMetricSpecs({ rules, envs: ['prod'] }).map((s) => [s.name, s.filter]));
    expect(byName.get(missingTagMetricName('@_top_level:1', 'billing.account_id'))).toBe(
      'env:prod (@_top_level:1) -@billing.account_id:*',
    );
    expect(byName.get(missingTagMetricName('@_top_level:1', 'billing_account_id'))).toBe(
      'env:prod (@_top_level:1) -@billing_account_id:*',
    );
  });

  test("a tag written as another tag's hashed segment still collides: a UserError naming both", () => {
    const hashed = `usr_id_${shortHash('usr.id')}`;
    const a = policy('a', { requiredTags: [RULES[0]], origin: { 'requiredTags[0]': 'defaults' } });
    const b = policy('b', {
      requiredTags: [{ tag: hashed, scope: '@_top_level:1', slo: false }],
      origin: { 'requiredTags[0]': 'services.b' },
    });
    const name = missingTagMetricName('@_top_level:1', 'usr.id');
    const run = (withSources: boolean) => () =>
      spanMetricSpecs({
        rules: [a, b].map((p) => ({
          ...p.requiredTags[0],
          ...(withSources ? { source: { policy: p, index: 0 } } : {}),
        })),
        envs: ['prod'],
      });
    expect(run(true)).toThrow(UserError);
    expect(run(true)).toThrow(
      `required tag "usr.id" (from defaults) of service a and "${hashed}" (from services.b) of service b would share ` +
        `the span metric ${name} (filters env:prod (@_top_level:1) -@usr.id:* and env:prod (@_top_level:1) ` +
        `-@${hashed}:*); rename or drop one of them`,
    );
    expect(run(false)).toThrow(
      `required tags "usr.id" (scope "@_top_level:1") and "${hashed}" (scope "@_top_level:1") would share the span ` +
        `metric ${name} (filters env:prod (@_top_level:1) -@usr.id:* and env:prod (@_top_level:1) -@${hashed}:*); ` +
        'rename or drop one of them',
    );
  });

  test('envFilter', () => {
    expect(envFilter([])).toBe('*');
    expect(envFilter(['prod'])).toBe('env:prod');
  });

  test('the core stack holds them as count metrics, plus the overview and its list', () => {
    const stack = new CoreStack(testApp(), 'core', {
      site: 'datadoghq.com',
      backend: { type: 'local', path: 'terraform.core.tfstate' },
      policyDirFromStack: '../../..',
      services: [policy('a'), policy('b', { enabled: false, requiredTags: [{ tag: 'x.y', scope: '*', slo: false }] })],
    });
    const tf = JSON.parse(Testing.synth(stack)) as {
      resource: Record<string, Record<string, Record<string, unknown>>>;
    };
    const metrics = tf.resource.datadog_spans_metric;
    expect(Object.keys(metrics)).toHaveLength(6); // the disabled service's rule gets no metric
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
