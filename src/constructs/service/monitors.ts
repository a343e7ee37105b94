/**
 * The monitor factory: every monitor of one service in one env, as specs (see specs.ts). Thresholds come from
 * the resolved policy, priority from the tier (ServicePolicy.priority), queries from src/datadog/queries.ts so
 * that monitors, SLOs and dashboards read the same expressions.
 *
 * Low-volume guard. A ratio over a handful of spans is noise (1 orphan out of 3 spans is 33%). We use the
 * composite pattern Datadog documents (DESIGN §4): the ratio monitor and a volume monitor ("at least minSpans
 * spans checked in the window") are silent building blocks, and a composite `ratio && volume` is the monitor
 * that notifies. Why not one monitor with the guard folded into the query: a query alert has no conditionals,
 * and tricks such as `A / clamp_min(B, minSpans)` apply per rollup interval, not to the window's sums, so they
 * dampen every ratio instead of ignoring quiet windows. The composite keeps the warning state (Warn && Alert is
 * Warn), keeps each threshold visible in one query, and works per group: the ratio and its guard are grouped
 * alike (by version, or by peer_service for call edges) so a quiet version is ignored while a busy one alerts.
 * Guards are shared: orphan rate and unexpected roots use one "spans checked by version" guard; tag rules with
 * the same scope share that scope's guard. Components carry `trace-health-role:component` so that monitor
 * searches and summary widgets can leave them out (a guard is in ALERT whenever traffic is sufficient).
 *
 * Silence. Every ratio counts the failure (orphans, spans missing a tag, unpaired calls), so the failure makes a
 * series appear rather than vanish (DESIGN §4). Components resolve on missing data (`on_missing_data: resolve`):
 * a ratio whose failure count went back to nothing, or a guard without traffic, must show OK — under the reading
 * where such a window is No Data (datadog-semantics §1, undocumented), a composite with `notify_no_data` off would
 * otherwise keep its last state (§5), and an alert would never recover. `trace-health simulate` checks each path.
 */
import {
  checkedSpansQuery,
  countQuery,
  doubleInstrumentedQuery,
  filter,
  ingestedSpansQuery,
  missingTagQuery,
  orphanRateQuery,
  ratioExpression,
  RatioQuery,
  tracerFamiliesQuery,
  unexpectedRootsQuery,
  unpairedCallsQuery,
} from '../../datadog/queries';
import { COLLECTOR_METRICS, missingTagSpanQuery, NATIVE_METRICS, scopeMetricName } from '../../datadog/metrics';
import type { Service } from '../../catalog/model';
import type { ServicePolicy, TagRule, Thresholds } from '../../policy/model';
import {
  CHECK_KINDS,
  CheckRule,
  DOUBLE_INSTRUMENTED_RULE,
  missingShare,
  orphanRateRule,
  tagCoverageRule,
  TRACER_FAMILIES_RULE,
  unexpectedRootsRule,
  unpairedCallsRule,
} from '../../policy/checks';
import { TagRuleConflict } from '../tag-rule-source';
import { idSegment } from '../ids';
import { CHECK_TAG_KEY, MonitorRole, ROLE_TAG_KEY, serviceTags, sortedTags } from '../tags';
import { Delivery, monitorRoutes } from '../../policy/routing';
import {
  CheckText,
  componentMessage,
  MessageContext,
  monitorMessage,
  percent,
  PROPAGATION_CAUSES,
  scopeLabel,
} from './messages';
import { MonitorSpec, monitorRef } from './specs';

/** Everything the factories need to know about one service; built once per service. */
export interface ServiceContext {
  readonly site: string;
  readonly service: Service;
  readonly policy: ServicePolicy;
  /** URL of the service's trace-health dashboard. */
  readonly dashboardUrl: string;
  /** The service may start traces (policy `entrypoints`): no unexpected-roots monitor. */
  readonly entrypoint: boolean;
}

