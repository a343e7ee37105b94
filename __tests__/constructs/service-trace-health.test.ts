import { existsSync } from 'node:fs';
import { Testing } from 'cdktf';
import { ERROR_BUDGET_THRESHOLDS, ServicePlanInput } from '../../src/constructs';
import { ServicesStack } from '../../stacks';
import { policy, service } from './fixtures';
import { testApp } from '../cdktf-app';

interface TfJson {
  resource: Record<string, Record<string, Record<string, unknown>>>;
}

function input(name: string, over: Parameters<typeof policy>[1] = {}): ServicePlanInput {
  return { site: 'datadoghq.eu', service: service(name), policy: policy(name, over), entrypoint: false };
}

function synthStack(services: ServicePlanInput[], validateMonitors = true): TfJson {
  const app = testApp();
  const stack = new ServicesStack(app, 'team-checkout', {
    site: 'datadoghq.eu',
    backend: { type: 'local', path: 'terraform.team-checkout.tfstate' },
    policyDirFromStack: '../../..',
    services,
    validateMonitors,
  });
  return JSON.parse(Testing.synth(stack)) as TfJson;
}

test('a construct test leaves no cdktf.outdir.* folder in the system temp folder', () => {
  const app = testApp();
  expect(existsSync(app.outdir)).toBe(false);
  synthStack([input('checkout-api')]);
});

/** Every Terraform address in the stack: `type.name`. */
function addresses(tf: TfJson): string[] {
  return Object.entries(tf.resource).flatMap(([type, byName]) => Object.keys(byName).map((n) => `${type}.${n}`));
}

describe('ServiceTraceHealth in a stack', () => {
  const tf = synthStack([input('checkout-api'), input('cart-service', { envs: ['prod', 'staging'] })]);
  const monitors = tf.resource.datadog_monitor;
  const slos = tf.resource.datadog_service_level_objective;

  test('resource counts: 21 monitors + 3 budget monitors + 3 SLOs per env, one dashboard per service', () => {
    expect(Object.keys(monitors)).toHaveLength(3 * 24);
    expect(Object.keys(slos)).toHaveLength(3 * 3);
    expect(Object.keys(tf.resource.datadog_dashboard_json).sort()).toEqual([
      'cart-service_dashboard',
      'checkout-api_dashboard',
    ]);
  });

  test('every Terraform reference points at a resource of the same stack', () => {
    const known = new Set(addresses(tf));
    const text = JSON.stringify(tf.resource);
    const refs = [...text.matchAll(/\$\{([a-z_]+\.[A-Za-z0-9_-]+)\.id\}/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(50);
    expect([...new Set(refs)].filter((r) => !known.has(r))).toEqual([]);
  });

  test('references form no cycle (Terraform rejects one at validate)', () => {
    const edges = new Map<string, string[]>();
    for (const [type, byName] of Object.entries(tf.resource))
      for (const [name, body] of Object.entries(byName))
        edges.set(
          `${type}.${name}`,
          [...JSON.stringify(body).matchAll(/\$\{([a-z_]+\.[A-Za-z0-9_-]+)\.id\}/g)].map((m) => m[1]),
        );
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (node: string, trail: string[]) => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'visiting') {
        cycles.push([...trail.slice(trail.indexOf(node)), node].join(' -> '));
        return;
      }
      state.set(node, 'visiting');
      for (const next of edges.get(node) ?? []) visit(next, [...trail, node]);
      state.set(node, 'done');
    };
    for (const node of edges.keys()) visit(node, []);
    expect(cycles).toEqual([]);
  });

  test('SLOs: metric SLO with the policy target, warning and timeframe', () => {
    const continuity = slos['checkout-api_prod_slo_trace-continuity'] as Record<string, unknown>;
    expect(continuity.type).toBe('metric');
    expect(continuity.thresholds).toEqual([{ target: 99.9, timeframe: '30d', warning: 99.95 }]);
    expect(continuity.query).toEqual({
      numerator:
        'sum:trace_health.spans.checked{service:checkout-api,env:prod}.as_count() - sum:trace_health.spans.orphaned{service:checkout-api,env:prod}.as_count()',
      denominator: 'sum:trace_health.spans.checked{service:checkout-api,env:prod}.as_count()',
    });
    expect(continuity.tags).toEqual([
      'env:prod',
      'managed-by:trace-health',
      'service:checkout-api',
      'team:checkout',
      'trace-health-check:trace-continuity',
    ]);
    // slo: false (version) gets no SLO.
    expect(Object.keys(slos).filter((k) => k.startsWith('checkout-api_prod_'))).toEqual([
      'checkout-api_prod_slo_tag-coverage_error-message',
      'checkout-api_prod_slo_tag-coverage_usr-id',
      'checkout-api_prod_slo_trace-continuity',
    ]);
  });

  test('error-budget alerts reference their SLO', () => {
    const budget = monitors['checkout-api_prod_slo_trace-continuity_budget'];
    expect(budget.type).toBe('slo alert');
    expect(budget.query).toBe(
      'error_budget("${datadog_service_level_objective.checkout-api_prod_slo_trace-continuity.id}").over("30d") > 75',
    );
    expect(budget.monitor_thresholds).toEqual({
      critical: String(ERROR_BUDGET_THRESHOLDS.critical),
      warning: String(ERROR_BUDGET_THRESHOLDS.warning),
    });
  });

  test('monitor options: thresholds as strings, sparse-metric window, priority on notifying monitors', () => {
    expect(monitors['checkout-api_prod_orphan-rate_ratio']).toMatchObject({
      monitor_thresholds: { critical: '0.01', warning: '0.005' },
      require_full_window: false,
      on_missing_data: 'resolve',
      validate: true,
    });
    expect(monitors['checkout-api_prod_orphan-rate_ratio'].priority).toBeUndefined();
    expect(monitors['checkout-api_prod_orphan-rate']).toMatchObject({ type: 'composite', priority: '1' });
    expect(monitors['checkout-api_prod_orphan-rate'].monitor_thresholds).toBeUndefined();
    expect(monitors['checkout-api_prod_no-traces']).toMatchObject({ on_missing_data: 'show_and_notify_no_data' });
    expect(monitors['checkout-api_prod_no-traces'].notify_no_data).toBeUndefined();
    // on_missing_data is not available on composite or SLO monitors (provider 3.82.0 schema).
    expect(monitors['checkout-api_prod_orphan-rate'].on_missing_data).toBeUndefined();
  });

  test('validateMonitors: false reaches every monitor', () => {
    const off = synthStack([input('checkout-api')], false);
    const values = Object.values(off.resource.datadog_monitor).map((m) => m.validate);
    expect(new Set(values)).toEqual(new Set([false]));
  });

  test('the dashboard is JSON with sorted keys, team tag only, SLO widgets by Terraform reference', () => {
    const json = (tf.resource.datadog_dashboard_json['checkout-api_dashboard'] as { dashboard: string }).dashboard;
    const dash = JSON.parse(json) as Record<string, unknown>;
    expect(Object.keys(dash)).toEqual([...Object.keys(dash)].sort());
    expect(dash.tags).toEqual(['team:checkout']);
    expect(json).toContain('${datadog_service_level_objective.checkout-api_prod_slo_trace-continuity.id}');
    expect(json).not.toContain('is_read_only');
  });

  test('the stack lists its dashboards', () => {
    expect(tf.resource.datadog_dashboard_list['dashboard-list']).toEqual({
      name: 'Trace health — team-checkout',
      dash_item: [
        { dash_id: '${datadog_dashboard_json.cart-service_dashboard.id}', type: 'custom_timeboard' },
        { dash_id: '${datadog_dashboard_json.checkout-api_dashboard.id}', type: 'custom_timeboard' },
      ],
    });
  });
});

