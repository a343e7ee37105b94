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

  /** `specs`: computed beforehand (synth plans them once, for the review manifest too); else from `rules`/`envs`. */
  constructor(scope: Construct, id: string, props: SpanMetricsProps & { readonly specs?: readonly SpanMetricSpec[] }) {
    super(scope, id);
    this.specs = props.specs ?? spanMetricSpecs(props);
    // The metric name is the construct id: unique, stable, and it reads well in a plan.
    for (const spec of this.specs) new SpansMetric(this, spec.name, spansMetricConfig(spec));
  }
}
