/**
 * An evaluator of the Datadog semantics trace-health's monitors rely on, minute by minute over a MetricStore.
 * Each rule cites its doc (DOC: = DataDog/documentation, see ../shared/datadog-semantics.md for the commits);
 * where the docs are silent the evaluator takes a reading, named in `Reading`, and `simulate` runs every reading:
 * a monitor passes a scenario only if it passes under all of them.
 *
 * Metric monitors (`query alert`):
 * - Evaluated every minute for windows under 24 h (DOC:content/en/monitors/configuration/_index.md). Points reach
 *   the evaluator one minute after their timestamp (late arrival is undocumented, §9: the pessimistic reading), so
 *   at minute t a `last_Nm` window holds the buckets (t−N, t−1].
 * - The as_count path: with `.as_count()` the time aggregation runs before the arithmetic, `Σa / Σb`
 *   (DOC:content/en/monitors/guide/as-count-in-monitor-evaluations.md), and missing points inside the window count
 *   as 0 (DOC:content/en/monitors/guide/troubleshooting-no-data.md). An operand with no point in the whole window
 *   is undocumented (§1): Reading `zero` reads it as 0, `no-data` makes the group No Data. `x / 0` skips the
 *   evaluation (DOC:content/en/monitors/guide/division-in-monitor-evaluations.md). Without `.as_count()`,
 *   arithmetic runs per minute and a missing operand makes that minute NaN (troubleshooting-no-data.md).
 * - `default_zero(x)` fills empty buckets only if x has a point in the window: it cannot create data from nothing
 *   (DOC:content/en/dashboards/functions/interpolation.md).
 * - Thresholds: critical first, then warning; comparisons are strict as written (DOC:content/en/monitors/types/
 *   metric.md); a recovery threshold keeps the state until it is crossed (DOC:content/en/monitors/guide/
 *   recovery-thresholds.md).
 * - `require_full_window`: 1-minute buckets for windows in minutes, 10-minute for hours; at least one point in the
 *   first bucket and at most 3 empty buckets, or the evaluation is skipped (DOC:content/en/monitors/types/metric.md).
 * - Missing data: `on_missing_data` `resolve` shows OK, `show_no_data`/`show_and_notify_no_data` No Data (only
 *   the latter notifies), `default` evaluates sum/count queries as 0 and keeps the last state otherwise
 *   (DOC:content/en/monitors/guide/on_missing_data.md). Legacy `notify_no_data` goes No Data after
 *   `no_data_timeframe` minutes without a point — its default is disputed (§3): Reading `zero` uses it as written
 *   (2× the window when omitted), `no-data` waits max(timeframe, 2× window). Without either, an evaluation without
 *   data is skipped and the state is kept (DOC:content/en/monitors/guide/troubleshooting-monitor-alerts.md).
 *   No Data needs the group to have had data before (DOC:content/en/monitors/configuration/_index.md).
 * - Groups (multi alert): state per group; a group exists from its first point and cannot alert before
 *   `new_group_delay` (60 s by default) has passed (DOC:content/en/monitors/guide/monitor_api_options.md).
 *
 * Composite monitors: Alert 4 > Warn 3 > No Data 2 > OK 1; `a && b` alert-worthy → the least severe, `a || b`
 * → the most severe, `!a`: No Data stays No Data, alert-worthy → OK, else Alert; a No Data result without the
 * composite's own notify-no-data keeps the last state; only groups reported by every multi-alert component are
 * evaluated, matched on tag values (DOC:content/en/monitors/types/composite.md).
 *
 * SLO alerts: `error_budget(slo).over(tf) > N`: the SLI is Σgood/Σtotal over the rolling timeframe
 * (DOC:content/en/service_level_objectives/metric.md), budget consumed = 100·(1−SLI)/(1−target)
 * (DOC:content/en/service_level_objectives/_index.md). A minute whose good-events query lacks a point while the
 * total has one is undocumented (§8): Reading `zero` counts it as 0 good, `no-data` drops the minute. No events in
 * the timeframe evaluates nothing (the last state is kept).
 */
import type { OnMissingData } from '../constructs/service/specs';
import { MonitorState, notifiedHandles } from './notifications';
import {
  Comparator,
  CompositeExpression,
  compositeRefs,
  Expression,
  MetricAlertQuery,
  metricQueries,
  parseMonitorQuery,
  parseSloQuery,
  SloAlertQuery,
} from './query';
import { GroupedSeries, MetricStore } from './store';

