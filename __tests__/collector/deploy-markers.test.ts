import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeSpans, AnalyzeOptions } from '../../src/collector/analyze';
import { decideMarkers, VERSION_MEMORY_MS, versionsIn } from '../../src/collector/deploy-markers';
import { runLive, LiveParams } from '../../src/collector/live';
import { Span } from '../../src/collector/model';
import { mapDatadogSpan } from '../../src/collector/readers/datadog';
import { readState, STATE_FORMAT, STATE_VERSION } from '../../src/collector/state';
import {
  deployEventAggregationKey,
  deployEventBody,
  deployMarkerQuery,
  VersionFirstSeen,
} from '../../src/datadog/deploy-events';
import { datadogItem, syntheticTraces } from '../../bench/synthetic-spans';
import { memoryIo } from '../../src/cli/io';
import { eventsRoutes, eventsStore, EventsStore } from '../fake-datadog/routes/events';
import { metricsRoutes, metricsStore, MetricsStore } from '../fake-datadog/routes/metrics';
import { spansRoutes, spansStore, SpansStore } from '../fake-datadog/routes/spans';
import { FakeDatadog } from '../fake-datadog/server';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

describe('decideMarkers: which versions are new', () => {
  /** `env` null: spans without env. */
  const seen = (service: string, version: string, at: number, env: string | null = 'prod'): VersionFirstSeen => ({
    service,
    ...(env !== null ? { env } : {}),
    version,
    firstSeen: iso(at),
  });

  it('records the first window as the baseline and marks nothing', () => {
    const d = decideMarkers(undefined, [seen('api', '1.0.0', T0), seen('web', '2.0.0', T0)], T0 + MIN);
    expect(d.events).toEqual([]);
    expect(d.baseline).toBe(2);
    expect(d.versions).toEqual({
      api: { prod: { '1.0.0': iso(T0 + MIN) } },
      web: { prod: { '2.0.0': iso(T0 + MIN) } },
    });
  });

  it('keeps waiting for a baseline while nothing was seen', () => {
    expect(decideMarkers(undefined, [], T0)).toEqual({ versions: undefined, events: [], baseline: 0 });
  });

  it('marks each new (service, env, version) once, and never again', () => {
    const first = decideMarkers(undefined, [seen('api', '1.0.0', T0)], T0 + MIN);
    const next = [seen('api', '1.0.0', T0 + 2 * MIN), seen('api', '1.1.0', T0 + 3 * MIN)];
    const second = decideMarkers(first.versions, next, T0 + 5 * MIN);
    expect(second.events).toEqual([seen('api', '1.1.0', T0 + 3 * MIN)]);
    expect(second.baseline).toBe(0);
    expect(second.versions).toEqual({ api: { prod: { '1.0.0': iso(T0 + 5 * MIN), '1.1.0': iso(T0 + 5 * MIN) } } });
    // The same version in another env is another deploy; a version without env is keyed ''.
    const third = decideMarkers(
      second.versions,
      [
        seen('api', '1.1.0', T0 + 6 * MIN),
        seen('api', '1.1.0', T0 + 6 * MIN, 'staging'),
        seen('api', '1.1.0', T0, null),
      ],
      T0 + 10 * MIN,
    );
    expect(third.events).toEqual([seen('api', '1.1.0', T0 + 6 * MIN, 'staging'), seen('api', '1.1.0', T0, null)]);
    expect(Object.keys(third.versions!.api)).toEqual(['', 'prod', 'staging']);
    expect(decideMarkers(third.versions, [seen('api', '1.1.0', T0 + 11 * MIN)], T0 + 12 * MIN).events).toEqual([]);
  });

  it('forgets a version 30 days after it was last seen: its return is a deploy again', () => {
    const first = decideMarkers(undefined, [seen('api', '1.0.0', T0), seen('api', '0.9.0', T0)], T0);
    const later = decideMarkers(first.versions, [seen('api', '1.0.0', T0 + 20 * DAY)], T0 + 20 * DAY);
    expect(later.events).toEqual([]);
    const after = decideMarkers(
      later.versions,
      [seen('api', '1.0.0', T0 + VERSION_MEMORY_MS + DAY)],
      T0 + VERSION_MEMORY_MS + DAY,
    );
    // 1.0.0 was seen 11 days ago: remembered; 0.9.0 was last seen 31 days ago: forgotten.
    expect(after.versions).toEqual({ api: { prod: { '1.0.0': iso(T0 + VERSION_MEMORY_MS + DAY) } } });
    const back = decideMarkers(after.versions, [seen('api', '0.9.0', T0 + 32 * DAY)], T0 + 32 * DAY);
    expect(back.events).toEqual([seen('api', '0.9.0', T0 + 32 * DAY)]);
  });

  it('versionsIn: every versioned group with its earliest counted span, sorted', () => {
    const spans: Span[] = [];
    for (const t of syntheticTraces({ traces: 120, seed: 5, startMs: T0, spanMs: 30 * MIN }))
      for (const s of t) {
        const m = mapDatadogSpan((datadogItem(s) as { attributes: Record<string, unknown> }).attributes);
        if (typeof m !== 'string') spans.push(m);
      }
    const seenVersions = versionsIn(analyzeSpans(spans, { site: 'datadoghq.eu' }));
    const gw = seenVersions.filter((v) => v.service === 'web-gateway');
    expect(gw.map((v) => v.version)).toEqual(['5.1.0', '5.2.0']);
    const firstOf = (version: string) =>
      Math.min(
        ...spans
          .filter((s) => s.service === 'web-gateway' && s.version === version && !s.excludedBy)
          .map((s) => s.start),
      );
    expect(gw[1]).toEqual({ service: 'web-gateway', env: 'prod', version: '5.2.0', firstSeen: iso(firstOf('5.2.0')) });
    expect(Date.parse(gw[1].firstSeen)).toBeGreaterThanOrEqual(T0 + 20 * MIN - MIN);
    const keys = seenVersions.map((v) => `${v.service} ${v.version}`);
    expect(keys).toEqual([...keys].sort());
  });
});

