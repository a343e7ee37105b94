/**
 * ServiceTraceHealth: one service's monitors, SLOs and dashboard. The decisions live in pure factories
 * (monitors.ts, slos.ts, messages.ts, notify.ts, plan.ts); this construct only turns the plan into provider
 * resources. The tree is deliberately flat — stack → service → resources — with no construct per check: every
 * construct level costs synth time and lengthens addresses, and the resource ids already say what they are.
 */
import { Construct } from 'constructs';
import {
  DashboardJson,
  Monitor,
  MonitorConfig,
  ServiceLevelObjective,
  ServiceLevelObjectiveConfig,
} from '../../datadog/provider';
import { planService, ServicePlan, ServicePlanInput } from './plan';
import { MonitorSpec, monitorOptions, monitorQuery, SloSpec } from './specs';

export interface ServiceTraceHealthProps extends ServicePlanInput {
  /** Policy `validateMonitors`: the provider asks Datadog to validate each monitor query on every plan. */
  readonly validateMonitors: boolean;
  /** A plan computed beforehand (synth computes it once for the stack and the review manifest). */
  readonly plan?: ServicePlan;
}

export function monitorConfig(spec: MonitorSpec, validate: boolean): MonitorConfig {
  const t = spec.type !== 'composite' ? spec.thresholds : undefined;
  return {
    name: spec.name,
    type: spec.type,
    query: monitorQuery(spec),
    message: spec.message,
    tags: [...spec.tags],
    priority: spec.priority === undefined ? undefined : String(spec.priority),
    monitorThresholds: t && {
      critical: String(t.critical),
      warning: t.warning === undefined ? undefined : String(t.warning),
    },
    ...monitorOptions(spec),
    validate,
  };
}

export function sloConfig(spec: SloSpec): ServiceLevelObjectiveConfig {
  return {
    name: spec.name,
    type: 'metric',
    description: spec.description,
    query: { numerator: spec.numerator, denominator: spec.denominator },
    thresholds: [{ timeframe: spec.timeframe, target: spec.target, warning: spec.warning }],
    tags: [...spec.tags],
  };
}

export class ServiceTraceHealth extends Construct {
  readonly plan: ServicePlan;
  readonly dashboard: DashboardJson;

  /** The construct id is the service name: it prefixes every Terraform address of the service. */
  constructor(scope: Construct, props: ServiceTraceHealthProps) {
    super(scope, props.service.name);
    this.plan = props.plan ?? planService(props);
    for (const m of this.plan.monitors) new Monitor(this, m.id, monitorConfig(m, props.validateMonitors));
    for (const s of this.plan.slos) new ServiceLevelObjective(this, s.id, sloConfig(s));
    this.dashboard = new DashboardJson(this, this.plan.dashboard.id, { dashboard: this.plan.dashboard.json });
  }
}