export type { MonitorState } from './notifications';

/** How the evaluator reads what the docs leave open (see the module comment). */
export type Reading = 'zero' | 'no-data';
export const READINGS: readonly Reading[] = ['zero', 'no-data'];

export type { OnMissingData };

/** A monitor as Datadog gets it (the fields evaluation depends on). */
export interface SimMonitor {
  readonly id: string;
  /** How composites and Terraform name it: `${datadog_monitor.x.id}`, or a numeric id. */
  readonly ref: string;
  readonly type: string;
  readonly query: string;
  readonly message: string;
  readonly thresholds?: {
    readonly critical: number;
    readonly warning?: number;
    readonly criticalRecovery?: number;
    readonly warningRecovery?: number;
  };
  readonly onMissingData?: OnMissingData;
  readonly notifyNoData?: boolean;
  readonly noDataTimeframe?: number;
  readonly requireFullWindow?: boolean;
  /** Multi-alert new group delay in seconds (Datadog default 60). */
  readonly newGroupDelay?: number;
}

export interface SimSlo {
  /** How SLO alerts name it: `${datadog_service_level_objective.x.id}`, or an SLO id. */
  readonly ref: string;
  readonly numerator: string;
  readonly denominator: string;
  /** Percent, e.g. 99.9. */
  readonly target: number;
}

export interface Transition {
  readonly minute: number;
  /** '' for a monitor without groups, else `version:1.2` etc. */
  readonly group: string;
  readonly from: MonitorState | undefined;
  readonly to: MonitorState;
  /** Handles the notification reached; empty when the transition notifies nobody. */
  readonly notified: readonly string[];
  /** The evaluated value (metric and SLO alerts), for the report. */
  readonly value?: number;
}

export interface MonitorTimeline {
  readonly id: string;
  readonly transitions: readonly Transition[];
  /** State per group at the end. */
  readonly final: ReadonlyMap<string, MonitorState>;
}

export interface EvaluateOptions {
  readonly minutes: number;
  readonly reading: Reading;
  /** Minutes before a point is visible to monitors (1: see the module comment). */
  readonly ingestionDelay?: number;
  /** Minutes [from, to) of healthy lead-in that stand for the SLO's history before the scenario. */
  readonly sloHistory?: { readonly from: number; readonly to: number };
}

export class EvaluationError extends Error {}

const SEVERITY: Readonly<Record<MonitorState, number>> = { Alert: 4, Warn: 3, 'No Data': 2, OK: 1 };
const TIMEFRAME_MINUTES = { '7d': 7 * 1440, '30d': 30 * 1440, '90d': 90 * 1440 } as const;
const DEFAULT_NEW_GROUP_DELAY_S = 60;

type Result = { kind: 'value'; value: number } | { kind: 'no-data' } | { kind: 'skip' };
const NO_DATA: Result = { kind: 'no-data' };
const SKIP: Result = { kind: 'skip' };

interface GroupState {
  state: MonitorState | undefined;
  /** Newest visible minute with a point in any operand. */
  lastPoint: number;
}

/** Evaluate monitors (and the SLOs their SLO alerts read) over the store, minute by minute. */
export function evaluate(
  monitors: readonly SimMonitor[],
  slos: readonly SimSlo[],
  store: MetricStore,
  opts: EvaluateOptions,
): Map<string, MonitorTimeline> {
  const delay = opts.ingestionDelay ?? 1;
  const runners: Runner[] = [];
  const byRef = new Map<string, Runner>();
  const sloByRef = new Map(slos.map((s) => [s.ref, s]));
  // Metric and SLO alerts first, composites after: a composite reads its components' state of the same minute.
  const ordered = [...monitors].sort((a, b) => Number(a.type === 'composite') - Number(b.type === 'composite'));
  for (const m of ordered) {
    const parsed = parseMonitorQuery(m.type, m.query);
    let r: Runner;
    if (parsed.kind === 'metric alert') r = new MetricRunner(m, parsed, store, opts.reading, delay);
    else if (parsed.kind === 'slo alert') {
      const slo = sloByRef.get(parsed.sloId);
      if (!slo) throw new EvaluationError(`monitor ${m.id}: SLO ${parsed.sloId} is not among the SLOs`);
      r = new SloRunner(m, parsed, slo, store, opts, delay);
    } else {
      const comps = compositeRefs(parsed.expression).map((ref) => {
        const c = byRef.get(ref);
        if (!c) throw new EvaluationError(`composite ${m.id}: component ${ref} is not among the monitors`);
        if (c instanceof CompositeRunner) throw new EvaluationError(`composite ${m.id}: composites cannot be nested`);
        return c;
      });
      r = new CompositeRunner(m, parsed.expression, comps);
    }
    runners.push(r);
    byRef.set(m.ref, r);
  }
  for (let t = 0; t < opts.minutes; t++) for (const r of runners) r.tick(t);
  const out = new Map<string, MonitorTimeline>();
  for (const r of runners)
    out.set(r.monitor.id, {
      id: r.monitor.id,
      transitions: r.transitions,
      final: new Map([...r.groups].filter(([, g]) => g.state !== undefined).map(([k, g]) => [k, g.state!])),
    });
  return out;
}