export const CHECKS = {
  ...CHECK_KINDS,
  noTraces: 'no-traces',
  guard: 'volume-guard',
  errorBudget: 'error-budget',
} as const;

/** `[trace-health] checkout-api (prod): orphan span rate` — names sort by service, then env, in the monitor list. */
export function monitorName(service: string, env: string, what: string): string {
  return `[trace-health] ${service} (${env}): ${what}`;
}

/** `1h` → 60. The policy validates the window; anything else here is a bug. */
export function windowMinutes(window: string): number {
  const m = /^(\d+)([mhd])$/.exec(window);
  if (!m) throw new Error(`invalid monitor window ${JSON.stringify(window)}`);
  return Number(m[1]) * { m: 1, h: 60, d: 1440 }[m[2] as 'm' | 'h' | 'd'];
}

function tagsFor(ctx: ServiceContext, env: string, check: string, role: MonitorRole): string[] {
  return sortedTags([
    ...serviceTags(ctx.service.name, ctx.policy.team, env),
    `${CHECK_TAG_KEY}:${check}`,
    `${ROLE_TAG_KEY}:${role}`,
  ]);
}

function rollup(ctx: ServiceContext): string {
  return `sum(last_${ctx.policy.window})`;
}

/**
 * A notifying monitor's common fields (SLO budget monitors in slos.ts use them too): its message and the routes
 * it notifies come from one `monitorRoutes` value, narrowed to what the monitor can send (`delivery`), so the
 * message's notification block and the review manifest's `notify` say the same.
 */
export function alerting(
  ctx: ServiceContext,
  env: string,
  check: string,
  text: CheckText,
  delivery: Delivery,
): Pick<MonitorSpec, 'message' | 'rule' | 'notify' | 'priority' | 'tags'> {
  const notify = monitorRoutes(ctx.policy.routing, delivery);
  return {
    message: monitorMessage(msgCtx(ctx, env), text, notify),
    rule: text.rule,
    notify,
    priority: ctx.policy.priority,
    tags: tagsFor(ctx, env, check, 'alert'),
  };
}

/** A composite's building block: notifies nobody, and shows OK on missing data (see the file comment). */
function component(
  ctx: ServiceContext,
  env: string,
  check: string,
  alertName: string,
): Pick<MonitorSpec, 'role' | 'tags' | 'message' | 'onMissingData'> {
  return {
    role: 'component',
    tags: tagsFor(ctx, env, check, 'component'),
    message: componentMessage(alertName),
    onMissingData: 'resolve',
  };
}

interface Guard {
  readonly id: string;
  /** The count the guard needs at least `minSpans` of, with the same `by` as the ratio it guards. */
  readonly countQuery: string;
  readonly label: string;
  /** What it counts, plural: `spans`, or `calls` for the call-edge guard. */
  readonly unit: string;
}

function guardSpec(ctx: ServiceContext, env: string, guard: Guard, rule: CheckRule): MonitorSpec {
  // The guard's minimum is the one the collector's findings judge with (src/policy/checks.ts).
  const min = rule.guard?.minSpans ?? ctx.policy.minSpans;
  const name = monitorName(ctx.service.name, env, `volume guard · ${guard.label} ≥ ${min}`);
  return {
    id: guard.id,
    check: CHECKS.guard,
    type: 'query alert',
    name,
    expression: `${rollup(ctx)}:${guard.countQuery}`,
    comparator: '>=',
    thresholds: { critical: min },
    ...component(ctx, env, CHECKS.guard, name),
    message: `Volume guard of trace-health ratio monitors: ALERT here means "enough traffic to judge the ratio". ${componentMessage(name)}`,
  };
}

interface GuardedRatio {
  readonly id: string;
  readonly check: string;
  /** The required tag (tag coverage). */
  readonly tag?: string;
  readonly label: string;
  readonly ratio: RatioQuery;
  /** Comparator, thresholds and guard: the rule the collector's findings judge with too. */
  readonly rule: CheckRule;
  readonly guard: Guard;
  readonly text: CheckText;
}

