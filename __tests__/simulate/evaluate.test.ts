/**
 * The evaluator, rule by rule, each against the Datadog doc it models (DOC: = DataDog/documentation; commits in
 * ../shared/datadog-semantics.md). Series are written by hand: minute → value, a point only where given.
 */
import { combine, evaluate, MonitorState, Reading, SimMonitor, SimSlo } from '../../src/simulate/evaluate';
import { parseMonitorQuery } from '../../src/simulate/query';
import { MetricStore } from '../../src/simulate/store';

const A = 'test.a';
const B = 'test.b';
const F = '{service:x,env:prod}';

function store(minutes: number, series: Record<string, Record<number, number>>, tags = ['service:x', 'env:prod']) {
  const s = new MetricStore(minutes);
  for (const [key, points] of Object.entries(series)) {
    const [metric, extra] = key.split('|');
    for (const [m, v] of Object.entries(points)) s.add(metric, extra ? [...tags, extra] : tags, Number(m), v);
  }
  return s;
}

/** Points at every minute of [from, to). */
function every(from: number, to: number, value: number): Record<number, number> {
  const out: Record<number, number> = {};
  for (let m = from; m < to; m++) out[m] = value;
  return out;
}

function monitor(id: string, query: string, extra: Partial<SimMonitor> = {}): SimMonitor {
  const type = extra.type ?? 'query alert';
  const parsed = type === 'query alert' ? parseMonitorQuery(type, query) : undefined;
  return {
    id,
    ref: `\${m.${id}}`,
    type,
    query,
    message: extra.message ?? '@everyone',
    ...(parsed && parsed.kind === 'metric alert' ? { thresholds: { critical: parsed.threshold } } : {}),
    ...extra,
  };
}

function run(ms: SimMonitor[], s: MetricStore, reading: Reading = 'zero', slos: SimSlo[] = []) {
  return evaluate(ms, slos, s, { minutes: s.minutes, reading });
}

const states = (tl: ReturnType<typeof run>, id: string) =>
  tl.get(id)!.transitions.map((t) => `${t.minute}${t.group ? ` ${t.group}` : ''} ${t.from ?? 'new'}>${t.to}`);

