/**
 * Analysis → metric series for `MetricsApi.submitMetrics` (v2 `/api/v2/series`), with the names in
 * `src/datadog/metrics.ts`. Counts carry one point at the window's end with `interval` = the window length; zeros
 * are sent too (a ratio monitor needs its denominator, and "0 orphans" is data, not a gap). Payloads are split to
 * stay under the intake's 500 KB limit. Tag coverage goes out per (service, env, version, required tag): the
 * span-based coverage metrics have no version, so the dashboards' "coverage by version" graphs read these.
 */
import { COLLECTOR_METRICS, GAUGE_METRICS, METRIC_TAGS, requiredTagValue } from '../datadog/metrics';
import type { Analysis } from './analyze';

export interface SeriesPoint {
  readonly timestamp: number;
  readonly value: number;
}

/** The v2 series body shape (JSON wire names). `type`: 1 count, 3 gauge. */
export interface Series {
  readonly metric: string;
  readonly type: 1 | 3;
  readonly interval?: number;
  readonly points: readonly SeriesPoint[];
  readonly tags: readonly string[];
  /** `collect --serve`: the instance as a host resource, so two shards' points never share a series. */
  readonly resources?: readonly { readonly name: string; readonly type: 'host' }[];
}

export interface SeriesPayload {
  readonly series: readonly Series[];
}

/** The intake limit is 500 KB per (uncompressed) payload; stay clear of it. */
export const MAX_PAYLOAD_BYTES = 450_000;

function tagList(service: string, env: string | undefined, version: string | undefined, peer?: string): string[] {
  const tags = [`${METRIC_TAGS.service}:${service}`];
  if (env !== undefined) tags.push(`${METRIC_TAGS.env}:${env}`);
  if (version !== undefined) tags.push(`${METRIC_TAGS.version}:${version}`);
  if (peer !== undefined) tags.push(`${METRIC_TAGS.peerService}:${peer}`);
  return tags;
}

/** Every series for the analysis, sorted by metric then tags (deterministic payloads). */
export function buildSeries(a: Analysis, timestampSec: number, intervalSec: number): Series[] {
  const out: Series[] = [];
  const add = (metric: string, tags: string[], value: number) =>
    out.push({
      metric,
      type: GAUGE_METRICS.has(metric) ? 3 : 1,
      ...(GAUGE_METRICS.has(metric) ? {} : { interval: intervalSec }),
      points: [{ timestamp: timestampSec, value }],
      tags,
    });
  for (const [name, acc] of a.services) {
    const internal = a.internal.has(name);
    const envs = new Set<string | undefined>();
    for (const g of acc.groups.values()) {
      envs.add(g.env);
      const tags = tagList(name, g.env, g.version);
      add(COLLECTOR_METRICS.spansChecked, tags, g.spans);
      add(COLLECTOR_METRICS.spansOrphaned, tags, g.orphans);
      add(COLLECTOR_METRICS.rootsTotal, tags, g.roots);
      add(COLLECTOR_METRICS.rootsUnexpected, tags, internal ? g.roots : 0);
      add(COLLECTOR_METRICS.spansDoubleInstrumented, tags, g.doubleInstrumented);
      // Tag coverage per rule, keyed by the normalized tag (two rules with one tag are summed, as in the report).
      const byTag = new Map<string, { covered: number; total: number }>();
      g.coverage.forEach((c, i) => {
        const value = requiredTagValue(acc.rules[i].rule.tag);
        const sum = byTag.get(value) ?? { covered: 0, total: 0 };
        sum.covered += c.covered;
        sum.total += c.total;
        byTag.set(value, sum);
      });
      for (const [value, c] of byTag) {
        const ttags = [...tags, `${METRIC_TAGS.requiredTag}:${value}`];
        add(COLLECTOR_METRICS.tagsChecked, ttags, c.total);
        add(COLLECTOR_METRICS.tagsCovered, ttags, c.covered);
      }
      for (const [peer, c] of g.calls) {
        if (!a.knownServices.has(peer)) continue;
        const ptags = tagList(name, g.env, g.version, peer);
        add(COLLECTOR_METRICS.callsChecked, ptags, c.checked);
        add(COLLECTOR_METRICS.callsUnpaired, ptags, c.unpaired);
      }
    }
    for (const env of envs) add(COLLECTOR_METRICS.tracerFamilies, tagList(name, env, undefined), acc.tracers.size);
  }
  // Catalog coverage (the same services as the report's not-in-catalog and not-seen findings), when the catalog is known.
  const catalog = a.options.catalogServices;
  if (catalog) {
    const listed = new Set(catalog);
    for (const [name, acc] of a.services) {
      if (listed.has(name)) continue;
      const envs = new Set<string | undefined>();
      for (const g of acc.groups.values()) if (g.spans > 0) envs.add(g.env);
      for (const env of envs) add(COLLECTOR_METRICS.servicesUncataloged, tagList(name, env, undefined), 1);
    }
    // Unseen needs the whole window: a `--serve` shard sees only its share of the traces, and for one interval, so
    // a quiet service would read as gone. Only whole-window runs (`--live`) send it.
    if (!a.options.streaming)
      for (const name of listed)
        if (!a.services.has(name) && a.options.services?.[name]?.enabled !== false)
          add(COLLECTOR_METRICS.servicesUnseen, tagList(name, undefined, undefined), 1);
  }
  const key = (s: Series) => `${s.metric}\u0000${s.tags.join(',')}`;
  return out.sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
}

/** Split series into payloads whose JSON stays under `maxBytes`. */
export function splitPayloads(series: readonly Series[], maxBytes = MAX_PAYLOAD_BYTES): SeriesPayload[] {
  const payloads: SeriesPayload[] = [];
  let current: Series[] = [];
  let size = '{"series":[]}'.length;
  for (const s of series) {
    const len = Buffer.byteLength(JSON.stringify(s)) + 1;
    if (current.length > 0 && size + len > maxBytes) {
      payloads.push({ series: current });
      current = [];
      size = '{"series":[]}'.length;
    }
    current.push(s);
    size += len;
  }
  if (current.length > 0) payloads.push({ series: current });
  return payloads;
}
