/**
 * Findings and monitors never disagree: for every check, at, just below and just above each threshold and the
 * volume guard, the severity of the collector's finding equals the state the generated monitor reaches when Datadog
 * (the simulator, src/simulate) evaluates it over the metrics of the same spans — the collector's series
 * (buildSeries) and, for tag coverage, the span-based counts of the same spans. The monitors are the bundled
 * example's, planned as synth plans them.
 */
import path from 'node:path';
import { loadCatalog } from '../../src/catalog';
import type { Catalog } from '../../src/catalog/model';
import { analyzeSpans, AnalyzeOptions } from '../../src/collector/analyze';
import { buildFindings, Finding } from '../../src/collector/findings';
import type { Span } from '../../src/collector/model';
import { dependedOnServices, optionsFromPolicy } from '../../src/collector/options';
import { buildSeries } from '../../src/collector/series';
import { planService } from '../../src/constructs/service/plan';
import { missingTagMetricName, scopeMetricName } from '../../src/datadog/metrics';
import { loadPolicy, policyCatalogArg, resolvePolicy } from '../../src/policy';
import type { Policy } from '../../src/policy/model';
import { evaluate, READINGS } from '../../src/simulate/evaluate';
import { simMonitors } from '../../src/simulate/run';
import { MetricStore } from '../../src/simulate/store';
import { EXAMPLE_POLICY, exampleRoot } from '../example-policy';
import { span, T0 } from './helpers';

let policy: Policy;
let catalog: Catalog;
let options: AnalyzeOptions;

beforeAll(() => {
  const cwd = exampleRoot();
  const doc = loadPolicy(path.basename(EXAMPLE_POLICY), { cwd });
  catalog = loadCatalog(policyCatalogArg(doc, cwd), { cwd });
  policy = resolvePolicy(doc, catalog);
  options = optionsFromPolicy(policy, catalog, doc);
});

const V = '9.9';
let nextId = 1;
const id = () => String(nextId++);

/** A trace entered at web-gateway (an entrypoint), with `service` called below it. */
function called(service: string, over: Partial<Span> = {}): Span[] {
  const t = id();
  const root = span({ traceId: t, spanId: id(), service: 'web-gateway', attributes: { usr: { id: 'u' } } });
  const child = span({
    traceId: t,
    spanId: id(),
    parentId: root.spanId,
    service,
    version: V,
    attributes: { usr: { id: 'u' } },
    ...over,
  });
  return [root, child];
}

/** A span of `service` whose parent is missing from its trace. */
function orphan(service: string): Span[] {
  return [span({ traceId: id(), spanId: id(), parentId: '999999', service, version: V, kind: 'internal' })];
}

/** A trace that starts in `service`. */
function root(service: string): Span[] {
  return [span({ traceId: id(), spanId: id(), service, version: V, attributes: { usr: { id: 'u' } } })];
}

/** checkout-api calling payments-api; `paired`: the callee's server span is below the client span. */
function call(paired: boolean): Span[] {
  const t = id();
  const [gw, server] = called('checkout-api');
  const tr = { traceId: t };
  const client = span({
    ...tr,
    spanId: id(),
    parentId: server.spanId,
    service: 'checkout-api',
    version: V,
    kind: 'client',
    peerService: 'payments-api',
  });
  const out = [{ ...gw, ...tr }, { ...server, ...tr }, client];
  if (paired)
    out.push(
      span({ ...tr, spanId: id(), parentId: client.spanId, service: 'payments-api', attributes: { usr: { id: 'u' } } }),
    );
  return out;
}

const times = (n: number, f: () => Span[]) => Array.from({ length: n }, f).flat();

type State = 'Alert' | 'Warn' | 'OK' | 'No Data';
const AS_STATE: Record<string, State> = { critical: 'Alert', warning: 'Warn', info: 'OK' };

/**
 * The finding's severity (`none` when there is none) and the notifying monitor's state after Datadog evaluated the
 * same spans' metrics (the same under both readings of what the docs leave open).
 */