describe('metric monitors: the as_count path (as-count-in-monitor-evaluations.md)', () => {
  const ratio = `sum(last_10m):sum:${A}${F}.as_count() / sum:${B}${F}.as_count() > 0.5`;

  test('a ratio of window sums, not a sum of ratios; points reach the monitor one minute late', () => {
    // a: 1..5 at minutes 0..4, b: 10 each minute → Σa/Σb = 15/50 = 0.3 (the docs' example), not Σ(a/b) = 1.5.
    const s = store(12, { [A]: { 0: 1, 1: 2, 2: 3, 3: 4, 4: 5 }, [B]: every(0, 5, 10) });
    const tl = run([monitor('r', ratio)], s);
    expect(tl.get('r')!.transitions).toEqual([]); // OK from its first evaluation: nothing to notify
    expect(tl.get('r')!.final.get('')).toBe('OK');
  });

  test('crossing the critical threshold alerts; strictly above (`> 0.5` does not fire at 0.5)', () => {
    const s = store(20, { [A]: { ...every(0, 10, 5), ...every(10, 20, 9) }, [B]: every(0, 20, 10) });
    // Window (t−10, t−1]: at t=11 it holds minutes 2..10 → a = 8×5+9 = 49 of 90 → 0.544.
    expect(states(run([monitor('r', ratio)], s), 'r')).toEqual(['11 OK>Alert']);
    const exact = store(12, { [A]: every(0, 12, 5), [B]: every(0, 12, 10) });
    expect(
      run([monitor('r', ratio)], exact)
        .get('r')!
        .final.get(''),
    ).toBe('OK');
  });

  test('warning before critical, and back (DOC:content/en/monitors/types/metric.md)', () => {
    const s = store(60, {
      [A]: { ...every(0, 20, 0), ...every(20, 40, 3), ...every(40, 60, 6) },
      [B]: every(0, 60, 10),
    });
    const m = monitor('r', ratio.replace('> 0.5', '> 0.5'), { thresholds: { critical: 0.5, warning: 0.2 } });
    expect(states(run([m], s), 'r')).toEqual(['27 OK>Warn', '47 Warn>Alert']);
  });

  test('a recovery threshold holds Alert until it is crossed (recovery-thresholds.md)', () => {
    const s = store(60, {
      [A]: { ...every(0, 20, 9), ...every(20, 40, 4), ...every(40, 60, 1) },
      [B]: every(0, 60, 10),
    });
    const plain = monitor('r', ratio, { thresholds: { critical: 0.5 } });
    const held = monitor('h', ratio, { thresholds: { critical: 0.5, criticalRecovery: 0.3 } });
    const tl = run([plain, held], s);
    // Window (t−10, t−1]: 9 buckets of 10. Plain: Σa ≤ 45 at t=28; held: Σa ≤ 27 (0.3) only at t=43.
    expect(states(tl, 'r')).toEqual(['1 new>Alert', '28 Alert>OK']);
    expect(states(tl, 'h')).toEqual(['1 new>Alert', '43 Alert>OK']);
  });

  test('a numerator without any point: 0 under `zero`, No Data under `no-data` (§1, undocumented)', () => {
    const s = store(30, { [A]: every(0, 5, 9), [B]: every(0, 30, 10) });
    const m = monitor('r', ratio, { onMissingData: 'show_no_data' });
    // 45 of 90 at t=9 is not above 0.5; from t=14 the window holds no point of a.
    expect(states(run([m], s, 'zero'), 'r')).toEqual(['1 new>Alert', '9 Alert>OK']);
    expect(states(run([m], s, 'no-data'), 'r')).toEqual(['1 new>Alert', '9 Alert>OK', '14 OK>No Data']);
  });

  test('x / 0 skips the evaluation: the state is kept (division-in-monitor-evaluations.md)', () => {
    const s = store(30, { [A]: { ...every(0, 5, 9), ...every(10, 30, 1) }, [B]: every(0, 5, 10) });
    const tl = run([monitor('r', ratio, { onMissingData: 'resolve' })], s);
    // Minutes 10+: a present, b absent → division by zero → skipped, Alert kept although b is gone.
    expect(states(tl, 'r')).toEqual(['1 new>Alert']);
  });

  test('default_zero cannot create data in an empty window (interpolation.md)', () => {
    const q = `sum(last_10m):default_zero(sum:${A}${F}.as_count()) < 1`;
    const s = store(40, { [A]: every(0, 10, 5) });
    const legacy = monitor('d', q, { notifyNoData: true, noDataTimeframe: 20 });
    // The window empties at t=19, yet the value never reaches 0: only No Data fires, 20 minutes after the last
    // point (minute 9, visible at 10) under `zero`, and after max(timeframe, 2×10) under `no-data`.
    expect(states(run([legacy], s, 'zero'), 'd')).toEqual(['30 OK>No Data']);
    expect(states(run([legacy], s, 'no-data'), 'd')).toEqual(['30 OK>No Data']);
    const short = monitor('d', q, { notifyNoData: true, noDataTimeframe: 5 });
    // A timeframe shorter than the window cannot fire earlier than the window empties (troubleshooting-no-data.md).
    expect(states(run([short], s, 'zero'), 'd')).toEqual(['19 OK>No Data']);
    expect(states(run([short], s, 'no-data'), 'd')).toEqual(['30 OK>No Data']);
  });
});