describe("the deploy marker event and the dashboards' overlay query", () => {
  const event: VersionFirstSeen = {
    service: 'web-gateway',
    env: 'prod',
    version: '5.2.0',
    firstSeen: '2026-11-28T11:40:00.123Z',
  };

  it('is a v1 event tagged with the marker tag and service, env, version', () => {
    expect(deployEventBody(event, 'datadoghq.eu')).toEqual({
      title: 'web-gateway 5.2.0 first seen in prod (trace-health)',
      text:
        '%%% \n' +
        "Version `5.2.0` of `web-gateway` in `env:prod` first appeared at 2026-11-28T11:40:00.123Z: the earliest span of that version in the sampled complete traces trace-health's collector reads. A new version is nearly always a deploy; the marker can be a little late (only sampled traces are read), never early.\n" +
        '\n' +
        '[Spans of this version](https://app.datadoghq.eu/apm/traces?query=service%3Aweb-gateway%20env%3Aprod%20version%3A5.2.0) · [APM service page](https://app.datadoghq.eu/apm/services/web-gateway?env=prod)\n' +
        ' %%%',
      tags: ['trace_health:version_first_seen', 'service:web-gateway', 'env:prod', 'version:5.2.0'],
      aggregationKey: 'trace_health:version_first_seen:web-gateway:prod',
      alertType: 'info',
      dateHappened: Date.UTC(2026, 10, 28, 11, 40, 0) / 1000,
    });
  });

  it('leaves env out when the spans had none, and keeps backticks from breaking the Markdown', () => {
    const b = deployEventBody({ service: 'batch', version: 'v`1', firstSeen: '2026-11-28T11:40:00Z' }, 'datadoghq.com');
    expect(b.title).toBe('batch v`1 first seen (trace-health)');
    expect(b.tags).toEqual(['trace_health:version_first_seen', 'service:batch', 'version:v`1']);
    expect(b.text).toContain("Version `v'1` of `batch` first appeared at");
    expect(b.aggregationKey).toBe('trace_health:version_first_seen:batch:');
  });

  it('keeps the aggregation key within 100 characters, distinct per service', () => {
    const long = 'a'.repeat(90);
    const k1 = deployEventAggregationKey(`${long}-one`, 'prod');
    const k2 = deployEventAggregationKey(`${long}-two`, 'prod');
    expect(k1.length).toBe(100);
    expect(k1).not.toBe(k2);
    expect(k1).toMatch(/^trace_health:version_first_seen:a+:[0-9a-f]{6}$/);
  });

  it('the overlay query finds the markers of one service in the dashboard env', () => {
    expect(deployMarkerQuery('checkout-api')).toBe(
      'trace_health:version_first_seen (service:checkout-api OR tags:("service:checkout-api")) $env',
    );
    // What the collector tags and what the query looks for are the same marker tag.
    expect(deployMarkerQuery('x').split(' ')[0]).toBe(deployEventBody(event, 'datadoghq.eu').tags[0]);
  });
});

