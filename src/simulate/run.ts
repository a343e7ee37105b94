/**
 * `trace-health simulate`: the monitors and SLOs synth plans for the user's policy and catalog, run against
 * scenarios (built-in ones for every service, plus the user's), under every reading of what Datadog's docs leave
 * open. Works on the planned specs — what synth turns into Terraform — never on cdktf objects. Pure.
 */
import { createHash } from 'node:crypto';
import type { Catalog } from '../catalog/model';
import { compareStrings } from '../catalog/problems';
import { optionsFromPolicy } from '../collector/options';
import type { ServicePlan } from '../constructs/service/plan';
import { monitorOptions, monitorQuery, monitorRef, sloRef } from '../constructs/service/specs';
import type { AnalyzeOptions } from '../collector/analyze';
import type { Policy } from '../policy/model';
import type { AppPlan } from '../synth';
import { evaluate, MonitorTimeline, READINGS, Reading, SimMonitor, SimSlo, Transition } from './evaluate';
import { builtinScenarios, checkScenario, Scenario, ServiceUnderTest } from './scenario';
import { MetricStore } from './store';
import { produceMetrics, SpanMetric, Traffic } from './traffic';

export interface SimulationInput {
  readonly plan: AppPlan;
  readonly policy: Policy;
  readonly catalog: Catalog;
  /** The user's scenarios (already validated against the plan's services). */
  readonly userScenarios?: readonly Scenario[];
  /** Only these services' scenarios (all when absent). */
  readonly services?: ReadonlySet<string>;
  /** Only these built-in kinds (user scenarios always run). */
  readonly kinds?: ReadonlySet<string>;
}

export interface MonitorOutcome {
  readonly id: string;
  readonly name: string;
  /** What the scenario expects of it, in words; `quiet` for a notifying monitor that must not notify. */
  readonly expected: string;
  readonly transitions: Readonly<Record<Reading, readonly Transition[]>>;
}

export interface ScenarioOutcome {
  readonly name: string;
  readonly kind: string;
  readonly service: string;
  readonly env: string;
  readonly description: string;
  readonly faultStart: number;
  readonly minutes: number;
  readonly status: 'pass' | 'fail' | 'skipped';
  readonly problems: readonly string[];
  readonly skipReason?: string;
  /** Monitors with an expectation or a transition under some reading. */
  readonly monitors: readonly MonitorOutcome[];
}

