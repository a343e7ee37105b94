/**
 * Everything one service gets, decided in one pure function: monitors, SLOs and the dashboard, and who they notify
 * (the routing resolved with the policy). ServiceTraceHealth turns the plan into provider resources; the review
 * manifest renders the same plan. No file, environment or cdktf access here.
 */
import type { Service } from '../../catalog/model';
import { dashboardUrl } from '../../datadog/site';
import type { ServicePolicy } from '../../policy/model';
import { serviceDashboardJson, widgetTitles } from '../dashboard';
import { stableJson } from '../json';
import { MANAGED_BY_TAG, ROLE_TAG_KEY } from '../tags';
import { ServiceContext, serviceMonitors } from './monitors';
import type { Routing } from '../../policy/routing';
import { serviceSlos, SLO_CHECKS } from './slos';
import { DASHBOARD_ID, dashboardRef, MonitorSpec, SloSpec, sloRef } from './specs';

export interface ServicePlanInput {
  readonly site: string;
  readonly service: Service;
  /** Resolved policy of this service (must be enabled). */
  readonly policy: ServicePolicy;
  /** The service may start traces (policy `entrypoints`, or nothing in the catalog calls it). */
  readonly entrypoint: boolean;
}

export interface DashboardSpec {
  readonly id: string;
  readonly title: string;
  /** The dashboard JSON, keys sorted. */
  readonly json: string;
  readonly widgetTitles: readonly string[];
}

export interface ServicePlan {
  readonly service: string;
  readonly team: string;
  readonly tier?: string;
  readonly stack: string;
  readonly envs: readonly string[];
  readonly routing: Routing;
  readonly monitors: readonly MonitorSpec[];
  readonly slos: readonly SloSpec[];
  readonly dashboard: DashboardSpec;
}

export function planService(input: ServicePlanInput): ServicePlan {
  const { service, policy, site } = input;
  const ctx: ServiceContext = {
    site,
    service,
    policy,
    dashboardUrl: dashboardUrl(site, dashboardRef(service.name)),
    entrypoint: input.entrypoint,
  };
  const monitors: MonitorSpec[] = [];
  const slos: SloSpec[] = [];
  for (const env of policy.envs) {
    monitors.push(...serviceMonitors(ctx, env));
    const s = serviceSlos(ctx, env);
    slos.push(...s.slos);
    monitors.push(...s.budgetMonitors);
  }

  const dashboardObject = serviceDashboardJson({
    policy,
    service,
    site,
    sloIds: dashboardSloIds(service.name, policy.envs, slos),
    // Components of composite monitors are left out: a volume guard is in ALERT whenever traffic is fine.
    monitorTags: [`service:${service.name}`, MANAGED_BY_TAG, `${ROLE_TAG_KEY}:alert`],
  });

  return {
    service: service.name,
    team: policy.team,
    tier: policy.tier,
    stack: policy.stack,
    envs: policy.envs,
    routing: policy.routing,
    monitors,
    slos,
    dashboard: {
      id: DASHBOARD_ID,
      title: dashboardObject.title,
      json: stableJson(dashboardObject),
      widgetTitles: widgetTitles(dashboardObject),
    },
  };
}

/**
 * SLO ids for the dashboard's SLO widgets, keyed as the dashboard builder expects (`continuity`, `tag:<tag>`)
 * for the first env (the dashboard's default); other envs' SLOs get `<key> (<env>)`.
 */
function dashboardSloIds(service: string, envs: readonly string[], slos: readonly SloSpec[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const slo of slos) {
    const base = slo.check === SLO_CHECKS.continuity ? 'continuity' : `tag:${slo.tag}`;
    out[slo.env === envs[0] ? base : `${base} (${slo.env})`] = sloRef(service, slo.id);
  }
  return out;
}
