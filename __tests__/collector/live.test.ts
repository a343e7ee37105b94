import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeSpans, AnalyzeOptions } from '../../src/collector/analyze';
import { runLive, LiveParams, WINDOW_MARGIN_MS } from '../../src/collector/live';
import { Span } from '../../src/collector/model';
import { mapDatadogSpan } from '../../src/collector/readers/datadog';
import { buildReport } from '../../src/collector/report';
import { readState } from '../../src/collector/state';
import { datadogItem, syntheticTraces } from '../../bench/synthetic-spans';
import { main } from '../../src/cli';
import { memoryIo } from '../../src/cli/io';
import { UserError } from '../../src/errors';
import { metricsRoutes, metricsStore, MetricsStore } from '../fake-datadog/routes/metrics';
import { spansRoutes, spansStore, SpansStore } from '../fake-datadog/routes/spans';
import { FakeDatadog } from '../fake-datadog/server';

const MIN = 60_000;
const KEYS = { apiKey: 'api-key-secret-1234', appKey: 'app-key-secret-5678' };
const options: AnalyzeOptions = {
  site: 'datadoghq.eu',
  internalServices: ['payments-api', 'user-profile', 'checkout-api'],
  entrypoints: ['web-gateway'],
  defaultRequiredTags: [{ tag: 'usr.id', scope: '@_top_level:1', slo: true }],
};

