/**
 * How each check judges a measured value: the thresholds, comparator and volume guard the resolved policy gives a
 * service — defined once, read by the monitor factories (src/constructs/service/monitors.ts: the numbers in each
 * monitor's query and thresholds) and by the collector's findings (src/collector/findings.ts: the severity of each
 * finding). One function per question, so that a report and the monitors built from the same policy can never
 * disagree about the same figure.
 *
 * Datadog semantics relied on (cited in ../shared/datadog-semantics.md):
 * - a `query alert` compares the value with its thresholds as written, critical first, then warning; comparisons
 *   are strict for `>` (DOC:content/en/monitors/types/metric.md);
 * - `ratio && guard`: a composite of a Warn and an Alert is Warn, of anything and an OK is OK
 *   (DOC:content/en/monitors/types/composite.md), so below the guard the composite is OK whatever the ratio;
 * - the guard is a `>=` query alert (`at least minSpans`).
 *
 * Pure: no file, environment or cdktf access.
 */
import type { PolicyLayer, ServicePolicy, Thresholds } from './model';
import { BUILTIN_DEFAULTS, PolicyLayerFile } from './schema';

/** The checks a finding (and a notifying monitor) is about; the values are the `trace-health-check` tag values. */
export const CHECK_KINDS = {
  orphanRate: 'orphan-rate',
  tagCoverage: 'tag-coverage',
  unexpectedRoots: 'unexpected-roots',
  unpairedCalls: 'unpaired-calls',
  twoTracers: 'two-tracers',
} as const;
export type CheckKind = (typeof CHECK_KINDS)[keyof typeof CHECK_KINDS];

export type RuleComparator = '>' | '>=';

/** What the judging needs from a resolved policy (a `ServicePolicy`, or the defaults for unlisted services). */
export type CheckPolicy = Pick<ServicePolicy, 'orphanRate' | 'tagCoverage' | 'minSpans' | 'window' | 'origin'>;

/** The policy key a threshold comes from and the layer that set it (`orphanRate.critical` set by `tiers.1`). */
export interface ThresholdSource {
  readonly key: string;
  readonly layer: PolicyLayer;
}

export interface CheckRule {
  readonly check: CheckKind;
  /** The value compared: `orphan spans / checked spans`, `spans lacking the tag / spans in scope`, … */
  readonly measure: string;
  readonly comparator: RuleComparator;
  readonly critical: number;
  /** Absent: the check has no warning state. */
  readonly warning?: number;
  readonly criticalFrom: ThresholdSource;
  readonly warningFrom?: ThresholdSource;
  /** The composite's volume guard: the ratio is only judged when the guard count is at least `minSpans`. */
  readonly guard?: { readonly minSpans: number; readonly from: ThresholdSource; readonly counts: string };
}

/** `1 − coverage` without floating-point noise: coverage 0.95 → missing share 0.05, not 0.050000000000000044. */
export function missingShare(coverage: number): number {
  return Number((1 - coverage).toPrecision(12));
}

function from(p: CheckPolicy, key: string): ThresholdSource {
  return { key, layer: p.origin[key] ?? 'builtin' };
}

function guard(p: CheckPolicy, counts: string): NonNullable<CheckRule['guard']> {
  return { minSpans: p.minSpans, from: from(p, 'minSpans'), counts };
}

function rateRule(p: CheckPolicy, check: CheckKind, measure: string, counts: string, t: Thresholds): CheckRule {
  return {
    check,
    measure,
    comparator: '>',
    critical: t.critical,
    warning: t.warning,
    criticalFrom: from(p, 'orphanRate.critical'),
    warningFrom: from(p, 'orphanRate.warning'),
    guard: guard(p, counts),
  };
}

/** Orphan spans over checked spans, per version; guarded by the version's checked spans. */
export function orphanRateRule(p: CheckPolicy): CheckRule {
  return rateRule(p, CHECK_KINDS.orphanRate, 'orphan spans / checked spans', 'checked spans', p.orphanRate);
}

/**
 * Unexpected roots over all roots, per version; guarded by the version's checked spans. Same meaning as orphans
 * (propagation lost, seen from the callee): the same thresholds.
 */
export function unexpectedRootsRule(p: CheckPolicy): CheckRule {
  return rateRule(p, CHECK_KINDS.unexpectedRoots, 'unexpected roots / root spans', 'checked spans', p.orphanRate);
}