/** A ratio monitor, its guard and the composite that notifies (the composite has `spec.id`). */
function guardedRatio(ctx: ServiceContext, env: string, g: GuardedRatio): MonitorSpec[] {
  const svc = ctx.service.name;
  const name = monitorName(svc, env, g.label);
  const ratioId = `${g.id}_ratio`;
  const tag = g.tag === undefined ? {} : { tag: g.tag };
  const ratio: MonitorSpec = {
    id: ratioId,
    check: g.check,
    ...tag,
    type: 'query alert',
    name: `${name} · ratio`,
    expression: `${rollup(ctx)}:${ratioExpression(g.ratio)}`,
    comparator: g.rule.comparator,
    thresholds: { critical: g.rule.critical, warning: g.rule.warning },
    ...component(ctx, env, g.check, name),
  };
  const composite: MonitorSpec = {
    id: g.id,
    check: g.check,
    ...tag,
    role: 'alert',
    type: 'composite',
    name,
    expression: `${monitorRef(svc, ratioId)} && ${monitorRef(svc, g.guard.id)}`,
    // Warn && Alert is Warn: the composite warns when the ratio does (Datadog docs, monitors/types/composite).
    ...alerting(ctx, env, g.check, g.text, { warns: true, noData: false }),
  };
  return [composite, ratio, guardSpec(ctx, env, g.guard, g.rule)];
}

/** What monitor messages need about the service, for one env (budget monitors in slos.ts use it too). */
export function msgCtx(ctx: ServiceContext, env: string): MessageContext {
  return {
    site: ctx.site,
    service: ctx.service,
    policy: ctx.policy,
    env,
    dashboardUrl: ctx.dashboardUrl,
  };
}

function guardRule(ctx: ServiceContext, unit: string): string {
  return `Only judged when at least ${ctx.policy.minSpans} ${unit} were checked in the window (quiet windows are ignored).`;
}

function rateRule(ctx: ServiceContext, t: Thresholds, of: string, unit = 'spans'): string {
  return `Alerts when more than ${percent(t.critical)} (warning: ${percent(t.warning)}) of ${of} over the last ${ctx.policy.window}. ${guardRule(ctx, unit)}`;
}

const BY_VERSION = ['version'];
const BY_PEER = ['peer_service'];

function spansCheckedGuard(ctx: ServiceContext, env: string): Guard {
  return {
    id: `${env}_guard_spans-checked`,
    countQuery: checkedSpansQuery(filter(ctx.service.name, env), BY_VERSION),
    label: 'spans checked by version',
    unit: 'spans',
  };
}

export function orphanRateMonitors(ctx: ServiceContext, env: string): MonitorSpec[] {
  const svc = ctx.service.name;
  return guardedRatio(ctx, env, {
    id: `${env}_${CHECKS.orphanRate}`,
    check: CHECKS.orphanRate,
    label: 'orphan span rate',
    ratio: orphanRateQuery(filter(svc, env), BY_VERSION),
    rule: orphanRateRule(ctx.policy),
    guard: spansCheckedGuard(ctx, env),
    text: {
      headline: 'spans are losing their parent (broken traces)',
      groupBy: 'version',
      what: 'Spans of this service name a parent span that is missing from the complete trace, so one request shows up as several disconnected traces. Measured by the trace-health collector on complete sampled traces.',
      causes: PROPAGATION_CAUSES,
      explorer: [{ label: 'Traces of this version', query: `service:${svc} env:${env} version:{{version.name}}` }],
      rule: rateRule(ctx, ctx.policy.orphanRate, 'checked spans are orphans'),
    },
  });
}

function scopeGuard(ctx: ServiceContext, env: string, rule: TagRule): Guard {
  const metric = scopeMetricName(rule.scope);
  // Every span (`*`) counts on spans.ingested; its guard keeps the id it had as `scope.all` (ids are addresses).
  const stem = metric === NATIVE_METRICS.spansIngested ? 'all' : metric.replace(/^trace_health\.scope\./, '');
  const segment = idSegment(stem.replace(/\.spans$/, ''));
  return {
    id: `${env}_guard_scope-${segment}`,
    countQuery: countQuery(metric, filter(ctx.service.name, env)),
    label: scopeLabel(rule.scope),
    unit: 'spans',
  };
}

