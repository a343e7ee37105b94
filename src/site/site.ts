/**
 * `trace-health site`: a static site (plain HTML and CSS, a few lines of script for search) rendered from the
 * plan synth turns into Terraform — the same ServicePlans, dashboard JSON, monitor messages, SLOs and routing:
 *
 * - `index.html`: teams and their services (tier, what is watched, thresholds, who is told per severity, links),
 *   searchable in the page;
 * - `services/<service>.html`: links to the live Datadog pages for the policy's site and env, who is told, every
 *   monitor with its rule in words and its message rendered for a sample alert, SLOs, and the cheat sheet (the
 *   dashboard note's own source, `serviceCheatSheet`);
 * - `dashboards/<service>.html`, `dashboards/overview.html`: the dashboards drawn from their JSON
 *   (src/site/dashboard-preview.ts) with sample series from the simulator's scenarios.
 *
 * Pure: returns the files (relative path → text); the CLI writes them. Same plan, same bytes.
 */
import type { Catalog } from '../catalog/model';
import { compareStrings } from '../catalog/problems';
import { catalogLinks, dashboardSearchUrl, datadogLinks, NamedLink } from '../constructs/dashboard/links';
import { serviceCheatSheet } from '../constructs/dashboard/service-dashboard';
import type { JsonObject } from '../constructs/dashboard/widgets';
import type { ServicePlan, ServicePlanInput } from '../constructs/service/plan';
import { MonitorSpec, monitorQuery, sloRef } from '../constructs/service/specs';
import { serviceUrl } from '../datadog/site';
import type { Policy } from '../policy/model';
import { handlesOn, Transition, TRANSITIONS } from '../policy/routing';
import { readableRefs } from '../review/manifest';
import type { AppPlan } from '../synth';
import { sampleAlert } from './alerts';
import { SITE_CSS, SEARCH_JS } from './assets';
import { MonitorInfo, renderDashboardPreview, SloInfo } from './dashboard-preview';
import { esc, markdown, page } from './html';
import { SampleData, SampleSeries } from './samples';

export interface SiteInput {
  readonly plan: AppPlan;
  readonly policy: Policy;
  readonly catalog: Catalog;
}

type PlannedService = ServicePlanInput & { readonly plan: ServicePlan };

export const TRANSITION_LABEL: Readonly<Record<Transition, string>> = {
  alert: 'critical (alert)',
  warning: 'warning',
  noData: 'no data',
  recovery: 'recovery',
};

/**
 * A file name for a service: catalog names are `[a-z0-9._-]` in practice (Datadog service names); anything else
 * becomes `_`, and a name that then collides with another gets `-<n>` (services in name order, so stable).
 */
export function pageNames(services: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>(['overview']);
  for (const name of [...services].sort(compareStrings)) {
    const base = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || '_';
    let slug = base;
    for (let n = 2; used.has(slug.toLowerCase()); n++) slug = `${base}-${n}`;
    used.add(slug.toLowerCase());
    out.set(name, slug);
  }
  return out;
}

