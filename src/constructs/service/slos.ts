/**
 * The SLO factory: trace continuity (spans whose parent is present / spans checked) and one coverage SLO per
 * required tag marked `slo: true` (spans carrying the tag / spans in scope), per env — both from the collector's
 * counts. The collector sends zeros (a vanished tag is `covered 0`, a point), so good and total events always
 * exist together; span-based "spans missing the tag" counts have no point while nothing is missing, and whether
 * an SLO then counts the interval as all good or drops it is undocumented (datadog-semantics §8): under the
 * dropping reading every healthy minute would vanish and any single missing tag would burn the whole budget. Target, warning and timeframe come from the policy. Each SLO gets an error-budget alert:
 * an SLO by itself only colours a widget; the budget monitor is what tells the team before the budget is gone.
 */
import { missingTagSpanQuery } from '../../datadog/metrics';
import { continuityQuery, filter, sampledTagCoverageQuery } from '../../datadog/queries';
import type { TagRule } from '../../policy/model';
import { serviceDashboardTitle } from '../dashboard';
import { idSegment } from '../ids';
import { CHECK_TAG_KEY, serviceTags, sortedTags } from '../tags';
import { scopeLabel } from './messages';
import { alerting, CHECKS, monitorName, ServiceContext } from './monitors';
import { MonitorSpec, SloSpec, sloRef } from './specs';

/**
 * Error-budget alert thresholds, in percent of the budget consumed over the SLO's timeframe. Datadog's own
 * examples warn early and alert with a quarter of the budget left; one constant to change if teams want otherwise.
 */
export const ERROR_BUDGET_THRESHOLDS = { warning: 50, critical: 75 } as const;

export const SLO_CHECKS = { continuity: 'trace-continuity', tagCoverage: 'tag-coverage' } as const;

export function sloName(service: string, env: string, what: string): string {
  return `[trace-health] ${service} (${env}): ${what}`;
}

function sloTags(ctx: ServiceContext, env: string, check: string): string[] {
  return sortedTags([...serviceTags(ctx.service.name, ctx.policy.team, env), `${CHECK_TAG_KEY}:${check}`]);
}

/**
 * SLO descriptions name the service's dashboard instead of linking it by id: the dashboard shows the SLOs (it
 * references their ids), so an SLO referencing the dashboard's id would be a dependency cycle Terraform rejects.
 */
function seeDashboard(ctx: ServiceContext): string {
  return `Graphs and the how-to-investigate cheat sheet: the "${serviceDashboardTitle(ctx.service.name)}" dashboard.`;
}

export function continuitySlo(ctx: ServiceContext, env: string): SloSpec {
  const q = continuityQuery(filter(ctx.service.name, env));
  const s = ctx.policy.slo;
  return {
    id: `${env}_slo_${SLO_CHECKS.continuity}`,
    check: SLO_CHECKS.continuity,
    env,
    name: sloName(ctx.service.name, env, 'trace continuity'),
    description:
      'Share of spans whose parent is present in the complete trace (measured by the trace-health collector on ' +
      `sampled complete traces). ${seeDashboard(ctx)}`,
    numerator: q.numerator,
    denominator: q.denominator,
    timeframe: s.timeframe,
    target: s.target,
    warning: s.warning,
    tags: sloTags(ctx, env, SLO_CHECKS.continuity),
  };
}

export function tagCoverageSlo(ctx: ServiceContext, env: string, rule: TagRule): SloSpec {
  const q = sampledTagCoverageQuery(rule.tag, filter(ctx.service.name, env));
  const s = ctx.policy.slo;
  return {
    id: `${env}_slo_${SLO_CHECKS.tagCoverage}_${idSegment(rule.tag)}`,
    check: SLO_CHECKS.tagCoverage,
    env,
    tag: rule.tag,
    name: sloName(ctx.service.name, env, `${rule.tag} coverage`),
    description:
      `Share of ${scopeLabel(rule.scope)} that carry \`${rule.tag}\`, counted by the trace-health collector on ` +
      `sampled complete traces. ${seeDashboard(ctx)}`,
    numerator: q.numerator,
    denominator: q.denominator,
    timeframe: s.timeframe,
    target: s.target,
    warning: s.warning,
    tags: sloTags(ctx, env, SLO_CHECKS.tagCoverage),
  };
}

/** `error_budget("<slo id>").over("30d") > 75` on the SLO (referenced by its Terraform address). */
export function errorBudgetMonitor(
  ctx: ServiceContext,
  env: string,
  slo: SloSpec,
  explorer: { label: string; query: string },
): MonitorSpec {
  const svc = ctx.service.name;
  const what = slo.name.slice(slo.name.indexOf(': ') + 2);
  return {
    id: `${slo.id}_budget`,
    check: CHECKS.errorBudget,
    role: 'alert',
    type: 'slo alert',
    name: monitorName(svc, env, `${what} SLO error budget`),
    expression: `error_budget("${sloRef(svc, slo.id)}").over("${slo.timeframe}")`,
    comparator: '>',
    thresholds: { ...ERROR_BUDGET_THRESHOLDS },
    ...alerting(
      ctx,
      env,
      CHECKS.errorBudget,
      {
        headline: `the ${what} SLO is burning its error budget`,
        what: `The SLO "${slo.name}" (target ${slo.target}% over ${slo.timeframe}) has used more than ${ERROR_BUDGET_THRESHOLDS.critical}% (warning: ${ERROR_BUDGET_THRESHOLDS.warning}%) of its error budget. ${slo.description}`,
        causes: [
          'A slow, steady regression the per-window monitors do not catch (a share of endpoints or instances affected).',
          'A past incident that consumed most of the budget: check the dashboard for the window where it dropped.',
        ],
        explorer: [explorer],
        rule: `Alerts when more than ${ERROR_BUDGET_THRESHOLDS.critical}% of the error budget over ${slo.timeframe} is consumed.`,
      },
      // SLO alerts have no No Data option (Datadog docs via TF#2942: on_missing_data is not available for SLO monitors).
      { warns: true, noData: false },
    ),
  };
}

export interface ServiceSlos {
  readonly slos: SloSpec[];
  readonly budgetMonitors: MonitorSpec[];
}

export function serviceSlos(ctx: ServiceContext, env: string): ServiceSlos {
  const svc = ctx.service.name;
  const continuity = continuitySlo(ctx, env);
  const slos: SloSpec[] = [continuity];
  const budgetMonitors: MonitorSpec[] = [
    errorBudgetMonitor(ctx, env, continuity, {
      label: 'Traces of this service',
      query: `service:${svc} env:${env}`,
    }),
  ];
  for (const rule of ctx.policy.requiredTags) {
    if (!rule.slo) continue;
    const slo = tagCoverageSlo(ctx, env, rule);
    slos.push(slo);
    budgetMonitors.push(
      errorBudgetMonitor(ctx, env, slo, {
        label: `Spans missing ${rule.tag}`,
        query: missingTagSpanQuery(svc, env, rule),
      }),
    );
  }
  return { slos, budgetMonitors };
}