/**
 * Tag coverage, alerted on as its complement: the share of spans in scope that lack the tag, `> 1 − coverage`
 * (the same rule as `coverage < threshold`), because a failure count cannot vanish when the tag does.
 */
export function tagCoverageMonitors(ctx: ServiceContext, env: string, rule: TagRule): MonitorSpec[] {
  const svc = ctx.service.name;
  const t = ctx.policy.tagCoverage;
  return guardedRatio(ctx, env, {
    id: `${env}_${CHECKS.tagCoverage}_${idSegment(rule.tag)}`,
    check: CHECKS.tagCoverage,
    tag: rule.tag,
    label: `${rule.tag} coverage`,
    ratio: missingTagQuery(rule.scope, rule.tag, filter(svc, env)),
    rule: tagCoverageRule(ctx.policy, rule.tag),
    guard: scopeGuard(ctx, env, rule),
    text: {
      headline: `spans are missing the \`${rule.tag}\` tag`,
      what:
        `Spans that must carry \`${rule.tag}\` (${scopeLabel(rule.scope)}) ` +
        'increasingly do not. Searches, facets and dashboards that rely on it go blind for this service. Counted by Datadog span-based metrics over all ingested spans; the dashboard shows coverage by version (from the collector) to find the deploy that dropped it.',
      causes: [
        `A deploy that stopped setting \`${rule.tag}\` (refactored middleware, a new framework version, a renamed attribute).`,
        'A tracing-library upgrade or a switch to OpenTelemetry that maps the attribute to another name.',
        'Two tracing libraries: spans from the second tracer do not get the tag.',
      ],
      explorer: [{ label: `Spans missing ${rule.tag}`, query: missingTagSpanQuery(svc, env, rule) }],
      rule:
        `Alerts when more than ${percent(missingShare(t.critical))} (warning: ${percent(missingShare(t.warning))}) ` +
        `of the spans in scope lack the tag — coverage below ${percent(t.critical)} (warning: ${percent(t.warning)}) — ` +
        `over the last ${ctx.policy.window}, including when the tag disappears entirely. ${guardRule(ctx, 'spans')}`,
    },
  });
}

export function unexpectedRootsMonitors(ctx: ServiceContext, env: string): MonitorSpec[] {
  const svc = ctx.service.name;
  return guardedRatio(ctx, env, {
    id: `${env}_${CHECKS.unexpectedRoots}`,
    check: CHECKS.unexpectedRoots,
    label: 'unexpected trace roots',
    ratio: unexpectedRootsQuery(filter(svc, env), BY_VERSION),
    // Same meaning as orphans (propagation lost, seen from the callee): same thresholds.
    rule: unexpectedRootsRule(ctx.policy),
    guard: spansCheckedGuard(ctx, env),
    text: {
      headline: 'traces start here although callers are traced (unexpected roots)',
      groupBy: 'version',
      what: 'This service is only called by traced services (catalog dependencies), yet traces start in it: the trace context was lost on the way in. Look at its callers as much as at the service itself.',
      causes: [
        'A caller, proxy, load balancer or queue between the caller and this service drops the trace headers.',
        ...PROPAGATION_CAUSES,
      ],
      explorer: [{ label: 'Traces of this version', query: `service:${svc} env:${env} version:{{version.name}}` }],
      rule: rateRule(ctx, ctx.policy.orphanRate, 'root spans are unexpected'),
    },
  });
}