describe('missing data (on_missing_data.md, configuration/_index.md)', () => {
  const q = `sum(last_10m):sum:${A}${F}.as_count() < 1`;
  const s = store(40, { [A]: every(0, 10, 5) });

  test.each<[string, Partial<SimMonitor>, string[]]>([
    [
      'show_and_notify_no_data: No Data once the window is empty',
      { onMissingData: 'show_and_notify_no_data' },
      ['19 OK>No Data'],
    ],
    ['show_no_data: the same state', { onMissingData: 'show_no_data' }, ['19 OK>No Data']],
    ['resolve: OK', { onMissingData: 'resolve' }, []],
    ['default: a sum evaluates as 0', { onMissingData: 'default' }, ['19 OK>Alert']],
    ['neither: evaluations are skipped, the state kept', {}, []],
  ])('%s', (_what, options, expected) => {
    expect(states(run([monitor('m', q, options)], s), 'm')).toEqual(expected);
  });

  test('only show_and_notify_no_data notifies, with the {{#is_no_data}} handles', () => {
    const message = '@always {{#is_alert}}@pager{{/is_alert}}{{#is_no_data}}@pager{{/is_no_data}}';
    const notify = run([monitor('m', q, { onMissingData: 'show_and_notify_no_data', message })], s);
    expect(notify.get('m')!.transitions[0].notified).toEqual(['@always', '@pager']);
    const quiet = run([monitor('m', q, { onMissingData: 'show_no_data', message })], s);
    expect(quiet.get('m')!.transitions[0].notified).toEqual([]);
  });

  test('a monitor that never had data never reports No Data', () => {
    const empty = store(40, { [B]: every(0, 40, 1) });
    const tl = run([monitor('m', q, { onMissingData: 'show_and_notify_no_data' })], empty);
    expect(tl.get('m')!.final.size).toBe(0);
  });

  test('require_full_window: a first bucket without a point skips the evaluation (types/metric.md)', () => {
    const late = store(12, { [A]: every(5, 12, 0) });
    const m = (full: boolean) => monitor('m', `sum(last_10m):sum:${A}${F}.as_count() < 1`, { requireFullWindow: full });
    expect(states(run([m(false)], late), 'm')).toEqual(['6 new>Alert']);
    expect(run([m(true)], late).get('m')!.final.size).toBe(0);
  });
});

describe('groups (multi alert)', () => {
  test('state per group; a new group waits new_group_delay (60 s) before it can alert', () => {
    const s = store(30, {
      [`${A}|version:1`]: every(0, 30, 0),
      [`${B}|version:1`]: every(0, 30, 10),
      [`${A}|version:2`]: every(10, 30, 9),
      [`${B}|version:2`]: every(10, 30, 10),
    });
    const q = `sum(last_10m):sum:${A}${F} by {version}.as_count() / sum:${B}${F} by {version}.as_count() > 0.5`;
    expect(states(run([monitor('r', q)], s), 'r')).toEqual(['12 version:2 new>Alert']);
  });

  test('a group whose series stop: resolve shows OK (the alert recovers after a rollback)', () => {
    const s = store(40, { [`${A}|version:2`]: every(0, 10, 9), [`${B}|version:2`]: every(0, 10, 10) });
    const q = `sum(last_10m):sum:${A}${F} by {version}.as_count() / sum:${B}${F} by {version}.as_count() > 0.5`;
    expect(states(run([monitor('r', q, { onMissingData: 'resolve' })], s), 'r')).toEqual([
      '2 version:2 new>Alert',
      '19 version:2 Alert>OK',
    ]);
    // Without it the group keeps Alert for good (troubleshooting-monitor-alerts.md: skipped evaluations keep state).
    expect(
      run([monitor('r', q)], s)
        .get('r')!
        .final.get('version:2'),
    ).toBe('Alert');
  });
});