describe('addresses and determinism', () => {
  const base = [input('a-service'), input('checkout-api'), input('zeta')];

  test('adding or removing a service changes no other resource address or content', () => {
    const before = synthStack(base);
    const added = synthStack([...base, input('m-new')]);
    const removed = synthStack(base.filter((s) => s.service.name !== 'checkout-api'));
    for (const [type, byName] of Object.entries(before.resource)) {
      for (const [name, body] of Object.entries(byName)) {
        if (type === 'datadog_dashboard_list') continue; // the list's items change, by design
        expect(added.resource[type][name]).toEqual(body);
        if (!name.startsWith('checkout-api_')) expect(removed.resource[type][name]).toEqual(body);
      }
    }
    const newOnes = addresses(added).filter((a) => !addresses(before).includes(a));
    expect(newOnes.length).toBeGreaterThan(0);
    expect(newOnes.filter((a) => !a.split('.')[1].startsWith('m-new_') && !a.endsWith('.dashboard-list'))).toEqual([]);
  });

  test('same services in any order: byte-identical output', () => {
    const a = Testing.synth(
      new ServicesStack(testApp(), 's', {
        site: 'datadoghq.com',
        backend: { type: 'local' },
        policyDirFromStack: '../../..',
        services: base,
        validateMonitors: true,
      }),
    );
    const b = Testing.synth(
      new ServicesStack(testApp(), 's', {
        site: 'datadoghq.com',
        backend: { type: 'local' },
        policyDirFromStack: '../../..',
        services: [...base].reverse(),
        validateMonitors: true,
      }),
    );
    expect(b).toBe(a);
  });
});
