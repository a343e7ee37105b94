/**
 * The org-wide trace-health overview (core stack): every enabled service ranked worst first by orphan rate and
 * by tag coverage, SLO status, the monitor summary, and one note per team linking its services' dashboards.
 * Ranking is done by Datadog (`sort` on a formula), so the JSON does not change when the numbers do.
 */
import { compareStrings } from '../../catalog/problems';
import {
  checkedSpansQuery,
  orphanRateQuery,
  tagCoverageQuery,
  tagsFilter,
  TEMPLATE_FILTERS,
  uncatalogedServicesQuery,
  unexpectedRootsQuery,
  unseenServicesQuery,
  type RatioQuery,
} from '../../datadog/queries';
import { serviceUrl } from '../../datadog/site';
import type { ServicePolicy, TagRule } from '../../policy/model';
import { MANAGED_BY_TAG } from '../tags';
import { escapeInterpolation, mdLink } from './links';
import { monitorSearchQuery, scopeLabel } from './service-dashboard';
import {
  group,
  metricToplist,
  monitorSummary,
  note,
  queryValue,
  ratioTable,
  ratioToplist,
  sloList,
  type DashboardJson,
  type TemplateVariable,
  type Widget,
} from './widgets';

export const OVERVIEW_TITLE = 'Trace health — overview';

export interface OverviewDashboardInput {
  /** Resolved service policies; disabled ones are left out of every list and excluded from the rankings. */
  readonly services: readonly ServicePolicy[];
  readonly site: string;
  readonly title?: string;
  /** Service → its trace-health dashboard URL (or a Terraform interpolation of it), when known. */
  readonly dashboardUrls?: Readonly<Record<string, string>>;
}

/** How many rows a ranking shows: enough for every service of a large org, bounded for the widget. */
const RANK_LIMIT = 100;

/** Distinct tag rules across services (same tag and scope = same metrics), sorted by tag then scope. */
export function distinctTagRules(services: readonly ServicePolicy[]): TagRule[] {
  const byKey = new Map<string, TagRule>();
  for (const s of services) for (const r of s.requiredTags) byKey.set(`${r.tag}\u0000${r.scope.trim()}`, r);
  return [...byKey.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, r]) => r);
}

/**
 * The env every service shares first (the policy's first env, normally): the overview's default. Ties → name
 * order. No envs at all → `*`.
 */
function defaultEnv(services: readonly ServicePolicy[]): string {
  const counts = new Map<string, number>();
  for (const s of services) if (s.envs[0] !== undefined) counts.set(s.envs[0], (counts.get(s.envs[0]) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]));
  return ranked[0]?.[0] ?? '*';
}

function overviewTemplateVariables(services: readonly ServicePolicy[]): TemplateVariable[] {
  const envs = [...new Set(services.flatMap((s) => s.envs))].sort();
  const env: TemplateVariable = envs.length
    ? { name: 'env', prefix: 'env', available_values: envs, defaults: [defaultEnv(services)] }
    : { name: 'env', prefix: 'env', defaults: ['*'] };
  return [env];
}

/**
 * Filter for org-wide rankings: `$env`, minus the services that must not appear (disabled ones — their metrics
 * may still exist — and, for a tag rule only some services have, the services without it). Exclusions keep the
 * plain comma syntax that template variables are documented with.
 */
function rankingFilter(excluded: readonly string[]): string {
  return tagsFilter([TEMPLATE_FILTERS.env, ...[...excluded].sort().map((s) => `!service:${s}`)]);
}

function teamNote(team: string, services: readonly ServicePolicy[], input: OverviewDashboardInput): Widget {
  const lines = [`## Team ${team}`, ''];
  for (const s of services) {
    const links = [];
    const dashboard = input.dashboardUrls?.[s.service];
    if (dashboard !== undefined) links.push(`[dashboard](${dashboard})`);
    links.push(mdLink({ label: 'APM', url: serviceUrl(input.site, s.service, s.envs[0]) }));
    const tier = s.tier !== undefined ? ` (tier ${escapeInterpolation(s.tier)})` : '';
    lines.push(`- **${s.service}**${tier}: ${links.join(' · ')}`);
  }
  return note(lines.join('\n'));
}

