/**
 * `collect --live`: pull one window of complete traces from the Spans API, analyze it, optionally submit the
 * counts as metrics (and, with a state file, post a deploy marker per new version), and remember the window in
 * the state file.
 *
 * Window edges: traces are counted in the window their earliest span starts in. Spans are pulled from
 * `from - margin` to `to + margin` so that a trace crossing an edge arrives whole, and `to` stays `margin` behind
 * now (spans become searchable with a delay). With a state file, each window starts where the last one ended.
 */
import type { Io } from '../io';
import { deployEventBody, MAX_EVENT_AGE_MS } from '../datadog/deploy-events';
import { UserError } from '../errors';
import { Analysis, AnalyzeOptions, Collector } from './analyze';
import { decideMarkers, markerLabel, versionsIn } from './deploy-markers';
import { readJsonText } from './readers';
import { buildSeries, splitPayloads } from './series';
import {
  apiFailure,
  apiTarget,
  DatadogClient,
  datadogClient,
  isInvalidRequest,
  LiveFailed,
  PARTIAL_PAGE_RETRIES,
  pullSpans,
} from './spans-api';
import { WHOLE_TRACE_RETENTION } from './model';
import { CollectorState, emptyState, PendingSubmission, readState, writeState } from './state';

/** v2 series intake: points may be at most 1 hour old. */
export const MAX_POINT_AGE_MS = 60 * 60 * 1000;
/** Room left for the pull itself (rate-limit waits) before the points are sent. */
export const SUBMIT_SAFETY_MS = 10 * 60 * 1000;
/** Edge margin: see the module comment. */
export const WINDOW_MARGIN_MS = 60 * 1000;
/** The metrics and events intakes are not the Spans API: their requests do not spend the span-search budget. */
const INTAKE_MAX_REQUESTS = 500;