/** Unpaired calls over checked calls, per callee; guarded by the checked calls to that callee. */
export function unpairedCallsRule(p: CheckPolicy): CheckRule {
  return rateRule(p, CHECK_KINDS.unpairedCalls, 'unpaired calls / checked calls', 'checked calls', p.orphanRate);
}

/**
 * Tag coverage, judged as its complement: the share of spans in scope lacking the tag `> 1 − coverage` (the same
 * rule as `coverage < threshold`: a failure count cannot vanish when the tag does); guarded by the spans in scope.
 */
export function tagCoverageRule(p: CheckPolicy, tag: string): CheckRule {
  return {
    check: CHECK_KINDS.tagCoverage,
    measure: `spans lacking ${tag} / spans in scope`,
    comparator: '>',
    critical: missingShare(p.tagCoverage.critical),
    warning: missingShare(p.tagCoverage.warning),
    criticalFrom: from(p, 'tagCoverage.critical'),
    warningFrom: from(p, 'tagCoverage.warning'),
    guard: guard(p, 'spans in scope'),
  };
}

/** Two tracing libraries: more than one tracer family (`> 1`), critical only, no guard. */
export const TRACER_FAMILIES_RULE: CheckRule = {
  check: CHECK_KINDS.twoTracers,
  measure: 'tracer families',
  comparator: '>',
  critical: 1,
  criticalFrom: { key: 'two-tracers', layer: 'builtin' },
};

/** Double instrumentation: any server span directly under a server span of the same resource (`> 0`). */
export const DOUBLE_INSTRUMENTED_RULE: CheckRule = {
  check: CHECK_KINDS.twoTracers,
  measure: 'double-instrumented spans',
  comparator: '>',
  critical: 0,
  criticalFrom: { key: 'two-tracers', layer: 'builtin' },
};

export type Severity = 'critical' | 'warning';

export interface Judgement {
  /** What the notifying monitor would be in: critical = Alert, warning = Warn, undefined = OK. */
  readonly severity: Severity | undefined;
  /** The value crossed a threshold, but the guard count is below `minSpans`: the monitor stays OK. */
  readonly belowGuard: boolean;
  /** The severity the value alone would have (ignoring the guard). */
  readonly crossed: Severity | undefined;
}

function compare(v: number, c: RuleComparator, threshold: number): boolean {
  return c === '>' ? v > threshold : v >= threshold;
}

/**
 * The state the check's notifying monitor would be in for `value` (undefined: no denominator, the monitor skips)
 * and `guardCount` (the guard's count over the same window; ignored for checks without a guard).
 */
export function judge(rule: CheckRule, value: number | undefined, guardCount?: number): Judgement {
  let crossed: Severity | undefined;
  if (value !== undefined) {
    if (compare(value, rule.comparator, rule.critical)) crossed = 'critical';
    else if (rule.warning !== undefined && compare(value, rule.comparator, rule.warning)) crossed = 'warning';
  }
  const belowGuard = crossed !== undefined && rule.guard !== undefined && (guardCount ?? 0) < rule.guard.minSpans;
  return { severity: belowGuard ? undefined : crossed, belowGuard, crossed };
}

/**
 * The thresholds and guard of a service the catalog does not list (seen in spans only): the policy's `defaults`
 * over the built-in values, as `resolvePolicy` would give a catalog service with no tier, team or service layer.
 */
export function unlistedServiceChecks(defaults?: PolicyLayerFile): CheckPolicy {
  const origin: Record<string, PolicyLayer> = {};
  function pick<T>(key: string, v: T | undefined, builtin: T): T {
    origin[key] = v === undefined ? 'builtin' : 'defaults';
    return v ?? builtin;
  }
  const b = BUILTIN_DEFAULTS;
  return {
    orphanRate: {
      warning: pick('orphanRate.warning', defaults?.orphanRate?.warning, b.orphanRate.warning),
      critical: pick('orphanRate.critical', defaults?.orphanRate?.critical, b.orphanRate.critical),
    },
    tagCoverage: {
      warning: pick('tagCoverage.warning', defaults?.tagCoverage?.warning, b.tagCoverage.warning),
      critical: pick('tagCoverage.critical', defaults?.tagCoverage?.critical, b.tagCoverage.critical),
    },
    minSpans: pick('minSpans', defaults?.minSpans, b.minSpans),
    window: pick('window', defaults?.window, b.window),
    origin,
  };
}