abstract class Runner {
  readonly groups = new Map<string, GroupState>();
  readonly transitions: Transition[] = [];
  private readonly reached = new Map<string, string[]>();
  constructor(readonly monitor: SimMonitor) {}
  abstract tick(t: number): void;
  /** The monitor's query names groups (`by {…}`): a multi alert. */
  get multiAlert(): boolean {
    return false;
  }

  private handles(from: MonitorState | undefined, to: MonitorState): string[] {
    const key = `${from}>${to}`;
    let h = this.reached.get(key);
    if (!h) this.reached.set(key, (h = notifiedHandles(this.monitor.message, from, to)));
    return h;
  }

  /** Does a No Data state of this monitor notify? (on_missing_data / notify_no_data) */
  notifiesNoData(): boolean {
    const m = this.monitor;
    return m.onMissingData === 'show_and_notify_no_data' || (m.onMissingData === undefined && m.notifyNoData === true);
  }

  protected set(t: number, key: string, g: GroupState, to: MonitorState, value?: number): void {
    const from = g.state;
    if (from === to) return;
    g.state = to;
    if (from === undefined && to === 'OK') return;
    const silent = (to === 'No Data' || from === 'No Data') && !this.notifiesNoData();
    const notified = silent ? [] : this.handles(from, to);
    this.transitions.push({ minute: t, group: key, from, to, notified, ...(value === undefined ? {} : { value }) });
  }

  protected judge(value: number, comparator: Comparator, current: MonitorState | undefined): MonitorState {
    const th = this.monitor.thresholds;
    if (!th) throw new EvaluationError(`monitor ${this.monitor.id} has no thresholds`);
    if (compare(value, comparator, th.critical)) return 'Alert';
    // A recovery threshold holds the state until the value crosses it (recovery-thresholds.md).
    if (current === 'Alert' && th.criticalRecovery !== undefined && !recovered(value, comparator, th.criticalRecovery))
      return 'Alert';
    if (th.warning !== undefined && compare(value, comparator, th.warning)) return 'Warn';
    if (current === 'Warn' && th.warningRecovery !== undefined && !recovered(value, comparator, th.warningRecovery))
      return 'Warn';
    return 'OK';
  }
}

export function compare(v: number, c: Comparator, threshold: number): boolean {
  switch (c) {
    case '>':
      return v > threshold;
    case '>=':
      return v >= threshold;
    case '<':
      return v < threshold;
    case '<=':
      return v <= threshold;
    case '==':
      return v === threshold;
    case '!=':
      return v !== threshold;
  }
}

/** Recovery conditions: `> c` recovers at `<= r`, `>= c` at `< r`, `< c` at `>= r`, `<= c` at `> r`. */
function recovered(v: number, c: Comparator, r: number): boolean {
  if (c === '>') return v <= r;
  if (c === '>=') return v < r;
  if (c === '<') return v >= r;
  if (c === '<=') return v > r;
  return true;
}

class MetricRunner extends Runner {
  private readonly window: number;
  private readonly asCountPath: boolean;
  /** `a / b` of two metric queries on the as_count path (every ratio trace-health generates). */
  private readonly simpleRatio: boolean;
  private readonly multi: boolean;
  private readonly terms: { q: ReturnType<typeof metricQueries>[number]; groups: Map<string, GroupedSeries> }[];
  private readonly groupKeys: { key: string; firstVisible: number }[];