function link(l: NamedLink): string {
  return `<a href="${esc(l.url)}">${esc(l.label.replace(/`/g, ''))}</a>`;
}

function percent(ratio: number): string {
  return `${Number((ratio * 100).toPrecision(6))}%`;
}

/** `[trace-health] svc (prod): orphan span rate` → `orphan span rate`. */
function what(m: MonitorSpec): string {
  const i = m.name.indexOf('): ');
  return i < 0 ? m.name : m.name.slice(i + 3);
}

function handles(list: readonly string[]): string {
  return list.length ? list.map((h) => `<code>${esc(h)}</code>`).join(' ') : '<span class="warn">nobody</span>';
}

/** Every file of the site, in path order, as a map (tests; small sites). */
export function renderSite(input: SiteInput): Map<string, string> {
  return new Map(siteEntries(input));
}

/**
 * Every file of the site as [relative path, text], in path order, rendered one at a time: a caller that writes
 * each file as it comes never holds the whole site (120 MB for 1,500 services) in memory.
 */
export function* siteEntries(input: SiteInput): Generator<[string, string]> {
  const { plan, policy, catalog } = input;
  const services = plan.stacks
    .flatMap((s) => (s.kind === 'services' ? s.services : []))
    .sort((a, b) => compareStrings(a.service.name, b.service.name));
  const names = pageNames(services.map((x) => x.service.name));
  const samples = new SampleSeries(plan, policy, catalog);
  const allSlos: SloInfo[] = [];
  const allMonitors: MonitorInfo[] = [];
  for (const x of services) {
    allSlos.push(...sloInfos(x.plan));
    allMonitors.push(...x.plan.monitors.map((m) => ({ name: m.name, tags: m.tags })));
  }
  const bySlug = [...services].sort((a, b) => compareStrings(names.get(a.service.name)!, names.get(b.service.name)!));
  // GitHub Pages runs Jekyll unless this file exists, and Jekyll drops files whose names start with `_`.
  yield ['.nojekyll', ''];
  yield ['assets/search.js', SEARCH_JS];
  yield ['assets/site.css', SITE_CSS];
  const overview = (): [string, string][] => {
    const core = plan.stacks.find((s) => s.kind === 'core');
    if (!core || core.kind !== 'core') return [];
    return [
      [
        'dashboards/overview.html',
        dashboardPage(core.overview.json, samples.overview(), allSlos, allMonitors, undefined, [
          ['All services', '../index.html'],
        ]),
      ],
    ];
  };
  const dashboards: [string, () => string][] = bySlug.map((x) => {
    const slug = names.get(x.service.name)!;
    return [
      `dashboards/${slug}.html`,
      () =>
        dashboardPage(
          x.plan.dashboard.json,
          samples.forService(x),
          sloInfos(x.plan),
          monitorInfos(x.plan),
          x.service.name,
          [
            ['All services', '../index.html'],
            [`${x.service.name}`, `../services/${slug}.html`],
            ['Overview dashboard', 'overview.html'],
          ],
        ),
    ];
  });
  let overviewDone = false;
  for (const [file, render] of dashboards) {
    if (!overviewDone && compareStrings('dashboards/overview.html', file) < 0) {
      yield* overview();
      overviewDone = true;
    }
    yield [file, render()];
  }
  if (!overviewDone) yield* overview();
  yield ['index.html', indexPage(policy, services, names)];
  for (const x of bySlug) {
    const slug = names.get(x.service.name)!;
    yield [`services/${slug}.html`, servicePage(policy, x, slug)];
  }
}

function sloInfos(p: ServicePlan): SloInfo[] {
  return p.slos.map((s) => ({
    ref: sloRef(p.service, s.id),
    name: s.name,
    target: s.target,
    warning: s.warning,
    timeframe: s.timeframe,
    numerator: s.numerator,
    denominator: s.denominator,
    tags: s.tags,
  }));
}

function monitorInfos(p: ServicePlan): MonitorInfo[] {
  return p.monitors.map((m) => ({ name: m.name, tags: m.tags }));
}

function dashboardPage(
  json: string,
  sample: SampleData,
  slos: readonly SloInfo[],
  monitors: readonly MonitorInfo[],
  service: string | undefined,
  nav: readonly (readonly [string, string])[],
): string {
  const dashboard = JSON.parse(json) as JsonObject;
  return page({
    title: `Dashboard preview: ${String(dashboard.title)}`,
    root: '../',
    nav,
    body: `<p class="kicker">Dashboard preview — what <code>terraform apply</code> creates</p>\n${renderDashboardPreview(dashboard, { sample, slos, monitors, service })}`,
  });
}

// --- Index -------------------------------------------------------------------------------------------------------

function indexPage(policy: Policy, services: readonly PlannedService[], names: ReadonlyMap<string, string>): string {
  const teams = new Map<string, PlannedService[]>();
  for (const x of services) teams.set(x.plan.team, [...(teams.get(x.plan.team) ?? []), x]);
  const teamNames = [...teams.keys()].sort(compareStrings);
  const disabled = policy.services.filter((s) => !s.enabled).map((s) => s.service);
  const sections = teamNames.map((team, i) => {
    const rows = teams.get(team)!.map((x) => indexRow(policy, x, names.get(x.service.name)!));
    return [
      `<section class="team" aria-labelledby="team-${i}">`,
      `<h2 id="team-${i}">Team ${esc(team)} <span class="muted">(${rows.length})</span></h2>`,
      '<div class="scroll"><table class="services">',
      '<thead><tr><th scope="col">service</th><th scope="col">tier</th><th scope="col">watched</th><th scope="col">thresholds</th><th scope="col">who is told</th><th scope="col">links</th></tr></thead>',
      `<tbody>${rows.join('\n')}</tbody>`,
      '</table></div>',
      '</section>',
    ].join('\n');
  });
  const body = [
    `<h1>Trace health of ${services.length} services</h1>`,
    `<p class="lead">${teamNames.length} teams, Datadog site <code>${esc(policy.site)}</code>, env${policy.envs.length === 1 ? '' : 's'} ${policy.envs.map((e) => `<code>${esc(e)}</code>`).join(', ')}. Every service here gets the monitors, SLOs and dashboard listed on its page; the <a href="dashboards/overview.html">overview dashboard preview</a> ranks them all.</p>`,
    '<form class="search" role="search" onsubmit="return false">',
    '<label for="q">Find a service, team or handle</label>',
    '<input id="q" name="q" type="search" autocomplete="off" placeholder="e.g. checkout">',
    `<p id="count" aria-live="polite">${services.length} services</p>`,
    '</form>',
    ...sections,
    disabled.length
      ? `<section aria-labelledby="disabled"><h2 id="disabled">Disabled in the policy</h2><p>${disabled
          .sort(compareStrings)
          .map((s) => `<code>${esc(s)}</code>`)
          .join(', ')}: no monitors, SLOs or dashboard.</p></section>`
      : '',
  ];
  return page({
    title: 'Services',
    root: '',
    nav: [['Overview dashboard', 'dashboards/overview.html']],
    body: body.filter((b) => b !== '').join('\n'),
    script: 'assets/search.js',
  });
}

function indexRow(policy: Policy, x: PlannedService, slug: string): string {
  const p = x.policy;
  const env = p.envs[0];
  const watched = [...new Set(x.plan.monitors.filter((m) => m.role === 'alert').map(what))];
  const told = (['alert', 'warning', 'noData'] as const)
    .map((t) => `<li>${TRANSITION_LABEL[t]}: ${handles(handlesOn(x.plan.routing, t))}</li>`)
    .join('');
  const search = [x.service.name, x.plan.team, x.plan.tier ?? '', ...x.plan.routing.routes.map((r) => r.handle)]
    .join(' ')
    .toLowerCase();
  return [
    `<tr data-search="${esc(search)}">`,
    `<th scope="row"><a href="services/${esc(slug)}.html">${esc(x.service.name)}</a></th>`,
    `<td>${esc(x.plan.tier ?? '—')}</td>`,
    `<td><ul class="compact">${watched.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></td>`,
    `<td><ul class="compact"><li>orphans &gt; ${percent(p.orphanRate.warning)} / ${percent(p.orphanRate.critical)}</li><li>coverage &lt; ${percent(p.tagCoverage.warning)} / ${percent(p.tagCoverage.critical)}</li><li>${p.minSpans} spans per ${esc(p.window)}</li><li>SLO ${p.slo.target}% / ${esc(p.slo.timeframe)}</li></ul></td>`,
    `<td><ul class="compact">${told}</ul></td>`,
    `<td><ul class="compact"><li><a href="dashboards/${esc(slug)}.html">dashboard preview</a></li>${
      env !== undefined
        ? `<li><a href="${esc(serviceUrl(policy.site, x.service.name, env))}">APM (${esc(env)})</a></li>`
        : ''
    }</ul></td>`,
    '</tr>',
  ].join('');
}

// --- Service page ------------------------------------------------------------------------------------------------

function servicePage(policy: Policy, x: PlannedService, slug: string): string {
  const { plan, service } = x;
  const p = x.policy;
  const facts: [string, string][] = [
    ['team', esc(plan.team)],
    ['tier', esc(plan.tier ?? 'not set')],
    ['Terraform stack', `<code>${esc(plan.stack)}</code>`],
    ['envs', p.envs.map((e) => `<code>${esc(e)}</code>`).join(', ')],
    ['languages', esc(service.languages.join(', ') || 'not in the catalog')],
    ['may start traces', x.entrypoint ? 'yes (entrypoint)' : 'no: only traced callers'],
    ['window, volume guard', `${esc(p.window)}, at least ${p.minSpans} spans`],
  ];
  if (service.description) facts.push(['description', esc(service.description)]);
  const live = p.envs.flatMap((env) => [
    `<h3>env <code>${esc(env)}</code></h3>`,
    `<ul>${[
      ...datadogLinks(policy.site, service.name, env, p.requiredTags),
      {
        label: 'Trace-health dashboard (dashboard list search)',
        url: dashboardSearchUrl(policy.site, plan.dashboard.title),
      },
    ]
      .map((l) => `<li>${link(l)}</li>`)
      .join('')}</ul>`,
  ]);
  const fromCatalog = catalogLinks(service);
  const routes = TRANSITIONS.map(
    (t) => `<tr><th scope="row">${TRANSITION_LABEL[t]}</th><td>${handles(handlesOn(plan.routing, t))}</td></tr>`,
  ).join('');
  const dropped = plan.routing.dropped.length
    ? `<p>Catalog contacts that notify nobody:</p><ul>${plan.routing.dropped
        .map((d) => `<li><code>${esc(d.what)}</code>: ${esc(d.reason)}</li>`)
        .join('')}</ul>`
    : '';
  const body = [
    `<h1>${esc(service.name)}</h1>`,
    `<p class="lead">What trace-health watches for this service, who is told, and how to investigate. <a href="../dashboards/${esc(slug)}.html">Dashboard preview</a>.</p>`,
    `<dl class="facts">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`,
    '<section aria-labelledby="links"><h2 id="links">In Datadog</h2>',
    ...live,
    fromCatalog.length
      ? `<h3>From the catalog</h3><ul>${fromCatalog.map((l) => `<li>${link(l)}</li>`).join('')}</ul>`
      : '',
    service.runbook === undefined
      ? '<p class="warn">No runbook in the catalog: add a link of type <code>runbook</code> to the service definition.</p>'
      : '',
    '</section>',
    '<section aria-labelledby="told"><h2 id="told">Who is told</h2>',
    `<table><thead><tr><th scope="col">transition</th><th scope="col">handles</th></tr></thead><tbody>${routes}</tbody></table>`,
    dropped,
    '</section>',
    monitorsSection(policy, plan),
    slosSection(plan),
    `<section aria-labelledby="cheat" class="cheat"><h2 id="cheat">Cheat sheet</h2>${serviceCheatSheet(p, service)
      .map((s) =>
        markdown(s).replace(/<(\/?)h([1-6])>/g, (_m, c: string, l: string) => `<${c}h${Math.min(6, Number(l) + 1)}>`),
      )
      .join('\n')}</section>`,
  ];
  return page({
    title: service.name,
    root: '../',
    nav: [
      ['All services', '../index.html'],
      ['Dashboard preview', `../dashboards/${slug}.html`],
      ['Overview dashboard', '../dashboards/overview.html'],
    ],
    body: body.filter((b) => b !== '').join('\n'),
  });
}

function monitorsSection(policy: Policy, plan: ServicePlan): string {
  const alerting = plan.monitors.filter((m) => m.role === 'alert');
  const components = plan.monitors.filter((m) => m.role === 'component');
  const out = [
    '<section aria-labelledby="monitors"><h2 id="monitors">Monitors</h2>',
    `<p>${alerting.length} notifying monitors, ${components.length} building blocks (composite parts that notify nobody).</p>`,
  ];
  for (const m of alerting) {
    const alert = sampleAlert(policy.site, plan, m);
    const group = Object.entries(alert.group)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    const thresholds = m.thresholds
      ? `critical <code>${esc(`${m.comparator ?? ''} ${m.thresholds.critical}`)}</code>${
          m.thresholds.warning !== undefined
            ? `, warning <code>${esc(`${m.comparator ?? ''} ${m.thresholds.warning}`)}</code>`
            : ''
        }`
      : 'the composite of its building blocks';
    const routes = m.notify
      ? (['warning', 'alert', 'noData', 'recovery'] as const)
          .filter((t) => m.notify![t] !== undefined)
          .map((t) => `<li>${TRANSITION_LABEL[t]}: ${handles(m.notify![t]!)}</li>`)
          .join('')
      : '';
    out.push(
      `<article class="monitor" aria-labelledby="m-${esc(m.id)}">`,
      `<h3 id="m-${esc(m.id)}">${esc(m.name)}</h3>`,
      `<p>${esc(m.rule ?? '')}</p>`,
      '<dl class="facts">',
      `<dt>type</dt><dd>${esc(m.type)}${m.priority !== undefined ? `, priority P${m.priority}` : ''}</dd>`,
      `<dt>query</dt><dd><code>${esc(readableRefs(monitorQuery(m), plan.service))}</code></dd>`,
      `<dt>thresholds</dt><dd>${thresholds}</dd>`,
      '</dl>',
      routes ? `<p>Notifies:</p><ul class="compact">${routes}</ul>` : '',
      `<details><summary>Message for a sample ${esc(alert.state)}${group ? ` (${esc(group)})` : ''}, reaching ${alert.notified.length ? alert.notified.map(esc).join(' ') : 'nobody'}</summary>`,
      `<div class="message">${markdown(alert.text, plan.service)}</div></details>`,
      '</article>',
    );
  }
  if (components.length)
    out.push(
      '<h3>Building blocks</h3>',
      '<div class="scroll"><table><thead><tr><th scope="col">monitor</th><th scope="col">query</th></tr></thead><tbody>',
      ...components.map(
        (m) =>
          `<tr><th scope="row">${esc(m.name)}</th><td><code>${esc(readableRefs(monitorQuery(m), plan.service))}</code></td></tr>`,
      ),
      '</tbody></table></div>',
    );
  out.push('</section>');
  return out.filter((l) => l !== '').join('\n');
}

function slosSection(plan: ServicePlan): string {
  if (plan.slos.length === 0) return '';
  return [
    '<section aria-labelledby="slos"><h2 id="slos">SLOs</h2>',
    '<div class="scroll"><table><thead><tr><th scope="col">SLO</th><th scope="col">target</th><th scope="col">good events / total</th></tr></thead><tbody>',
    ...plan.slos.map(
      (s) =>
        `<tr><th scope="row">${esc(s.name)}<p class="muted">${esc(s.description)}</p></th><td>${s.target}% over ${esc(s.timeframe)} (warning ${s.warning}%)</td><td><code>${esc(s.numerator)}</code><br>/ <code>${esc(s.denominator)}</code></td></tr>`,
    ),
    '</tbody></table></div>',
    '</section>',
  ].join('\n');
}