export interface LiveParams {
  readonly io: Io;
  readonly options: AnalyzeOptions;
  /** Envs to pull (the policy's); all envs when empty. */
  readonly envs: readonly string[];
  readonly from: number;
  readonly to: number;
  readonly fromExplicit: boolean;
  readonly now: number;
  readonly maxRequests: number;
  readonly submit: boolean;
  readonly statePath?: string;
  readonly stateShown?: string;
  readonly timeoutMs?: number;
  /** Test seam: runs after the pending submission is saved and before anything is sent. */
  readonly afterSave?: () => void;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** `retained_by:flat_sampled env:prod`: the whole-trace retention (AnalyzeOptions.wholeTraceRetention) in the envs. */
export function spanSearchQuery(envs: readonly string[], retention: readonly string[] = WHOLE_TRACE_RETENTION): string {
  const any = (field: string, values: readonly string[]) =>
    values.length === 1 ? `${field}:${values[0]}` : `(${values.map((v) => `${field}:${v}`).join(' OR ')})`;
  const parts = [
    ...(retention.includes('*') ? [] : [any('retained_by', retention)]),
    ...(envs.length ? [any('env', envs)] : []),
  ];
  return parts.join(' ') || '*';
}

export async function runLive(p: LiveParams): Promise<Analysis | undefined> {
  const io = p.io;
  const target = apiTarget(io.env, p.options.site, true);
  const shown = p.stateShown ?? p.statePath ?? '';
  let state: CollectorState = p.statePath ? readState(p.statePath, shown) : emptyState();
  const save = (s: CollectorState) => {
    state = s;
    if (p.statePath) writeState(p.statePath, s);
  };
  const oldestPointMs = p.now - MAX_POINT_AGE_MS + SUBMIT_SAFETY_MS;

  // 1. A submission a previous run saved but did not finish: send what was not sent, once.
  if (state.pending) {
    const markers = state.pending.eventsDone?.some((done) => !done) ? ' and deploy markers' : '';
    if (!p.submit) io.err(`${shown}: a previous run left metrics${markers} unsent; run with --submit to send them`);
    else await flushPending(p, target, state.pending, save, () => state);
  }

  // 2. The window.
  let from = p.from;
  if (state.lastWindowEnd !== undefined && !state.pending) {
    const last = Date.parse(state.lastWindowEnd);
    if (!p.fromExplicit || last > from) from = last;
  }
  let to = Math.min(p.to, p.now - WINDOW_MARGIN_MS);
  if (p.submit && from < oldestPointMs) {
    if (to <= oldestPointMs)
      throw new UserError(
        `--to: the window ends at ${iso(to)}, more than ${(MAX_POINT_AGE_MS - SUBMIT_SAFETY_MS) / 60000} minutes ago: the metrics intake rejects points older than 1 hour. Run without --submit for a report of older windows.`,
      );
    io.err(`window starts at ${iso(oldestPointMs)}: earlier spans (from ${iso(from)}) are too old to submit`);
    from = oldestPointMs;
  }
  if (state.pending) return undefined;
  if (to <= from && from === p.from)
    // Not an already processed window: the one asked for lies within the last minute, where spans are not searchable yet.
    throw new UserError(
      `--from: the window starts at ${iso(from)}, but it ends ${WINDOW_MARGIN_MS / 1000} s before now (${iso(to)}) because spans become searchable late; start it earlier (e.g. --from 15m)`,
    );
  if (to <= from) {
    io.err(
      `nothing to collect: ${iso(from)} → ${iso(to)} is empty or already processed${p.statePath ? ` (${shown})` : ''}`,
    );
    return undefined;
  }

  // 3. Pull, oldest first, into the collector.
  const client = datadogClient(target, p.maxRequests, p.timeoutMs);
  const collector = new Collector({ ...p.options, window: { from, to } });
  let spans = 0;
  let lastStart = -Infinity;
  const sink = collector.sink;
  const tracking = {
    span: (s: Parameters<typeof sink.span>[0]) => {
      if (s.start > lastStart) lastStart = s.start;
      sink.span(s);
    },
    malformed: (r: string, o: string) => sink.malformed(r, o),
  };
  const query = spanSearchQuery(p.envs, p.options.wholeTraceRetention);
  const pull = await pullSpans(client, target, query, from - WINDOW_MARGIN_MS, to + WINDOW_MARGIN_MS, (page) => {
    spans += page.count;
    readJsonText(page.text, `Spans API page ${client.http.stats.requests}`, tracking);
    if (io.isTTY) io.err(`pulled ${spans} spans (${client.http.stats.requests}/${p.maxRequests} requests)`);
  });
  if (!pull.complete) {
    // Budget spent, or a page Datadog kept marking partial: keep the part of the window whose traces arrived whole;
    // the next run continues from there.
    const cut = lastStart - WINDOW_MARGIN_MS;
    const page = `POST /api/v2/spans/events/search (page ${pull.pages + 1})`;
    if (cut <= from)
      throw pull.partial !== undefined
        ? new LiveFailed(
            `${page}: Datadog answered ${pull.partial} ${PARTIAL_PAGE_RETRIES + 1} times: the results may be partial, and no complete part of the window ${iso(from)} → ${iso(to)} came before it; nothing is analysed (a partial pull would turn missing spans into orphans). Try a shorter window (--from) or later`,
          )
        : new UserError(
            `--max-requests ${p.maxRequests}: the request budget ran out before any complete part of the window ${iso(from)} → ${iso(to)}; raise it or collect more often`,
          );
    if (cut < to) {
      io.err(
        pull.partial !== undefined
          ? `${page}: Datadog answered ${pull.partial} ${PARTIAL_PAGE_RETRIES + 1} times: this run covers ${iso(from)} → ${iso(cut)} (pulled whole); the next run continues from there`
          : `request budget spent: this run covers ${iso(from)} → ${iso(cut)}; the next run continues from there`,
      );
      to = cut;
      collector.setWindowEnd(to);
    }
  }
  const analysis = collector.finish();
  io.err(
    `pulled ${spans} spans in ${pull.pages} pages (${client.http.stats.requests} requests, ${client.http.stats.retries} retried) for ${iso(from)} → ${iso(to)}`,
  );

  // 4. Submit: save first (metrics, new versions and their markers in one write), send, mark each payload and
  // marker, then advance the window.
  if (p.submit) {
    const payloads = splitPayloads(buildSeries(analysis, Math.floor(to / 1000), Math.round((to - from) / 1000)));
    // Without a state file a version cannot be remembered, so every run would mark it again.
    const markers = p.statePath ? decideMarkers(state.versions, versionsIn(analysis), to) : undefined;
    if (!markers)
      io.err('deploy markers: not posted without --state (each new version is marked once, remembered there)');
    else if (markers.baseline > 0)
      io.err(
        `${shown}: first run with deploy markers: ${markers.baseline} running version(s) recorded as already deployed; each version seen from now on gets a marker`,
      );
    const pending: PendingSubmission = {
      window: { from: iso(from), to: iso(to) },
      payloads,
      sent: payloads.map(() => false),
      ...(markers?.events.length ? { events: markers.events, eventsDone: markers.events.map(() => false) } : {}),
    };
    save({ ...state, ...(markers?.versions ? { versions: markers.versions } : {}), pending });
    p.afterSave?.();
    await flushPending(p, target, pending, save, () => state);
  } else if (p.statePath) save({ ...state, lastWindowEnd: iso(to) });
  return analysis;
}

/** Send what a saved submission has not sent yet, marking each payload in the state as Datadog accepts it. */
/** What sending a saved submission needs; `options` (the site of marker links) only where markers are posted. */
type FlushParams = Pick<LiveParams, 'io' | 'now' | 'stateShown' | 'timeoutMs'> & Partial<Pick<LiveParams, 'options'>>;

export async function flushPending(
  p: FlushParams,
  target: ReturnType<typeof apiTarget>,
  pending: PendingSubmission,
  save: (s: CollectorState) => void,
  current: () => CollectorState,
): Promise<void> {
  const client = datadogClient(target, INTAKE_MAX_REQUESTS, p.timeoutMs);
  const to = Date.parse(pending.window.to);
  const unsent = pending.sent.some((s) => !s);
  if (unsent && to < p.now - MAX_POINT_AGE_MS) {
    p.io.err(
      `${p.stateShown}: metrics for ${pending.window.from} → ${pending.window.to} were never sent and are now older than the intake accepts (1 hour); skipping them`,
    );
    save({ ...current(), pending: { ...pending, payloads: [], sent: [] } });
  } else {
    const sent = [...pending.sent];
    let series = 0;
    for (let i = 0; i < pending.payloads.length; i++) {
      if (sent[i]) continue;
      try {
        await client.metrics.submitMetrics({ body: pending.payloads[i] as never });
      } catch (e) {
        throw apiFailure(
          `POST /api/v2/series (payload ${i + 1} of ${pending.payloads.length}; kept in the state file for the next run)`,
          e,
          client,
          target,
        );
      }
      sent[i] = true;
      series += pending.payloads[i].series.length;
      save({ ...current(), pending: { ...pending, sent: [...sent] } });
    }
    p.io.err(
      `submitted ${series} series in ${pending.payloads.length} payload(s) for ${pending.window.from} → ${pending.window.to}`,
    );
  }
  await postMarkers(p, client, target, save, current);
  save({ ...withoutPending(current()), lastWindowEnd: pending.window.to });
}

/** The pending deploy markers, oldest version first, each marked done as soon as Datadog answers for it. */
async function postMarkers(
  p: FlushParams,
  client: DatadogClient,
  target: ReturnType<typeof apiTarget>,
  save: (s: CollectorState) => void,
  current: () => CollectorState,
): Promise<void> {
  const events = current().pending?.events ?? [];
  // Only `collect --live` saves markers (and gives the site of their links); `--serve` saves none.
  const site = p.options?.site;
  if (events.length === 0 || site === undefined) return;
  const done = [...(current().pending?.eventsDone ?? [])];
  const posted: string[] = [];
  for (let i = 0; i < events.length; i++) {
    if (done[i]) continue;
    const e = events[i];
    const label = markerLabel(e);
    if (Date.parse(e.firstSeen) < p.now - MAX_EVENT_AGE_MS + SUBMIT_SAFETY_MS)
      p.io.err(
        `${p.stateShown}: the deploy marker for ${label} (first seen ${e.firstSeen}) was never posted and is now older than the events intake accepts (18 hours); skipping it`,
      );
    else {
      const what = `POST /api/v1/events (deploy marker ${i + 1} of ${events.length}: ${label}`;
      try {
        await client.events.createEvent({ body: deployEventBody(e, site) });
        posted.push(label);
      } catch (err) {
        // A marker Datadog refuses as invalid never becomes valid: drop it rather than hold back every later run.
        if (!isInvalidRequest(err, client))
          throw apiFailure(`${what}; kept in the state file for the next run)`, err, client, target);
        p.io.err(apiFailure(`${what}; refused, dropped)`, err, client, target).message);
      }
    }
    done[i] = true;
    save({ ...current(), pending: { ...current().pending!, eventsDone: [...done] } });
  }
  if (posted.length)
    p.io.err(
      `posted ${posted.length} deploy marker(s) for new versions: ${posted.slice(0, 10).join(', ')}${posted.length > 10 ? `, and ${posted.length - 10} more` : ''}`,
    );
}

export function withoutPending(s: CollectorState): CollectorState {
  const out: { -readonly [K in keyof CollectorState]: CollectorState[K] } = { ...s };
  delete out.pending;
  return out;
}
