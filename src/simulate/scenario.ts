/**
 * What a scenario is (traffic or raw series, and what must happen), the built-in scenarios generated for every
 * service, and how a scenario's outcome is checked against the evaluated timelines. Pure.
 */
import type { MonitorSpec, SloSpec } from '../constructs/service/specs';
import type { ServicePlan } from '../constructs/service/plan';
import { CHECKS, windowMinutes } from '../constructs/service/monitors';
import type { ServicePolicy } from '../policy/model';
import { handlesOn } from '../policy/routing';
import type { MonitorState, MonitorTimeline, Reading } from './evaluate';
import { COLLECTOR_INTERVAL_MINUTES, DEFAULT_SAMPLE_RATE, Traffic, TrafficPhase } from './traffic';

export interface Expectation {
  /** Spec id of a notifying monitor (as in review/<stack>.yaml): `prod_tag-coverage_usr-id`. */
  readonly monitor: string;
  /** Multi-alert group, `version:2.0.0`; any group when absent. */
  readonly group?: string;
  readonly state: Exclude<MonitorState, 'OK'>;
  /** Latest minute by which the monitor must be in `state`. */
  readonly by: number;
  /** Handles that must be notified when it enters `state` (others may be too). */
  readonly notifies: readonly string[];
  /** It must then return to OK by this minute, notifying the same handles. */
  readonly recoversBy?: number;
}

/** Raw points, for signals traffic cannot express. */
export interface RawSeries {
  readonly metric: string;
  readonly tags: readonly string[];
  readonly points: readonly (readonly [number, number])[];
  readonly gauge?: boolean;
}

export interface Scenario {
  /** `tag-vanishes` (built-in kinds) or a user scenario's name. */
  readonly kind: string;
  /** Unique within a run: `checkout-api/prod/tag-vanishes:usr.id`. */
  readonly name: string;
  readonly service: string;
  readonly env: string;
  readonly description: string;
  readonly minutes: number;
  /** Minute the fault starts: notifications before it are false alarms. */
  readonly faultStart: number;
  readonly traffic?: Traffic;
  readonly series?: readonly RawSeries[];
  readonly expect: readonly Expectation[];
  /** Notifying monitors that may notify besides the expected ones (e.g. an SLO budget burning with them). */
  readonly mayNotify: readonly string[];
  /** Minutes [from, to) that stand for the SLOs' history before the scenario. */
  readonly sloHistory?: { readonly from: number; readonly to: number };
  /** A reason not to run it (e.g. no simulated span matches a custom scope). */
  readonly skip?: string;
}

/** What the built-ins need to know about one service. */
export interface ServiceUnderTest {
  readonly plan: ServicePlan;
  readonly policy: ServicePolicy;
  readonly env: string;
  readonly caller?: string;
  readonly callees: readonly string[];
}

export const BUILTIN_KINDS = [
  'tag-vanishes',
  'tag-drops',
  'orphans-new-version',
  'traffic-stops',
  'low-volume',
  'edge-loses-propagation',
  'callers-lose-context',
  'second-tracer',
] as const;

const SLACK_MINUTES = COLLECTOR_INTERVAL_MINUTES + 5;
const round = (m: number) => Math.ceil(m / COLLECTOR_INTERVAL_MINUTES) * COLLECTOR_INTERVAL_MINUTES;