describe('composite monitors (DOC:content/en/monitors/types/composite.md)', () => {
  // The documented table, for the composite without notify-no-data where it matters.
  test.each<[MonitorState, MonitorState, '&&' | '||', MonitorState]>([
    ['Alert', 'Warn', '&&', 'Warn'],
    ['Alert', 'Warn', '||', 'Alert'],
    ['Alert', 'OK', '&&', 'OK'],
    ['Alert', 'OK', '||', 'Alert'],
    ['Warn', 'OK', '&&', 'OK'],
    ['Warn', 'OK', '||', 'Warn'],
    ['No Data', 'Warn', '&&', 'No Data'],
    ['No Data', 'Warn', '||', 'Warn'],
    ['No Data', 'OK', '&&', 'OK'],
    ['No Data', 'OK', '||', 'No Data'],
    ['No Data', 'No Data', '&&', 'No Data'],
  ])('%s %s %s → %s', (a, b, op, expected) => {
    const e = parseMonitorQuery('composite', `1 ${op} 2`);
    if (e.kind !== 'composite') throw new Error('not a composite');
    expect(combine(e.expression, (ref) => (ref === '1' ? a : b))).toBe(expected);
  });

  test('!a: No Data stays No Data, alert-worthy becomes OK, OK becomes Alert', () => {
    const e = parseMonitorQuery('composite', '!1');
    if (e.kind !== 'composite') throw new Error('not a composite');
    expect((['No Data', 'Warn', 'OK'] as MonitorState[]).map((s) => combine(e.expression, () => s))).toEqual([
      'No Data',
      'OK',
      'Alert',
    ]);
  });

  test('ratio && guard per group: a quiet group is ignored, a busy one alerts; No Data keeps the last state', () => {
    const s = store(30, {
      [`${A}|version:1`]: every(0, 30, 9),
      [`${B}|version:1`]: every(0, 30, 10),
      [`${A}|version:2`]: every(0, 30, 1),
      [`${B}|version:2`]: every(0, 30, 1),
    });
    const by = `${F} by {version}.as_count()`;
    const ratio = monitor('ratio', `sum(last_10m):sum:${A}${by} / sum:${B}${by} > 0.5`);
    const guard = monitor('guard', `sum(last_10m):sum:${B}${by} >= 50`);
    const c = monitor('c', '${m.ratio} && ${m.guard}', { type: 'composite', message: '@team' });
    const tl = run([c, ratio, guard], s);
    expect(states(tl, 'c')).toEqual(['5 version:1 OK>Alert']);
    expect(tl.get('c')!.transitions[0].notified).toEqual(['@team']);
    expect(tl.get('c')!.final.get('version:2')).toBe('OK');
  });
});

describe('SLO error-budget alerts', () => {
  const slo: SimSlo = {
    ref: 'slo-1',
    numerator: `sum:${A}${F}.as_count()`,
    denominator: `sum:${B}${F}.as_count()`,
    target: 99,
  };
  const budget = monitor('b', 'error_budget("slo-1").over("7d") > 75', {
    type: 'slo alert',
    thresholds: { critical: 75, warning: 50 },
  });

  test('consumed = (1 − good/total) / (1 − target): half the events bad burns 5000% of a 99% budget', () => {
    const s = store(10, { [A]: every(0, 10, 5), [B]: every(0, 10, 10) });
    const tl = run([budget], s, 'zero', [slo]);
    expect(tl.get('b')!.transitions.map((t) => [t.minute, t.to, t.value])).toEqual([[1, 'Alert', 5000]]);
  });

  test('good events without a point: counted as 0 good under `zero`, the minute dropped under `no-data`', () => {
    const s = store(10, { [A]: every(0, 5, 10), [B]: every(0, 10, 10) });
    expect(run([budget], s, 'zero', [slo]).get('b')!.final.get('')).toBe('Alert');
    expect(run([budget], s, 'no-data', [slo]).get('b')!.final.get('')).toBe('OK');
  });

  test('the SLO history: a healthy lead-in stands for the days before the scenario', () => {
    const s = store(120, { [A]: { ...every(0, 60, 10), ...every(60, 120, 9) }, [B]: every(0, 120, 10) });
    const tl = evaluate([budget], [slo], s, { minutes: 120, reading: 'zero', sloHistory: { from: 0, to: 60 } });
    // An hour at 10% bad over 7 days: 0.1 × 60 / 10080 → 0.06% of the events, 6% of a 1% budget.
    expect(tl.get('b')!.final.get('')).toBe('OK');
  });
});
