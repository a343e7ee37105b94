/**
 * Monitor messages, written for the person who rarely opens APM and just got paged: what broke, the usual
 * causes, where to click (site-aware links pre-filtered to the bad spans, the service's trace-health dashboard
 * with the cheat sheet, the catalog runbook), and who else was told. Pure string building.
 *
 * Two Datadog rules shape the text:
 * - every `@word` in a message is a notification handle, so tag names are written without `@` (`usr.id`) and
 *   links are URL-encoded (`%40usr.id`); the only `@` are the handles of the routing block;
 * - Terraform interpolates `${…}` and `%{…}` in every string, so catalog-provided text is escaped.
 */
import type { Service } from '../../catalog/model';
import { serviceUrl, traceExplorerUrl } from '../../datadog/site';
import type { ServicePolicy } from '../../policy/model';
import type { MonitorRoutes } from '../../policy/routing';
import { escapeInterpolation } from '../dashboard/links';
import { notificationBlock } from './notify';

export interface MessageContext {
  readonly site: string;
  readonly service: Service;
  readonly policy: ServicePolicy;
  readonly env: string;
  /** URL of the service's trace-health dashboard (usually holding a Terraform reference to its id). */
  readonly dashboardUrl: string;
}

/** What a monitor message says about one check. */
export interface CheckText {
  /** One line: "spans are losing their parent span". */
  readonly headline: string;
  /** A short paragraph: what the signal means. */
  readonly what: string;
  readonly causes: readonly string[];
  /** Trace Explorer links pre-filtered to the spans worth looking at; may use `{{version.name}}`-style variables. */
  readonly explorer: readonly { readonly label: string; readonly query: string }[];
  /** Group tag of a multi-alert monitor (`version`, `peer_service`): shown in the headline as `{{tag.name}}`. */
  readonly groupBy?: string;
  /** The alert rule in words: "more than 5% of checked spans (warning: 1%) over 1h". */
  readonly rule: string;
}

/** The usual reasons traces break, shared by every propagation check. */
export const PROPAGATION_CAUSES: readonly string[] = [
  'A framework or HTTP/RPC/messaging client change that no longer carries the trace headers (new async executor, new client library, a proxy or gateway that strips headers).',
  'A tracing-library upgrade that changed the propagation style (Datadog vs W3C `tracecontext`) on one side of a call only.',
  'Two tracing libraries in one service (the Datadog tracer and an OpenTelemetry SDK), each starting its own traces.',
];

/**
 * Trace Explorer link whose query may hold `{{var.name}}` template variables. Datadog fills them in when it sends
 * the notification; inside a URL they must go through `{{urlencode "var.name"}}` (DOC:content/en/monitors/notify/
 * variables.md, "urlencode"), or a value such as version `1.2+abc` breaks the link.
 */
export function explorerLink(site: string, query: string): string {
  return traceExplorerUrl(site, query).replace(/%7B%7B([A-Za-z0-9_.]+)%7D%7D/g, '{{urlencode "$1"}}');
}

/**
 * A span-search scope in words, without `@` (Datadog would read `@attr` in a message as a handle):
 * `@_top_level:1` → "service entry spans", `*` → "every span", otherwise "spans matching `status:error`".
 */
export function scopeLabel(scope: string): string {
  const s = scope.trim();
  if (s === '' || s === '*') return 'every span';
  if (s === '@_top_level:1') return 'service entry spans';
  return `spans matching \`${s.replace(/@/g, '')}\``;
}

/** `0.05` → `5%`, `0.001` → `0.1%`. */
export function percent(ratio: number): string {
  return `${Number((ratio * 100).toPrecision(6))}%`;
}

function statusPrefix(): string {
  return (
    '{{#is_alert}}[critical] {{/is_alert}}{{#is_warning}}[warning] {{/is_warning}}' +
    '{{#is_no_data}}[no data] {{/is_no_data}}{{#is_recovery}}[recovered] {{/is_recovery}}'
  );
}

/** The full message of a notifying monitor, ending with the block that notifies `routes`. */
export function monitorMessage(ctx: MessageContext, text: CheckText, routes: MonitorRoutes): string {
  const { service, policy, env, site } = ctx;
  const where = [`env ${env}`];
  if (text.groupBy) where.push(`${text.groupBy.replace(/_/g, ' ')} {{${text.groupBy}.name}}`);
  const lines: string[] = [
    `${statusPrefix()}**${service.name}** (${where.join(', ')}): ${text.headline}.`,
    '',
    `**What broke.** ${text.what}`,
    '',
    '**Usual causes**',
    ...text.causes.map((c) => `- ${c}`),
    '',
    '**Where to look**',
    `- Trace-health dashboard (graphs by version with deploy markers; the cheat sheet "how to investigate" is at the top): ${ctx.dashboardUrl}`,
    ...text.explorer.map((e) => `- ${e.label}: ${explorerLink(site, e.query)}`),
    `- APM service page: ${serviceUrl(site, service.name, env)}`,
    service.runbook
      ? `- Runbook: ${escapeInterpolation(service.runbook)}`
      : '- Runbook: none in the service catalog. Add a link of type `runbook` to the service definition so that the next person finds it here.',
    '',
    `**Rule.** ${text.rule} Team ${policy.team}, tier ${policy.tier ?? 'not set'}. ` +
      'Generated by trace-health from trace-health.yaml and the service catalog: change it there, not in Datadog.',
  ];
  const block = notificationBlock(routes);
  if (block) lines.push('', block);
  return lines.join('\n');
}

/** Message of a composite monitor's building block: it must notify nobody. */
export function componentMessage(alertName: string): string {
  return (
    `Building block of the trace-health monitor "${alertName}"; it notifies nobody by itself. ` +
    'Generated by trace-health: change trace-health.yaml, not this monitor.'
  );
}