/** Every built-in scenario for one service in one env. */
export function builtinScenarios(s: ServiceUnderTest): Scenario[] {
  const { plan, policy, env } = s;
  const w = windowMinutes(policy.window);
  const t0 = round(w + 30);
  const t1 = round(t0 + w + 45);
  const spansPerRequest = 2 + s.callees.length;
  // Enough requests that the collector's 1% sample clears every volume guard four times over.
  const rpm = Math.max(60, Math.ceil((4 * policy.minSpans) / (w * DEFAULT_SAMPLE_RATE)));
  const v1 = '1.0.0';
  const v2 = '2.0.0';
  const healthy: TrafficPhase = { from: 0, requestsPerMinute: rpm, version: v1 };
  const traffic = (phases: TrafficPhase[]): Traffic => ({
    service: plan.service,
    env,
    tags: policy.requiredTags.map((r) => r.tag),
    phases,
    caller: s.caller,
    callees: s.callees,
    sampleRate: DEFAULT_SAMPLE_RATE,
    collectorIntervalMinutes: COLLECTOR_INTERVAL_MINUTES,
  });
  const alerting = (m: MonitorSpec) => m.role === 'alert' && m.id.startsWith(`${env}_`);
  const monitor = (check: string, tag?: string) =>
    plan.monitors.find((m) => alerting(m) && m.check === check && m.tag === tag);
  const budget = (check: string, tag?: string) => {
    const slo = plan.slos.find((x: SloSpec) => x.env === env && x.check === check && x.tag === tag);
    return slo ? plan.monitors.find((m) => m.id === `${slo.id}_budget`)?.id : undefined;
  };
  // Who the policy routes each state to (src/policy/routing.ts); the message must reach exactly them.
  const everyone = handlesOn(plan.routing, 'alert');
  const warned = handlesOn(plan.routing, 'warning');
  const toldNoData = handlesOn(plan.routing, 'noData');
  const name = (kind: string) => `${plan.service}/${env}/${kind}`;
  const base = { service: plan.service, env };
  const out: Scenario[] = [];

  /** Alert, Warn or nothing, as the thresholds say for a share of `share` (strict `>`). */
  const level = (share: number, critical: number, warning: number) =>
    share > critical ? ('Alert' as const) : share > warning ? ('Warn' as const) : undefined;
  const expectLevel = (m: MonitorSpec | undefined, share: number, by: number, extra: Partial<Expectation> = {}) => {
    if (!m) return [];
    const ratio = plan.monitors.find((x) => x.id === `${m.id}_ratio`);
    const th = ratio?.thresholds;
    const state = th ? level(share, th.critical, th.warning ?? Infinity) : 'Alert';
    if (!state) return [];
    return [{ monitor: m.id, state, by, notifies: state === 'Alert' ? everyone : warned, ...extra }];
  };

  for (const rule of policy.requiredTags) {
    const m = monitor(CHECKS.tagCoverage, rule.tag);
    if (!m) continue;
    const b = budget('tag-coverage', rule.tag);
    out.push({
      ...base,
      kind: 'tag-vanishes',
      name: name(`tag-vanishes:${rule.tag}`),
      description:
        `No span in scope carries \`${rule.tag}\` from the first minute the monitor judges the service — a library ` +
        'upgrade shipped before the monitor existed, or a tag newly required. A monitor keeps its last state when ' +
        'it cannot evaluate, so this is the case where a vanished numerator stays silent for good.',
      minutes: t0 + SLACK_MINUTES + w,
      faultStart: 0,
      traffic: traffic([{ ...healthy, missing: { [rule.tag]: 1 } }]),
      expect: [{ monitor: m.id, state: 'Alert', by: w + SLACK_MINUTES, notifies: everyone }],
      mayNotify: b ? [b] : [],
    });
    const drop = 0.1;
    out.push({
      ...base,
      kind: 'tag-drops',
      name: name(`tag-drops:${rule.tag}`),
      description: `Version ${v2} sets \`${rule.tag}\` on 90% of the spans in scope (coverage thresholds: critical ${policy.tagCoverage.critical}, warning ${policy.tagCoverage.warning}).`,
      minutes: t1,
      faultStart: t0,
      traffic: traffic([healthy, { ...healthy, from: t0, version: v2, missing: { [rule.tag]: drop } }]),
      expect: expectLevel(m, drop, t0 + w + SLACK_MINUTES),
      mayNotify: b ? [b] : [],
      sloHistory: { from: t0 - 60, to: t0 },
    });
  }

  const orphan = monitor(CHECKS.orphanRate);
  const orphanShare = 0.5 / spansPerRequest;
  out.push({
    ...base,
    kind: 'orphans-new-version',
    name: name('orphans-new-version'),
    description: `Version ${v2} loses the parent of one span in every other request (${(orphanShare * 100).toFixed(1)}% of its spans are orphans); at minute ${t1} it is rolled back to ${v1}.`,
    minutes: t1 + w + 45,
    faultStart: t0,
    traffic: traffic([healthy, { ...healthy, from: t0, version: v2, orphaned: 0.5 }, { ...healthy, from: t1 }]),
    expect: expectLevel(orphan, orphanShare, t0 + w + SLACK_MINUTES, {
      group: `version:${v2}`,
      recoversBy: t1 + w + 2 * SLACK_MINUTES,
    }),
    mayNotify: [budget('trace-continuity')].filter((x): x is string => !!x),
    sloHistory: { from: t0 - 60, to: t0 },
  });

  const noTraces = monitor(CHECKS.noTraces);
  out.push({
    ...base,
    kind: 'traffic-stops',
    name: name('traffic-stops'),
    description: `The service sends no span from minute ${t0} (tracer disabled, service renamed); traffic returns at minute ${t1}.`,
    minutes: t1 + w,
    faultStart: t0,
    traffic: traffic([healthy, { ...healthy, from: t0, requestsPerMinute: 0 }, { ...healthy, from: t1 }]),
    expect: noTraces
      ? [{ monitor: noTraces.id, state: 'No Data', by: t0 + w + 5, notifies: toldNoData, recoversBy: t1 + 5 }]
      : [],
    mayNotify: [],
    sloHistory: { from: t0 - 60, to: t0 },
  });

  // Low volume: a quarter of the smallest guard per window, yet at least two requests per window (so that "no
  // traces" has data); with every fault at once, nothing guarded may notify.
  const low = policy.minSpans / (4 * w * spansPerRequest);
  const lowRpm = Math.max(low, 2 / w);
  const lowSkip =
    lowRpm * w * spansPerRequest >= policy.minSpans
      ? `minSpans ${policy.minSpans} is below two requests per ${policy.window} window: no volume is low enough to test the guard`
      : undefined;
  const quiet: TrafficPhase = { from: 0, requestsPerMinute: lowRpm, version: v1 };
  const everyTag = Object.fromEntries(policy.requiredTags.map((r) => [r.tag, 1]));
  const budgets = plan.monitors.filter((m) => m.check === CHECKS.errorBudget && alerting(m)).map((m) => m.id);
  out.push({
    ...base,
    kind: 'low-volume',
    name: name('low-volume'),
    description: `About ${(lowRpm * w).toFixed(1)} requests per ${policy.window} window (below minSpans ${policy.minSpans}) with every fault at once from minute ${t0}: the volume guards hold and no guarded monitor notifies (SLO budgets may burn: they have no guard).`,
    minutes: t1,
    faultStart: t0,
    traffic: traffic([
      quiet,
      {
        ...quiet,
        from: t0,
        missing: everyTag,
        orphaned: 1,
        unexpectedRoots: s.caller ? 1 : 0,
        unpaired: Object.fromEntries(s.callees.map((c) => [c, 1])),
      },
    ]),
    expect: [],
    mayNotify: budgets,
    sloHistory: { from: t0 - 60, to: t0 },
    ...(lowSkip ? { skip: lowSkip } : {}),
  });

  const unpaired = monitor(CHECKS.unpairedCalls);
  const callee = s.callees[0];
  out.push({
    ...base,
    kind: 'edge-loses-propagation',
    name: name(`edge-loses-propagation${callee ? `:${callee}` : ''}`),
    description: callee
      ? `From minute ${t0} no call to ${callee} carries the trace context: ${callee}'s server spans start new traces.`
      : '',
    minutes: t1,
    faultStart: t0,
    traffic: traffic([healthy, { ...healthy, from: t0, unpaired: callee ? { [callee]: 1 } : {} }]),
    expect: callee ? expectLevel(unpaired, 1, t0 + w + SLACK_MINUTES, { group: `peer_service:${callee}` }) : [],
    mayNotify: [],
    sloHistory: { from: t0 - 60, to: t0 },
    ...(callee ? {} : { skip: 'the catalog has no other service for it to call' }),
  });

  const roots = monitor(CHECKS.unexpectedRoots);
  out.push({
    ...base,
    kind: 'callers-lose-context',
    name: name('callers-lose-context'),
    description: `From minute ${t0} requests reach the service without trace context: its entry spans are trace roots.`,
    minutes: t1,
    faultStart: t0,
    traffic: traffic([healthy, { ...healthy, from: t0, unexpectedRoots: 1 }]),
    expect: expectLevel(roots, 1, t0 + w + SLACK_MINUTES, { group: `version:${v1}` }),
    mayNotify: [],
    sloHistory: { from: t0 - 60, to: t0 },
    ...(roots ? {} : { skip: 'the service may start traces (policy entrypoints): no unexpected-roots monitor' }),
  });

  const tracers = monitor(CHECKS.twoTracers);
  out.push({
    ...base,
    kind: 'second-tracer',
    name: name('second-tracer'),
    description: `From minute ${t0}, 30% of requests are traced by an OpenTelemetry SDK next to the Datadog tracer.`,
    minutes: t1,
    faultStart: t0,
    traffic: traffic([healthy, { ...healthy, from: t0, secondTracer: 0.3 }]),
    expect: tracers ? [{ monitor: tracers.id, state: 'Alert', by: t0 + w + SLACK_MINUTES, notifies: everyone }] : [],
    mayNotify: [],
    sloHistory: { from: t0 - 60, to: t0 },
  });
  return out;
}

