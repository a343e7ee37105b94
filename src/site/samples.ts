/**
 * Sample series for dashboard previews: what the dashboards' own queries would show while the simulator's
 * scenario plays out. The traffic comes from `trace-health simulate`'s built-in scenarios (src/simulate/scenario.ts),
 * turned into metric points by the same producer the simulator uses (span-based metrics matched against their
 * filters, the collector's detectors and series builder, src/simulate/traffic.ts); the widget queries are parsed by
 * the simulator's query parser and read from its metric store. Nothing here is a second description of a
 * dashboard: a preview shows whatever the dashboard JSON asks for. Pure.
 *
 * Graph semantics (a preview, not a monitor evaluation): a widget's queries are summed per bucket of
 * `BUCKET_MINUTES` (counts, `.as_count()`) or averaged (gauges); a bucket without a point is a gap, except inside
 * `default_zero()` where it is 0 (DOC:content/en/dashboards/functions/interpolation.md); `x / 0` is a gap.
 * Template variables take their defaults: `$env` the dashboard's default env, `$version` every version (`*`).
 */
import type { Catalog } from '../catalog/model';
import { compareStrings } from '../catalog/problems';
import type { AnalyzeOptions } from '../collector/analyze';
import { optionsFromPolicy } from '../collector/options';
import type { ServicePlan, ServicePlanInput } from '../constructs/service/plan';
import type { Policy } from '../policy/model';
import { builtinScenarios, Scenario } from '../simulate/scenario';
import { Expression, MetricQuery, parseSloQuery, TagTerm } from '../simulate/query';
import { neighbours } from '../simulate/run';
import { MetricStore } from '../simulate/store';
import { COLLECTOR_INTERVAL_MINUTES, produceMetrics, SpanMetric, Traffic } from '../simulate/traffic';
import type { AppPlan } from '../synth';

/** One collector run per point: the collector's series are submitted every 15 minutes. */
export const BUCKET_MINUTES = COLLECTOR_INTERVAL_MINUTES;

/** The built-in scenario service previews play (issue: "charts drawn from the simulation's scenarios"). */
export const PREVIEW_SCENARIO = 'orphans-new-version';

/** Scenarios the overview's sample services play, one each in turn, so that its rankings differ. */
const OVERVIEW_KINDS = ['orphans-new-version', 'tag-drops', 'callers-lose-context', 'second-tracer', 'traffic-stops'];
/** How many services the overview's sample shows: enough to rank, few enough to stay cheap at 1,500 services. */
export const OVERVIEW_SAMPLE_SERVICES = 8;

export interface NamedQuery {
  readonly name: string;
  readonly query: string;
}

/** A line of a chart: one value per bucket (null: no data in that bucket). */
export interface Line {
  readonly label: string;
  readonly values: readonly (number | null)[];
}

export interface ScalarRow {
  /** `service:checkout-api`, or '' for an ungrouped query. */
  readonly group: string;
  readonly value: number;
}

/** What a preview reads its numbers from. */
export interface SampleData {
  /**
   * Identifies the numbers and the names they are shown under, apart from the service itself: two samples with
   * the same key draw the same charts for the same queries (up to the service name). Absent: never reused.
   */
  readonly key?: string;
  /**
   * Names the sample's numbers are stored under → the names they stand for (callers, callees). With `raw()`, group
   * labels show the stored names, so that a chart drawn once can be shown for every service of the shape.
   */
  readonly placeholders?: ReadonlyMap<string, string>;
  /** The same numbers with group labels under their stored names. */
  raw?(): SampleData;
  /** In words, for the page: which scenario the numbers come from. */
  readonly description: string;
  readonly minutes: number;
  readonly bucketMinutes: number;
  /** Minutes where a new version starts (deploy markers). */
  readonly deploys: readonly number[];
  /** One line per group of the formula, over time. */
  timeseries(queries: readonly NamedQuery[], formula: string): Line[];
  /** One value per group of the formula over the whole sample (toplists, tables, SLO status). */
  scalar(queries: readonly NamedQuery[], formula: string): ScalarRow[];
}