  constructor(
    monitor: SimMonitor,
    private readonly q: MetricAlertQuery,
    store: MetricStore,
    private readonly reading: Reading,
    private readonly delay: number,
  ) {
    super(monitor);
    this.window = q.windowMinutes;
    const metrics = metricQueries(q.expression);
    this.asCountPath = metrics.some((m) => m.asCount);
    this.terms = metrics.map((m) => ({ q: m, groups: new Map(store.grouped(m).map((g) => [g.key, g])) }));
    const grouped = this.terms.filter((t) => t.q.by.length > 0);
    const first = new Map<string, number>();
    for (const term of grouped.length ? grouped : this.terms)
      for (const g of term.groups.values()) {
        const key = grouped.length ? g.key : '';
        if (g.firstSeen >= 0) first.set(key, Math.min(first.get(key) ?? Infinity, g.firstSeen));
      }
    const multi = grouped.length > 0;
    this.multi = multi;
    const e = q.expression;
    this.simpleRatio =
      this.asCountPath && e.kind === 'binary' && e.op === '/' && e.left.kind === 'metric' && e.right.kind === 'metric';
    const newGroupMinutes = multi ? Math.ceil((monitor.newGroupDelay ?? DEFAULT_NEW_GROUP_DELAY_S) / 60) : 0;
    this.groupKeys = [...first.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([key, seen]) => ({ key, firstVisible: seen + delay + newGroupMinutes }));
  }

  override get multiAlert(): boolean {
    return this.multi;
  }

  tick(t: number): void {
    const hi = t - this.delay;
    const lo = Math.max(0, t - this.window + 1);
    for (const { key, firstVisible } of this.groupKeys) {
      if (t < firstVisible) continue;
      let g = this.groups.get(key);
      if (!g) this.groups.set(key, (g = { state: undefined, lastPoint: -1 }));
      for (const term of this.terms) {
        const s = term.groups.get(term.q.by.length ? key : '');
        if (s && hi >= 0 && s.present[hi]) g.lastPoint = hi;
      }
      if (this.monitor.requireFullWindow && !this.fullWindow(key, lo, hi)) continue;
      const r = hi < lo ? NO_DATA : this.value(key, lo, hi);
      if (r.kind === 'skip') continue;
      if (r.kind === 'value') {
        this.set(t, key, g, this.judge(r.value, this.q.comparator, g.state), r.value);
        continue;
      }
      this.missing(t, key, g, hi);
    }
  }

  private missing(t: number, key: string, g: GroupState, hi: number): void {
    if (g.state === undefined) return; // never evaluated with data: nothing to report (configuration/_index.md)
    switch (this.monitor.onMissingData) {
      case 'resolve':
        return this.set(t, key, g, 'OK');
      case 'show_no_data':
      case 'show_and_notify_no_data':
        return this.set(t, key, g, 'No Data');
      case 'default':
        if (this.q.timeAggregation === 'sum' || this.asCountPath)
          return this.set(t, key, g, this.judge(0, this.q.comparator, g.state), 0);
        return;
      default: {
        if (!this.monitor.notifyNoData) return;
        const twice = 2 * this.window;
        const given = this.monitor.noDataTimeframe ?? twice;
        const after = this.reading === 'no-data' ? Math.max(given, twice) : given;
        if (hi - g.lastPoint >= after) this.set(t, key, g, 'No Data');
      }
    }
  }

  private series(termIndex: number, key: string): GroupedSeries | undefined {
    const term = this.terms[termIndex];
    return term.groups.get(term.q.by.length ? key : '');
  }

  private fullWindow(key: string, lo: number, hi: number): boolean {
    const bucket = this.window < 60 ? 1 : this.window < 1440 ? 10 : 60;
    const buckets = Math.ceil(this.window / bucket);
    const start = hi - buckets * bucket + 1;
    let empty = 0;
    for (let b = 0; b < buckets; b++) {
      const from = Math.max(lo, start + b * bucket);
      const to = Math.min(hi, start + (b + 1) * bucket - 1);
      let any = false;
      for (let i = 0; i < this.terms.length && !any; i++) {
        const s = this.series(i, key);
        if (s && to >= from && s.prefixCount[to + 1] - s.prefixCount[from] > 0) any = true;
      }
      if (!any) {
        if (b === 0) return false;
        empty++;
      }
    }
    return empty <= 3;
  }

