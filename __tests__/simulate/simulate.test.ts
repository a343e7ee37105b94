/**
 * Alert paths, proven end to end: synth's plan for a policy and catalog → built-in scenarios → traffic → metric
 * points (span-query matcher, the collector's detectors and series builder) → evaluated monitors → who is told.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { writeSyntheticCatalog } from '../../bench/synthetic-catalog';
import { optionsFromPolicy } from '../../src/collector/options';
import { idSegment } from '../../src/constructs/ids';
import type { MonitorSpec, SloSpec } from '../../src/constructs/service/specs';
import { monitorQuery, monitorRef, sloRef } from '../../src/constructs/service/specs';
import type { SimMonitor, SimSlo } from '../../src/simulate/evaluate';
import { neighbours, runScenario, simulate, SimulationResult } from '../../src/simulate/run';
import { builtinScenarios, BUILTIN_KINDS } from '../../src/simulate/scenario';
import { allHandles } from '../../src/simulate/notifications';
import { resolveRouting } from '../../src/policy/routing';
import { loadInputs, planApp } from '../../src/synth';
import { ROOT } from '../synth/project';
import frozen from './fixtures/billing-before-issue-10.json';

function run(dir: string): {
  result: SimulationResult;
  inputs: ReturnType<typeof loadInputs>;
  plan: ReturnType<typeof planApp>;
} {
  const inputs = loadInputs('trace-health.yaml', dir);
  const plan = planApp(inputs.policy, inputs.catalog);
  return { result: simulate({ plan, policy: inputs.policy, catalog: inputs.catalog }), inputs, plan };
}

describe('the bundled example', () => {
  const { result, inputs, plan } = run(ROOT);
  const byName = new Map(result.scenarios.map((s) => [s.name, s]));

  test('every built-in scenario passes for every service, under every reading', () => {
    expect(result.scenarios.filter((s) => s.status === 'fail').map((s) => [s.name, s.problems])).toEqual([]);
    const services = inputs.policy.services.filter((s) => s.enabled).length;
    expect(services).toBe(13);
    // 3 required tags (4 for billing) × 2 tag scenarios + 6 others, per service; web-gateway starts traces.
    expect([result.passed, result.failed, result.skipped]).toEqual([157, 0, 1]);
    expect(byName.get('web-gateway/prod/callers-lose-context')!.skipReason).toBe(
      'the service may start traces (policy entrypoints): no unexpected-roots monitor',
    );
    expect(new Set(result.scenarios.map((s) => s.kind))).toEqual(new Set(BUILTIN_KINDS));
  });

  test('tag vanishes: coverage alerts at its first evaluation and tells the team', () => {
    const s = byName.get('checkout-api/prod/tag-vanishes:usr.id')!;
    const m = s.monitors.find((x) => x.id === 'prod_tag-coverage_usr-id')!;
    expect(m.transitions.zero).toEqual(m.transitions['no-data']);
    expect(m.transitions.zero.map((t) => [t.minute, t.from, t.to, t.notified])).toEqual([
      [1, undefined, 'Alert', ['@checkout@example.com', '@pagerduty-checkout-api', '@slack-checkout-alerts']],
    ]);
  });

  test('traffic stops: No Data one window later for everyone, and back to OK when spans return', () => {
    const s = byName.get('checkout-api/prod/traffic-stops')!;
    const m = s.monitors.find((x) => x.id === 'prod_no-traces')!;
    expect(s.faultStart).toBe(90);
    expect(m.transitions['no-data'].map((t) => [t.minute, t.from, t.to, t.notified])).toEqual([
      [149, 'OK', 'No Data', ['@checkout@example.com', '@pagerduty-checkout-api', '@slack-checkout-alerts']],
      [196, 'No Data', 'OK', ['@checkout@example.com', '@pagerduty-checkout-api', '@slack-checkout-alerts']],
    ]);
    // Nothing else notifies: the ratio components resolve on missing data, so no composite alerts.
    expect(s.monitors.map((x) => x.id)).toEqual(['prod_no-traces']);
  });

  test('orphans in a new version alert on that version only, and recover after the rollback', () => {
    const s = byName.get('checkout-api/prod/orphans-new-version')!;
    const m = s.monitors.find((x) => x.id === 'prod_orphan-rate')!;
    expect(m.transitions.zero.map((t) => [t.minute, t.group, t.from, t.to])).toEqual([
      [106, 'version:2.0.0', undefined, 'Alert'],
      // Rolled back at 195: the last point of 2.0.0 (minute 194) leaves the 1h window at 254.
      [254, 'version:2.0.0', 'Alert', 'OK'],
    ]);
    expect(m.transitions['no-data']).toEqual(m.transitions.zero);
  });

  test('every notifying monitor of every service is covered by a scenario that makes it notify', () => {
    const notified = new Set(
      result.scenarios.flatMap((s) =>
        s.monitors.filter((m) => m.transitions.zero.some((t) => t.notified.length)).map((m) => `${s.service} ${m.id}`),
      ),
    );
    const all = plan.stacks.flatMap((st) =>
      st.kind === 'services'
        ? st.services.flatMap((x) =>
            x.plan.monitors.filter((m) => m.role === 'alert').map((m) => `${x.service.name} ${m.id}`),
          )
        : [],
    );
    // SLO budgets burn only where a scenario runs long or starts broken (tag-vanishes); all others are proven.
    expect(all.filter((id) => !notified.has(id) && !id.includes('_budget'))).toEqual([]);
  });
});

describe('a pager in the catalog (PagerDuty integration)', () => {
  test('No Data pages it and tells it about the recovery; a warning does not', () => {
    const p = mkdtempSync(path.join(tmpdir(), 'th-sim-'));
    try {
      const cat = writeSyntheticCatalog(p, { services: 6, seed: 3 });
      const { result } = run(cat.dir);
      const withPager = result.scenarios.find(
        (s) =>
          s.kind === 'traffic-stops' &&
          s.monitors.some((m) => m.transitions.zero.some((t) => t.notified.some((h) => h.startsWith('@pagerduty-')))),
      );
      expect(withPager).toBeDefined();
      const t = withPager!.monitors[0].transitions.zero;
      expect(t.map((x) => x.to)).toEqual(['No Data', 'OK']);
      expect(t[0].notified.filter((h) => h.startsWith('@pagerduty-'))).toHaveLength(1);
      expect(t[1].notified).toEqual(t[0].notified);
      const drops = result.scenarios.find((s) => s.service === withPager!.service && s.kind === 'tag-drops')!;
      const warn = drops.monitors.flatMap((m) => m.transitions.zero).find((x) => x.to === 'Warn');
      expect(warn?.notified.some((h) => h.startsWith('@pagerduty-'))).toBe(false);
    } finally {
      rmSync(p, { recursive: true, force: true });
    }
  });
});

describe('the monitors as they were before issue 10 (frozen from commit a4b2da5)', () => {
  const { inputs, plan } = run(ROOT);
  const billing = plan.stacks
    .flatMap((s) => (s.kind === 'services' ? s.services : []))
    .find((s) => s.service.name === 'billing')!;
  const rules = billing.policy.requiredTags;
  // The frozen specs predate the `tag` field: recover it from the monitor id.
  const monitors = (frozen.monitors as unknown as (MonitorSpec & { options: Partial<SimMonitor> })[]).map((m) => {
    const rule = rules.find((r) => m.check === 'tag-coverage' && m.id.includes(`_tag-coverage_${idSegment(r.tag)}`));
    return rule ? { ...m, tag: rule.tag } : m;
  });
  // Who the frozen messages told (email and Slack on every transition): the routing of that commit, not today's.
  const told = [...new Set(monitors.flatMap((m) => allHandles(m.message)))];
  const routing = resolveRouting({
    notify: told.map((handle) => ({ handle, layer: 'a4b2da5' })),
    integrations: {},
    service: { contacts: [], integrations: {} },
  });
  const oldPlan = { ...billing.plan, monitors, slos: frozen.slos as SloSpec[], routing };
  const sim = {
    monitors: monitors.map((m): SimMonitor => ({
      id: m.id,
      ref: monitorRef('billing', m.id),
      type: m.type,
      query: monitorQuery(m),
      message: m.message,
      ...(m.type !== 'composite' && m.thresholds ? { thresholds: m.thresholds } : {}),
      ...m.options,
    })),
    slos: oldPlan.slos.map((s): SimSlo => ({
      ref: sloRef('billing', s.id),
      numerator: s.numerator,
      denominator: s.denominator,
      target: s.target,
    })),
  };
  const { caller, callees } = neighbours('billing', billing.entrypoint, inputs.catalog, inputs.policy);
  const outcomes = builtinScenarios({ plan: oldPlan, policy: billing.policy, env: 'prod', caller, callees }).map((sc) =>
    runScenario(sc, oldPlan, frozen.spanMetrics, optionsFromPolicy(inputs.policy, inputs.catalog), sim),
  );
  const problems = (name: string) => outcomes.find((o) => o.name === `billing/prod/${name}`)!.problems;

  test('tag vanishes: the old coverage monitor never alerts under the no-data reading', () => {
    expect(problems('tag-vanishes:usr.id')).toEqual([
      '[no-data] prod_tag-coverage_usr-id: expected Alert by minute 80, got it never (no state: the monitor never evaluated)',
    ]);
  });

  test('traffic stops: default_zero never fills the empty window; No Data comes after 120 minutes, too late', () => {
    expect(problems('traffic-stops')).toEqual([
      '[zero] prod_no-traces: expected No Data by minute 155, got it never (OK at the end)',
      '[no-data] prod_no-traces: expected No Data by minute 155, got it never (OK at the end)',
    ]);
  });

  test('and the orphan alert of a rolled-back version never recovered (no on_missing_data on the components)', () => {
    expect(problems('orphans-new-version')).toEqual([
      '[zero] prod_orphan-rate (version:2.0.0): expected recovery by minute 295, got it never',
      '[no-data] prod_orphan-rate (version:2.0.0): expected recovery by minute 295, got it never',
    ]);
  });

  test('today the same scenarios pass for the same service', () => {
    const { result } = run(ROOT);
    for (const name of ['tag-vanishes:usr.id', 'traffic-stops', 'orphans-new-version'])
      expect(result.scenarios.find((s) => s.name === `billing/prod/${name}`)!.status).toBe('pass');
  });
});

describe('a 150-service synthetic catalog', () => {
  test('every built-in scenario passes for every service', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'th-sim-'));
    try {
      const cat = writeSyntheticCatalog(dir, { services: 150, seed: 1 });
      const { result } = run(cat.dir);
      expect(result.scenarios.filter((s) => s.status === 'fail').map((s) => [s.name, s.problems])).toEqual([]);
      expect(result.passed).toBeGreaterThan(150 * 10);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