/** A problem found when checking one reading's timelines against a scenario. */
export function checkScenario(
  scenario: Scenario,
  timelines: ReadonlyMap<string, MonitorTimeline>,
  notifying: ReadonlySet<string>,
  reading: Reading,
): string[] {
  const problems: string[] = [];
  const say = (text: string) => problems.push(`[${reading}] ${text}`);
  const expected = new Set(scenario.expect.map((e) => e.monitor));
  for (const e of scenario.expect) {
    const tl = timelines.get(e.monitor);
    if (!tl) {
      say(`${e.monitor}: no such monitor for ${scenario.service}`);
      continue;
    }
    const into = tl.transitions.find(
      (t) => t.to === e.state && t.minute >= scenario.faultStart && (e.group === undefined || t.group === e.group),
    );
    const where = e.group ? ` (${e.group})` : '';
    if (!into || into.minute > e.by) {
      const seen = into ? `only at minute ${into.minute}` : `never (${describeFinal(tl)})`;
      say(`${e.monitor}${where}: expected ${e.state} by minute ${e.by}, got it ${seen}`);
      continue;
    }
    const missed = e.notifies.filter((h) => !into.notified.includes(h));
    if (missed.length)
      say(`${e.monitor}${where}: ${e.state} at minute ${into.minute} did not notify ${missed.join(' ')}`);
    if (e.recoversBy !== undefined) {
      const back = tl.transitions.find((t) => t.minute > into.minute && t.group === into.group && t.to === 'OK');
      if (!back || back.minute > e.recoversBy)
        say(
          `${e.monitor}${where}: expected recovery by minute ${e.recoversBy}, got it ${back ? `only at minute ${back.minute}` : 'never'}`,
        );
      else {
        const unheard = into.notified.filter((h) => !back.notified.includes(h));
        if (unheard.length)
          say(`${e.monitor}${where}: recovery at minute ${back.minute} did not tell ${unheard.join(' ')}`);
      }
    }
  }
  for (const [id, tl] of timelines) {
    if (!notifying.has(id)) continue;
    const allowed = expected.has(id) || scenario.mayNotify.includes(id);
    for (const t of tl.transitions) {
      if (t.notified.length === 0) continue;
      if (t.minute < scenario.faultStart)
        say(`${id}: false alarm before the fault: ${t.to} at minute ${t.minute}${t.group ? ` (${t.group})` : ''}`);
      else if (!allowed)
        say(
          `${id}: unexpected ${t.to} at minute ${t.minute}${t.group ? ` (${t.group})` : ''} notifying ${t.notified.join(' ')}`,
        );
    }
  }
  return problems;
}

function describeFinal(tl: MonitorTimeline): string {
  if (tl.final.size === 0) return 'no state: the monitor never evaluated';
  return [...tl.final].map(([g, s]) => (g ? `${g}: ${s}` : s)).join(', ') + ' at the end';
}
