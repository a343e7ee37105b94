/**
 * Datadog sites and the URLs we generate for them. Pure: no provider import, usable from the collector,
 * the catalog pull and the constructs alike.
 */

/** Site (what `DD_SITE` holds) → web app host. */
const APP_HOSTS: Readonly<Record<string, string>> = {
  'datadoghq.com': 'app.datadoghq.com',
  'us3.datadoghq.com': 'us3.datadoghq.com',
  'us5.datadoghq.com': 'us5.datadoghq.com',
  'datadoghq.eu': 'app.datadoghq.eu',
  'ap1.datadoghq.com': 'ap1.datadoghq.com',
  'ap2.datadoghq.com': 'ap2.datadoghq.com',
  'uk1.datadoghq.com': 'uk1.datadoghq.com',
  'ddog-gov.com': 'app.ddog-gov.com',
  'us2.ddog-gov.com': 'us2.ddog-gov.com',
};

export const SITES: readonly string[] = Object.keys(APP_HOSTS);

export function isSite(site: string): boolean {
  return Object.prototype.hasOwnProperty.call(APP_HOSTS, site);
}

/** `https://app.datadoghq.eu` for `datadoghq.eu`. Throws on an unknown site (policy validation rejects those). */
export function appUrl(site: string): string {
  const host = APP_HOSTS[site];
  if (!host) throw new Error(`unknown Datadog site ${JSON.stringify(site)} (known: ${SITES.join(', ')})`);
  return `https://${host}`;
}

/** API base URL for a site: `https://api.datadoghq.com`, `https://api.us3.datadoghq.com`, … */
export function apiUrl(site: string): string {
  if (!isSite(site)) throw new Error(`unknown Datadog site ${JSON.stringify(site)} (known: ${SITES.join(', ')})`);
  return `https://api.${site}`;
}

function query(params: Record<string, string | undefined>): string {
  const parts = Object.entries(params)
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** The APM service page. */
export function serviceUrl(site: string, service: string, env?: string): string {
  return `${appUrl(site)}/apm/services/${encodeURIComponent(service)}${query({ env })}`;
}

/** Trace Explorer pre-filtered by a span-search query, e.g. `service:checkout env:prod -@usr.id:*`. */
export function traceExplorerUrl(site: string, spanQuery: string): string {
  return `${appUrl(site)}/apm/traces${query({ query: spanQuery })}`;
}

/** One trace by id (ids are decimal or hex strings; never numbers). */
export function traceUrl(site: string, traceId: string): string {
  return `${appUrl(site)}/apm/trace/${encodeURIComponent(traceId)}`;
}

/** A dashboard by id (or a Terraform interpolation of its id). */
export function dashboardUrl(site: string, dashboardId: string): string {
  return `${appUrl(site)}/dashboard/${dashboardId}`;
}

export function sloUrl(site: string, sloId: string): string {
  return `${appUrl(site)}/slo?slo_id=${sloId}`;
}