export function overviewDashboardJson(input: OverviewDashboardInput): DashboardJson {
  const enabled = input.services.filter((s) => s.enabled).sort((a, b) => (a.service < b.service ? -1 : 1));
  const disabled = input.services
    .filter((s) => !s.enabled)
    .map((s) => s.service)
    .sort();
  const all = rankingFilter(disabled);
  const by = ['service'];
  const ratio = (alias: string, name: string, q: RatioQuery) => ({ alias, name, ratio: q });

  const rules = distinctTagRules(enabled);
  const coverage = rules.map((rule, i) => {
    const without = enabled
      .filter((s) => !s.requiredTags.some((r) => r.tag === rule.tag && r.scope.trim() === rule.scope.trim()))
      .map((s) => s.service);
    const f = without.length ? rankingFilter([...disabled, ...without]) : all;
    return { rule, formula: ratio(`${rule.tag} coverage`, `tag${i}`, tagCoverageQuery(rule.scope, rule.tag, f, by)) };
  });

  const teams = new Map<string, ServicePolicy[]>();
  for (const s of enabled) teams.set(s.team, [...(teams.get(s.team) ?? []), s]);
  const teamNames = [...teams.keys()].sort();

  const widgets: Widget[] = [
    note(
      [
        `## ${input.title ?? OVERVIEW_TITLE}`,
        '',
        `${enabled.length} services of ${teamNames.length} teams, generated by trace-health from the service catalog. Rankings put the worst service first: highest orphan rate, lowest tag coverage. Each service's own dashboard (team sections below) explains the signals and how to investigate.`,
      ].join('\n'),
    ),
    group('Trace continuity, worst first', [
      ratioToplist(
        'Orphan span rate by service',
        ratio('orphan rate', 'orphans', orphanRateQuery(all, by)),
        'desc',
        RANK_LIMIT,
      ),
      ratioTable(
        'Trace continuity by service',
        [
          ratio('orphan rate', 'orphans', orphanRateQuery(all, by)),
          ratio('unexpected roots', 'roots', unexpectedRootsQuery(all, by)),
        ],
        [{ alias: 'checked spans', name: 'checked', query: checkedSpansQuery(all, by) }],
        'desc',
        RANK_LIMIT,
      ),
    ]),
  ];
  if (coverage.length)
    widgets.push(
      group('Tag coverage, worst first', [
        ...coverage.map((c) =>
          ratioToplist(`${c.rule.tag} coverage (${scopeLabel(c.rule)}) by service`, c.formula, 'asc', RANK_LIMIT),
        ),
        ratioTable(
          'Tag coverage by service',
          coverage.map((c) => c.formula),
          [],
          'asc',
          RANK_LIMIT,
        ),
      ]),
    );
  // Catalog coverage: services the catalog forgot get no monitors at all; the collector reports them (gauges).
  const envFilter = tagsFilter([TEMPLATE_FILTERS.env]);
  widgets.push(
    group('Catalog coverage', [
      note(
        'Services that send spans but have no catalog definition get no monitors, dashboard or SLO. The collector counts them (and the catalog services it saw no span of); `trace-health catalog suggest --from REPORT --out DIR` drafts their definitions.',
      ),
      queryValue('Services sending spans, not in the catalog', uncatalogedServicesQuery(envFilter), 'max'),
      queryValue('Catalog services without spans in the sample', unseenServicesQuery(), 'max'),
      metricToplist(
        'Services not in the catalog',
        'not in the catalog',
        uncatalogedServicesQuery(envFilter, ['service']),
        RANK_LIMIT,
      ),
    ]),
  );
  widgets.push(
    group('SLOs and monitors', [
      sloList('Trace-health SLOs', MANAGED_BY_TAG, RANK_LIMIT),
      monitorSummary('Trace-health monitors', monitorSearchQuery([MANAGED_BY_TAG])),
    ]),
    group(
      'Teams',
      teamNames.map((t) => teamNote(t, teams.get(t)!, input)),
    ),
  );

  return {
    title: input.title ?? OVERVIEW_TITLE,
    description:
      'Trace health of every catalog service: orphan spans, unexpected roots and tag coverage, ranked worst first. Managed by trace-health; edits here are overwritten.',
    layout_type: 'ordered',
    reflow_type: 'auto',
    template_variables: overviewTemplateVariables(enabled),
    tags: [],
    widgets,
  };
}
