/**
 * The core stack: org-wide resources — span-based metrics (every service's tag coverage reads them), the
 * overview dashboard, and a dashboard list holding it. Applied once per org, before or after the service stacks
 * (nothing references across stacks).
 */
import { Construct } from 'constructs';
import { addDashboardList, dashboardListName, OverviewDashboard } from '../src/constructs/overview';
import { SpanMetrics, SpanMetricSpec } from '../src/constructs/span-metrics';
import type { DashboardSpec } from '../src/constructs/service/plan';
import type { ServicePolicy } from '../src/policy/model';
import { TraceHealthStack, TraceHealthStackProps } from './base';

export interface CoreStackProps extends TraceHealthStackProps {
  /** Every service policy; only enabled ones get metrics or appear on the overview. */
  readonly services: readonly ServicePolicy[];
  /** Span metric specs computed beforehand (shared with the review manifest). */
  readonly metrics?: readonly SpanMetricSpec[];
  /** Overview spec computed beforehand (shared with the review manifest). */
  readonly overview?: DashboardSpec;
}

export class CoreStack extends TraceHealthStack {
  readonly spanMetrics: SpanMetrics;
  readonly overview: OverviewDashboard;

  constructor(scope: Construct, name: string, props: CoreStackProps) {
    super(scope, name, props);
    const enabled = props.services.filter((s) => s.enabled);
    this.spanMetrics = new SpanMetrics(this, 'span-metrics', {
      rules: enabled.flatMap((s) => s.requiredTags),
      envs: enabled.flatMap((s) => s.envs),
      specs: props.metrics,
    });
    this.overview = new OverviewDashboard(this, { site: props.site, services: props.services, spec: props.overview });
    addDashboardList(this, dashboardListName(name), [this.overview.dashboard]);
  }
}
