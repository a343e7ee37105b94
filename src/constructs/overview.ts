/**
 * Org-wide dashboards (core stack) and dashboard lists. The JSON comes from the dashboard builders in
 * ./dashboard; these constructs only place it in a stack.
 *
 * Lists: one per stack. The core stack's list holds the overview; each service stack's list holds its services'
 * dashboards. A single org-wide list of every dashboard would need the ids of dashboards in other stacks —
 * cross-stack references couple the states and force an apply order, against the point of small team stacks.
 */
import { Construct } from 'constructs';
import { DashboardJson, DashboardList, refOf } from '../datadog/provider';
import type { DashboardSpec } from './service/plan';
import { DASHBOARD_ITEM_TYPE, OVERVIEW_ID, OverviewDashboardProps, overviewDashboardSpec } from './overview-spec';

export * from './overview-spec';

export class OverviewDashboard extends Construct {
  readonly spec: DashboardSpec;
  readonly dashboard: DashboardJson;

  constructor(scope: Construct, props: OverviewDashboardProps & { readonly spec?: DashboardSpec }) {
    super(scope, OVERVIEW_ID);
    this.spec = props.spec ?? overviewDashboardSpec(props);
    this.dashboard = new DashboardJson(this, 'dashboard', { dashboard: this.spec.json });
  }
}

/**
 * A dashboard list of the given dashboards, in the order given (callers pass them sorted by name). The list's
 * construct id is fixed: one list per stack.
 */
export function addDashboardList(scope: Construct, name: string, dashboards: readonly DashboardJson[]): DashboardList {
  return new DashboardList(scope, 'dashboard-list', {
    name,
    dashItem: dashboards.map((d) => ({ type: DASHBOARD_ITEM_TYPE, dashId: refOf(d) })),
  });
}
