import { parseMonitorQuery, parseSloQuery, QueryParseError } from '../../src/simulate/query';
import { monitorQuery } from '../../src/constructs/service/specs';
import { handlesIn, notifiedHandles, renderConditionals, transitionVariables } from '../../src/simulate/notifications';
import { loadInputs, planApp } from '../../src/synth';
import { ROOT } from '../synth/project';

describe('monitor query parser', () => {
  test('reads every query synth generates for the bundled example (monitors and SLO queries)', () => {
    const inputs = loadInputs('trace-health.yaml', ROOT);
    const plans = planApp(inputs.policy, inputs.catalog).stacks.flatMap((s) =>
      s.kind === 'services' ? s.services.map((x) => x.plan) : [],
    );
    const monitors = plans.flatMap((p) => p.monitors);
    const kinds = monitors.map((m) => parseMonitorQuery(m.type, monitorQuery(m)).kind);
    expect(new Set(kinds)).toEqual(new Set(['metric alert', 'composite', 'slo alert']));
    for (const s of plans.flatMap((p) => p.slos)) {
      expect(parseSloQuery(s.numerator).kind).not.toBe('number');
      expect(parseSloQuery(s.denominator).kind).toBe('metric');
    }
  });

  test('the shape of a ratio: time aggregation, window, as_count terms with groups, comparator', () => {
    const q = parseMonitorQuery(
      'query alert',
      'sum(last_4h):sum:a.b{service:x,!env:dev} by {version}.as_count() / sum:c{*}.as_count() >= 0.5',
    );
    expect(q).toEqual({
      kind: 'metric alert',
      timeAggregation: 'sum',
      windowMinutes: 240,
      comparator: '>=',
      threshold: 0.5,
      expression: {
        kind: 'binary',
        op: '/',
        left: {
          kind: 'metric',
          space: 'sum',
          metric: 'a.b',
          filter: [
            { key: 'service', value: 'x', negated: false },
            { key: 'env', value: 'dev', negated: true },
          ],
          by: ['version'],
          asCount: true,
          asRate: false,
        },
        right: { kind: 'metric', space: 'sum', metric: 'c', filter: [], by: [], asCount: true, asRate: false },
      },
    });
  });

  test('composites by id or Terraform reference; SLO alerts', () => {
    expect(parseMonitorQuery('composite', '12 && !(${datadog_monitor.a.id} || 3)')).toEqual({
      kind: 'composite',
      expression: {
        kind: 'and',
        left: { kind: 'ref', id: '12' },
        right: {
          kind: 'not',
          arg: { kind: 'or', left: { kind: 'ref', id: '${datadog_monitor.a.id}' }, right: { kind: 'ref', id: '3' } },
        },
      },
    });
    expect(parseMonitorQuery('slo alert', 'error_budget("abc").over("30d") > 75')).toEqual({
      kind: 'slo alert',
      sloId: 'abc',
      timeframe: '30d',
      comparator: '>',
      threshold: 75,
    });
  });

  test.each([
    [
      'query alert',
      'sum(last_1h):sum:a{service:x}.as_count()',
      'expected a comparator (>, >=, <, <=, ==, !=) and a threshold at character 41',
    ],
    ['query alert', 'median(last_1h):sum:a{*} > 1', 'unknown time aggregation "median" at character 1'],
    [
      'query alert',
      'avg(last_5m):anomalies(sum:a{*}) > 1',
      'function anomalies() is not simulated (only default_zero) at character 14',
    ],
    ['query alert', 'sum(last_1h):sum:a{service:} > 1', '"service:" is not a tag at character 20'],
    ['query alert', 'sum(last_1h):1 > 0', 'the query reads no metric at character 1'],
    ['slo alert', 'error_budget("x").over("1d") > 1', 'SLO timeframe "1d" is not 7d, 30d or 90d at character 24'],
    ['composite', '1 && && 2', 'expected a monitor id at character 6'],
    [
      'log alert',
      'logs("x").index("*").rollup("count").last("5m") > 1',
      'monitor type "log alert" is not simulated at character 1',
    ],
  ])('%s %j is refused: %s', (type, query, message) => {
    expect(() => parseMonitorQuery(type, query)).toThrow(QueryParseError);
    expect(() => parseMonitorQuery(type, query)).toThrow(`${message} of ${JSON.stringify(query)}`);
  });
});

describe('notification routing per transition (DOC:content/en/monitors/notify/variables.md)', () => {
  const message =
    '@always {{#is_alert}}@pager{{/is_alert}}{{#is_alert_recovery}}@pager{{/is_alert_recovery}}' +
    ' {{#is_warning}}@chat{{/is_warning}} {{^is_alert}}@not-alert{{/is_alert}} link%40usr.id {{#is_match "a" "b"}}@m{{/is_match}}';

  test.each<[string | undefined, 'OK' | 'Warn' | 'Alert' | 'No Data', string[]]>([
    ['OK', 'Alert', ['@always', '@pager']],
    ['OK', 'Warn', ['@always', '@chat', '@not-alert']],
    ['Alert', 'Warn', ['@always', '@chat', '@not-alert']],
    ['Alert', 'OK', ['@always', '@not-alert', '@pager']],
    ['Warn', 'OK', ['@always', '@not-alert']],
    ['OK', 'No Data', ['@always', '@not-alert']],
  ])('%s → %s reaches %j', (from, to, handles) => {
    expect(notifiedHandles(message, from as never, to)).toEqual(handles);
  });

  test('recovery variables, nesting and handles', () => {
    expect([...transitionVariables('No Data', 'OK')].sort()).toEqual(['is_no_data_recovery', 'is_recovery']);
    expect(renderConditionals('{{#is_alert}}a{{#is_alert}}b{{/is_alert}}{{/is_alert}}c', new Set(['is_alert']))).toBe(
      'abc',
    );
    expect(handlesIn('@team@example.com and @slack-x. Not %40usr.id nor {{@x}}')).toEqual([
      '@slack-x',
      '@team@example.com',
    ]);
  });
});
