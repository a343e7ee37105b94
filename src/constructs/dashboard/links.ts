/**
 * The deep links a service dashboard shows: site-aware (src/datadog/site.ts), pre-filtered to the spans that
 * matter. Orphans and unexpected roots have no span-search term (DESIGN §4), so for those the links open the
 * service's traces and the collector report supplies example trace ids.
 */
import type { Service } from '../../catalog/model';
import { missingTagSpanQuery } from '../../datadog/metrics';
import { appUrl, serviceUrl, traceExplorerUrl } from '../../datadog/site';
import type { TagRule } from '../../policy/model';

export interface NamedLink {
  readonly label: string;
  readonly url: string;
}

/** Datadog links: service page, all traces, error spans, and one "missing <tag>" link per tag rule. */
export function datadogLinks(site: string, service: string, env: string, rules: readonly TagRule[]): NamedLink[] {
  return [
    { label: 'APM service page', url: serviceUrl(site, service, env) },
    { label: 'All spans (Trace Explorer)', url: traceExplorerUrl(site, `service:${service} env:${env}`) },
    { label: 'Error spans', url: traceExplorerUrl(site, `service:${service} env:${env} status:error`) },
    ...rules.map((r) => ({
      label: `Spans missing \`${r.tag}\``,
      url: traceExplorerUrl(site, missingTagSpanQuery(service, env, r)),
    })),
  ];
}

/**
 * The dashboard list searched by title: a link that needs no dashboard id, so a dashboard in another Terraform
 * stack (service dashboards live in team stacks, the overview in core) can be linked without a cross-stack
 * reference. The `q` parameter of the dashboard list is unverified — one function to change.
 */
export function dashboardSearchUrl(site: string, title: string): string {
  return `${appUrl(site)}/dashboard/lists?q=${encodeURIComponent(title)}`;
}

/** Catalog links worth showing next to the graphs: runbook first, then repos and docs, in catalog order. */
export function catalogLinks(service: Service): NamedLink[] {
  const out: NamedLink[] = [];
  if (service.runbook) out.push({ label: 'Runbook', url: service.runbook });
  for (const type of ['repo', 'doc', 'dashboard']) {
    for (const l of service.links) {
      if (l.type === type && l.url !== service.runbook) out.push({ label: `${l.name} (${type})`, url: l.url });
    }
  }
  return out;
}

/**
 * Terraform interpolates `${…}` and `%{…}` in every string of the configuration, including the dashboard JSON.
 * Text that comes from the catalog is escaped (`$${`, `%%{`) so that Datadog receives it literally.
 */
export function escapeInterpolation(text: string): string {
  return text.replace(/\$\{/g, '$$${').replace(/%\{/g, '%%{');
}

/** Markdown link; `[`/`]` in labels and `)`/spaces in URLs are escaped so the link survives any input. */
export function mdLink(link: NamedLink): string {
  const label = link.label.replace(/([[\]])/g, '\\$1');
  const url = link.url.replace(/ /g, '%20').replace(/\(/g, '%28').replace(/\)/g, '%29');
  return escapeInterpolation(`[${label}](${url})`);
}