/** A sample with no numbers (a dashboard shown without series). */
export const EMPTY_SAMPLE: SampleData = {
  description: 'no sample series',
  minutes: 0,
  bucketMinutes: BUCKET_MINUTES,
  deploys: [],
  timeseries: () => [],
  scalar: () => [],
};

type Grouped = Map<string, (number | null)[]>;

/** A metric store read through dashboard queries, with sample names mapped to the real ones. */
class StoreSample implements SampleData {
  readonly bucketMinutes = BUCKET_MINUTES;
  private readonly parsed = new Map<string, Expression>();

  constructor(
    readonly key: string | undefined,
    private readonly store: MetricStore,
    private readonly env: string,
    /** Real service name → the name the store holds its series under. */
    private readonly toStore: ReadonlyMap<string, string>,
    /** Store names → real names (group labels). */
    private readonly fromStore: ReadonlyMap<string, string>,
    readonly description: string,
    readonly deploys: readonly number[],
  ) {}

  get minutes(): number {
    return this.store.minutes;
  }

  get placeholders(): ReadonlyMap<string, string> {
    return this.fromStore;
  }

  raw(): SampleData {
    return new StoreSample(this.key, this.store, this.env, this.toStore, new Map(), this.description, this.deploys);
  }

  timeseries(queries: readonly NamedQuery[], formula: string): Line[] {
    const buckets: [number, number][] = [];
    for (let from = 0; from < this.minutes; from += BUCKET_MINUTES)
      buckets.push([from, Math.min(this.minutes, from + BUCKET_MINUTES)]);
    const out = this.evaluate(queries, formula, buckets);
    // A group without a single value draws nothing: leaving it out keeps legends and labels honest.
    return [...out.entries()]
      .filter(([, values]) => values.some((v) => v !== null))
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([group, values]) => ({ label: group, values }));
  }

  scalar(queries: readonly NamedQuery[], formula: string): ScalarRow[] {
    const out = this.evaluate(queries, formula, [[0, this.minutes]]);
    return [...out.entries()]
      .filter((e): e is [string, number[]] => e[1][0] !== null)
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([group, [value]]) => ({ group, value }));
  }

  private expression(queries: readonly NamedQuery[], formula: string): Expression {
    const byName = new Map(queries.map((q) => [q.name, q.query]));
    const text = formula.replace(/[A-Za-z_][A-Za-z0-9_]*/g, (w) => (byName.has(w) ? `(${byName.get(w)})` : w));
    let e = this.parsed.get(text);
    if (!e) this.parsed.set(text, (e = parseSloQuery(text)));
    return e;
  }

  private evaluate(queries: readonly NamedQuery[], formula: string, buckets: readonly [number, number][]): Grouped {
    const run = (e: Expression, zeroFill: boolean): Grouped => {
      switch (e.kind) {
        case 'number':
          return new Map([['', buckets.map(() => e.value)]]);
        case 'default_zero':
          return run(e.arg, true);
        case 'metric':
          return this.metric(e, buckets, zeroFill);
        case 'binary':
          return combine(run(e.left, zeroFill), run(e.right, zeroFill), e.op);
      }
    };
    const grouped = run(this.expression(queries, formula), false);
    const out: Grouped = new Map();
    for (const [key, values] of grouped) out.set(this.realGroup(key), values);
    return out;
  }

  private metric(q: MetricQuery, buckets: readonly [number, number][], zeroFill: boolean): Grouped {
    const filter: TagTerm[] = [];
    for (const t of q.filter) {
      if (t.key === '$env') filter.push({ key: 'env', value: this.env, negated: t.negated });
      else if (t.key === '$version') continue;
      else if (t.key === 'service') filter.push({ ...t, value: this.toStore.get(t.value) ?? t.value });
      else filter.push(t);
    }
    const out: Grouped = new Map();
    for (const g of this.store.grouped({ ...q, filter })) {
      const values = buckets.map(([from, to]) => {
        const n = g.prefixCount[to] - g.prefixCount[from];
        if (n === 0) return zeroFill && g.firstSeen >= 0 ? 0 : null;
        const sum = g.prefixSum[to] - g.prefixSum[from];
        return q.asCount ? sum : sum / n;
      });
      out.set(g.key, values);
    }
    return out;
  }

  private realGroup(key: string): string {
    if (key === '') return key;
    return key
      .split(',')
      .map((kv) => {
        const i = kv.indexOf(':');
        const value = kv.slice(i + 1);
        return `${kv.slice(0, i)}:${this.fromStore.get(value) ?? value}`;
      })
      .join(',');
  }
}

