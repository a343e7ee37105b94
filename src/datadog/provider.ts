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

export { RESOURCE_TYPES, terraformRef } from './references';
import { terraformRef } from './references';

/** Same, from a resource object (uses the logical id the stack allocated to it). */
export function refOf(resource: TerraformResource, attribute = 'id'): string {
  return terraformRef(resource.terraformResourceType, resource.friendlyUniqueId, attribute);
}