function judgeBoth(
  spans: Span[],
  service: string,
  check: string,
  pick: (f: Finding) => boolean,
  group: string,
): { finding: string; monitor: State } {
  const a = analyzeSpans(
    spans.map((s) => ({ ...s, start: T0 })),
    options,
  );
  const found = buildFindings(a).filter((f) => f.service === service && pick(f));
  expect(found.length).toBeLessThanOrEqual(1);
  const store = new MetricStore(10);
  for (const s of buildSeries(a, 0, 3600)) store.add(s.metric, s.tags, 1, s.points[0].value, s.type === 3);
  // The span-based metrics of the same spans (tag coverage monitors read these): in scope, and in scope lacking the tag.
  const acc = a.services.get(service);
  for (const g of acc?.groups.values() ?? [])
    g.coverage.forEach((c, i) => {
      const rule = acc!.rules[i].rule;
      const tags = [`service:${service}`, `env:${g.env}`];
      if (c.total > 0) store.add(scopeMetricName(rule.scope), tags, 1, c.total);
      if (c.total - c.covered > 0) store.add(missingTagMetricName(rule.scope, rule.tag), tags, 1, c.total - c.covered);
    });
  const sp = policy.services.find((p) => p.service === service)!;
  const svc = catalog.services.find((s) => s.name === service)!;
  const entrypoint = policy.entrypoints.includes(service) || !dependedOnServices(catalog).includes(service);
  const plan = planService({ site: policy.site, service: svc, policy: sp, entrypoint });
  const monitor = plan.monitors.find((m) => m.role === 'alert' && m.check === check && pick({ tag: m.tag } as Finding));
  expect(monitor).toBeDefined();
  const sim = simMonitors(plan);
  const states = READINGS.map((reading) => {
    const tl = evaluate(sim.monitors, sim.slos, store, { minutes: 10, reading });
    return tl.get(monitor!.id)!.final.get(group) ?? 'OK';
  });
  expect(states[1]).toBe(states[0]);
  return { finding: found[0]?.severity ?? 'none', monitor: states[0] };
}

function expectAgreement(r: { finding: string; monitor: State }, expected: string): void {
  expect(r.finding).toBe(expected);
  expect(r.monitor).toBe(AS_STATE[expected] ?? 'OK');
}

describe('finding severity = monitor state (inventory-api orphan rate: warning > 1%, critical > 5%, guard ≥ 200 spans)', () => {
  const orphanRate = (checked: number, orphans: number) =>
    judgeBoth(
      [...times(checked - orphans, () => called('inventory-api')), ...times(orphans, () => orphan('inventory-api'))],
      'inventory-api',
      'orphan-rate',
      (f) => f.kind === undefined || f.kind === 'orphan-rate',
      `version:${V}`,
    );
  it.each([
    [200, 1, 'none'], // 0.5%
    [200, 2, 'none'], // 1% = warning: the comparison is strict
    [200, 3, 'warning'], // 1.5%
    [200, 9, 'warning'], // 4.5%
    [200, 10, 'warning'], // 5% = critical
    [200, 11, 'critical'], // 5.5%
    [199, 20, 'info'], // just below the guard: the monitor stays OK
    [201, 20, 'critical'], // just above it
    [200, 20, 'critical'], // at it (>=)
  ])('%i checked spans, %i orphans → %s', (checked, orphans, expected) => {
    expectAgreement(orphanRate(checked, orphans), expected);
  });
});

describe('finding severity = monitor state (checkout-api → payments-api unpaired calls, tier 1: warning > 0.5%, critical > 1%, guard ≥ 200 calls)', () => {
  const unpaired = (checked: number, bad: number) =>
    judgeBoth(
      [...times(checked - bad, () => call(true)), ...times(bad, () => call(false))],
      'checkout-api',
      'unpaired-calls',
      (f) => f.kind === undefined || f.kind === 'unpaired-calls',
      'peer_service:payments-api',
    );
  it.each([
    [200, 1, 'none'], // 0.5% = warning
    [200, 2, 'warning'], // 1% = critical
    [200, 3, 'critical'],
    [400, 3, 'warning'], // 0.75%
    [199, 3, 'info'],
    [201, 3, 'critical'],
  ])('%i calls, %i unpaired → %s', (checked, bad, expected) => {
    expectAgreement(unpaired(checked, bad), expected);
  });
});

describe('finding severity = monitor state (user-profile unexpected roots: every root is unexpected, guard ≥ 200 spans)', () => {
  const roots = (spans: number, r: number) =>
    judgeBoth(
      [...times(spans - r, () => called('user-profile')), ...times(r, () => root('user-profile'))],
      'user-profile',
      'unexpected-roots',
      (f) => f.kind === undefined || f.kind === 'unexpected-roots',
      `version:${V}`,
    );
  it.each([
    [200, 0, 'none'],
    [199, 1, 'info'],
    [200, 1, 'critical'],
    [201, 1, 'critical'],
  ])('%i spans, %i roots → %s', (spans, r, expected) => {
    expectAgreement(roots(spans, r), expected);
  });
});

describe('finding severity = monitor state (inventory-api usr.id coverage: warning < 98%, critical < 95%, guard ≥ 200 entry spans)', () => {
  const coverage = (inScope: number, missing: number) =>
    judgeBoth(
      [
        ...times(inScope - missing, () => called('inventory-api')),
        ...times(missing, () => called('inventory-api', { attributes: {} })),
      ],
      'inventory-api',
      'tag-coverage',
      (f) => f.tag === 'usr.id',
      '',
    );
  it.each([
    [200, 3, 'none'], // 98.5%
    [200, 4, 'none'], // 98% = warning
    [200, 5, 'warning'], // 97.5%
    [200, 10, 'warning'], // 95% = critical
    [200, 11, 'critical'], // 94.5%
    [199, 20, 'info'],
    [201, 20, 'critical'],
  ])('%i entry spans, %i without usr.id → %s', (inScope, missing, expected) => {
    expectAgreement(coverage(inScope, missing), expected);
  });
});