/** `a op b` per group; an ungrouped side applies to every group of the other. */
function combine(a: Grouped, b: Grouped, op: '+' | '-' | '*' | '/'): Grouped {
  const out: Grouped = new Map();
  const keys = a.size === 1 && a.has('') ? [...b.keys()] : [...a.keys()];
  for (const key of keys) {
    const x = a.get(key) ?? (a.size === 1 ? a.get('') : undefined);
    const y = b.get(key) ?? (b.size === 1 ? b.get('') : undefined);
    if (!x || !y) continue;
    out.set(
      key,
      x.map((v, i) => {
        const w = y[i];
        if (v === null || w === null) return null;
        if (op === '+') return v + w;
        if (op === '-') return v - w;
        if (op === '*') return v * w;
        return w === 0 ? null : v / w;
      }),
    );
  }
  return out;
}

const PLACEHOLDER = { service: 'zz-sample-service', caller: 'zz-sample-caller', callee: 'zz-sample-callee' } as const;

type PlannedService = ServicePlanInput & { readonly plan: ServicePlan };

/**
 * Sample series for every service of a plan. Services of the same shape (policy settings, required tags, whether
 * they have a caller and callees) get the same numbers: each shape's traffic is produced once, under placeholder
 * names, and read back under the service's own names (what `simulate` does to stay fast at 1,500 services).
 */
export class SampleSeries {
  private readonly spanMetrics: readonly SpanMetric[];
  private readonly options: AnalyzeOptions;
  private readonly shapes = new Map<string, MetricStore>();

  constructor(
    private readonly appPlan: AppPlan,
    private readonly policy: Policy,
    private readonly catalog: Catalog,
  ) {
    const core = appPlan.stacks.find((s) => s.kind === 'core');
    this.spanMetrics = core && core.kind === 'core' ? core.metrics : [];
    this.options = optionsFromPolicy(policy, catalog);
  }

  /** The scenario of `kind` for a service in its first env (undefined when the service has none of that kind). */
  scenario(x: PlannedService, kind: string): Scenario | undefined {
    const env = x.policy.envs[0];
    if (env === undefined) return undefined;
    const { caller, callees } = neighbours(x.service.name, x.entrypoint, this.catalog, this.policy);
    return builtinScenarios({ plan: x.plan, policy: x.policy, env, caller, callees }).find(
      (s) => s.kind === kind && !s.skip && s.traffic,
    );
  }