export function unpairedCallsMonitors(ctx: ServiceContext, env: string): MonitorSpec[] {
  const svc = ctx.service.name;
  return guardedRatio(ctx, env, {
    id: `${env}_${CHECKS.unpairedCalls}`,
    check: CHECKS.unpairedCalls,
    label: 'unpaired calls by callee',
    ratio: unpairedCallsQuery(filter(svc, env), BY_PEER),
    rule: unpairedCallsRule(ctx.policy),
    guard: {
      id: `${env}_guard_calls-checked`,
      countQuery: countQuery(COLLECTOR_METRICS.callsChecked, filter(svc, env), BY_PEER),
      label: 'calls checked by callee',
      unit: 'calls',
    },
    text: {
      headline: 'calls to another service arrive without their trace',
      groupBy: 'peer_service',
      what: "Client spans of this service calling the callee have no server span of the callee below them: the break is on this edge. Either this side stopped sending the trace headers or the callee stopped reading them — check both services' recent deploys.",
      causes: PROPAGATION_CAUSES,
      explorer: [
        {
          label: 'Calls to this callee',
          query: `service:${svc} env:${env} @peer.service:{{peer_service.name}}`,
        },
      ],
      rule: rateRule(ctx, ctx.policy.orphanRate, 'checked calls to one callee are unpaired', 'calls'),
    },
  });
}

/**
 * Two tracing libraries: more than one tracer family, or double-instrumented spans; one composite `a || b`.
 * Both parts are per service and env, not per version: the tracer-families gauge carries no version tag, and a
 * composite only combines the groups its parts share — a per-version part next to an ungrouped one never lines up.
 */
export function twoTracersMonitors(ctx: ServiceContext, env: string): MonitorSpec[] {
  const svc = ctx.service.name;
  const f = filter(svc, env);
  const name = monitorName(svc, env, 'two tracing libraries');
  const familiesId = `${env}_${CHECKS.twoTracers}_families`;
  const doubleId = `${env}_${CHECKS.twoTracers}_double-instrumented`;
  const rollupMax = `max(last_${ctx.policy.window})`;
  return [
    {
      id: `${env}_${CHECKS.twoTracers}`,
      check: CHECKS.twoTracers,
      role: 'alert',
      type: 'composite',
      name,
      expression: `${monitorRef(svc, familiesId)} || ${monitorRef(svc, doubleId)}`,
      ...alerting(
        ctx,
        env,
        CHECKS.twoTracers,
        {
          headline: 'two tracing libraries are active',
          what: 'Spans of this service come from more than one instrumentation family (the Datadog tracer and an OpenTelemetry SDK), or server spans are nested directly in a server span of the same service and resource (instrumented twice). Each tracer starts its own traces, so requests split.',
          causes: [
            'An OpenTelemetry SDK or agent added next to the Datadog tracer (or the other way round), e.g. by a framework starter or a platform sidecar.',
            'Two agents attached to the process (two `-javaagent` flags, `ddtrace-run` plus manual patching).',
            'A library that ships its own instrumentation on top of the auto-instrumentation.',
          ],
          explorer: [{ label: 'Traces of this service', query: `service:${svc} env:${env}` }],
          rule: `Alerts when more than one tracer family, or any double-instrumented span, is seen over the last ${ctx.policy.window}.`,
        },
        { warns: false, noData: false },
      ),
    },
    {
      id: familiesId,
      check: CHECKS.twoTracers,
      type: 'query alert',
      name: `${name} · tracer families`,
      expression: `${rollupMax}:${tracerFamiliesQuery(f)}`,
      comparator: TRACER_FAMILIES_RULE.comparator,
      thresholds: { critical: TRACER_FAMILIES_RULE.critical },
      ...component(ctx, env, CHECKS.twoTracers, name),
    },
    {
      id: doubleId,
      check: CHECKS.twoTracers,
      type: 'query alert',
      name: `${name} · double-instrumented spans`,
      expression: `${rollup(ctx)}:${doubleInstrumentedQuery(f)}`,
      comparator: DOUBLE_INSTRUMENTED_RULE.comparator,
      thresholds: { critical: DOUBLE_INSTRUMENTED_RULE.critical },
      ...component(ctx, env, CHECKS.twoTracers, name),
    },
  ];
}

