import { mkdtempSync, readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/index';
import { memoryIo } from '../../src/cli/io';
import { checkCreateOnlySummary } from '../../src/ci';
import { renderMarkdown } from '../../src/ci/markdown';
import { planInputFromArg, readPlanFiles } from '../../src/ci/plan';
import { PlanSummary, ResourceChange, summarizePlans } from '../../src/ci/summary';

const FIXTURES = join(__dirname, 'fixtures');
const GOLDEN = join(__dirname, 'golden');
const fixture = (name: string) => join(FIXTURES, name);
const ALL = ['core.json', 'team-checkout.json', 'team-identity.json', 'team-payments.json', 'no-changes.json'];

/** Compare with a golden file; `UPDATE_GOLDEN=1 npx jest __tests__/ci` rewrites it. */
function expectGolden(name: string, actual: string): void {
  const file = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, actual);
  }
  if (!existsSync(file)) throw new Error(`${file} missing: run UPDATE_GOLDEN=1 npx jest __tests__/ci`);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

function summarize(files: string[], guard = { maxDestroy: 5, allowDestroy: false }): PlanSummary {
  return summarizePlans(readPlanFiles(files.map((f) => planInputFromArg(fixture(f)))), guard);
}

function change(summary: PlanSummary, stack: string, address: string): ResourceChange {
  const s = summary.stacks.find((x) => x.stack === stack);
  const c = s?.changes.find((x) => x.address === address);
  if (!c) throw new Error(`no change ${address} in ${stack}`);
  return c;
}

