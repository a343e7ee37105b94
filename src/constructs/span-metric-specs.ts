/**
 * SpanMetrics (core stack): the native span-based metrics tag coverage is computed from (DESIGN §4). Datadog
 * counts 100% of ingested spans for these, so coverage does not depend on sampling; the collector only adds
 * what needs whole traces. One count metric per distinct tag-rule scope (the denominator; `spans.ingested` for
 * scope `*`), one per (scope, tag) counting the spans of the scope that LACK the tag (the failure: it grows when the
 * tag disappears instead of vanishing, see missingTagMetricName), and `spans.ingested` for the "no traces" monitor. All grouped by
 * service and env only: each group-by multiplies the custom-metric bill, and version would multiply it by every
 * deploy (the collector reports coverage by version instead).
 *
 * Names and filters come from src/datadog/metrics.ts, which the monitors' queries read too. Filters are limited
 * to the policy's envs (fewer custom metric series); a filter can change in place, while a changed name or
 * compute replaces the metric (its history starts over).
 */
import { compareStrings } from '../catalog/problems';
import {
  missingTagFilterQuery,
  missingTagMetricName,
  NATIVE_METRICS,
  scopeFilterQuery,
  scopeMetricName,
} from '../datadog/metrics';
import { UserError } from '../errors';
import { SourcedTagRule, TagRuleConflict } from './tag-rule-source';

export interface SpanMetricSpec {
  readonly name: string;
  readonly filter: string;
  readonly groupBy: readonly string[];
}

export interface SpanMetricsProps {
  /** Tag rules of every enabled service (duplicates welcome); with their source, conflicts name both. */
  readonly rules: readonly SourcedTagRule[];
  /** Envs of every enabled service (duplicates welcome). */
  readonly envs: readonly string[];
}

export const SPAN_METRIC_GROUP_BY = ['service', 'env'] as const;

/** `env:prod`, `(env:prod OR env:staging)`; `*` with no envs. */
export function envFilter(envs: readonly string[]): string {
  const distinct = [...new Set(envs)].sort(compareStrings);
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
  const byName = new Map<string, { spec: SpanMetricSpec; rule?: SourcedTagRule }>();
  const add = (name: string, filter: string, rule?: SourcedTagRule) => {
    const existing = byName.get(name);
    if (!existing) byName.set(name, { spec: { name, filter, groupBy }, rule });
    // Names are built so that distinct tags and scopes get distinct names (a hash of the exact text); two rules
    // that still meet (a tag written as another tag's hashed segment) would silently share a metric: refuse.
    else if (existing.spec.filter !== filter) throw conflict(name, existing.spec.filter, filter, existing.rule, rule);
  };
  add(NATIVE_METRICS.spansIngested, withEnv(env, '*'));
  for (const rule of props.rules) {
    add(scopeMetricName(rule.scope), withEnv(env, scopeFilterQuery(rule.scope)), rule);
    add(missingTagMetricName(rule.scope, rule.tag), withEnv(env, missingTagFilterQuery(rule.scope, rule.tag)), rule);
  }
  return [...byName.values()].map((x) => x.spec).sort((a, b) => compareStrings(a.name, b.name));
}

function conflict(name: string, a: string, b: string, first?: SourcedTagRule, second?: SourcedTagRule): UserError {
  const problem = `would share the span metric ${name} (filters ${a} and ${b}); rename or drop one of them`;
  if (first?.source && second?.source) return new TagRuleConflict(first.source, second.source, problem);
  const tag = (r?: SourcedTagRule) =>
    r ? `${JSON.stringify(r.tag)} (scope ${JSON.stringify(r.scope)})` : 'spans.ingested';
  return new UserError(`required tags ${tag(first)} and ${tag(second)} ${problem}`);
}
