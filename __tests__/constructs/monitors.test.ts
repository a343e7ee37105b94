import {
  COLLECTOR_METRICS,
  NATIVE_METRICS,
  scopeMetricName,
  missingTagMetricName,
  VERSION_TAGGED_METRICS,
} from '../../src/datadog/metrics';
import {
  CHECKS,
  monitorQuery,
  MonitorSpec,
  planService,
  ServiceContext,
  serviceMonitors,
  windowMinutes,
} from '../../src/constructs';
import { UserError } from '../../src/errors';
import { notificationBlock } from '../../src/constructs/service/notify';
import { policy, RULES, service, withRouting } from './fixtures';

function ctx(over: Partial<ServiceContext> = {}): ServiceContext {
  const svc = over.service ?? service('checkout-api', { runbook: 'https://wiki.example.com/checkout/runbook' });
  const pol = over.policy ?? policy('checkout-api');
  return {
    site: 'datadoghq.eu',
    service: svc,
    policy: pol,
    dashboardUrl: 'https://app.datadoghq.eu/dashboard/${datadog_dashboard_json.checkout-api_dashboard.id}',
    entrypoint: false,
    ...over,
  };
}

const byId = (specs: readonly MonitorSpec[]) => new Map(specs.map((m) => [m.id, m]));

