/** The overview dashboard's spec and dashboard-list naming: pure, shared by the constructs and the review manifest. */
import type { ServicePolicy } from '../policy/model';
import { dashboardSearchUrl, overviewDashboardJson, serviceDashboardTitle, widgetTitles } from './dashboard';
import { stableJson } from './json';
import type { DashboardSpec } from './service/plan';

export interface OverviewDashboardProps {
  readonly site: string;
  /** Every service policy (disabled ones are left out by the builder). */
  readonly services: readonly ServicePolicy[];
}

export const OVERVIEW_ID = 'overview';

export function overviewDashboardSpec(props: OverviewDashboardProps): DashboardSpec {
  // Service dashboards live in team stacks and the overview in core: link them by title (a dashboard search) rather
  // than by id, which would couple the stacks' states and force an apply order.
  const dashboardUrls = Object.fromEntries(
    props.services.map((s) => [s.service, dashboardSearchUrl(props.site, serviceDashboardTitle(s.service))]),
  );
  const json = overviewDashboardJson({ site: props.site, services: props.services, dashboardUrls });
  return { id: OVERVIEW_ID, title: json.title, json: stableJson(json), widgetTitles: widgetTitles(json) };
}

/** `datadog_dashboard_list` item type for our dashboards (all `layout_type: ordered`). */
export const DASHBOARD_ITEM_TYPE = 'custom_timeboard';

export function dashboardListName(stack: string): string {
  return `Trace health — ${stack}`;
}