/**
 * "No traces": the service is in the catalog but sent no span in the window — tracing is off, or the service
 * was renamed. A span-based count metric has no points at all while no span matches (datadog-semantics §9), and
 * `default_zero()` cannot fill a window without any point (DOC:content/en/dashboards/functions/interpolation.md),
 * so silence can only be seen as missing data: `on_missing_data: show_and_notify_no_data` makes a window without
 * points a notifying No Data state after one evaluation window (DOC:content/en/monitors/guide/on_missing_data.md),
 * and its routes include No Data (`{ noData: true }`): a No Data notification does not enter `{{#is_alert}}`
 * (DOC:content/en/monitors/notify/variables.md), so every handle, pagers included, is either outside the
 * conditional blocks (it hears every transition this monitor has) or in its `{{#is_no_data}}` block. Datadog
 * only reports No Data for a monitor that had data before (DOC:content/en/monitors/configuration/_index.md): a
 * service that never sent a span is not caught here.
 */
export function noTracesMonitor(ctx: ServiceContext, env: string): MonitorSpec {
  const svc = ctx.service.name;
  return {
    id: `${env}_${CHECKS.noTraces}`,
    check: CHECKS.noTraces,
    role: 'alert',
    type: 'query alert',
    name: monitorName(svc, env, 'no traces'),
    expression: `${rollup(ctx)}:${ingestedSpansQuery(filter(svc, env))}`,
    comparator: '<',
    thresholds: { critical: 1 },
    onMissingData: 'show_and_notify_no_data',
    ...alerting(
      ctx,
      env,
      CHECKS.noTraces,
      {
        headline: 'no spans received',
        what: `Datadog received no span from this service in env ${env} over the last ${ctx.policy.window}, although it is in the service catalog. Tracing is off or the spans arrive under another name.`,
        causes: [
          'The tracer was disabled or removed (`DD_TRACE_ENABLED=false`, a dropped dependency, a new base image without the agent).',
          'The service or env name changed (`DD_SERVICE`, `DD_ENV`, `service.name` in OpenTelemetry): spans now arrive under another name.',
          'The Datadog Agent is unreachable from the service (network policy, wrong `DD_AGENT_HOST`).',
          'The service was retired but is still in the catalog: remove it from the catalog or disable it in trace-health.yaml.',
        ],
        explorer: [{ label: 'Recent spans of this service', query: `service:${svc}` }],
        rule: `Goes to No Data, and notifies everyone including pagers, when no span was ingested over the last ${ctx.policy.window}.`,
      },
      // show_and_notify_no_data: its No Data state is the alert, so the No Data routes are told too.
      { warns: false, noData: true },
    ),
  };
}

/** Every monitor of one service in one env (without the SLO budget monitors), guards de-duplicated by id. */
export function serviceMonitors(ctx: ServiceContext, env: string): MonitorSpec[] {
  const tagIds = new Map<string, number>();
  ctx.policy.requiredTags.forEach((rule, index) => {
    const seg = idSegment(rule.tag);
    const other = tagIds.get(seg);
    if (other !== undefined)
      throw new TagRuleConflict(
        { policy: ctx.policy, index: other },
        { policy: ctx.policy, index },
        `would get the same monitor address (${seg}); keep one of them`,
      );
    tagIds.set(seg, index);
  });
  const all = [
    ...orphanRateMonitors(ctx, env),
    ...ctx.policy.requiredTags.flatMap((rule) => tagCoverageMonitors(ctx, env, rule)),
    ...(ctx.entrypoint ? [] : unexpectedRootsMonitors(ctx, env)),
    ...unpairedCallsMonitors(ctx, env),
    ...twoTracersMonitors(ctx, env),
    noTracesMonitor(ctx, env),
  ];
  const byId = new Map<string, MonitorSpec>();
  for (const m of all) if (!byId.has(m.id)) byId.set(m.id, m);
  return [...byId.values()];
}
