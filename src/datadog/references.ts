/**
 * Terraform references as plain text. Pure (no cdktf, no provider classes), so that planning and the review
 * manifest can name resources without loading the provider bindings.
 */

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