describe('monitor factory', () => {
  const monitors = serviceMonitors(ctx(), 'prod');
  const m = byId(monitors);

  test('the monitors of one service and env, by stable id', () => {
    expect([...m.keys()].sort()).toEqual([
      'prod_guard_calls-checked',
      'prod_guard_scope-all',
      'prod_guard_scope-status-error-639467',
      'prod_guard_scope-top-level-1-d2057a',
      'prod_guard_spans-checked',
      'prod_no-traces',
      'prod_orphan-rate',
      'prod_orphan-rate_ratio',
      'prod_tag-coverage_error-message',
      'prod_tag-coverage_error-message_ratio',
      'prod_tag-coverage_usr-id',
      'prod_tag-coverage_usr-id_ratio',
      'prod_tag-coverage_version',
      'prod_tag-coverage_version_ratio',
      'prod_two-tracers',
      'prod_two-tracers_double-instrumented',
      'prod_two-tracers_families',
      'prod_unexpected-roots',
      'prod_unexpected-roots_ratio',
      'prod_unpaired-calls',
      'prod_unpaired-calls_ratio',
    ]);
    expect(monitors.filter((x) => x.role === 'alert').map((x) => x.id)).toEqual([
      'prod_orphan-rate',
      'prod_tag-coverage_usr-id',
      'prod_tag-coverage_error-message',
      'prod_tag-coverage_version',
      'prod_unexpected-roots',
      'prod_unpaired-calls',
      'prod_two-tracers',
      'prod_no-traces',
    ]);
  });

  test('orphan rate: ratio of collector metrics by version, thresholds from the policy', () => {
    const ratio = m.get('prod_orphan-rate_ratio')!;
    expect(monitorQuery(ratio)).toBe(
      `sum(last_1h):sum:${COLLECTOR_METRICS.spansOrphaned}{service:checkout-api,env:prod} by {version}.as_count() / ` +
        `sum:${COLLECTOR_METRICS.spansChecked}{service:checkout-api,env:prod} by {version}.as_count() > 0.01`,
    );
    expect(ratio.thresholds).toEqual({ critical: 0.01, warning: 0.005 });
    expect(ratio.role).toBe('component');
    expect(ratio.notify).toBeUndefined();
    expect(ratio.message).not.toContain('@');
  });

  test('low-volume guard: the composite ANDs the ratio with a volume monitor of minSpans, grouped alike', () => {
    const composite = m.get('prod_orphan-rate')!;
    expect(composite.type).toBe('composite');
    expect(composite.expression).toBe(
      '${datadog_monitor.checkout-api_prod_orphan-rate_ratio.id} && ${datadog_monitor.checkout-api_prod_guard_spans-checked.id}',
    );
    const guard = m.get('prod_guard_spans-checked')!;
    expect(monitorQuery(guard)).toBe(
      `sum(last_1h):sum:${COLLECTOR_METRICS.spansChecked}{service:checkout-api,env:prod} by {version}.as_count() >= 200`,
    );
    expect(guard.role).toBe('component');
    // Unexpected roots share the spans-checked guard; unpaired calls are guarded per callee.
    expect(m.get('prod_unexpected-roots')!.expression).toContain('checkout-api_prod_guard_spans-checked');
    expect(monitorQuery(m.get('prod_guard_calls-checked')!)).toBe(
      `sum(last_1h):sum:${COLLECTOR_METRICS.callsChecked}{service:checkout-api,env:prod} by {peer_service}.as_count() >= 200`,
    );
  });

  test('the guard follows minSpans and the window', () => {
    const specs = byId(
      serviceMonitors(ctx({ policy: policy('checkout-api', { minSpans: 50, window: '4h' }) }), 'prod'),
    );
    expect(monitorQuery(specs.get('prod_guard_spans-checked')!)).toMatch(/^sum\(last_4h\):.* >= 50$/);
    expect(monitorQuery(specs.get('prod_no-traces')!)).toMatch(/^sum\(last_4h\):/);
  });

  test('tag coverage: spans missing the tag over the scope, a missing share above 1 − critical alerts', () => {
    const ratio = m.get('prod_tag-coverage_usr-id_ratio')!;
    expect(monitorQuery(ratio)).toBe(
      `sum(last_1h):sum:${missingTagMetricName('@_top_level:1', 'usr.id')}{service:checkout-api,env:prod}.as_count() / ` +
        `sum:${scopeMetricName('@_top_level:1')}{service:checkout-api,env:prod}.as_count() > 0.05`,
    );
    // Coverage 0.95 / 0.98 become missing shares 0.05 / 0.02 exactly (no 0.050000000000000044).
    expect(ratio.thresholds).toEqual({ critical: 0.05, warning: 0.02 });
    expect(ratio.onMissingData).toBe('resolve');
    expect(m.get('prod_tag-coverage_usr-id')!.expression).toContain('checkout-api_prod_guard_scope-top-level-1-d2057a');
    expect(monitorQuery(m.get('prod_guard_scope-top-level-1-d2057a')!)).toBe(
      `sum(last_1h):sum:${scopeMetricName('@_top_level:1')}{service:checkout-api,env:prod}.as_count() >= 200`,
    );
  });

  test('unpaired calls alert per callee (multi-alert by peer_service)', () => {
    expect(monitorQuery(m.get('prod_unpaired-calls_ratio')!)).toBe(
      `sum(last_1h):sum:${COLLECTOR_METRICS.callsUnpaired}{service:checkout-api,env:prod} by {peer_service}.as_count() / ` +
        `sum:${COLLECTOR_METRICS.callsChecked}{service:checkout-api,env:prod} by {peer_service}.as_count() > 0.01`,
    );
    expect(m.get('prod_unpaired-calls')!.message).toContain('{{peer_service.name}}');
  });

  test('two tracing libraries: tracer families > 1 OR double-instrumented spans > 0', () => {
    expect(m.get('prod_two-tracers')!.expression).toBe(
      '${datadog_monitor.checkout-api_prod_two-tracers_families.id} || ${datadog_monitor.checkout-api_prod_two-tracers_double-instrumented.id}',
    );
    expect(monitorQuery(m.get('prod_two-tracers_families')!)).toBe(
      `max(last_1h):max:${COLLECTOR_METRICS.tracerFamilies}{service:checkout-api,env:prod} > 1`,
    );
    expect(monitorQuery(m.get('prod_two-tracers_double-instrumented')!)).toBe(
      `sum(last_1h):sum:${COLLECTOR_METRICS.spansDoubleInstrumented}{service:checkout-api,env:prod}.as_count() > 0`,
    );
    expect(m.get('prod_two-tracers')!.message).not.toContain('{{version.name}}');
  });

  test('a monitor groups by version only over metrics that carry a version tag', () => {
    // A per-version group over a metric without the tag is one untagged series; in a composite it never
    // lines up with its per-version partner.
    const offenders: string[] = [];
    for (const spec of monitors) {
      if (spec.type === 'composite') continue;
      const query = monitorQuery(spec);
      if (!/by \{[^}]*\bversion\b/.test(query)) continue;
      for (const metric of query.match(/trace_health\.[a-z0-9_.]+/g) ?? []) {
        if (!VERSION_TAGGED_METRICS.has(metric)) offenders.push(`${spec.id}: ${metric}`);
      }
    }
    expect(offenders).toEqual([]);
    expect(
      monitors.filter((s) => s.type !== 'composite' && /by \{version\}/.test(monitorQuery(s))).length,
    ).toBeGreaterThan(0);
  });

  test('no traces: silence is a notifying No Data (default_zero cannot fill an empty window)', () => {
    const noTraces = m.get('prod_no-traces')!;
    expect(monitorQuery(noTraces)).toBe(
      `sum(last_1h):sum:${NATIVE_METRICS.spansIngested}{service:checkout-api,env:prod}.as_count() < 1`,
    );
    expect(noTraces.onMissingData).toBe('show_and_notify_no_data');
  });

  test('every metric a monitor reads is one of the shared metric names', () => {
    const known = new Set<string>([
      ...Object.values(COLLECTOR_METRICS),
      ...Object.values(NATIVE_METRICS),
      ...RULES.flatMap((r) => [scopeMetricName(r.scope), missingTagMetricName(r.scope, r.tag)]),
    ]);
    const used = monitors.flatMap((x) => [...x.expression.matchAll(/(?:sum|max):([a-z0-9_.]+)\{/g)].map((g) => g[1]));
    expect(used.length).toBe(20);
    expect(used.filter((name) => !known.has(name))).toEqual([]);
  });

  test('priority by tier and the full tag set on notifying monitors', () => {
    const orphan = m.get('prod_orphan-rate')!;
    expect(orphan.priority).toBe(1);
    expect(orphan.tags).toEqual([
      'env:prod',
      'managed-by:trace-health',
      'service:checkout-api',
      'team:checkout',
      'trace-health-check:orphan-rate',
      'trace-health-role:alert',
    ]);
    const tier3 = byId(serviceMonitors(ctx({ policy: policy('checkout-api', { tier: '3', priority: 3 }) }), 'prod'));
    expect(tier3.get('prod_orphan-rate')!.priority).toBe(3);
  });

  test('an entrypoint gets no unexpected-roots monitor', () => {
    const ids = serviceMonitors(ctx({ entrypoint: true }), 'prod').map((x) => x.id);
    expect(ids.filter((id) => id.includes(CHECKS.unexpectedRoots))).toEqual([]);
  });

  test('fails when two required tags would share an address, naming the policy layers they come from', () => {
    const pol = policy('checkout-api', {
      requiredTags: [
        { tag: 'usr.id', scope: '*', slo: false },
        { tag: 'usr_id', scope: '*', slo: false },
      ],
      origin: { 'requiredTags[0]': 'defaults', 'requiredTags[1]': 'services.checkout-api' },
    });
    expect(() => serviceMonitors(ctx({ policy: pol }), 'prod')).toThrow(UserError);
    expect(() => serviceMonitors(ctx({ policy: pol }), 'prod')).toThrow(
      'service checkout-api: required tags "usr.id" (from defaults) and "usr_id" (from services.checkout-api) would ' +
        'get the same monitor address (usr-id); keep one of them',
    );
    // The same tag with two scopes: the scopes tell them apart in the message.
    const twice = policy('checkout-api', {
      requiredTags: [
        { tag: 'usr.id', scope: '*', slo: false },
        { tag: 'usr.id', scope: 'status:error', slo: false },
      ],
    });
    expect(() => serviceMonitors(ctx({ policy: twice }), 'prod')).toThrow(
      'service checkout-api: required tags "usr.id" (scope "*") (from the built-in default) and "usr.id" (scope ' +
        '"status:error") (from the built-in default) would get the same monitor address (usr-id); keep one of them',
    );
  });

  test('windowMinutes', () => {
    expect([windowMinutes('15m'), windowMinutes('1h'), windowMinutes('1d')]).toEqual([15, 60, 1440]);
    expect(() => windowMinutes('soon')).toThrow('invalid monitor window');
  });
});

describe('messages', () => {
  const svc = service('checkout-api', {
    runbook: 'https://wiki.example.com/checkout/runbook',
    contacts: [{ type: 'slack', contact: '#checkout' }],
    integrations: { pagerduty: { serviceUrl: 'https://acme.pagerduty.com/service-directory/checkout-api' } },
  });
  const pol = withRouting(policy('checkout-api'), svc, { pagerduty: { 'checkout-api': 'checkout-api' } });
  const plan = planService({ site: 'datadoghq.eu', service: svc, policy: pol, entrypoint: false });
  const m = byId(plan.monitors);

  test('site-aware links: dashboard by Terraform id, Trace Explorer pre-filtered, APM service page, runbook', () => {
    const usr = m.get('prod_tag-coverage_usr-id')!.message;
    expect(usr).toContain('https://app.datadoghq.eu/dashboard/${datadog_dashboard_json.checkout-api_dashboard.id}');
    expect(usr).toContain(
      'https://app.datadoghq.eu/apm/traces?query=' +
        encodeURIComponent('service:checkout-api env:prod @_top_level:1 -@usr.id:*'),
    );
    expect(usr).toContain('https://app.datadoghq.eu/apm/services/checkout-api?env=prod');
    expect(usr).toContain('Runbook: https://wiki.example.com/checkout/runbook');
    expect(usr).not.toContain('datadoghq.com');
  });

  test('grouped monitors name the version, with the template variable left usable in links', () => {
    const orphan = m.get('prod_orphan-rate')!.message;
    expect(orphan).toContain('**checkout-api** (env prod, version {{version.name}}): spans are losing their parent');
    expect(orphan).toContain(
      'https://app.datadoghq.eu/apm/traces?query=service%3Acheckout-api%20env%3Aprod%20version%3A{{urlencode "version.name"}}',
    );
    expect(orphan).toContain('tracing-library upgrade');
    expect(orphan).toContain('Two tracing libraries');
    expect(orphan).toContain('{{#is_alert}}[critical] {{/is_alert}}');
  });

  test('the only @-words in a message are its notification handles, and its block is rendered from spec.notify', () => {
    for (const spec of plan.monitors) {
      const handles = new Set([...spec.message.matchAll(/(?<![\w%])@[\w.+-]+(?:@[\w.-]+)?/g)].map((x) => x[0]));
      const expected =
        spec.role === 'alert' ? ['@pagerduty-checkout-api', '@slack-checkout', '@slack-checkout-alerts'] : [];
      expect({ id: spec.id, handles: [...handles].sort() }).toEqual({ id: spec.id, handles: expected });
      if (spec.notify) expect(spec.message.endsWith(`\n\n${notificationBlock(spec.notify)}`)).toBe(true);
    }
  });

  test('what each monitor can send: warnings on ratio and budget monitors, No Data on the no-traces monitor only', () => {
    const sends = (id: string) => Object.keys(m.get(id)!.notify ?? {});
    expect([
      sends('prod_orphan-rate'),
      sends('prod_two-tracers'),
      sends('prod_no-traces'),
      sends('prod_slo_trace-continuity_budget'),
    ]).toStrictEqual([
      ['warning', 'alert', 'recovery'],
      ['alert', 'recovery'],
      ['alert', 'noData', 'recovery'],
      ['warning', 'alert', 'recovery'],
    ]);
    // A monitor's routes include No Data exactly when its No Data state notifies (on_missing_data).
    for (const spec of plan.monitors.filter((x) => x.role === 'alert'))
      expect({ id: spec.id, noData: spec.notify?.noData !== undefined }).toEqual({
        id: spec.id,
        noData: spec.onMissingData === 'show_and_notify_no_data',
      });
    expect(m.get('prod_orphan-rate')!.message.split('\n').slice(-2)).toStrictEqual([
      '@slack-checkout @slack-checkout-alerts',
      '{{#is_alert}}@pagerduty-checkout-api{{/is_alert}}{{#is_alert_recovery}}@pagerduty-checkout-api{{/is_alert_recovery}}',
    ]);
    expect(m.get('prod_no-traces')!.message.split('\n').slice(-1)).toStrictEqual([
      '@pagerduty-checkout-api @slack-checkout @slack-checkout-alerts',
    ]);
  });

  test('no runbook in the catalog: the message says how to add one', () => {
    const p = planService({ site: 'datadoghq.com', service: service('x'), policy: policy('x'), entrypoint: false });
    expect(p.monitors.find((x) => x.id === 'prod_orphan-rate')!.message).toContain(
      'Runbook: none in the service catalog. Add a link of type `runbook`',
    );
  });

  test('catalog text is escaped against Terraform interpolation', () => {
    const p = planService({
      site: 'datadoghq.com',
      service: service('x', { runbook: 'https://wiki/${oops}/%{x}' }),
      policy: policy('x'),
      entrypoint: false,
    });
    expect(p.monitors[0].message).toContain('Runbook: https://wiki/$${oops}/%%{x}');
  });
});