async function run(args: string[], cwd = process.cwd()) {
  const io = memoryIo({}, cwd);
  const code = await main(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('plan-summary model', () => {
  const summary = summarize(ALL);

  it('counts each stack, stacks sorted by name whatever the argument order', () => {
    expect(summary.stacks.map((s) => [s.stack, s.counts])).toStrictEqual([
      ['core', { destroy: 0, replace: 1, update: 1, forget: 0, create: 1, unchanged: 1 }],
      ['no-changes', { destroy: 0, replace: 0, update: 0, forget: 0, create: 0, unchanged: 0 }],
      ['team-checkout', { destroy: 0, replace: 0, update: 3, forget: 0, create: 4, unchanged: 1 }],
      ['team-identity', { destroy: 2, replace: 0, update: 1, forget: 0, create: 0, unchanged: 0 }],
      ['team-payments', { destroy: 7, replace: 0, update: 0, forget: 0, create: 0, unchanged: 1 }],
    ]);
    expect(summary.totals).toStrictEqual({ destroy: 9, replace: 1, update: 5, forget: 0, create: 5, unchanged: 3 });
  });

  it('shows a monitor query and threshold change before → after', () => {
    const c = change(summary, 'team-checkout', 'datadog_monitor.checkout-api_orphan-rate_A1B2C3');
    expect(c.service).toBe('checkout-api');
    expect(c.name).toBe('[trace-health] checkout-api: orphan span rate');
    expect(c.fields.map((f) => [f.field, f.before, f.after])).toStrictEqual([
      [
        'query',
        'sum(last_1h):sum:trace_health.spans.orphaned{service:checkout-api,env:prod}.as_count() / sum:trace_health.spans.checked{service:checkout-api,env:prod}.as_count() > 0.05',
        'sum(last_1h):sum:trace_health.spans.orphaned{service:checkout-api,env:prod}.as_count() / sum:trace_health.spans.checked{service:checkout-api,env:prod}.as_count() > 0.01',
      ],
      ['monitor_thresholds.critical', '0.05', '0.01'],
      ['monitor_thresholds.warning', '0.01', '0.005'],
    ]);
  });

  it('shows notify handles added, the priority and the changed message lines', () => {
    const c = change(summary, 'team-checkout', 'datadog_monitor.inventory-api_tag-usr-id_D4E5F6');
    expect(c.fields.map((f) => f.field)).toStrictEqual(['priority', 'notify', 'message', 'tags']);
    expect(c.fields[0]).toStrictEqual({ field: 'priority', before: '2', after: '1' });
    expect(c.fields[1]).toMatchObject({ added: ['@pagerduty-checkout-oncall'], removed: [] });
    expect(c.fields[2].lines).toStrictEqual(['- @slack-checkout', '+ @slack-checkout @pagerduty-checkout-oncall']);
    expect(c.fields[3]).toMatchObject({ added: ['tier:1'], removed: [] });
  });

  it('shows SLO target and warning from the thresholds block, without their display and mirror twins', () => {
    const c = change(summary, 'team-checkout', 'datadog_service_level_objective.checkout-api_continuity_0A1B2C');
    expect(c.kind).toBe('slo');
    expect(c.fields.map((f) => [f.field, f.before, f.after])).toStrictEqual([
      ['thresholds.target', '99', '99.9'],
      ['thresholds.warning', '99.5', '99.95'],
    ]);
  });

  it('explains a span metric replacement: the fields that forced it', () => {
    const c = change(summary, 'core', 'datadog_spans_metric.scope_status_error');
    expect(c).toMatchObject({ kind: 'spanMetric', action: 'replace', service: null });
    expect(c.forcedBy).toStrictEqual(['compute.aggregation_type', 'compute.path']);
    expect(c.fields.map((f) => [f.field, f.before, f.after])).toStrictEqual([
      ['compute.aggregation_type', 'count', 'distribution'],
      ['compute.path', null, '@duration'],
    ]);
  });

  it('groups a dashboard by the service in its title, and shows widgets added', () => {
    const created = change(summary, 'team-checkout', 'datadog_dashboard_json.cart-service_dashboard_444444');
    expect(created).toMatchObject({ kind: 'dashboard', service: 'cart-service', name: 'Trace health: cart-service' });
    const updated = change(summary, 'core', 'datadog_dashboard_json.overview');
    expect(updated.service).toBeNull();
    expect(updated.fields).toStrictEqual([
      { field: 'dashboard.widgets', before: '2 widgets', after: '3 widgets', added: ['SLO status'], removed: [] },
    ]);
  });

  it('marks values known only after apply', () => {
    const c = change(summary, 'team-identity', 'datadog_monitor.auth-api_orphan-rate_CCCCCC');
    expect(c.fields).toStrictEqual([{ field: 'restricted_roles', before: null, after: '(known after apply)' }]);
  });

  it('lists destroys first, then replacements, updates and creates; by service, org-wide last', () => {
    const actions = (stack: string) => summary.stacks.find((s) => s.stack === stack)!.changes.map((c) => c.action);
    expect(actions('core')).toStrictEqual(['replace', 'update', 'create']);
    expect(actions('team-identity')).toStrictEqual(['destroy', 'destroy', 'update']);
    const checkout = summary.stacks.find((s) => s.stack === 'team-checkout')!.changes;
    expect(checkout.map((c) => `${c.action} ${c.service} ${c.kind}`)).toStrictEqual([
      'update checkout-api monitor',
      'update checkout-api slo',
      'update inventory-api monitor',
      'create cart-service monitor',
      'create cart-service monitor',
      'create cart-service slo',
      'create cart-service dashboard',
    ]);
  });

  it('blocks more than --max-destroy destroys in one stack, and any span metric destroyed or replaced', () => {
    expect(summary.destroyGuard.blocked).toBe(true);
    expect(summary.destroyGuard.violations.map((v) => [v.stack, v.reason, v.addresses.length])).toStrictEqual([
      ['core', 'span-metric-destroyed', 1],
      ['team-payments', 'too-many-destroys', 7],
    ]);
    expect(summary.destroyGuard.violations[1].message).toBe(
      'stack team-payments destroys 7 resources (7 deleted, 0 replaced); at most 5 allowed',
    );
  });

  it('pairs a destroy and a create of the same name: a new Terraform address for the same monitor', () => {
    const s = summarize(['renamed.json']);
    expect(s.stacks[0].changes.map((c) => [c.action, c.address, c.sameNameAs])).toStrictEqual([
      [
        'destroy',
        'datadog_monitor.user-profile_unexpected-roots_AAAAAA',
        'datadog_monitor.user-profile_prod_unexpected-roots',
      ],
      [
        'create',
        'datadog_monitor.user-profile_prod_unexpected-roots',
        'datadog_monitor.user-profile_unexpected-roots_AAAAAA',
      ],
    ]);
    expect(renderMarkdown(s)).toContain(
      '> **New Terraform addresses for existing resources** in `renamed`: 1 resource is destroyed\n',
    );
    // Different names are not paired.
    expect(summary.stacks.flatMap((x) => x.changes).filter((c) => c.sameNameAs)).toStrictEqual([]);
  });

  it('lets destroys under the limit through', () => {
    const s = summarize(['team-identity.json', 'team-checkout.json']);
    expect(s.destroyGuard).toStrictEqual({ maxDestroy: 5, allowDestroy: false, blocked: false, violations: [] });
  });

  it('is the same whatever the order of plans and of resources in a plan', () => {
    const reversed = summarize([...ALL].reverse());
    expect(renderMarkdown(reversed)).toBe(renderMarkdown(summary));
    const plans = readPlanFiles(ALL.map((f) => planInputFromArg(fixture(f)))).map((p) => ({
      ...p,
      plan: { ...p.plan, resource_changes: [...p.plan.resource_changes].reverse() },
    }));
    expect(JSON.stringify(summarizePlans(plans))).toBe(JSON.stringify(summary));
  });

  it('renders the golden Markdown', () => {
    expectGolden('summary.md', renderMarkdown(summary));
  });

  it('cuts the Markdown at whole entries under --max-chars and says so', () => {
    const md = renderMarkdown(summary, { maxChars: 4000 });
    expect(md.length).toBeLessThanOrEqual(4000);
    expect(md).toContain('> ✂️ Truncated:');
    expect(md.startsWith('<!-- trace-health:plan-summary -->\n')).toBe(true);
    // Fences are never cut in half.
    expect((md.match(/```/g) ?? []).length % 2).toBe(0);
    expect(md).toContain('**Destroy guard: blocked.**');
  });
});

describe('plan-summary stack names', () => {
  const exists = () => false;
  it.each([
    ['core.json', 'core', 'core.json'],
    ['plans/team-payments.plan.json', 'team-payments', 'plans/team-payments.plan.json'],
    ['cdktf.out/stacks/core/plan.json', 'core', 'cdktf.out/stacks/core/plan.json'],
    ['x/team-a/tfplan.json', 'team-a', 'x/team-a/tfplan.json'],
    ['plan-team-a.json', 'team-a', 'plan-team-a.json'],
    ['tfplan.core.json', 'core', 'tfplan.core.json'],
    ['team-a=artifacts/plan-1/plan.json', 'team-a', 'artifacts/plan-1/plan.json'],
  ])('%s → stack %s', (arg, stack, file) => {
    expect(planInputFromArg(arg, exists)).toStrictEqual({ stack, file });
  });
  it('takes an existing file name with "=" literally', () => {
    expect(planInputFromArg('a=b.json', () => true)).toStrictEqual({ stack: 'a=b', file: 'a=b.json' });
  });
});

describe('plan-summary command', () => {
  const args = ALL.map(fixture);

  it('prints the Markdown and exits 1 when the destroy guard blocks', async () => {
    const r = await run(['plan-summary', ...args]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(renderMarkdown(summarize(ALL)));
    expect(r.stderr).toBe(
      'trace-health: destroy guard: stack core replaces 1 span-based metric ' +
        '(trace_health.scope.status_error_3fa1b2.spans): its history is lost; stack team-payments destroys 7 ' +
        'resources (7 deleted, 0 replaced); at most 5 allowed. Re-run with --allow-destroy if this is intended.\n',
    );
  });

  it('exits 0 with --allow-destroy and still shows the destroys', async () => {
    const r = await run(['plan-summary', '--allow-destroy', ...args]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('> **Destroys allowed** (`--allow-destroy`):');
    expect(r.stdout).toContain('**To destroy (7)**');
    expect(r.stderr).toContain('destroys allowed by --allow-destroy');
  });

  it('raises the limit with --max-destroy, but never lets a span metric go', async () => {
    expect((await run(['plan-summary', '--max-destroy', '7', fixture('team-payments.json')])).code).toBe(0);
    expect((await run(['plan-summary', '--max-destroy', '6', fixture('team-payments.json')])).code).toBe(1);
    expect((await run(['plan-summary', '--max-destroy', '100', fixture('core.json')])).code).toBe(1);
    expect((await run(['plan-summary', fixture('team-identity.json')])).code).toBe(0);
  });

  it('prints versioned JSON with --json', async () => {
    // Relative paths, so that the golden file is the same on any machine.
    const r = await run(['plan-summary', '--json', ...ALL], FIXTURES);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.format).toBe('trace-health/plan-summary');
    expect(doc.version).toBe(1);
    expect(doc.destroyGuard.blocked).toBe(true);
    expectGolden('summary.json', r.stdout);
  });

  it('summarizes a plan without changes', async () => {
    const r = await run(['plan-summary', fixture('no-changes.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        '<!-- trace-health:plan-summary -->',
        '### trace-health plan — no changes',
        '',
        '| stack | destroy | replace | update | create | unchanged |',
        '| --- | ---: | ---: | ---: | ---: | ---: |',
        '| `no-changes` | 0 | 0 | 0 | 0 | 0 |',
        '',
        '',
      ].join('\n'),
    );
  });

  describe('fails with exit 2 and prints nothing on stdout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trace-health-ci-'));
    const write = (name: string, text: string) => {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    };

    it.each([
      ['a missing file', () => [join(dir, 'missing.json')], `${join(dir, 'missing.json')}: no such file`],
      [
        'invalid JSON, with line and column',
        () => [fixture('invalid.json')],
        `${fixture('invalid.json')}:4:37: invalid JSON: Expected double-quoted property name`,
      ],
      ['an empty file', () => [write('empty.json', '')], `${join(dir, 'empty.json')}: invalid JSON: the file is empty`],
      [
        'a state instead of a plan',
        () => [fixture('state.json')],
        `${fixture('state.json')}: a Terraform state, not a plan (expected the output of \`terraform show -json PLANFILE\`)`,
      ],
      [
        'a binary plan',
        () => [write('tfplan', 'PK\u0003\u0004binary')],
        `${join(dir, 'tfplan')}: a binary plan file; convert it first: terraform show -json ${join(dir, 'tfplan')} > ${join(dir, 'tfplan')}.json`,
      ],
      [
        'a JSON list',
        () => [write('list.json', '[]')],
        `${join(dir, 'list.json')}: not a Terraform plan (expected the output of \`terraform show -json PLANFILE\`)`,
      ],
      [
        'a resource change without actions',
        () => [write('bad.json', '{"resource_changes":[{"address":"a.b","type":"a","change":{}}]}')],
        `${join(dir, 'bad.json')}: resource_changes[0].change.actions: expected a list of strings, got undefined`,
      ],
      [
        'two plans for one stack',
        () => [fixture('core.json'), `core=${fixture('team-identity.json')}`],
        `${fixture('team-identity.json')}: stack "core" already given by ${fixture('core.json')}; label plans explicitly with NAME=PATH`,
      ],
      ['a directory', () => [dir], `${dir}: is a directory, expected a plan JSON file`],
    ])('%s', async (_what, argv, message) => {
      const r = await run(['plan-summary', ...argv()]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(message);
    });

    it('reports every bad file at once', async () => {
      const r = await run(['plan-summary', fixture('core.json'), join(dir, 'missing.json'), fixture('state.json')]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(2);
    });

    it('a bad --max-destroy', async () => {
      const r = await run(['plan-summary', '--max-destroy', '-1', fixture('core.json')]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('--max-destroy must be a whole number ≥ 0, got "-1"');
    });

    it('a --max-chars too small for the table', async () => {
      const r = await run(['plan-summary', '--max-chars', '100', fixture('core.json')]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('--max-chars must be a whole number ≥ 2000, got "100"');
    });

    it('no plan at all', async () => {
      const r = await run(['plan-summary']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("missing required argument 'plans'");
    });
  });
});

describe('a real plan', () => {
  // `terraform show -json` of the example's core stack, planned by terraform 1.11.4 with the Datadog provider
  // 3.82.0 against the fake API (npm run test:terraform's harness), trimmed to format_version, terraform_version
  // and resource_changes. Regenerate it when the core stack changes shape. test:terraform does not run
  // checkCreateOnlySummary on its fresh plans yet: a team dashboard's JSON holds its SLOs' ids, unknown when
  // everything is created, so plan-summary shows such dashboards by address, not title.
  const realFile = join(FIXTURES, 'real', 'core.json');
  const json = readFileSync(realFile, 'utf8');

  it('reads a create-only plan as creates only, with names, and passes the destroy guard', () => {
    const check = checkCreateOnlySummary([{ stack: 'core', json }]);
    expect(check.problems).toStrictEqual([]);
    expect(check.summary.stacks[0].counts).toStrictEqual({
      destroy: 0,
      replace: 0,
      update: 0,
      forget: 0,
      create: 10,
      unchanged: 0,
    });
    expect(check.summary.stacks[0].changes.map((c) => c.kind)).toStrictEqual([
      ...Array(8).fill('spanMetric'),
      'dashboard',
      'dashboardList',
    ]);
    expectGolden('real-core.md', check.markdown);
  });

  it('reads a real replace, update and destroys (the core stack applied, then its config edited)', async () => {
    // core-changes.json: the same stack applied to the fake, then one span metric's compute changed, one span
    // metric and the dashboard list removed, the overview dashboard retitled and its last widget group removed,
    // planned with -refresh=false.
    const r = await run(['plan-summary', '--json', 'core=real/core-changes.json'], FIXTURES);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.stacks[0].counts).toStrictEqual({
      destroy: 2,
      replace: 1,
      update: 1,
      forget: 0,
      create: 0,
      unchanged: 6,
    });
    const byAddress = Object.fromEntries(doc.stacks[0].changes.map((c: ResourceChange) => [c.address, c]));
    expect(byAddress['datadog_spans_metric.span-metrics_trace_health_scope_all_spans']).toMatchObject({
      action: 'replace',
      reason: 'replace_because_cannot_update',
      forcedBy: ['compute.path'],
      fields: [
        { field: 'compute.aggregation_type', before: 'count', after: 'distribution' },
        { field: 'compute.path', before: null, after: '@duration' },
      ],
    });
    expect(byAddress['datadog_dashboard_json.overview_dashboard'].fields).toStrictEqual([
      { field: 'dashboard.title', before: 'Trace health — overview', after: 'Trace health — overview (new)' },
      {
        field: 'dashboard.widgets',
        before: '19 widgets',
        after: '13 widgets',
        added: [],
        removed: [
          'Teams',
          'note: Team checkout',
          'note: Team data',
          'note: Team identity',
          'note: Team payments',
          'note: Team platform',
        ],
      },
    ]);
    expect(doc.destroyGuard.violations.map((v: { reason: string }) => v.reason)).toStrictEqual([
      'span-metric-destroyed',
    ]);
    const md = await run(['plan-summary', 'core=real/core-changes.json'], FIXTURES);
    expectGolden('real-core-changes.md', md.stdout);
  });

  it('reads a real update: tier-1 thresholds, SLO target and a new pager for team identity', async () => {
    // team-identity.json: the example's team-identity stack applied to the fake, then planned (with refresh) from a
    // policy where tier 1 has orphanRate 0.004/0.008 and SLO 99.5/99.8, and team identity also notifies
    // @pagerduty-identity; five of its entries kept (four updates, one no-op).
    const r = await run(['plan-summary', '--json', 'real/team-identity.json'], FIXTURES);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.stacks[0].stack).toBe('team-identity');
    expect(doc.stacks[0].counts).toStrictEqual({
      destroy: 0,
      replace: 0,
      update: 4,
      forget: 0,
      create: 0,
      unchanged: 1,
    });
    const fields = Object.fromEntries(
      doc.stacks[0].changes.map((c: ResourceChange) => [c.address, c.fields.map((f) => [f.field, f.before, f.after])]),
    );
    expect(fields['datadog_monitor.auth-api_prod_orphan-rate_ratio'].slice(1)).toStrictEqual([
      ['monitor_thresholds.critical', '0.01', '0.008'],
      ['monitor_thresholds.warning', '0.005', '0.004'],
    ]);
    expect(fields['datadog_monitor.auth-api_prod_orphan-rate_ratio'][0][0]).toBe('query');
    expect(fields['datadog_service_level_objective.auth-api_prod_slo_trace-continuity']).toStrictEqual([
      ['thresholds.target', '99.9', '99.5'],
      ['thresholds.warning', '99.95', '99.8'],
    ]);
    const composite = doc.stacks[0].changes.find(
      (c: ResourceChange) => c.address === 'datadog_monitor.auth-api_prod_orphan-rate',
    );
    expect(composite.service).toBe('auth-api');
    expect(composite.fields[0]).toMatchObject({ field: 'notify', added: ['@pagerduty-identity'], removed: [] });
    const dashboard = doc.stacks[0].changes.find((c: ResourceChange) => c.kind === 'dashboard');
    expect(dashboard).toMatchObject({ service: 'auth-api', name: 'Trace health — auth-api' });
    const md = await run(['plan-summary', 'real/team-identity.json'], FIXTURES);
    expectGolden('real-team-identity.md', md.stdout);
  });

  it('blocks the same resources destroyed (a catalog that vanished), span metrics first', async () => {
    const plan = JSON.parse(json);
    for (const rc of plan.resource_changes) {
      rc.change = { ...rc.change, actions: ['delete'], before: rc.change.after, after: null, after_unknown: {} };
    }
    const dir = mkdtempSync(join(tmpdir(), 'trace-health-ci-real-'));
    writeFileSync(join(dir, 'core.json'), JSON.stringify(plan));
    const r = await run(['plan-summary', '--json', 'core.json'], dir);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.stacks[0].counts.destroy).toBe(10);
    expect(doc.destroyGuard.violations.map((v: { reason: string }) => v.reason)).toStrictEqual([
      'too-many-destroys',
      'span-metric-destroyed',
    ]);
  });
});