describe('finding severity = monitor state (search-api two tracing libraries: critical, no guard)', () => {
  const tracers = (spans: Span[]) =>
    judgeBoth(spans, 'search-api', 'two-tracers', (f) => f.kind === undefined || f.kind === 'two-tracers', '');
  it('one tracer family, no double instrumentation → none', () => {
    expectAgreement(tracers(times(3, () => called('search-api'))), 'none');
  });
  it('two tracer families → critical', () => {
    expectAgreement(
      tracers([...called('search-api'), ...called('search-api', { tracer: 'opentelemetry' })]),
      'critical',
    );
  });
  it('one double-instrumented server span → critical', () => {
    const [gw, server] = called('search-api');
    const inner = span({
      traceId: gw.traceId,
      spanId: id(),
      parentId: server.spanId,
      service: 'search-api',
      version: V,
    });
    expectAgreement(tracers([gw, server, inner]), 'critical');
  });
});

describe('catalog coverage', () => {
  it('a service sending spans without a catalog definition is a warning, catalog services without spans are info', () => {
    const spans = [
      ...called('inventory-api'),
      ...times(2, () => root('mystery-svc')).map((s) => ({ ...s, env: 'staging' })),
    ];
    const a = analyzeSpans(spans, options);
    const findings = buildFindings(a);
    const mystery = findings.find((f) => f.service === 'mystery-svc')!;
    expect(mystery).toMatchObject({
      kind: 'not-in-catalog',
      severity: 'warning',
      team: 'unowned',
      value: 2,
      summary:
        'not in the catalog: 2 spans in staging, tracers datadog — no monitor, dashboard or SLO watches this service',
    });
    expect(findings.filter((f) => f.kind === 'not-seen').map((f) => [f.service, f.severity, f.team])).toEqual([
      ['auth-api', 'info', 'identity'],
      ['billing', 'info', 'payments'],
      ['cart-service', 'info', 'checkout'],
      ['checkout-api', 'info', 'checkout'],
      ['fraud-scorer', 'info', 'payments'],
      ['notification-worker', 'info', 'platform'],
      ['payments-api', 'info', 'payments'],
      ['payments-ledger', 'info', 'payments'],
      ['recommendations', 'info', 'data'],
      ['search-api', 'info', 'data'],
      ['user-profile', 'info', 'identity'],
    ]);
    // The same services as gauges for the overview dashboard.
    const gauges = buildSeries(a, 60, 60).filter((s) => s.metric.startsWith('trace_health.services.'));
    expect(gauges.filter((s) => s.metric === 'trace_health.services.uncataloged')).toEqual([
      {
        metric: 'trace_health.services.uncataloged',
        type: 3,
        points: [{ timestamp: 60, value: 1 }],
        tags: ['service:mystery-svc', 'env:staging'],
      },
    ]);
    expect(gauges.filter((s) => s.metric === 'trace_health.services.unseen').map((s) => s.tags[0])).toEqual(
      findings.filter((f) => f.kind === 'not-seen').map((f) => `service:${f.service}`),
    );
    // A `--serve` shard sees its share of the traces for one interval: it cannot say a service sent nothing.
    const streamed = buildSeries({ ...a, options: { ...a.options, streaming: true } }, 60, 60);
    expect(streamed.filter((s) => s.metric === 'trace_health.services.unseen')).toEqual([]);
    expect(streamed.filter((s) => s.metric === 'trace_health.services.uncataloged')).toHaveLength(1);
  });

  it('without a catalog (no policy file) there is no catalog finding', () => {
    const a = analyzeSpans(root('mystery-svc'), { site: 'datadoghq.com' });
    expect(buildFindings(a).filter((f) => f.kind === 'not-in-catalog' || f.kind === 'not-seen')).toEqual([]);
  });
});

describe('unexpected roots name the likely caller', () => {
  it('the caller whose calls arrive unpaired, else an observed caller, else the catalog', () => {
    const unpairedFromCheckout = [...times(3, () => call(false)), ...times(200, () => root('payments-api'))];
    const f1 = buildFindings(analyzeSpans(unpairedFromCheckout, options)).find(
      (f) => f.kind === 'unexpected-roots' && f.service === 'payments-api',
    )!;
    expect(f1.likelyCaller).toEqual({
      service: 'checkout-api',
      evidence: '3 of its client spans calling payments-api have no payments-api span below them',
    });
    const f2 = buildFindings(
      analyzeSpans(
        times(200, () => root('user-profile')),
        options,
      ),
    ).find((f) => f.kind === 'unexpected-roots')!;
    expect(f2.likelyCaller).toEqual({ service: 'auth-api', evidence: 'the catalog says it depends on user-profile' });
    expect(f2.summary).toBe(
      'unexpected roots: 100.0% (200 of 200 root spans) in version 9.9 — traces start here although other services call it; likely caller: auth-api (the catalog says it depends on user-profile)',
    );
  });
});