  private value(key: string, lo: number, hi: number): Result {
    if (this.simpleRatio) return this.ratio(key, lo, hi);
    if (this.q.expression.kind === 'metric') return this.single(key, lo, hi);
    let index = 0;
    const next = () => index++;
    if (this.asCountPath) {
      let anyPresent = false;
      const sums = (e: Expression): number | undefined | 'skip' => {
        switch (e.kind) {
          case 'number':
            return e.value;
          case 'metric': {
            const s = this.series(next(), key);
            const count = s ? s.prefixCount[hi + 1] - s.prefixCount[lo] : 0;
            if (count === 0) return undefined;
            anyPresent = true;
            return s!.prefixSum[hi + 1] - s!.prefixSum[lo];
          }
          case 'default_zero':
            // Window sums of a series with a point already count empty buckets as 0; without a point: absent.
            return sums(e.arg);
          case 'binary': {
            const a = sums(e.left);
            const b = sums(e.right);
            if (a === 'skip' || b === 'skip') return 'skip';
            if (a === undefined || b === undefined) {
              if (this.reading === 'no-data') return undefined;
            }
            const x = a ?? 0;
            const y = b ?? 0;
            if (a === undefined && b === undefined) return undefined;
            if (e.op === '/') return y === 0 ? 'skip' : x / y;
            return e.op === '+' ? x + y : e.op === '-' ? x - y : x * y;
          }
        }
      };
      const v = sums(this.q.expression);
      if (v === 'skip') return SKIP;
      if (v === undefined || !anyPresent) return NO_DATA;
      return { kind: 'value', value: v };
    }
    // Classic path: arithmetic per minute (a missing operand makes the minute NaN), then time aggregation.
    const perMinute: number[] = [];
    for (let m = lo; m <= hi; m++) {
      index = 0;
      const v = this.minuteValue(this.q.expression, key, m, lo, hi, next);
      if (v !== undefined && Number.isFinite(v)) perMinute.push(v);
    }
    if (perMinute.length === 0) return NO_DATA;
    switch (this.q.timeAggregation) {
      case 'sum':
        return { kind: 'value', value: perMinute.reduce((a, b) => a + b, 0) };
      case 'avg':
        return { kind: 'value', value: perMinute.reduce((a, b) => a + b, 0) / perMinute.length };
      case 'max':
        return { kind: 'value', value: Math.max(...perMinute) };
      case 'min':
        return { kind: 'value', value: Math.min(...perMinute) };
    }
  }

  /** One metric query: its time aggregation over the window's points (the same rules as the generic paths). */
  private single(key: string, lo: number, hi: number): Result {
    const s = this.series(0, key);
    const n = s ? s.prefixCount[hi + 1] - s.prefixCount[lo] : 0;
    if (n === 0) return NO_DATA;
    const sum = s!.prefixSum[hi + 1] - s!.prefixSum[lo];
    const agg = this.asCountPath ? 'sum' : this.q.timeAggregation;
    if (agg === 'sum') return { kind: 'value', value: sum };
    if (agg === 'avg') return { kind: 'value', value: sum / n };
    let best = agg === 'max' ? -Infinity : Infinity;
    for (let m = lo; m <= hi; m++)
      if (s!.present[m]) best = agg === 'max' ? Math.max(best, s!.values[m]) : Math.min(best, s!.values[m]);
    return { kind: 'value', value: best };
  }

  /** The generic as_count rules (`sums` below) for `a / b`, without building closures per evaluation. */
  private ratio(key: string, lo: number, hi: number): Result {
    const a = this.series(0, key);
    const b = this.series(1, key);
    const na = a ? a.prefixCount[hi + 1] - a.prefixCount[lo] : 0;
    const nb = b ? b.prefixCount[hi + 1] - b.prefixCount[lo] : 0;
    if (na === 0 && nb === 0) return NO_DATA;
    if ((na === 0 || nb === 0) && this.reading === 'no-data') return NO_DATA;
    const x = na ? a!.prefixSum[hi + 1] - a!.prefixSum[lo] : 0;
    const y = nb ? b!.prefixSum[hi + 1] - b!.prefixSum[lo] : 0;
    return y === 0 ? SKIP : { kind: 'value', value: x / y };
  }