describe('collect --live against the fake Datadog API', () => {
  let dd: FakeDatadog;
  let spans: SpansStore;
  let metrics: MetricsStore;
  let dir: string;
  let now: number;

  beforeEach(async () => {
    now = Date.now();
    const items = [];
    for (const t of syntheticTraces({ traces: 260, seed: 3, startMs: now - 40 * MIN, spanMs: 30 * MIN }))
      items.push(...t.map(datadogItem));
    spans = spansStore(items as SpansStore['spans']);
    spans.keys = KEYS;
    metrics = metricsStore();
    dd = await FakeDatadog.start([spansRoutes(spans), metricsRoutes(metrics)]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collect-live-'));
  });
  afterEach(async () => {
    await dd.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const params = (over: Partial<LiveParams> = {}): LiveParams => ({
    io: memoryIo({ DD_API_KEY: KEYS.apiKey, DD_APP_KEY: KEYS.appKey, DD_HOST: dd.url }),
    options,
    envs: ['prod'],
    from: now - 45 * MIN,
    to: now,
    fromExplicit: true,
    now,
    maxRequests: 75,
    submit: false,
    ...over,
  });

  const searches = () => dd.requestsTo('POST', '/api/v2/spans/events/search');
  const acceptedSeries = () => metrics.payloads.flatMap((p) => p.series);

  function offline(from: number, to: number) {
    const mapped = spans.spans.map((s) => mapDatadogSpan(s.attributes)).filter((s): s is Span => typeof s !== 'string');
    return buildReport(analyzeSpans(mapped, { ...options, window: { from, to } }));
  }

  it('pages through the window oldest first and finds what the offline analysis finds', async () => {
    const a = await runLive(params());
    expect(a).toBeDefined();
    const pages = searches();
    expect(pages.length).toBe(Math.ceil(spans.spans.length / 1000));
    const first = pages[0].body as { data: { attributes: Record<string, unknown> } };
    expect(first.data.attributes).toMatchObject({
      filter: {
        query: 'retained_by:flat_sampled env:prod',
        from: new Date(now - 45 * MIN - WINDOW_MARGIN_MS).toISOString(),
        to: new Date(now).toISOString(),
      },
      sort: 'timestamp',
      page: { limit: 1000 },
    });
    expect(
      (pages[1].body as { data: { attributes: { page: { cursor?: string } } } }).data.attributes.page.cursor,
    ).toBeTruthy();
    expect(buildReport(a!)).toEqual(offline(now - 45 * MIN, now - WINDOW_MARGIN_MS));
    expect(buildReport(a!).services['payments-api'].unexpectedRoots).toBeGreaterThan(0);
  });

  it('waits out 429s with the reset hint and 5xx, counting every attempt against the budget', async () => {
    dd.inject({ path: '/api/v2/spans/events/search', status: 429, headers: { 'x-ratelimit-reset': '0' }, times: 2 });
    dd.inject({ path: '/api/v2/spans/events/search', status: 503, headers: { 'x-ratelimit-reset': '0' } });
    const io = params().io as ReturnType<typeof memoryIo>;
    const a = await runLive(params({ io }));
    expect(searches().map((r) => r.status)).toEqual([429, 429, 503, 200, 200, 200]);
    expect(a!.totals.traces).toBeGreaterThan(0);
    expect(io.stderr).toMatch(/pulled \d+ spans in 3 pages \(6 requests, 3 retried\)/);
  });

  it('stops at the request budget, covers only the part that arrived whole, and continues there next run', async () => {
    const state = path.join(dir, 'state.json');
    const io = params().io as ReturnType<typeof memoryIo>;
    const a = await runLive(params({ io, maxRequests: 2, statePath: state, stateShown: 'state.json' }));
    expect(searches().length).toBe(2);
    const end = Date.parse(readState(state, 'state.json').lastWindowEnd!);
    expect(end).toBeLessThan(now - WINDOW_MARGIN_MS);
    expect(io.stderr).toContain('request budget spent: this run covers');
    expect(buildReport(a!)).toEqual(offline(now - 45 * MIN, end));
    // The next run starts where this one ended.
    await runLive(params({ statePath: state, stateShown: 'state.json', fromExplicit: false }));
    const next = searches()[2].body as { data: { attributes: { filter: { from: string } } } };
    expect(next.data.attributes.filter.from).toBe(new Date(end - WINDOW_MARGIN_MS).toISOString());
  });

  it('fails with the budget message when not even one page fits', async () => {
    dd.inject({ path: '/api/v2/spans/events/search', status: 429, headers: { 'x-ratelimit-reset': '0' }, times: 5 });
    await expect(runLive(params({ maxRequests: 2 }))).rejects.toThrow(
      /--max-requests 2: the request budget ran out before any complete part of the window/,
    );
  });

  it('asks a page Datadog marked partial (meta.status "timeout") again, and analyses only the whole answer', async () => {
    spans.partial = { page: 2, times: 1, status: 'timeout' };
    const io = params().io as ReturnType<typeof memoryIo>;
    const a = await runLive(params({ io }));
    expect(searches().length).toBe(Math.ceil(spans.spans.length / 1000) + 1);
    expect(buildReport(a!)).toEqual(offline(now - 45 * MIN, now - WINDOW_MARGIN_MS));
    expect(io.stderr).not.toContain('partial');
    // Every span once: the half page was dropped, the whole one read.
    expect(io.stderr).toContain(`pulled ${spans.spans.length} spans in 3 pages (4 requests, 1 retried)`);
  });

  it('cuts the window before a page that stays partial, as for the budget, and continues there next run', async () => {
    spans.partial = { page: 2, times: 3, status: 'timeout' };
    const state = path.join(dir, 'state.json');
    const io = params().io as ReturnType<typeof memoryIo>;
    const a = await runLive(params({ io, statePath: state, stateShown: 'state.json' }));
    expect(searches().length).toBe(4); // page 1, then page 2 three times
    const end = Date.parse(readState(state, 'state.json').lastWindowEnd!);
    expect(end).toBeLessThan(now - WINDOW_MARGIN_MS);
    expect(io.stderr).toContain(
      `POST /api/v2/spans/events/search (page 2): Datadog answered meta.status "timeout" 3 times: this run covers ${new Date(now - 45 * MIN).toISOString()} → ${new Date(end).toISOString()} (pulled whole); the next run continues from there\n`,
    );
    // Exactly what an analysis of the whole data says for the part kept: no missing span became an orphan.
    expect(buildReport(a!)).toEqual(offline(now - 45 * MIN, end));
  });

  it('analyses nothing when the first page stays partial (meta.warnings), and says why in one line (exit 1)', async () => {
    const warning = { code: 'unknown_index', title: 'One or several indexes are missing or invalid', detail: 'x' };
    spans.partial = { page: 1, times: 3, warnings: [warning] };
    const err = await runLive(params()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(1);
    expect((err as Error).message).toBe(
      `POST /api/v2/spans/events/search (page 1): Datadog answered warning "unknown_index: One or several indexes are missing or invalid: x" 3 times: the results may be partial, and no complete part of the window ${new Date(now - 45 * MIN).toISOString()} → ${new Date(now - WINDOW_MARGIN_MS).toISOString()} came before it; nothing is analysed (a partial pull would turn missing spans into orphans). Try a shorter window (--from) or later`,
    );
  });

  it('submits count metrics once per window; a rerun submits nothing', async () => {
    const state = path.join(dir, 'state.json');
    await runLive(params({ submit: true, statePath: state, stateShown: 'state.json' }));
    const series = acceptedSeries();
    const checked = series.filter((s) => s.metric === 'trace_health.spans.checked');
    expect(checked.length).toBeGreaterThan(5);
    expect(checked.every((s) => s.type === 1 && s.points.length === 1)).toBe(true);
    expect(
      series.find((s) => s.metric === 'trace_health.roots.unexpected' && s.tags?.includes('service:payments-api')),
    ).toMatchObject({ points: [{ value: expect.any(Number) }] });
    expect(
      series.find((s) => s.metric === 'trace_health.tracers.families' && s.tags?.includes('service:search-api')),
    ).toMatchObject({ type: 3, points: [{ value: 2 }], tags: ['service:search-api', 'env:prod'] });
    expect(
      series.find((s) => s.metric === 'trace_health.calls.unpaired' && s.tags?.includes('peer_service:payments-api')),
    ).toMatchObject({ tags: ['service:checkout-api', 'env:prod', 'version:2.14.0', 'peer_service:payments-api'] });
    // Tag coverage by version (the dashboards' "coverage by version"): web-gateway 5.2.0 stopped setting usr.id.
    const tagValue = (metric: string, tags: string[]) =>
      series.find((s) => s.metric === metric && JSON.stringify(s.tags) === JSON.stringify(tags))?.points[0].value;
    const gw = (v: string) => ['service:web-gateway', 'env:prod', `version:${v}`, 'required_tag:usr.id'];
    const gwChecked = (v: string) => tagValue('trace_health.tags.checked', gw(v))!;
    expect(gwChecked('5.1.0')).toBeGreaterThan(0);
    expect(tagValue('trace_health.tags.covered', gw('5.1.0'))).toBe(gwChecked('5.1.0'));
    expect(gwChecked('5.2.0')).toBeGreaterThan(0);
    expect(tagValue('trace_health.tags.covered', gw('5.2.0'))).toBe(0);
    expect(series.find((s) => s.metric === 'trace_health.tags.covered')).toMatchObject({
      type: 1,
      interval: (45 * MIN - WINDOW_MARGIN_MS) / 1000,
    });
    // Every (service, version) coverage in the payload is exactly the offline report's byVersion.tagCoverage.
    const report = offline(now - 45 * MIN, now - WINDOW_MARGIN_MS);
    const expected: string[] = [];
    for (const [svc, r] of Object.entries(report.services))
      for (const [v, bv] of Object.entries(r.byVersion))
        for (const [tag, c] of Object.entries(bv.tagCoverage))
          expected.push(`${svc} ${v} ${tag} ${c.total} ${c.covered}`);
    const sent: string[] = [];
    for (const s of series.filter((x) => x.metric === 'trace_health.tags.checked' && x.points[0].value > 0)) {
      const tag = (k: string) => s.tags!.find((t) => t.startsWith(`${k}:`))!.slice(k.length + 1);
      const covered = tagValue('trace_health.tags.covered', s.tags!);
      sent.push(`${tag('service')} ${tag('version')} ${tag('required_tag')} ${s.points[0].value} ${covered}`);
    }
    expect(sent.sort()).toEqual(expected.sort());
    expect(sent.length).toBeGreaterThan(5);
    const total = checked.reduce((n, s) => n + s.points[0].value, 0);
    const st = readState(state, 'state.json');
    expect(st.pending).toBeUndefined();
    expect(st.lastWindowEnd).toBe(new Date(now - WINDOW_MARGIN_MS).toISOString());

    const io = params().io as ReturnType<typeof memoryIo>;
    expect(await runLive(params({ io, submit: true, statePath: state, stateShown: 'state.json' }))).toBeUndefined();
    expect(io.stderr).toContain('nothing to collect');
    expect(metrics.payloads.length).toBe(1);
    expect(searches().length).toBe(3);
    expect(total).toBeGreaterThan(1000);
  });

  it('a crash between pull and submit loses nothing and duplicates nothing', async () => {
    const state = path.join(dir, 'state.json');
    await expect(
      runLive(
        params({
          submit: true,
          statePath: state,
          stateShown: 'state.json',
          afterSave: () => {
            throw new Error('killed');
          },
        }),
      ),
    ).rejects.toThrow('killed');
    expect(metrics.payloads).toEqual([]);
    const saved = readState(state, 'state.json');
    expect(saved.pending?.sent).toEqual([false]);
    expect(saved.lastWindowEnd).toBeUndefined();

    // The rerun sends the saved payload as it was (same window, same timestamps) and pulls nothing again for it.
    const io = params().io as ReturnType<typeof memoryIo>;
    await runLive(params({ io, submit: true, statePath: state, stateShown: 'state.json', fromExplicit: false }));
    expect(metrics.payloads).toEqual([saved.pending!.payloads[0]]);
    expect(readState(state, 'state.json').pending).toBeUndefined();
    expect(io.stderr).toMatch(/submitted \d+ series in 1 payload\(s\)/);
    expect(searches().length).toBe(3);
  });

  it('keeps a submission the intake refused for the next run', async () => {
    const state = path.join(dir, 'state.json');
    dd.inject({ path: '/api/v2/series', status: 500, headers: { 'x-ratelimit-reset': '0' }, times: 4 });
    await expect(runLive(params({ submit: true, statePath: state, stateShown: 'state.json' }))).rejects.toThrow(
      /POST \/api\/v2\/series \(payload 1 of 1; kept in the state file for the next run\): HTTP 500/,
    );
    expect(readState(state, 'state.json').pending?.sent).toEqual([false]);
    await runLive(params({ submit: true, statePath: state, stateShown: 'state.json' }));
    expect(metrics.payloads.length).toBe(1);
  });

  it('refuses to submit a window older than the metrics intake accepts', async () => {
    await expect(runLive(params({ submit: true, from: now - 3 * 60 * MIN, to: now - 2 * 60 * MIN }))).rejects.toThrow(
      /the metrics intake rejects points older than 1 hour/,
    );
    expect(searches()).toEqual([]);
  });

  it('names refused keys without printing them', async () => {
    const io = memoryIo({ DD_API_KEY: 'wrong-key-0000', DD_APP_KEY: KEYS.appKey, DD_HOST: dd.url });
    let err: unknown;
    try {
      await runLive(params({ io }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/HTTP 403.*check DD_API_KEY/);
    expect((err as UserError).message).not.toContain('wrong-key-0000');
    expect((err as UserError).exitCode).toBe(1);
  });

  it('runs from the command line: JSON report on stdout, summary on stderr, state written, exit 0', async () => {
    const io = memoryIo({ DD_API_KEY: KEYS.apiKey, DD_APP_KEY: KEYS.appKey, DD_HOST: dd.url }, dir);
    const code = await main(
      ['collect', '--live', '--from', '45m', '--submit', '--state', 'state.json', '--format', 'json'],
      io,
    );
    expect(code).toBe(0);
    const report = JSON.parse(io.stdout);
    expect(report.totals.traces).toBeGreaterThan(100);
    expect(io.stderr).toMatch(/^pulled \d+ spans in 3 pages \(3 requests, 0 retried\) for /m);
    expect(io.stderr).toMatch(/^submitted \d+ series in 1 payload\(s\) for /m);
    expect(io.stderr + io.stdout).not.toContain(KEYS.apiKey);
    expect(io.stderr + io.stdout).not.toContain(KEYS.appKey);
    expect(fs.existsSync(path.join(dir, 'state.json'))).toBe(true);
    // No policy in this folder: every env is pulled.
    expect(spans.queries[0]).toBe('retained_by:flat_sampled');
  });

  it('exits 1 with one line when the Spans API keeps failing', async () => {
    dd.inject({ path: '/api/v2/spans/events/search', status: 500, headers: { 'x-ratelimit-reset': '0' }, times: 10 });
    const io = memoryIo({ DD_API_KEY: KEYS.apiKey, DD_APP_KEY: KEYS.appKey, DD_HOST: dd.url }, dir);
    const code = await main(['collect', '--live'], io);
    expect(code).toBe(1);
    expect(io.stderr).toMatch(/^trace-health: POST \/api\/v2\/spans\/events\/search \(page 1\): HTTP 500: .*\n$/);
    expect(searches().length).toBe(4);
  });

  it('the fake also serves GET /api/v2/spans/events (listSpansGet) with cursor pagination', async () => {
    const { datadogClient } = await import('../../src/collector/spans-api');
    const client = datadogClient({ baseUrl: dd.url, ...KEYS }, 10);
    let cursor: string | undefined;
    let total = 0;
    for (let page = 0; page < 10; page++) {
      const res = await client.spans.listSpansGet({
        filterQuery: 'retained_by:flat_sampled',
        filterFrom: new Date(now - 60 * MIN).toISOString(),
        filterTo: new Date(now).toISOString(),
        sort: 'timestamp',
        pageLimit: 1000,
        ...(cursor ? { pageCursor: cursor } : {}),
      });
      total += res.data?.length ?? 0;
      cursor = res.meta?.page?.after;
      if (!cursor) break;
    }
    expect(total).toBe(spans.spans.length);
    expect(dd.requestsTo('GET', '/api/v2/spans/events').length).toBe(Math.ceil(spans.spans.length / 1000));
  });

  it('needs both keys from the environment', async () => {
    await expect(runLive(params({ io: memoryIo({ DD_HOST: dd.url }) }))).rejects.toThrow(
      /DD_API_KEY and DD_APP_KEY are not set/,
    );
  });
});
