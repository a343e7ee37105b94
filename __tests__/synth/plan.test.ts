/**
 * The rules that matter, asserted exactly on the bundled example (trace-health.yaml + examples/catalog):
 * thresholds and SLO targets by tier, routing, stack grouping. Pure planning, no cdktf.
 */
import * as path from 'node:path';
import { MonitorSpec, ServicePlan } from '../../src/constructs';
import { loadInputs, planApp, stackNames } from '../../src/synth';
import { project } from './project';
import { EXAMPLE_POLICY } from '../example-policy';

const ROOT = path.resolve(__dirname, '../..');
const inputs = loadInputs(EXAMPLE_POLICY, ROOT);
const plan = planApp(inputs.policy, inputs.catalog);
const services = new Map<string, ServicePlan>(
  plan.stacks.flatMap((s) => (s.kind === 'services' ? s.services.map((x) => [x.plan.service, x.plan] as const) : [])),
);

function monitor(service: string, id: string): MonitorSpec {
  const m = services.get(service)!.monitors.find((x) => x.id === id);
  if (!m) throw new Error(`${service} has no monitor ${id}`);
  return m;
}

describe('example: rules by tier, team and service', () => {
  test('every enabled catalog service is planned, in its team stack; legacy-batch (disabled) is not', () => {
    expect([...services.keys()].sort()).toEqual([
      'auth-api',
      'billing',
      'cart-service',
      'checkout-api',
      'fraud-scorer',
      'inventory-api',
      'notification-worker',
      'payments-api',
      'payments-ledger',
      'recommendations',
      'search-api',
      'user-profile',
      'web-gateway',
    ]);
    expect(services.get('checkout-api')!.stack).toBe('team-checkout');
    expect(stackNames(inputs.policy)).toEqual(plan.stacks.map((s) => s.name));
  });

  test('orphan-rate thresholds: tier 1 overrides both, others keep the defaults', () => {
    expect(monitor('checkout-api', 'prod_orphan-rate_ratio').thresholds).toEqual({ critical: 0.01, warning: 0.005 });
    expect(monitor('cart-service', 'prod_orphan-rate_ratio').thresholds).toEqual({ critical: 0.05, warning: 0.01 });
    expect(monitor('search-api', 'prod_orphan-rate_ratio').thresholds).toEqual({ critical: 0.05, warning: 0.01 });
    // Coverage 0.95 / 0.98 alert as missing shares above 0.05 / 0.02.
    expect(monitor('checkout-api', 'prod_tag-coverage_usr-id_ratio').thresholds).toEqual({
      critical: 0.05,
      warning: 0.02,
    });
  });

  test('volume guard: 200 spans by default, 50 for tier 3', () => {
    expect(monitor('checkout-api', 'prod_guard_spans-checked').thresholds).toEqual({ critical: 200 });
    expect(monitor('search-api', 'prod_guard_spans-checked').thresholds).toEqual({ critical: 50 });
  });

  test('SLO targets by tier', () => {
    const slo = (s: string) => services.get(s)!.slos.find((x) => x.id === 'prod_slo_trace-continuity')!;
    expect([slo('checkout-api').target, slo('checkout-api').warning, slo('checkout-api').timeframe]).toEqual([
      99.9,
      99.95,
      '30d',
    ]);
    expect([slo('cart-service').target, slo('cart-service').warning]).toEqual([99.0, 99.5]);
    expect([slo('search-api').target, slo('search-api').warning]).toEqual([98.0, 99.0]);
  });

  test('priority by tier', () => {
    expect(monitor('checkout-api', 'prod_orphan-rate').priority).toBe(1);
    expect(monitor('cart-service', 'prod_orphan-rate').priority).toBe(2);
    expect(monitor('search-api', 'prod_orphan-rate').priority).toBe(3);
  });

  test('routing: every example service pages someone on alert and No Data, and drops no catalog contact', () => {
    const handles = (name: string) => services.get(name)!.routing.routes.map((r) => r.handle);
    expect(handles('payments-api')).toStrictEqual([
      '@pagerduty-payments-api',
      '@payments@example.com',
      '@slack-payments-oncall',
      '@teams-payments-team',
    ]);
    for (const [name, p] of services)
      expect({ name, alert: p.routing.routes.some((r) => r.on.includes('alert')), dropped: p.routing.dropped }).toEqual(
        {
          name,
          alert: true,
          dropped: [],
        },
      );
    expect(plan.warnings).toStrictEqual([]);
    expect(plan.routeFailures).toStrictEqual([]);
  });

  test('billing has its extra required tag, with its own coverage monitor and span metrics', () => {
    expect(monitor('billing', 'prod_tag-coverage_billing-account-id_ratio').expression).toContain('billing_account_id');
    const core = plan.stacks.find((s) => s.kind === 'core')!;
    expect(core.kind === 'core' && core.metrics.some((m) => m.filter.includes('@billing.account_id:*'))).toBe(true);
  });

  test('the entrypoint web-gateway has no unexpected-roots monitor; internal services do', () => {
    expect(services.get('web-gateway')!.monitors.some((m) => m.check === 'unexpected-roots')).toBe(false);
    expect(services.get('checkout-api')!.monitors.some((m) => m.check === 'unexpected-roots')).toBe(true);
  });

  test('planning is pure: the same plan twice, and the named stacks only', () => {
    expect(planApp(inputs.policy, inputs.catalog)).toEqual(plan);
    const only = planApp(inputs.policy, inputs.catalog, new Set(['team-data']));
    expect(only.stacks.map((s) => s.name)).toEqual(['team-data']);
  });
});

describe('stack grouping follows stacks.by', () => {
  test.each([
    ['service', ['core', 'service-a1', 'service-a2', 'service-b1', 'service-lonely']],
    ['single', ['core', 'all']],
  ])('by %s', (by, stacks) => {
    const p = project();
    try {
      p.write(
        'trace-health.yaml',
        p.read('trace-health.yaml').replace('stacks: { by: team }', `stacks: { by: ${by} }`),
      );
      const i = loadInputs('trace-health.yaml', p.dir);
      expect(planApp(i.policy, i.catalog).stacks.map((s) => s.name)).toEqual(stacks);
    } finally {
      p.dispose();
    }
  });
});
