import { analyzeSpans, AnalyzeOptions } from '../../src/collector/analyze';
import { buildSeries, Series } from '../../src/collector/series';
import { requiredTagValue } from '../../src/datadog/metrics';
import { span } from './helpers';

const options: AnalyzeOptions = {
  site: 'datadoghq.com',
  defaultRequiredTags: [
    { tag: 'usr.id', scope: '@_top_level:1', slo: true },
    { tag: 'error.message', scope: 'status:error', slo: false },
  ],
};

/** Two versions of `a`: 1.0 sets usr.id on its entry span, 2.0 (the deploy that broke it) does not. */
const spans = [
  span({ traceId: '1', spanId: '10', service: 'a', attributes: { usr: { id: 'u' } } }),
  span({ traceId: '1', spanId: '11', parentId: '10', service: 'a', kind: 'internal' }),
  span({ traceId: '2', spanId: '20', service: 'a', attributes: { usr: { id: 'u' } } }),
  span({ traceId: '3', spanId: '30', service: 'a', version: '2.0' }),
  span({ traceId: '4', spanId: '40', service: 'a', version: '2.0', error: true, attributes: { usr: { id: 'u' } } }),
  span({ traceId: '5', spanId: '50', service: 'a', env: 'staging', version: undefined }),
];

const tagSeries = (series: Series[]) =>
  series
    .filter((s) => s.metric.startsWith('trace_health.tags.'))
    .map((s) => ({ metric: s.metric, type: s.type, interval: s.interval, tags: s.tags, value: s.points[0].value }));

describe('buildSeries: tag coverage', () => {
  it('sends checked and covered spans per service, env, version and required tag, zeros included', () => {
    const series = buildSeries(analyzeSpans(spans, options), 1_800_000_000, 3600);
    const tags = (env: string, version: string | undefined, tag: string) => [
      'service:a',
      `env:${env}`,
      ...(version === undefined ? [] : [`version:${version}`]),
      `required_tag:${tag}`,
    ];
    const count = (metric: string, t: string[], value: number) => ({ metric, type: 1, interval: 3600, tags: t, value });
    expect(tagSeries(series)).toEqual([
      count('trace_health.tags.checked', tags('prod', '1.0', 'error.message'), 0),
      count('trace_health.tags.checked', tags('prod', '1.0', 'usr.id'), 2),
      count('trace_health.tags.checked', tags('prod', '2.0', 'error.message'), 1),
      count('trace_health.tags.checked', tags('prod', '2.0', 'usr.id'), 2),
      count('trace_health.tags.checked', tags('staging', undefined, 'error.message'), 0),
      count('trace_health.tags.checked', tags('staging', undefined, 'usr.id'), 1),
      count('trace_health.tags.covered', tags('prod', '1.0', 'error.message'), 0),
      count('trace_health.tags.covered', tags('prod', '1.0', 'usr.id'), 2),
      count('trace_health.tags.covered', tags('prod', '2.0', 'error.message'), 0),
      count('trace_health.tags.covered', tags('prod', '2.0', 'usr.id'), 1),
      count('trace_health.tags.covered', tags('staging', undefined, 'error.message'), 0),
      count('trace_health.tags.covered', tags('staging', undefined, 'usr.id'), 0),
    ]);
  });

  it('sends the same counts as the report’s byVersion.tagCoverage', () => {
    const a = analyzeSpans(spans, options);
    const series = buildSeries(a, 1_800_000_000, 3600);
    const value = (metric: string, version: string) =>
      series.find(
        (s) => s.metric === metric && s.tags.includes(`version:${version}`) && s.tags.includes('required_tag:usr.id'),
      )!.points[0].value;
    const byV = a.services.get('a')!.coverageByVersion;
    for (const v of ['1.0', '2.0']) {
      expect(value('trace_health.tags.checked', v)).toBe(byV.get(v)!.get('usr.id')!.total);
      expect(value('trace_health.tags.covered', v)).toBe(byV.get(v)!.get('usr.id')!.covered);
    }
  });

  it('sums two rules of one tag with different scopes into one series (tags are keyed by tag, like the report)', () => {
    const a = analyzeSpans(spans, {
      site: 'datadoghq.com',
      defaultRequiredTags: [
        { tag: 'usr.id', scope: '@_top_level:1', slo: true },
        { tag: 'usr.id', scope: 'status:error', slo: false },
      ],
    });
    const prod2 = tagSeries(buildSeries(a, 1, 60)).filter((s) => s.tags.includes('version:2.0'));
    expect(prod2.map((s) => [s.metric, s.tags.at(-1), s.value])).toEqual([
      ['trace_health.tags.checked', 'required_tag:usr.id', 3],
      ['trace_health.tags.covered', 'required_tag:usr.id', 2],
    ]);
  });

  it('sends a required tag as a valid Datadog tag value', () => {
    const a = analyzeSpans(spans, {
      site: 'datadoghq.com',
      defaultRequiredTags: [{ tag: 'HTTP.Route', scope: '*', slo: false }],
    });
    const t = tagSeries(buildSeries(a, 1, 60)).map((s) => s.tags.at(-1));
    expect(new Set(t)).toEqual(new Set(['required_tag:http.route']));
  });
});

describe('requiredTagValue', () => {
  it.each([
    ['usr.id', 'usr.id'],
    ['error.message', 'error.message'],
    ['http.Request Id', 'http.request_id'],
    ['a  b!!', 'a_b'],
    ['k8s/pod-name:x', 'k8s/pod-name:x'],
    ['!!!', 'none'],
  ])('%s → %s', (tag, value) => {
    expect(requiredTagValue(tag)).toBe(value);
  });

  it('keeps the whole tag within Datadog’s 200 characters', () => {
    expect(`required_tag:${requiredTagValue('x'.repeat(300))}`.length).toBe(200);
  });
});