describe('collect --live --submit --state: deploy markers against the fake Datadog API', () => {
  const KEYS = { apiKey: 'api-key-secret-1234', appKey: 'app-key-secret-5678' };
  const options: AnalyzeOptions = {
    site: 'datadoghq.eu',
    internalServices: ['payments-api', 'user-profile', 'checkout-api'],
    entrypoints: ['web-gateway'],
    defaultRequiredTags: [{ tag: 'usr.id', scope: '@_top_level:1', slo: true }],
  };
  let dd: FakeDatadog;
  let spans: SpansStore;
  let metrics: MetricsStore;
  let events: EventsStore;
  let dir: string;
  let state: string;
  let now: number;

  beforeEach(async () => {
    now = Date.now();
    const items = [];
    // 40 → 10 minutes ago; inventory-api 3.1.0 from 25 minutes ago, web-gateway 5.2.0 from 20 minutes ago.
    for (const t of syntheticTraces({ traces: 260, seed: 3, startMs: now - 40 * MIN, spanMs: 30 * MIN }))
      items.push(...t.map(datadogItem));
    spans = spansStore(items as SpansStore['spans']);
    spans.keys = KEYS;
    metrics = metricsStore();
    events = eventsStore();
    events.apiKey = KEYS.apiKey;
    dd = await FakeDatadog.start([spansRoutes(spans), metricsRoutes(metrics), eventsRoutes(events)]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-markers-'));
    state = path.join(dir, 'state.json');
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
    fromExplicit: false,
    now,
    maxRequests: 75,
    submit: true,
    statePath: state,
    stateShown: 'state.json',
    ...over,
  });
  const eventRequests = () => dd.requestsTo('POST', '/api/v1/events');
  /** Run 1: the first 12 minutes of traffic, before either deploy: the baseline. */
  async function baseline() {
    const io = memoryIo({ DD_API_KEY: KEYS.apiKey, DD_APP_KEY: KEYS.appKey, DD_HOST: dd.url });
    await runLive(params({ io, to: now - 28 * MIN, fromExplicit: true }));
    return io;
  }
  /** The earliest span of a version that the collector counts (spans kept without their trace are not). */
  const firstStart = (service: string, version: string) => {
    let min = Infinity;
    for (const item of spans.spans) {
      const s = mapDatadogSpan(item.attributes);
      if (typeof s !== 'string' && s.service === service && s.version === version && s.excludedBy === undefined)
        min = Math.min(min, s.start);
    }
    return min;
  };
  const expectedEvents = () => [
    {
      title: 'inventory-api 3.1.0 first seen in prod (trace-health)',
      tags: ['trace_health:version_first_seen', 'service:inventory-api', 'env:prod', 'version:3.1.0'],
      aggregation_key: 'trace_health:version_first_seen:inventory-api:prod',
      alert_type: 'info',
      date_happened: Math.floor(firstStart('inventory-api', '3.1.0') / 1000),
    },
    {
      title: 'web-gateway 5.2.0 first seen in prod (trace-health)',
      tags: ['trace_health:version_first_seen', 'service:web-gateway', 'env:prod', 'version:5.2.0'],
      aggregation_key: 'trace_health:version_first_seen:web-gateway:prod',
      alert_type: 'info',
      date_happened: Math.floor(firstStart('web-gateway', '5.2.0') / 1000),
    },
  ];
  const posted = () =>
    events.events.map((e) => ({
      title: e.title,
      tags: e.tags,
      aggregation_key: e.aggregation_key,
      alert_type: e.alert_type,
      date_happened: e.date_happened,
    }));

  it('posts one event per new version, none for the baseline, none on a rerun', async () => {
    const io1 = await baseline();
    expect(eventRequests()).toEqual([]);
    expect(io1.stderr).toMatch(
      /^state\.json: first run with deploy markers: 14 running version\(s\) recorded as already deployed; each version seen from now on gets a marker$/m,
    );
    const base = readState(state, 'state.json').versions!;
    expect(Object.keys(base['web-gateway'].prod)).toEqual(['5.1.0']);
    expect(Object.keys(base['inventory-api'].prod)).toEqual(['3.0.0']);

    const io2 = memoryIo({ DD_API_KEY: KEYS.apiKey, DD_APP_KEY: KEYS.appKey, DD_HOST: dd.url });
    await runLive(params({ io: io2 }));
    expect(posted()).toEqual(expectedEvents());
    expect(eventRequests().map((r) => [r.status, r.headers['dd-api-key']])).toEqual([
      [202, KEYS.apiKey],
      [202, KEYS.apiKey],
    ]);
    expect(io2.stderr).toMatch(
      /^posted 2 deploy marker\(s\) for new versions: inventory-api 3\.1\.0 \(prod\), web-gateway 5\.2\.0 \(prod\)$/m,
    );
    const st = readState(state, 'state.json');
    expect(st.pending).toBeUndefined();
    expect(Object.keys(st.versions!['web-gateway'].prod)).toEqual(['5.1.0', '5.2.0']);
    expect(st.versions!['web-gateway'].prod['5.2.0']).toBe(st.lastWindowEnd);
    expect(metrics.payloads.length).toBe(2);

    // Rerun: the window is processed (nothing to collect); a later window with the same versions marks nothing.
    await runLive(params());
    spans.spans.push(
      ...[...syntheticTraces({ traces: 30, seed: 9, startMs: now, spanMs: 2 * MIN })]
        .flat()
        .map((s) => datadogItem(s) as SpansStore['spans'][number]),
    );
    const later = now + 5 * MIN;
    await runLive(params({ now: later, to: later }));
    expect(metrics.payloads.length).toBe(3);
    expect(eventRequests().length).toBe(2);
  });

  it('a crash between save and send loses no marker and posts none twice', async () => {
    await baseline();
    await expect(
      runLive(
        params({
          afterSave: () => {
            throw new Error('killed');
          },
        }),
      ),
    ).rejects.toThrow('killed');
    expect(events.events).toEqual([]);
    const saved = readState(state, 'state.json');
    expect(saved.pending?.events?.map((e) => `${e.service} ${e.version}`)).toEqual([
      'inventory-api 3.1.0',
      'web-gateway 5.2.0',
    ]);
    expect(saved.pending?.eventsDone).toEqual([false, false]);
    // The new versions are remembered in the same write: the rerun cannot mark them a second time.
    expect(Object.keys(saved.versions!['web-gateway'].prod)).toEqual(['5.1.0', '5.2.0']);

    const io = memoryIo({ DD_API_KEY: KEYS.apiKey, DD_APP_KEY: KEYS.appKey, DD_HOST: dd.url });
    await runLive(params({ io }));
    expect(posted()).toEqual(expectedEvents());
    expect(metrics.payloads.length).toBe(2);
    expect(readState(state, 'state.json').pending).toBeUndefined();
    expect(io.stderr).toContain('posted 2 deploy marker(s) for new versions');
    await runLive(params());
    expect(eventRequests().length).toBe(2);
  });

  it('retries a 5xx; an intake that keeps failing keeps the rest for the next run, exit 1', async () => {
    await baseline();
    dd.inject({ path: '/api/v1/events', status: 503, headers: { 'x-ratelimit-reset': '0' } });
    // The first marker goes through after one retry; the second fails 4 times (the client's 3 retries).
    dd.inject({ path: '/api/v1/events', delayMs: 0, times: 1 });
    dd.inject({ path: '/api/v1/events', status: 500, headers: { 'x-ratelimit-reset': '0' }, times: 4 });
    let err: unknown;
    try {
      await runLive(params());
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).toMatch(
      /^POST \/api\/v1\/events \(deploy marker 2 of 2: web-gateway 5\.2\.0 \(prod\); kept in the state file for the next run\): HTTP 500: /,
    );
    expect((err as { exitCode: number }).exitCode).toBe(1);
    expect(eventRequests().map((r) => r.status)).toEqual([503, 202, 500, 500, 500, 500]);
    expect(posted()).toEqual([expectedEvents()[0]]);
    const saved = readState(state, 'state.json');
    expect(saved.pending?.sent).toEqual([true]);
    expect(saved.pending?.eventsDone).toEqual([true, false]);

    // Metrics went out; the next run posts only the marker that is left, then moves on.
    await runLive(params());
    expect(posted()).toEqual(expectedEvents());
    expect(metrics.payloads.length).toBe(2);
    expect(readState(state, 'state.json').pending).toBeUndefined();
  });

  it('drops a marker Datadog refuses as invalid instead of holding back every later run', async () => {
    await baseline();
    dd.inject({ path: '/api/v1/events', status: 400, body: { errors: ['Event too large'] } });
    const io = memoryIo({ DD_API_KEY: KEYS.apiKey, DD_APP_KEY: KEYS.appKey, DD_HOST: dd.url });
    await runLive(params({ io }));
    expect(io.stderr).toMatch(
      /^POST \/api\/v1\/events \(deploy marker 1 of 2: inventory-api 3\.1\.0 \(prod\); refused, dropped\): HTTP 400: \{"errors":\["Event too large"\]\}$/m,
    );
    expect(posted()).toEqual([expectedEvents()[1]]);
    expect(readState(state, 'state.json').pending).toBeUndefined();
  });

  it('skips a saved marker older than the events intake accepts (18 hours), posts the rest', async () => {
    const old = { service: 'api', env: 'prod', version: '1.0.0', firstSeen: iso(now - 19 * 60 * MIN) };
    const recent = { service: 'api', env: 'prod', version: '1.1.0', firstSeen: iso(now - 2 * 60 * MIN) };
    const window = { from: iso(now - 3 * 60 * MIN), to: iso(now - 2 * 60 * MIN) };
    fs.writeFileSync(
      state,
      JSON.stringify({
        format: STATE_FORMAT,
        version: STATE_VERSION,
        pending: { window, payloads: [], sent: [], events: [old, recent], eventsDone: [false, false] },
        versions: { api: { prod: { '1.0.0': window.to, '1.1.0': window.to } } },
      }),
    );
    const io = memoryIo({ DD_API_KEY: KEYS.apiKey, DD_APP_KEY: KEYS.appKey, DD_HOST: dd.url });
    await runLive(params({ io }));
    expect(io.stderr).toContain(
      `state.json: the deploy marker for api 1.0.0 (prod) (first seen ${old.firstSeen}) was never posted and is now older than the events intake accepts (18 hours); skipping it`,
    );
    expect(events.events[0].title).toBe('api 1.1.0 first seen in prod (trace-health)');
    expect(events.events.filter((e) => e.title.startsWith('api '))).toHaveLength(1);
    // Then the run goes on with the window after the saved one (whose services are all new to this state).
    expect(readState(state, 'state.json').lastWindowEnd).toBe(iso(now - MIN));
  });

  it('without --state, submits metrics but posts no markers, and says why', async () => {
    const io = memoryIo({ DD_API_KEY: KEYS.apiKey, DD_APP_KEY: KEYS.appKey, DD_HOST: dd.url });
    await runLive(params({ io, statePath: undefined, stateShown: undefined }));
    expect(metrics.payloads.length).toBe(1);
    expect(eventRequests()).toEqual([]);
    expect(io.stderr).toMatch(
      /^deploy markers: not posted without --state \(each new version is marked once, remembered there\)$/m,
    );
  });

  it('without --submit, tells that saved markers wait for it', async () => {
    await baseline();
    await expect(
      runLive(
        params({
          afterSave: () => {
            throw new Error('killed');
          },
        }),
      ),
    ).rejects.toThrow('killed');
    const io = memoryIo({ DD_API_KEY: KEYS.apiKey, DD_APP_KEY: KEYS.appKey, DD_HOST: dd.url });
    await runLive(params({ io, submit: false }));
    expect(io.stderr).toContain(
      'state.json: a previous run left metrics and deploy markers unsent; run with --submit to send them',
    );
    expect(eventRequests()).toEqual([]);
  });
});

describe('state file: deploy-marker fields are checked', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-state-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (doc: object) => {
    const f = path.join(dir, 'state.json');
    fs.writeFileSync(f, JSON.stringify({ format: STATE_FORMAT, version: STATE_VERSION, ...doc }));
    return f;
  };

  it('fails when versions is not service → env → version → ISO time', () => {
    const f = write({ versions: { api: { prod: { '1.0.0': 'yesterday' } } } });
    expect(() => readState(f, 'state.json')).toThrow(
      'state.json: versions: not a map of service → env → version → ISO time; delete the file to start over',
    );
  });

  it('fails when pending events do not match their done flags', () => {
    const window = { from: '2026-11-28T11:00:00Z', to: '2026-11-28T11:15:00Z' };
    const ev = { service: 'api', version: '1.0.0', firstSeen: '2026-11-28T11:01:00Z' };
    const f = write({ pending: { window, payloads: [], sent: [], events: [ev], eventsDone: [] } });
    expect(() => readState(f, 'state.json')).toThrow(
      'state.json: pending.events: not a list of deploy markers; delete the file to start over',
    );
    const g = write({ pending: { window, payloads: [], sent: [], events: [ev], eventsDone: [false] } });
    expect(readState(g, 'state.json').pending?.events).toEqual([ev]);
  });
});
