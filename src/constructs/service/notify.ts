/**
 * Who gets told. Handles come from two places: the policy (`notify` at every layer, already merged into
 * `ServicePolicy.notify`) and what the service's catalog entry makes derivable — its Slack and email contacts and
 * its PagerDuty / Opsgenie integrations. Pure: the catalog entry is data, nothing is looked up.
 *
 * Pagers only hear about critical alerts (and their recovery, so the incident resolves itself): a drop in tag
 * coverage is worth a chat message, rarely worth waking someone up for a warning.
 */
import { compareStrings } from '../../catalog/problems';
import type { Contact, Service } from '../../catalog/model';
import type { ServicePolicy } from '../../policy/model';

export interface Routing {
  /** Notified on warning, alert and recovery: policy handles, Slack channels, emails. */
  readonly always: readonly string[];
  /** Notified on critical alerts and their recovery only: PagerDuty and Opsgenie services. */
  readonly alertOnly: readonly string[];
  /**
   * Catalog contacts and integrations no handle could be derived from (`pagerduty PWEBGW1`, `slack C01PLATFORM`):
   * Datadog needs the name configured in its integration, and a URL ending in an id does not tell it.
   */
  readonly unmapped: readonly string[];
}

/** PagerDuty service ids (`PWEBGW1`), Slack channel ids (`C0123ABCD`), UUIDs (Opsgenie): ids, not handle names. */
export function looksLikeId(segment: string): boolean {
  return (
    /^P[A-Z0-9]{6}$/.test(segment) ||
    /^[CG][A-Z0-9]{8,}$/.test(segment) ||
    /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(segment)
  );
}

/** Slack contact (`https://org.slack.com/archives/<channel>`, `#channel`, `channel`) → `@slack-<channel>`. */
export function slackHandle(contact: string): string | undefined {
  const value = contact.trim();
  const segment = value.includes('/') ? lastPathSegment(value) : value.replace(/^#/, '');
  if (!segment) return undefined;
  // A channel id (C0123ABCD) is not a channel name, and Datadog's handle needs the name.
  if (looksLikeId(segment)) return undefined;
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(segment)) return undefined;
  return `@slack-${segment}`;
}

/** Email contact → `@<address>` (Datadog mails any address written as a handle). */
export function emailHandle(contact: string): string | undefined {
  const value = contact.trim().replace(/^mailto:/i, '');
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) ? `@${value}` : undefined;
}

/**
 * PagerDuty service URL → `@pagerduty-<name>` when the URL ends with a name. Datadog's handle is the service
 * name as configured in the Datadog PagerDuty integration; service-directory URLs usually end with the service
 * id (`PWEBGW1`), which is no handle — then there is none (see `Routing.unmapped`), and the policy's `notify`
 * must name it.
 */
export function pagerdutyHandle(serviceUrl: string): string | undefined {
  const segment = lastPathSegment(serviceUrl);
  return segment && !looksLikeId(segment) ? `@pagerduty-${segment}` : undefined;
}

/** Opsgenie service URL → `@opsgenie-<name>` (same caveat: service URLs usually end with a UUID). */
export function opsgenieHandle(serviceUrl: string): string | undefined {
  const segment = lastPathSegment(serviceUrl);
  return segment && !looksLikeId(segment) ? `@opsgenie-${segment}` : undefined;
}

function lastPathSegment(url: string): string | undefined {
  const path = url.split(/[?#]/)[0].replace(/\/+$/, '');
  const segment = path.slice(path.lastIndexOf('/') + 1);
  return segment && !segment.includes(':') ? segment : undefined;
}

function contactHandle(c: Contact): string | undefined {
  switch (c.type.toLowerCase()) {
    case 'slack':
      return slackHandle(c.contact);
    case 'email':
      return emailHandle(c.contact);
    default:
      // microsoft-teams, website, …: no handle can be derived from the contact alone.
      return undefined;
  }
}

/** The handles a service's monitors notify, sorted and de-duplicated. */
export function routing(policy: ServicePolicy, service: Service): Routing {
  const always = new Set(policy.notify);
  const unmapped: string[] = [];
  for (const c of service.contacts) {
    const h = contactHandle(c);
    if (h) always.add(h);
    else if (c.type.toLowerCase() === 'slack') unmapped.push(`slack ${lastPathSegment(c.contact) ?? c.contact}`);
  }
  const alertOnly = new Set<string>();
  const { pagerduty, opsgenie } = service.integrations;
  if (pagerduty) {
    const h = pagerdutyHandle(pagerduty.serviceUrl);
    if (h) alertOnly.add(h);
    else unmapped.push(`pagerduty ${lastPathSegment(pagerduty.serviceUrl) ?? pagerduty.serviceUrl}`);
  }
  if (opsgenie) {
    const h = opsgenieHandle(opsgenie.serviceUrl);
    if (h) alertOnly.add(h);
    else unmapped.push(`opsgenie ${lastPathSegment(opsgenie.serviceUrl) ?? opsgenie.serviceUrl}`);
  }
  for (const h of always) alertOnly.delete(h);
  // A handle the policy names for an integration makes it mapped (`@pagerduty-…`, `@opsgenie-…`, `@slack-…`).
  const named = (kind: string) => [...always, ...alertOnly].some((h) => h.startsWith(`@${kind}-`));
  return {
    always: [...always].sort(compareStrings),
    alertOnly: [...alertOnly].sort(compareStrings),
    unmapped: unmapped.filter((u) => !named(u.slice(0, u.indexOf(' ')))).sort(compareStrings),
  };
}

export function hasAnyone(r: Routing): boolean {
  return r.always.length > 0 || r.alertOnly.length > 0;
}

/** Every handle, for the review manifest: pagers marked `(critical only)`, or `(critical and no data)`. */
export function describeRouting(r: Routing, opts: { readonly noData?: boolean } = {}): string[] {
  const when = opts.noData ? 'critical and no data' : 'critical only';
  return [...r.always, ...r.alertOnly.map((h) => `${h} (${when})`)];
}

/**
 * The notification block at the end of a message. Handles outside conditional blocks are notified on every
 * transition; a handle inside `{{#is_alert}}…{{/is_alert}}` only when the monitor goes critical, and a No Data
 * notification does not enter `{{#is_alert}}` — it needs `{{#is_no_data}}` (DOC:content/en/monitors/notify/
 * variables.md). `noData`: the monitor's No Data state is its alert, so pagers hear about it and its recovery.
 */
export function notificationBlock(r: Routing, opts: { readonly noData?: boolean } = {}): string {
  const lines: string[] = [];
  if (r.always.length) lines.push(r.always.join(' '));
  if (r.alertOnly.length) {
    const pagers = r.alertOnly.join(' ');
    let block = `{{#is_alert}}${pagers}{{/is_alert}}{{#is_alert_recovery}}${pagers}{{/is_alert_recovery}}`;
    if (opts.noData)
      block += `{{#is_no_data}}${pagers}{{/is_no_data}}{{#is_no_data_recovery}}${pagers}{{/is_no_data_recovery}}`;
    lines.push(block);
  }
  return lines.join('\n');
}
