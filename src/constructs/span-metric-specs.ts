/**
 * SpanMetrics (core stack): the native span-based metrics tag coverage is computed from (DESIGN §4). Datadog
 * counts 100% of ingested spans for these, so coverage does not depend on sampling; the collector only adds
 * what needs whole traces. One count metric per distinct tag-rule scope (the denominator), one per (scope, tag)
 * with "has the tag" added (the numerator), and `spans.ingested` for the "no traces" monitor. All grouped by
 * service and env only: each group-by multiplies the custom-metric bill, and version would multiply it by every
 * deploy (the collector reports coverage by version instead).
 *
 * Names and filters come from src/datadog/metrics.ts, which the monitors' queries read too. Filters are limited
 * to the policy's envs (fewer custom metric series); a filter can change in place, while a changed name or
 * compute replaces the metric (its history starts over).
 */
import { NATIVE_METRICS, scopeFilterQuery, scopeMetricName, tagFilterQuery, tagMetricName } from '../datadog/metrics';
import type { TagRule } from '../policy/model';
import { compareText } from './tags';

export interface SpanMetricSpec {
  readonly name: string;
  readonly filter: string;
  readonly groupBy: readonly string[];
}

export interface SpanMetricsProps {
  /** Tag rules of every enabled service (duplicates welcome). */
  readonly rules: readonly TagRule[];
  /** Envs of every enabled service (duplicates welcome). */
  readonly envs: readonly string[];
}

export const SPAN_METRIC_GROUP_BY = ['service', 'env'] as const;

/** `env:prod`, `(env:prod OR env:staging)`; `*` with no envs. */
export function envFilter(envs: readonly string[]): string {
  const distinct = [...new Set(envs)].sort(compareText);
  if (distinct.length === 0) return '*';
  const terms = distinct.map((e) => `env:${e}`);
  return terms.length === 1 ? terms[0] : `(${terms.join(' OR ')})`;
}

function withEnv(env: string, query: string): string {
  if (env === '*') return query;
  return query === '*' ? env : `${env} ${query}`;
}

/** Every span-based metric, sorted by name. Pure (the review manifest renders it too). */
export function spanMetricSpecs(props: SpanMetricsProps): SpanMetricSpec[] {
  const env = envFilter(props.envs);
  const groupBy = [...SPAN_METRIC_GROUP_BY];
  const byName = new Map<string, SpanMetricSpec>();
  const add = (name: string, filter: string) => {
    const existing = byName.get(name);
    // Two scopes written differently but normalizing to one name would silently share a metric: refuse.
    if (existing && existing.filter !== filter)
      throw new Error(`span metric ${name} would have two filters: ${existing.filter} and ${filter}`);
    byName.set(name, { name, filter, groupBy });
  };
  add(NATIVE_METRICS.spansIngested, withEnv(env, '*'));
  for (const rule of props.rules) {
    add(scopeMetricName(rule.scope), withEnv(env, scopeFilterQuery(rule.scope)));
    add(tagMetricName(rule.scope, rule.tag), withEnv(env, tagFilterQuery(rule.scope, rule.tag)));
  }
  return [...byName.values()].sort((a, b) => compareText(a.name, b.name));
}
