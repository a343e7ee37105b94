/** The SpanMetrics construct (core stack); what it creates is decided in span-metric-specs.ts. */
import { Construct } from 'constructs';
import { SpansMetric, SpansMetricConfig } from '../datadog/provider';
import { SpanMetricSpec, spanMetricSpecs, SpanMetricsProps } from './span-metric-specs';

export * from './span-metric-specs';

export function spansMetricConfig(spec: SpanMetricSpec): SpansMetricConfig {
  return {
    name: spec.name,
    compute: { aggregationType: 'count' },
    filter: { query: spec.filter },
    groupBy: spec.groupBy.map((path) => ({ path, tagName: path })),
  };
}

export class SpanMetrics extends Construct {
  readonly specs: readonly SpanMetricSpec[];

  constructor(scope: Construct, id: string, props: SpanMetricsProps) {
    super(scope, id);
    this.specs = spanMetricSpecs(props);
    // The metric name is the construct id: unique, stable, and it reads well in a plan.
    for (const spec of this.specs) new SpansMetric(this, spec.name, spansMetricConfig(spec));
  }
}