export interface SimulationResult {
  readonly scenarios: readonly ScenarioOutcome[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

/** Simulate every selected scenario. */
export function simulate(input: SimulationInput): SimulationResult {
  const { plan, policy, catalog } = input;
  const core = plan.stacks.find((s) => s.kind === 'core');
  const spanMetrics: readonly SpanMetric[] = core && core.kind === 'core' ? core.metrics : [];
  const baseOptions = optionsFromPolicy(policy, catalog);
  const services = plan.stacks
    .flatMap((s) => (s.kind === 'services' ? s.services : []))
    .sort((a, b) => compareStrings(a.service.name, b.service.name));
  const scenarios: Scenario[] = [];
  const plans = new Map<string, ServicePlan>();
  for (const x of services) {
    plans.set(x.service.name, x.plan);
    if (input.services && !input.services.has(x.service.name)) continue;
    const { caller, callees } = neighbours(x.service.name, x.entrypoint, catalog, policy);
    for (const env of x.policy.envs) {
      const sut: ServiceUnderTest = { plan: x.plan, policy: x.policy, env, caller, callees };
      for (const sc of builtinScenarios(sut)) if (!input.kinds || input.kinds.has(sc.kind)) scenarios.push(sc);
    }
  }
  for (const sc of input.userScenarios ?? []) if (!input.services || input.services.has(sc.service)) scenarios.push(sc);

  // Services of the same shape (thresholds, window, tags, options, routing shape, neighbours) behave the same up
  // to their names: each shape is evaluated once, with placeholder names, and its outcome renamed per service.
  const shapes = new Map<string, ScenarioOutcome>();
  const canonical = new Map<string, ReturnType<typeof canonicalService>>();
  const outcomes = scenarios.map((sc) => {
    const servicePlan = plans.get(sc.service);
    if (!servicePlan) throw new Error(`scenario ${sc.name}: service ${sc.service} has no plan`);
    if (sc.series || !sc.traffic) return runScenario(sc, servicePlan, spanMetrics, baseOptions);
    let c = canonical.get(sc.service);
    if (!c) canonical.set(sc.service, (c = canonicalService(servicePlan, baseOptions, sc.traffic)));
    const job = canonicalScenario(sc, c);
    let out = shapes.get(job.key);
    if (!out) shapes.set(job.key, (out = runScenario(job.scenario, c.plan, spanMetrics, c.options, c.sim)));
    return rename(out, c.back, c.monitorNames, sc);
  });
  return {
    scenarios: outcomes,
    passed: outcomes.filter((o) => o.status === 'pass').length,
    failed: outcomes.filter((o) => o.status === 'fail').length,
    skipped: outcomes.filter((o) => o.status === 'skipped').length,
  };
}

/**
 * Who calls the service and whom it calls, from the catalog's `dependsOn` graph: the first catalog service that
 * depends on it (or a stand-in caller when nothing does and it is no entrypoint), and the first service it
 * depends on (or, to have an edge to test, the first other catalog service).
 */
export function neighbours(
  name: string,
  entrypoint: boolean,
  catalog: Catalog,
  policy: Policy,
): { caller?: string; callees: string[] } {
  const g = catalogGraph(catalog);
  const callers = g.callers.get(name) ?? [];
  const self = g.byName.get(name);
  const deps = (self?.dependsOn ?? [])
    .filter((d) => d.startsWith('service:'))
    .map((d) => d.slice('service:'.length))
    .filter((d) => d !== name && g.byName.has(d));
  const isEntrypoint = entrypoint || policy.entrypoints.includes(name);
  const caller = isEntrypoint ? undefined : (callers[0] ?? 'simulated-caller');
  const callee = deps[0] ?? g.names.find((o) => o !== name && o !== caller);
  return { ...(caller ? { caller } : {}), callees: callee ? [callee] : [] };
}

interface CatalogGraph {
  /** Service names, sorted. */
  readonly names: readonly string[];
  readonly byName: ReadonlyMap<string, Catalog['services'][number]>;
  /** Service → the catalog services that depend on it, sorted. */
  readonly callers: ReadonlyMap<string, readonly string[]>;
}

/** The catalog's service graph, built once per catalog (neighbours is called for every service). */
const graphs = new WeakMap<Catalog, CatalogGraph>();
function catalogGraph(catalog: Catalog): CatalogGraph {
  let g = graphs.get(catalog);
  if (g) return g;
  const callers = new Map<string, string[]>();
  for (const s of catalog.services)
    for (const d of new Set(s.dependsOn)) {
      if (!d.startsWith('service:')) continue;
      const target = d.slice('service:'.length);
      if (target !== s.name) callers.set(target, [...(callers.get(target) ?? []), s.name]);
    }
  for (const list of callers.values()) list.sort(compareStrings);
  g = {
    names: catalog.services.map((s) => s.name).sort(compareStrings),
    byName: new Map(catalog.services.map((s) => [s.name, s])),
    callers,
  };
  graphs.set(catalog, g);
  return g;
}

/** The monitors and SLOs of one service, as Datadog gets them. */
export function simMonitors(plan: ServicePlan): { monitors: SimMonitor[]; slos: SimSlo[] } {
  const monitors = plan.monitors.map((m): SimMonitor => ({
    id: m.id,
    ref: monitorRef(plan.service, m.id),
    type: m.type,
    query: monitorQuery(m),
    message: m.message,
    ...(m.type !== 'composite' && m.thresholds ? { thresholds: m.thresholds } : {}),
    ...monitorOptions(m),
  }));
  const slos = plan.slos.map((s): SimSlo => ({
    ref: sloRef(plan.service, s.id),
    numerator: s.numerator,
    denominator: s.denominator,
    target: s.target,
  }));
  return { monitors, slos };
}

/** Run one scenario under every reading. */
export function runScenario(
  sc: Scenario,
  plan: ServicePlan,
  spanMetrics: readonly SpanMetric[],
  baseOptions: AnalyzeOptions,
  sim: { monitors: readonly SimMonitor[]; slos: readonly SimSlo[] } = simMonitors(plan),
): ScenarioOutcome {
  const head = {
    name: sc.name,
    kind: sc.kind,
    service: sc.service,
    env: sc.env,
    description: sc.description,
    faultStart: sc.faultStart,
    minutes: sc.minutes,
  };
  if (sc.skip) return { ...head, status: 'skipped', problems: [], skipReason: sc.skip, monitors: [] };
  const store = new MetricStore(sc.minutes);
  if (sc.traffic) {
    // The service is called in this traffic, so the collector counts it as internal (as a real window would).
    const options = sc.traffic.caller
      ? { ...baseOptions, internalServices: [...(baseOptions.internalServices ?? []), sc.service] }
      : baseOptions;
    produceMetrics(sc.traffic, spanMetrics, options, store);
  }
  for (const s of sc.series ?? []) for (const [m, v] of s.points) store.add(s.metric, s.tags, m, v, s.gauge);
  const envMonitors = sim.monitors.filter((m) => m.id.startsWith(`${sc.env}_`));
  const notifying = new Set(plan.monitors.filter((m) => m.role === 'alert').map((m) => m.id));
  const problems: string[] = [];
  const byReading = new Map<Reading, Map<string, MonitorTimeline>>();
  for (const reading of READINGS) {
    const timelines = evaluate(envMonitors, sim.slos, store, {
      minutes: sc.minutes,
      reading,
      ...(sc.sloHistory ? { sloHistory: sc.sloHistory } : {}),
    });
    byReading.set(reading, timelines);
    problems.push(...checkScenario(sc, timelines, notifying, reading));
  }
  const expected = new Map(sc.expect.map((e) => [e.monitor, e]));
  const names = new Map(plan.monitors.map((m) => [m.id, m.name]));
  const monitors: MonitorOutcome[] = [];
  for (const m of envMonitors) {
    if (!notifying.has(m.id)) continue;
    const transitions = Object.fromEntries(
      READINGS.map((r) => [r, byReading.get(r)!.get(m.id)?.transitions ?? []]),
    ) as Record<Reading, readonly Transition[]>;
    const e = expected.get(m.id);
    const moved = READINGS.some((r) => transitions[r].length > 0);
    if (!e && !moved) continue;
    monitors.push({
      id: m.id,
      name: names.get(m.id) ?? m.id,
      expected: e
        ? `${e.state}${e.group ? ` (${e.group})` : ''} by minute ${e.by}` +
          (e.notifies.length ? ` notifying ${e.notifies.join(' ')}` : '') +
          (e.recoversBy !== undefined ? `, OK again by minute ${e.recoversBy}` : '')
        : sc.mayNotify.includes(m.id)
          ? 'may notify'
          : 'quiet',
      transitions,
    });
  }
  return { ...head, status: problems.length ? 'fail' : 'pass', problems, monitors };
}

// --- Shapes ---------------------------------------------------------------------------------------------------

/** Shape keys are long JSON texts: keep their SHA-256 instead (map lookups hash the whole key). */
function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}

const PLACEHOLDER = { service: 'zz-sim-service', caller: 'zz-sim-caller', callee: 'zz-sim-callee' } as const;
const handlePlaceholder = (i: number) => `@zz-sim-handle-${i}`;
const HANDLE_TOKEN = /\{\{[#^/][^}]*\}\}|(?<![\w%@])@[\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?/g;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One service's monitors, SLOs, collector options and names, with its own names replaced by placeholders. */
function canonicalService(plan: ServicePlan, base: AnalyzeOptions, traffic: Traffic) {
  const svc = plan.service;
  const names = new Map<string, string>([[svc, PLACEHOLDER.service]]);
  if (traffic.caller) names.set(traffic.caller, PLACEHOLDER.caller);
  for (const c of traffic.callees) names.set(c, PLACEHOLDER.callee);
  const handles = plan.routing.routes.map((r) => r.handle);
  const real = simMonitors(plan);
  const refs = new Map<string, string>();
  for (const m of plan.monitors) refs.set(monitorRef(svc, m.id), `\${ref.${m.id}}`);
  for (const x of plan.slos) refs.set(sloRef(svc, x.id), `\${slo.${x.id}}`);
  const refPattern = new RegExp([...refs.keys()].map(escapeRegExp).join('|'), 'g');
  const servicePattern = new RegExp(`service:${escapeRegExp(svc)}(?=[,}])`, 'g');
  const query = (q: string) =>
    q.replace(refPattern, (r) => refs.get(r)!).replace(servicePattern, `service:${PLACEHOLDER.service}`);
  const handleOf = new Map(handles.map((h, i) => [h, handlePlaceholder(i)]));
  // Only conditional blocks and handles decide who is notified: keep those, with handles replaced.
  const message = (text: string) =>
    (text.match(HANDLE_TOKEN) ?? []).map((t) => (t.startsWith('{{') ? t : (handleOf.get(t) ?? t))).join(' ');
  const sim = {
    monitors: real.monitors.map((m) => ({
      ...m,
      ref: refs.get(m.ref)!,
      query: query(m.query),
      message: message(m.message),
    })),
    slos: real.slos.map((x) => ({
      ...x,
      ref: refs.get(x.ref)!,
      numerator: query(x.numerator),
      denominator: query(x.denominator),
    })),
  };
  // The team names only the report's sections: it does not change what the collector counts.
  const own = base.services?.[svc] ? { ...base.services[svc], team: undefined } : undefined;
  const options: AnalyzeOptions = {
    ...base,
    services: own ? { [PLACEHOLDER.service]: own } : {},
    internalServices: (base.internalServices ?? []).includes(svc) ? [PLACEHOLDER.service] : [],
    entrypoints: (base.entrypoints ?? []).includes(svc) ? [PLACEHOLDER.service] : [],
    catalogServices: (base.catalogServices ?? [])
      .filter((n) => names.has(n))
      .map((n) => names.get(n)!)
      .sort(compareStrings),
  };
  const canonicalPlan = {
    ...plan,
    service: PLACEHOLDER.service,
    monitors: plan.monitors.map((m) => ({ ...m, name: m.id, message: '' })),
  } as ServicePlan;
  const back = new Map<string, string>();
  for (const [real, placeholder] of names) back.set(placeholder, real);
  for (const [real, placeholder] of handleOf) back.set(placeholder, real);
  const key = digest(JSON.stringify([sim, options, plan.monitors.map((m) => [m.id, m.role]), [...names.values()]]));
  return {
    plan: canonicalPlan,
    sim,
    options,
    names,
    handleOf,
    back,
    key,
    monitorNames: new Map(plan.monitors.map((m) => [m.id, m.name])),
  };
}

function canonicalScenario(sc: Scenario, c: ReturnType<typeof canonicalService>): { key: string; scenario: Scenario } {
  const name = (n: string) => c.names.get(n) ?? n;
  const text = (s: string) => {
    let out = s;
    for (const [real, placeholder] of c.names) out = out.split(real).join(placeholder);
    return out;
  };
  const t = sc.traffic!;
  const scenario: Scenario = {
    ...sc,
    name: sc.kind,
    service: PLACEHOLDER.service,
    description: '',
    traffic: {
      ...t,
      service: PLACEHOLDER.service,
      ...(t.caller ? { caller: name(t.caller) } : {}),
      callees: t.callees.map(name),
      phases: t.phases.map((p) => ({
        ...p,
        ...(p.unpaired
          ? { unpaired: Object.fromEntries(Object.entries(p.unpaired).map(([k, v]) => [name(k), v])) }
          : {}),
      })),
    },
    expect: sc.expect.map((e) => ({
      ...e,
      ...(e.group !== undefined ? { group: text(e.group) } : {}),
      notifies: e.notifies.map((h) => c.handleOf.get(h) ?? h),
    })),
  };
  return { key: digest(`${c.key}\u0000${JSON.stringify({ ...scenario, description: undefined })}`), scenario };
}

/** A shape's outcome with the service's own names, handles and scenario text. */
function rename(
  o: ScenarioOutcome,
  back: ReadonlyMap<string, string>,
  monitorNames: ReadonlyMap<string, string>,
  sc: Scenario,
): ScenarioOutcome {
  const pattern = /@zz-sim-handle-\d+|zz-sim-(?:service|caller|callee)/g;
  const text = (s: string) => s.replace(pattern, (p) => back.get(p) ?? p);
  const transitions = (ts: readonly Transition[]) =>
    ts.map((t) => ({ ...t, group: text(t.group), notified: t.notified.map(text).sort(compareStrings) }));
  return {
    ...o,
    name: sc.name,
    service: sc.service,
    description: sc.description,
    problems: o.problems.map(text),
    monitors: o.monitors.map((m) => ({
      ...m,
      name: monitorNames.get(m.id) ?? m.id,
      expected: text(m.expected),
      transitions: Object.fromEntries(READINGS.map((r) => [r, transitions(m.transitions[r])])) as unknown as Record<
        Reading,
        readonly Transition[]
      >,
    })),
  };
}
