/**
 * THE one module that imports Datadog provider classes. Deep imports only: the package barrel loads every
 * resource class of the provider (1.4–2 s, ~250 MB). Keeping all provider imports here also keeps a later move
 * to the maintained CDKTF fork (`cdktn`) an edit of this file.
 */
import type { TerraformResource } from 'cdktf';

export { DatadogProvider } from '@cdktf/provider-datadog/lib/provider';
export type { DatadogProviderConfig } from '@cdktf/provider-datadog/lib/provider';
export { Monitor } from '@cdktf/provider-datadog/lib/monitor';
export type { MonitorConfig } from '@cdktf/provider-datadog/lib/monitor';
export { ServiceLevelObjective } from '@cdktf/provider-datadog/lib/service-level-objective';
export type { ServiceLevelObjectiveConfig } from '@cdktf/provider-datadog/lib/service-level-objective';
export { DashboardJson } from '@cdktf/provider-datadog/lib/dashboard-json';
export type { DashboardJsonConfig } from '@cdktf/provider-datadog/lib/dashboard-json';
export { DashboardList } from '@cdktf/provider-datadog/lib/dashboard-list';
export type { DashboardListConfig } from '@cdktf/provider-datadog/lib/dashboard-list';
export { SpansMetric } from '@cdktf/provider-datadog/lib/spans-metric';
export type { SpansMetricConfig } from '@cdktf/provider-datadog/lib/spans-metric';

/** Terraform resource types, for building references without creating cdktf tokens (see `terraformRef`). */
export const RESOURCE_TYPES = {
  monitor: 'datadog_monitor',
  slo: 'datadog_service_level_objective',
  dashboardJson: 'datadog_dashboard_json',
  dashboardList: 'datadog_dashboard_list',
  spansMetric: 'datadog_spans_metric',
} as const;

/**
 * `${type.logicalId.attr}` — a Terraform interpolation written as plain text. Equivalent to reading `resource.id`
 * (Terraform infers the dependency from the expression either way) but creates no cdktf token: every token
 * captures a full stack trace, and a service has a dozen such references.
 */
export function terraformRef(type: string, logicalId: string, attribute = 'id'): string {
  return '${' + `${type}.${logicalId}.${attribute}` + '}';
}

/** Same, from a resource object (uses the logical id the stack allocated to it). */
export function refOf(resource: TerraformResource, attribute = 'id'): string {
  return terraformRef(resource.terraformResourceType, resource.friendlyUniqueId, attribute);
}
