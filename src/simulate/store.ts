/**
 * The simulated metric store: what Datadog holds for the metrics a scenario produces, one bucket per minute of
 * scenario time. A bucket either has a point or has none — the difference the evaluator is about: a span-based
 * metric emits a point only where a span matched (datadog-semantics §9), the collector sends explicit zeros
 * (§10), and "no point" is what No Data, `default_zero` and the as_count path react to.
 *
 * Counts submitted twice to one bucket add up (span-based metrics are counts per interval; collector counts are
 * one point per run). A gauge written twice keeps the last value (§10: duplicates undocumented, last write wins).
 */
import type { MetricQuery, SpaceAggregation, TagTerm } from './query';

export interface StoredSeries {
  readonly metric: string;
  /** `key:value` tags, as submitted. */
  readonly tags: readonly string[];
  readonly tagMap: ReadonlyMap<string, string>;
  readonly values: Float64Array;
  readonly present: Uint8Array;
}

/** A query's series after tag filter, `by` grouping and space aggregation, with prefix sums for window sums. */
export interface GroupedSeries {
  /** `version:1.2` (by-tags `key:value`, comma-joined in `by` order); '' for an ungrouped query. */
  readonly key: string;
  readonly values: Float64Array;
  readonly present: Uint8Array;
  /** prefixSum[i] = Σ values[0..i-1] over present buckets. */
  readonly prefixSum: Float64Array;
  /** prefixCount[i] = number of present buckets in [0, i-1]. */
  readonly prefixCount: Int32Array;
  /** First minute with a point. */
  readonly firstSeen: number;
}

export class MetricStore {
  private readonly byMetric = new Map<string, Map<string, StoredSeries>>();
  /** The same tags array passed again (the traffic producer reuses its arrays) skips building the key. */
  private readonly byTagsArray = new Map<string, WeakMap<readonly string[], StoredSeries>>();
  private readonly cache = new Map<string, GroupedSeries[]>();

  /** `minutes`: scenario length; points outside [0, minutes) are dropped. */
  constructor(readonly minutes: number) {}

  add(metric: string, tags: readonly string[], minute: number, value: number, gauge = false): void {
    if (minute < 0 || minute >= this.minutes || !Number.isFinite(value)) return;
    let known = this.byTagsArray.get(metric);
    if (!known) this.byTagsArray.set(metric, (known = new WeakMap()));
    let s = known.get(tags);
    if (!s) s = this.seriesFor(metric, tags);
    known.set(tags, s);
    if (gauge || !s.present[minute]) s.values[minute] = value;
    else s.values[minute] += value;
    s.present[minute] = 1;
    if (this.cache.size) this.cache.clear();
  }

  private seriesFor(metric: string, tags: readonly string[]): StoredSeries {
    let series = this.byMetric.get(metric);
    if (!series) this.byMetric.set(metric, (series = new Map()));
    const key = tags.join(',');
    let s = series.get(key);
    if (!s) {
      const tagMap = new Map<string, string>();
      for (const t of tags) {
        const i = t.indexOf(':');
        tagMap.set(i < 0 ? t : t.slice(0, i), i < 0 ? '' : t.slice(i + 1));
      }
      s = {
        metric,
        tags: [...tags],
        tagMap,
        values: new Float64Array(this.minutes),
        present: new Uint8Array(this.minutes),
      };
      series.set(key, s);
    }
    return s;
  }

  metrics(): string[] {
    return [...this.byMetric.keys()].sort();
  }

  series(metric: string): StoredSeries[] {
    return [...(this.byMetric.get(metric)?.values() ?? [])];
  }

  /** The query's groups: filtered, grouped by its `by` tags, space-aggregated per minute. Cached per query. */
  grouped(q: MetricQuery): GroupedSeries[] {
    const cacheKey = `${q.space}:${q.metric}{${q.filter.map(termText).join(',')}} by {${q.by.join(',')}}`;
    const hit = this.cache.get(cacheKey);
    if (hit) return hit;
    const groups = new Map<string, StoredSeries[]>();
    for (const s of this.series(q.metric)) {
      if (!q.filter.every((t) => matchesTerm(s.tagMap, t))) continue;
      // A series without one of the `by` tags is not part of any group (Datadog shows it as N/A).
      if (!q.by.every((k) => s.tagMap.has(k))) continue;
      const key = q.by.map((k) => `${k}:${s.tagMap.get(k)}`).join(',');
      const list = groups.get(key) ?? [];
      list.push(s);
      groups.set(key, list);
    }
    const out = [...groups.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([key, list]) => aggregate(key, list, q.space, this.minutes));
    this.cache.set(cacheKey, out);
    return out;
  }
}

function termText(t: TagTerm): string {
  return `${t.negated ? '!' : ''}${t.key}:${t.value}`;
}

function matchesTerm(tags: ReadonlyMap<string, string>, t: TagTerm): boolean {
  const has = tags.has(t.key) && (t.value === '' || t.value === '*' || tags.get(t.key) === t.value);
  return t.negated ? !has : has;
}

/** Space aggregation per minute over the series of one group (only series with a point in that minute count). */
function aggregate(key: string, list: readonly StoredSeries[], space: SpaceAggregation, n: number): GroupedSeries {
  const values = new Float64Array(n);
  const present = new Uint8Array(n);
  const prefixSum = new Float64Array(n + 1);
  const prefixCount = new Int32Array(n + 1);
  let firstSeen = -1;
  for (let m = 0; m < n; m++) {
    let count = 0;
    let acc = 0;
    for (const s of list) {
      if (!s.present[m]) continue;
      const v = s.values[m];
      if (count === 0) acc = v;
      else if (space === 'sum' || space === 'avg') acc += v;
      else if (space === 'max') acc = Math.max(acc, v);
      else acc = Math.min(acc, v);
      count++;
    }
    if (count > 0) {
      values[m] = space === 'avg' ? acc / count : acc;
      present[m] = 1;
      if (firstSeen < 0) firstSeen = m;
    }
    prefixSum[m + 1] = prefixSum[m] + values[m];
    prefixCount[m + 1] = prefixCount[m] + present[m];
  }
  return { key, values, present, prefixSum, prefixCount, firstSeen };
}