  private minuteValue(
    e: Expression,
    key: string,
    m: number,
    lo: number,
    hi: number,
    next: () => number,
    zeroFill = false,
  ): number | undefined {
    switch (e.kind) {
      case 'number':
        return e.value;
      case 'metric': {
        const s = this.series(next(), key);
        if (s && s.present[m]) return s.values[m];
        return zeroFill && s && s.prefixCount[hi + 1] - s.prefixCount[lo] > 0 ? 0 : undefined;
      }
      case 'default_zero':
        return this.minuteValue(e.arg, key, m, lo, hi, next, true);
      case 'binary': {
        const a = this.minuteValue(e.left, key, m, lo, hi, next, zeroFill);
        const b = this.minuteValue(e.right, key, m, lo, hi, next, zeroFill);
        if (a === undefined || b === undefined) return undefined;
        if (e.op === '/') return b === 0 ? undefined : a / b;
        return e.op === '+' ? a + b : e.op === '-' ? a - b : a * b;
      }
    }
  }
}

class SloRunner extends Runner {
  private readonly good: Float64Array;
  private readonly total: Float64Array;
  private readonly history: { good: number; total: number };
  private readonly timeframe: number;

  constructor(
    monitor: SimMonitor,
    private readonly q: SloAlertQuery,
    private readonly slo: SimSlo,
    store: MetricStore,
    opts: EvaluateOptions,
    private readonly delay: number,
  ) {
    super(monitor);
    this.timeframe = TIMEFRAME_MINUTES[q.timeframe];
    const n = opts.minutes;
    const good = minuteSeries(parseSloQuery(slo.numerator), store, n, opts.reading);
    const total = minuteSeries(parseSloQuery(slo.denominator), store, n, opts.reading);
    // Prefix sums of the minutes the SLO counts (see Reading in the module comment).
    this.good = new Float64Array(n + 1);
    this.total = new Float64Array(n + 1);
    for (let m = 0; m < n; m++) {
      let g = 0;
      let tot = 0;
      const countsMinute = total[m] !== undefined && (opts.reading === 'zero' || good[m] !== undefined);
      if (countsMinute) {
        tot = total[m]!;
        g = good[m] ?? 0;
      }
      this.good[m + 1] = this.good[m] + g;
      this.total[m + 1] = this.total[m] + tot;
    }
    const h = opts.sloHistory;
    const span = h ? h.to - h.from : 0;
    this.history =
      h && span > 0
        ? {
            good: (this.good[h.to] - this.good[h.from]) / span,
            total: (this.total[h.to] - this.total[h.from]) / span,
          }
        : { good: 0, total: 0 };
  }

  tick(t: number): void {
    const hi = t - this.delay;
    if (hi < 0) return;
    const lo = Math.max(0, hi - this.timeframe + 1);
    const before = Math.max(0, this.timeframe - (hi + 1));
    const good = this.good[hi + 1] - this.good[lo] + before * this.history.good;
    const total = this.total[hi + 1] - this.total[lo] + before * this.history.total;
    let g = this.groups.get('');
    if (!g) this.groups.set('', (g = { state: undefined, lastPoint: -1 }));
    if (!(total > 0)) return; // no events: nothing evaluated, the state is kept (§8, undocumented)
    const consumed = (100 * (1 - good / total)) / (1 - this.slo.target / 100);
    const value = Math.round(consumed * 1e6) / 1e6;
    this.set(t, '', g, this.judge(value, this.q.comparator, g.state), value);
  }
}

/** Per-minute value of an SLO query (no groups: an SLO sums them all); undefined where it has no point. */
function minuteSeries(e: Expression, store: MetricStore, n: number, reading: Reading): (number | undefined)[] {
  const out: (number | undefined)[] = new Array(n);
  const series = metricQueries(e).map((q) => store.grouped({ ...q, by: [] })[0]);
  const cursor = { i: 0 };
  for (let m = 0; m < n; m++) {
    cursor.i = 0;
    out[m] = sloMinute(e, series, m, reading, cursor);
  }
  return out;
}

