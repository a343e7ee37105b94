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
import type { ServicePolicy } from '../policy/model';
import { overviewDashboardJson, widgetTitles } from './dashboard';
import { stableJson } from './json';
import type { DashboardSpec } from './service/plan';

export interface OverviewDashboardProps {
  readonly site: string;
  /** Every service policy (disabled ones are left out by the builder). */
  readonly services: readonly ServicePolicy[];
}

export const OVERVIEW_ID = 'overview';

export function overviewDashboardSpec(props: OverviewDashboardProps): DashboardSpec {
  const json = overviewDashboardJson({ site: props.site, services: props.services });
  return { id: OVERVIEW_ID, title: json.title, json: stableJson(json), widgetTitles: widgetTitles(json) };
}

export class OverviewDashboard extends Construct {
  readonly spec: DashboardSpec;
  readonly dashboard: DashboardJson;

  constructor(scope: Construct, props: OverviewDashboardProps & { readonly spec?: DashboardSpec }) {
    super(scope, OVERVIEW_ID);
    this.spec = props.spec ?? overviewDashboardSpec(props);
    this.dashboard = new DashboardJson(this, 'dashboard', { dashboard: this.spec.json });
  }
}

/** `datadog_dashboard_list` item type for our dashboards (all `layout_type: ordered`). */
export const DASHBOARD_ITEM_TYPE = 'custom_timeboard';

export function dashboardListName(stack: string): string {
  return `Trace health — ${stack}`;
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
