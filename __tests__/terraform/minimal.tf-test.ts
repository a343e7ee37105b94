/**
 * One resource of each type trace-health generates (hand-written, fixtures/minimal.tf.json), through the real
 * provider: validate, plan against the fake, then apply and plan again (no perpetual diff), an update of every
 * resource (the provider's PUT and PATCH bodies pass the fake's API-client model checks), and the provider's own
 * diagnostics when the fake's monitor validation rejects a monitor.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyAndReplan, applyThenUpdate, planStack, StackPlan, TerraformRejected, TerraformSetup } from './harness';
import { terraformSetup } from './setup';

const FIXTURE = join(__dirname, 'fixtures', 'minimal.tf.json');

describe('terraform with the real Datadog provider: one resource of each type', () => {
  let setup: TerraformSetup;
  let work: string;
  let plan: StackPlan;

  beforeAll(async () => {
    setup = await terraformSetup();
    work = mkdtempSync(join(tmpdir(), 'th-tf-minimal-'));
    plan = await planStack(setup, 'minimal', FIXTURE, join(work, 'minimal'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('plans to create exactly the fixture resources', () => {
    expect(plan.resources.map((r) => `${r.actions.join(',')} ${r.address}`)).toEqual([
      'create datadog_dashboard_json.web_gateway_dashboard',
      'create datadog_dashboard_list.trace_health',
      'create datadog_monitor.web_gateway_orphan_rate',
      'create datadog_service_level_objective.web_gateway_tag_coverage',
      'create datadog_spans_metric.tag_coverage_scope',
    ]);
    const monitor = plan.resources.find((r) => r.type === 'datadog_monitor');
    expect(monitor?.after.name).toBe('[trace-health] web-gateway orphan span rate');
    expect(monitor?.after.monitor_thresholds).toEqual([
      { critical: '0.05', critical_recovery: null, ok: null, unknown: null, warning: '0.02', warning_recovery: null },
    ]);
  });

  it('asks the API only to check the keys and to validate the monitor during plan', () => {
    expect(plan.apiCalls).toEqual({ 'GET /api/v1/validate': 1, 'POST /api/v1/monitor/validate': 1 });
  });

  it('applies, and a second plan shows no changes', async () => {
    const round = await applyAndReplan(setup, plan);
    expect(round.replanText).toBe('');
    expect(round.replanExitCode).toBe(0);
  });

  it('updates every resource: the API accepts what the provider sends, and a plan after shows no changes', async () => {
    const fresh = await planStack(setup, 'update', FIXTURE, join(work, 'update'));
    const round = await applyThenUpdate(setup, fresh, (config) => {
      const r = config.resource as Record<string, Record<string, Record<string, unknown>>>;
      r.datadog_monitor.web_gateway_orphan_rate.name = '[trace-health] web-gateway orphan span rate (renamed)';
      r.datadog_service_level_objective.web_gateway_tag_coverage.thresholds = [{ timeframe: '7d', target: 98 }];
      const dashboard = r.datadog_dashboard_json.web_gateway_dashboard;
      dashboard.dashboard = String(dashboard.dashboard).replace('trace health (prod)', 'trace health (production)');
      r.datadog_spans_metric.tag_coverage_scope.filter = { query: '@_top_level:1 env:prod' };
      r.datadog_dashboard_list.trace_health.name = 'Trace health (renamed)';
    });
    // Sorted: terraform updates independent resources in parallel. The list's items are replaced by a DELETE of
    // the old ones and a PUT of the new; the monitor is validated twice (terraform plans the change again when
    // it applies it).
    expect([...round.writes].sort()).toEqual([
      'DELETE /api/v2/dashboard/lists/manual/{id}/dashboards 200',
      'PATCH /api/v2/apm/config/metrics/trace_health.tag_scope.entry 200',
      'POST /api/v1/monitor/{id}/validate 200',
      'POST /api/v1/monitor/{id}/validate 200',
      'PUT /api/v1/dashboard/lists/manual/{id} 200',
      'PUT /api/v1/dashboard/{id} 200',
      'PUT /api/v1/monitor/{id} 200',
      'PUT /api/v1/slo/{id} 200',
      'PUT /api/v2/dashboard/lists/manual/{id}/dashboards 200',
    ]);
    expect(round.replanText).toBe('');
    expect(round.replanExitCode).toBe(0);
  });

  it("fails with the provider's diagnostic when the API rejects a monitor", async () => {
    const bad = JSON.parse(readFileSync(FIXTURE, 'utf8'));
    bad.resource.datadog_monitor.web_gateway_orphan_rate.monitor_thresholds.critical = '0.1';
    const file = join(work, 'bad.tf.json');
    writeFileSync(file, JSON.stringify(bad));
    const err = await planStack(setup, 'bad', file, join(work, 'bad')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TerraformRejected);
    expect((err as Error).message).toContain('terraform plan failed for stack bad (exit 1)');
    expect((err as Error).message).toContain('error validating monitor');
    expect((err as Error).message).toContain('Alert threshold (0.1) does not match that used in the query (0.05).');
  });
});