  /** A service dashboard's sample: its `PREVIEW_SCENARIO`, in its first env. */
  forService(x: PlannedService): SampleData {
    const sc = this.scenario(x, PREVIEW_SCENARIO);
    if (!sc?.traffic) return EMPTY_SAMPLE;
    const t = sc.traffic;
    const names = new Map<string, string>([[t.service, PLACEHOLDER.service]]);
    if (t.caller) names.set(t.caller, PLACEHOLDER.caller);
    t.callees.forEach((c, i) => names.set(c, `${PLACEHOLDER.callee}-${i + 1}`));
    const traffic: Traffic = {
      ...t,
      service: PLACEHOLDER.service,
      ...(t.caller ? { caller: PLACEHOLDER.caller } : {}),
      callees: t.callees.map((c) => names.get(c)!),
      phases: t.phases.map((p) =>
        p.unpaired
          ? { ...p, unpaired: Object.fromEntries(Object.entries(p.unpaired).map(([k, v]) => [names.get(k) ?? k, v])) }
          : p,
      ),
    };
    const own = this.options.services?.[t.service];
    const options: AnalyzeOptions = {
      ...this.options,
      services: own ? { [PLACEHOLDER.service]: { ...own, team: undefined } } : {},
      // Called in this traffic, so the collector counts it as internal (as simulate does).
      internalServices:
        t.caller || (this.options.internalServices ?? []).includes(t.service) ? [PLACEHOLDER.service] : [],
      entrypoints: (this.options.entrypoints ?? []).includes(t.service) ? [PLACEHOLDER.service] : [],
      catalogServices: [...names.values()].sort(compareStrings),
    };
    // An in-memory identity only (never output): JSON.stringify is enough, the objects are built in a fixed order.
    const key = JSON.stringify([traffic, options.services, options.internalServices, options.entrypoints, sc.minutes]);
    let store = this.shapes.get(key);
    if (!store) {
      store = new MetricStore(sc.minutes);
      produceMetrics(traffic, this.spanMetrics, options, store);
      this.shapes.set(key, store);
    }
    const back = new Map([...names].map(([real, placeholder]) => [placeholder, real]));
    const sampleKey = JSON.stringify([key, t.env, deploys(t)]);
    return new StoreSample(sampleKey, store, t.env, names, back, describe(sc), deploys(t));
  }

  /**
   * The overview's sample: up to `OVERVIEW_SAMPLE_SERVICES` services (spread over teams, by name), each playing one
   * of `OVERVIEW_KINDS` in turn, in one store under their real names. Other services have no sample numbers.
   */
  overview(): SampleData {
    const services = this.appPlan.stacks
      .flatMap((s) => (s.kind === 'services' ? s.services : []))
      .sort((a, b) => compareStrings(a.service.name, b.service.name));
    const byTeam = new Map<string, PlannedService[]>();
    for (const x of services) byTeam.set(x.plan.team, [...(byTeam.get(x.plan.team) ?? []), x]);
    const picked: PlannedService[] = [];
    // Round-robin over teams (sorted) so the sample is not one team's services.
    const teams = [...byTeam.keys()].sort(compareStrings);
    for (let i = 0; picked.length < OVERVIEW_SAMPLE_SERVICES; i++) {
      const round = teams.map((t) => byTeam.get(t)![i]).filter((x): x is PlannedService => x !== undefined);
      if (round.length === 0) break;
      picked.push(...round.slice(0, OVERVIEW_SAMPLE_SERVICES - picked.length));
    }
    const scenarios = picked
      .map((x, i) => this.scenario(x, OVERVIEW_KINDS[i % OVERVIEW_KINDS.length]) ?? this.scenario(x, PREVIEW_SCENARIO))
      .filter((s): s is Scenario => s?.traffic !== undefined);
    if (scenarios.length === 0) return EMPTY_SAMPLE;
    const store = new MetricStore(Math.max(...scenarios.map((s) => s.minutes)));
    for (const sc of scenarios) {
      const t = sc.traffic!;
      const options = t.caller
        ? { ...this.options, internalServices: [...(this.options.internalServices ?? []), t.service] }
        : this.options;
      produceMetrics(t, this.spanMetrics, options, store);
    }
    const env = scenarios[0].env;
    const text =
      `${scenarios.length} services of the catalog, each playing one of the simulator's scenarios: ` +
      `${scenarios.map((s) => `${s.service} (${s.kind})`).join(', ')}.`;
    return new StoreSample(undefined, store, env, new Map(), new Map(), text, []);
  }
}

function describe(sc: Scenario): string {
  const text = sc.description.replace(/`/g, '');
  return `the simulator's ${sc.kind} scenario for ${sc.service} in env ${sc.env} (${sc.minutes} minutes): ${/[.!?]$/.test(text) ? text : `${text}.`}`;
}

/** Minutes where the traffic's version changes. */
function deploys(t: Traffic): number[] {
  const out: number[] = [];
  for (let i = 1; i < t.phases.length; i++)
    if (t.phases[i].version !== t.phases[i - 1].version) out.push(t.phases[i].from);
  return out;
}
