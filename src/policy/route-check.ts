/**
 * Routing across services, for the person running synth: the warnings (one line per cause, naming the services)
 * and the `requireRoute` rule (services that would notify nobody on a required transition). Pure.
 */
import { compareStrings } from '../catalog/problems';
import type { Policy, ServicePolicy } from './model';
import { DropCause, missingRoutes, Transition } from './routing';

/** What each cause of a dropped contact means, as the start of its warning line. */
const CAUSE_TEXT: Readonly<Record<Exclude<DropCause, 'not-a-channel'>, string>> = {
  'pagerduty-unmapped':
    "PagerDuty services not in integrations.pagerduty, so nobody is paged through them (Datadog's handle is the " +
    'service name in its PagerDuty integration)',
  'opsgenie-unmapped':
    "Opsgenie services not in integrations.opsgenie, so nobody is paged through them (Datadog's handle is the " +
    'service name in its Opsgenie integration)',
  'slack-unmapped': 'Slack contacts that name no channel (ids or URLs): map them in integrations.slack',
  'teams-unmapped': 'Microsoft Teams contacts not in integrations.microsoftTeams',
  'webhook-unmapped':
    'webhook URLs in catalog contacts, never used as handles (their last part is a secret): map them in ' +
    'integrations.webhooks',
  'email-invalid': 'email contacts Datadog cannot send to: fix them in the catalog',
};
const CAUSES = Object.keys(CAUSE_TEXT) as (keyof typeof CAUSE_TEXT)[];

/** `a, b, c and 4 more`. */
export function listing(items: readonly string[], max = 5): string {
  if (items.length > max) return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
  return items.join(', ');
}

/** Synth warnings about routing, one line per cause. `services`: the enabled services being synthesized. */
export function routingWarnings(services: readonly ServicePolicy[]): string[] {
  const out: string[] = [];
  const nobody = services.filter((s) => s.routing.routes.length === 0).map((s) => s.service);
  if (nobody.length)
    out.push(
      `${nobody.length === 1 ? '1 service notifies' : `${nobody.length} services notify`} nobody: ` +
        `${listing(nobody)}. Set notify for them in trace-health.yaml, or map their catalog contacts in ` +
        'integrations (`trace-health policy explain SERVICE` shows what was dropped and why)',
    );
  const unknown = new Map<string, string[]>();
  for (const s of services)
    for (const h of s.routing.unconfirmed ?? []) unknown.set(h, [...(unknown.get(h) ?? []), s.service]);
  if (unknown.size)
    out.push(
      "handles whose name Datadog's integration does not list (as `catalog pull --integrations` recorded it), so " +
        'they reach nobody: ' +
        listing(
          [...unknown.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([h, n]) => `${h} (${listing(n, 3)})`),
        ),
    );
  for (const cause of CAUSES) {
    const byValue = new Map<string, string[]>();
    for (const s of services)
      for (const d of s.routing.dropped) {
        if (d.cause !== cause) continue;
        const value = d.what.slice(d.what.indexOf(' ') + 1);
        const names = byValue.get(value) ?? [];
        if (!names.includes(s.service)) names.push(s.service);
        byValue.set(value, names);
      }
    if (byValue.size === 0) continue;
    const items = [...byValue.entries()]
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([value, names]) => `${value} (${listing(names, 3)})`);
    out.push(`${CAUSE_TEXT[cause]}: ${listing(items)}`);
  }
  return out;
}

export interface RouteFailure {
  readonly service: string;
  readonly tier?: string;
  readonly missing: readonly Transition[];
  /** The dropped contacts' `what`, to say where a route could have come from. */
  readonly dropped: readonly string[];
}

/** Services the `requireRoute` rule applies to that would notify nobody on a required transition. */
export function requireRouteFailures(policy: Policy, services: readonly ServicePolicy[]): RouteFailure[] {
  const out: RouteFailure[] = [];
  for (const s of services) {
    const missing = missingRoutes(policy.requireRoute, s);
    if (!missing?.length) continue;
    out.push({
      service: s.service,
      ...(s.tier === undefined ? {} : { tier: s.tier }),
      missing,
      dropped: [
        ...s.routing.dropped.filter((d) => d.cause !== 'not-a-channel').map((d) => d.what),
        ...(s.routing.unconfirmed ?? []).map((h) => `${h} (not in Datadog's integration)`),
      ],
    });
  }
  return out;
}

/** The lines of the `requireRoute` failure: a headline, then one line per service. */
export function formatRouteFailures(policy: Policy, failures: readonly RouteFailure[]): string[] {
  const rule = policy.requireRoute;
  const scope = rule?.tiers ? `tiers ${rule.tiers.join(', ')}` : 'every service';
  const lines = [
    `requireRoute (${scope}; on ${rule?.on.join(', ')}): ` +
      `${failures.length === 1 ? '1 service' : `${failures.length} services`} would notify nobody; nothing was written:`,
  ];
  for (const f of failures)
    lines.push(
      `  ${f.service}${f.tier === undefined ? '' : ` (tier ${f.tier})`}: nobody on ${f.missing.join(', ')}` +
        (f.dropped.length ? `; dropped: ${f.dropped.join(', ')}` : '; nothing in the catalog to route to'),
    );
  lines.push(
    'Map their catalog contacts in integrations or add notify handles for them; `trace-health policy explain ' +
      'SERVICE` shows every route and why each contact was dropped.',
  );
  return lines;
}