function sloMinute(
  x: Expression,
  series: readonly (GroupedSeries | undefined)[],
  m: number,
  reading: Reading,
  cursor: { i: number },
): number | undefined {
  switch (x.kind) {
    case 'number':
      return x.value;
    case 'metric': {
      const s = series[cursor.i++];
      return s && s.present[m] ? s.values[m] : undefined;
    }
    case 'default_zero':
      return sloMinute(x.arg, series, m, reading, cursor) ?? 0;
    case 'binary': {
      const a = sloMinute(x.left, series, m, reading, cursor);
      const b = sloMinute(x.right, series, m, reading, cursor);
      if (a === undefined && b === undefined) return undefined;
      // One operand without a point: 0 under the natural reading (window sums), the minute is incomplete (and
      // dropped by the caller) under `no-data`.
      if ((a === undefined || b === undefined) && reading === 'no-data') return undefined;
      const p = a ?? 0;
      const q = b ?? 0;
      if (x.op === '/') return q === 0 ? undefined : p / q;
      return x.op === '+' ? p + q : x.op === '-' ? p - q : p * q;
    }
  }
}

class CompositeRunner extends Runner {
  private readonly states: MonitorState[];
  private readonly stateOf: (ref: string) => MonitorState;

  constructor(
    monitor: SimMonitor,
    private readonly expression: CompositeExpression,
    private readonly components: readonly Runner[],
  ) {
    super(monitor);
    this.states = components.map(() => 'OK');
    const index = new Map(components.map((c, i) => [c.monitor.ref, i]));
    this.stateOf = (ref) => this.states[index.get(ref)!];
  }

  tick(t: number): void {
    const keys = this.groupKeys();
    for (const key of keys) {
      let complete = true;
      for (let i = 0; i < this.components.length && complete; i++) {
        const c = this.components[i];
        const s = c.multiAlert ? stateByValues(c, key) : c.groups.get('')?.state;
        if (s === undefined) complete = false;
        else this.states[i] = s;
      }
      if (!complete) continue; // not reported by every component: not evaluated
      let g = this.groups.get(key);
      if (!g) this.groups.set(key, (g = { state: undefined, lastPoint: -1 }));
      const result = combine(this.expression, this.stateOf);
      // Without the composite's own notify-no-data, a No Data result keeps the last state.
      if (result === 'No Data' && !this.monitor.notifyNoData) continue;
      this.set(t, key, g, result);
    }
  }

  private groupKeys(): string[] {
    const multi = this.components.filter((c) => c.multiAlert);
    if (multi.length === 0) return [''];
    if (multi.length === 1) return [...multi[0].groups.keys()];
    const sets = multi.map((c) => new Set([...c.groups.keys()].map(valuesOf)));
    return [...multi[0].groups.keys()].filter((k) => sets.every((s) => s.has(valuesOf(k))));
  }
}

const valueKeys = new Map<string, string>();

/** Composite groups match on tag values (`host:web04` matches `service:web04`). */
function valuesOf(key: string): string {
  let v = valueKeys.get(key);
  if (v === undefined) {
    v = key
      .split(',')
      .map((kv) => kv.slice(kv.indexOf(':') + 1))
      .join(',');
    valueKeys.set(key, v);
  }
  return v;
}

function stateByValues(r: Runner, key: string): MonitorState | undefined {
  const exact = r.groups.get(key);
  if (exact) return exact.state;
  const want = valuesOf(key);
  for (const [k, g] of r.groups) if (valuesOf(k) === want) return g.state;
  return undefined;
}

/** The documented composite operators over states. */
export function combine(e: CompositeExpression, state: (ref: string) => MonitorState): MonitorState {
  switch (e.kind) {
    case 'ref':
      return state(e.id);
    case 'not': {
      const a = combine(e.arg, state);
      if (a === 'No Data') return 'No Data';
      return a === 'OK' ? 'Alert' : 'OK';
    }
    case 'and':
    case 'or': {
      const a = combine(e.left, state);
      const b = combine(e.right, state);
      const worthy = (s: MonitorState) => s !== 'OK';
      if (e.kind === 'and') {
        if (!(worthy(a) && worthy(b))) return 'OK';
        return SEVERITY[a] <= SEVERITY[b] ? a : b;
      }
      if (!(worthy(a) || worthy(b))) return 'OK';
      return SEVERITY[a] >= SEVERITY[b] ? a : b;
    }
  }
}
