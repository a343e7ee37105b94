/**
 * Who hears about what: every notification handle of a service, the transitions it is told about (warning,
 * alert, no data, recovery) and where it came from, plus every catalog contact no handle was made from, with the
 * reason. Pure: the catalog entry and the policy's `integrations` map are data, nothing is looked up.
 *
 * Datadog notifies `@<integration>-<name>` handles, where the name is the one configured in the integration: the
 * PagerDuty service name, the Opsgenie service name, the Slack channel name, the webhook name (Datadog docs,
 * monitors/notify: "Notify your team through connected integrations by using the format
 * `@<INTEGRATION_NAME>-<VALUES>`" — layouts/shortcodes/notifications-integrations.md). A catalog holds URLs and ids
 * (`…/service-directory/PWEBGW1`, `…/archives/C01PLATFORM`), which do not tell that name, and guessing it from the
 * shape of a URL is wrong both ways. So a handle comes from:
 * - the policy's `notify` lists (any layer);
 * - an email contact (Datadog mails any address written as `@<address>`);
 * - a Slack contact written as a channel name (`#payments-oncall`, `payments-oncall`): Slack channel names are
 *   lowercase letters, digits, `-` and `_` (Slack API docs, conversations.create `name`), so an id such as
 *   `C01PLATFORM` is never read as a name;
 * - the policy's `integrations` map, which says explicitly which name a catalog id or URL stands for.
 * Anything else is dropped and listed with the reason. A webhook URL (Slack incoming webhooks and the like) is not
 * a channel and its last segment is a secret: it is never turned into a handle and never shown in full.
 *
 * One `Routing` per service; `monitorRoutes` narrows it to what one monitor can send (a monitor without a warning
 * threshold never warns; one without No Data notifications never reports No Data). The message block, the review
 * manifest and `policy explain` are all rendered from these two structures, so they cannot disagree.
 */
import type { Contact, Service } from '../catalog/model';
import { compareStrings } from '../catalog/problems';

/** Monitor state transitions a handle can be told about, in the order they are shown everywhere. */
export const TRANSITIONS = ['warning', 'alert', 'noData', 'recovery'] as const;
export type Transition = (typeof TRANSITIONS)[number];

/** The `integrations:` section of trace-health.yaml: catalog value (id or URL) → name in the Datadog integration. */
export interface IntegrationMaps {
  readonly pagerduty?: Readonly<Record<string, string>>;
  readonly opsgenie?: Readonly<Record<string, string>>;
  readonly slack?: Readonly<Record<string, string>>;
  readonly microsoftTeams?: Readonly<Record<string, string>>;
  readonly webhooks?: Readonly<Record<string, string>>;
}
export type IntegrationKind = keyof IntegrationMaps;

/** The handle prefix of each integration (Datadog docs, notifications-integrations shortcode). */
export const HANDLE_PREFIX: Readonly<Record<IntegrationKind, string>> = {
  pagerduty: '@pagerduty-',
  opsgenie: '@opsgenie-',
  slack: '@slack-',
  microsoftTeams: '@teams-',
  webhooks: '@webhook-',
};

/** A handle notified by a service's monitors. */
export interface Route {
  readonly handle: string;
  /** The transitions it is told about, in `TRANSITIONS` order. */
  readonly on: readonly Transition[];
  /** Where it came from, for people: `teams.payments`, `catalog pagerduty PWEBGW1 → integrations.pagerduty.PWEBGW1`. */
  readonly sources: readonly string[];
}

/** Why a catalog contact gave no handle; warnings are grouped by it. */
export type DropCause =
  | 'pagerduty-unmapped'
  | 'opsgenie-unmapped'
  | 'slack-unmapped'
  | 'teams-unmapped'
  | 'webhook-unmapped'
  | 'email-invalid'
  | 'not-a-channel';

export interface DroppedContact {
  /** `pagerduty PWEBGW1`, `slack https://hooks.slack.com/services/T0/B0/…` — secrets never appear. */
  readonly what: string;
  readonly cause: DropCause;
  /** One sentence: why, and what to write in trace-health.yaml instead. */
  readonly reason: string;
}

export interface Routing {
  /** Sorted by handle. */
  readonly routes: readonly Route[];
  /** In catalog order: contacts first, then integrations. */
  readonly dropped: readonly DroppedContact[];
  /**
   * Routed handles whose name the integration's configuration in Datadog does not list (known when `catalog pull
   * --integrations` recorded it): a typo here pages nobody. Sorted; absent when there is none.
   */
  readonly unconfirmed?: readonly string[];
}

/**
 * Names configured in Datadog's integrations, as `catalog pull --integrations` records them in the snapshot
 * (`integrations` beside `definitions`). Only integrations whose API lists its configuration are here (see
 * docs/routing.md): Opsgenie services (names) and Microsoft Teams tenant-based handles (name and channel id).
 */
export interface IntegrationNames {
  readonly opsgenie?: { readonly services: readonly string[] };
  readonly microsoftTeams?: { readonly handles: readonly { readonly name: string; readonly channelId?: string }[] };
}

/** A `notify` entry of one policy layer. */
export interface PolicyHandle {
  readonly handle: string;
  /** Set when the layer says which transitions (`{ handle, on }`); else the default for the handle's kind. */
  readonly on?: readonly Transition[];
  /** The layer, e.g. `teams.payments`. */
  readonly layer: string;
}

/**
 * Pagers hear about alerts, No Data and the recovery from those: a warning is worth a chat message, rarely worth
 * waking someone up. Everything else (chat, email, webhooks) hears about every transition.
 */
export function defaultTransitions(handle: string): readonly Transition[] {
  return isPager(handle) ? ['alert', 'noData', 'recovery'] : TRANSITIONS;
}

export function isPager(handle: string): boolean {
  return handle.startsWith(HANDLE_PREFIX.pagerduty) || handle.startsWith(HANDLE_PREFIX.opsgenie);
}

// ---------------------------------------------------------------------------------------------------------------
// Catalog values: ids, names, URLs, secrets.

/** Slack channel names: lowercase letters, digits, `-`, `_`, at most 80 (Slack API, conversations.create). */
const SLACK_CHANNEL_NAME = /^[a-z0-9][a-z0-9_-]{0,79}$/;
/** Slack conversation ids: public `C…`, private `G…`, direct `D…` (Slack API, conversation object `id`). */
const SLACK_CHANNEL_ID = /^[CGD][A-Z0-9]{6,}$/;

/**
 * A value that looks like a credential: a long run of letters and digits mixing upper case, lower case and digits
 * (Slack webhook tokens, API keys), or a Slack API token (`xoxb-…`, `xoxp-…`: Slack API docs, token types). Ids
 * people need to read (PagerDuty `PWEBGW1`, UUIDs) do not match.
 */
export function looksSecret(value: string): boolean {
  if (/^xox[a-z]-/i.test(value)) return true;
  return (
    value.length >= 20 && /^[A-Za-z0-9]+$/.test(value) && /[a-z]/.test(value) && /[A-Z]/.test(value) && /\d/.test(value)
  );
}

/** Hosts whose URLs are incoming webhooks: posting to the URL is the credential. */
function webhookShape(url: URL): { readonly secretFrom: number } | undefined {
  const host = url.hostname.toLowerCase();
  const segments = pathSegments(url);
  // https://hooks.slack.com/services/T…/B…/<token> (Slack API docs, incoming webhooks)
  if (host === 'hooks.slack.com') return { secretFrom: 3 };
  // https://discord.com/api/webhooks/<id>/<token>
  if ((host === 'discord.com' || host === 'discordapp.com') && segments[0] === 'api' && segments[1] === 'webhooks')
    return { secretFrom: 3 };
  // Microsoft Teams connectors (https://<org>.webhook.office.com/webhookb2/…) and Workflows (…logic.azure.com…?sig=)
  if (host.endsWith('.webhook.office.com') || (host === 'outlook.office.com' && segments[0] === 'webhook'))
    return { secretFrom: 2 };
  if (host.endsWith('.logic.azure.com')) return { secretFrom: segments.length };
  return undefined;
}

function parseUrl(value: string): URL | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function pathSegments(url: URL): string[] {
  return url.pathname.split('/').filter((s) => s !== '');
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * A catalog value as it may be shown: URLs without credentials, query or fragment, secret-looking segments and a
 * webhook's token replaced by `…`; a secret-looking plain value is `…` altogether.
 */
export function displayValue(raw: string): string {
  const value = raw.trim();
  const url = parseUrl(value);
  if (!url) return looksSecret(value) ? '…' : value;
  const hook = webhookShape(url);
  const segments = pathSegments(url).map((s, i) => ((hook && i >= hook.secretFrom) || looksSecret(s) ? '…' : s));
  const rest = url.search || url.hash ? '?…' : '';
  return `${url.protocol}//${url.host}${segments.length ? `/${segments.join('/')}` : ''}${rest}`;
}

/** The last path segment of a URL (decoded), or the value itself when it is not a URL. */
function lastSegment(value: string): string {
  const url = parseUrl(value);
  if (!url) return value;
  const segments = pathSegments(url);
  return segments.length ? decode(segments[segments.length - 1]) : value;
}

/** `https://Acme.PagerDuty.com/service-directory/P1/` → `https://acme.pagerduty.com/service-directory/P1`. */
function normalizeUrl(value: string): string | undefined {
  const url = parseUrl(value);
  if (!url) return undefined;
  const segments = pathSegments(url);
  return `${url.protocol}//${url.host.toLowerCase()}${segments.length ? `/${segments.join('/')}` : ''}`;
}

/** Microsoft Teams channel links carry the channel id: `https://teams.microsoft.com/l/channel/<id>/<name>?…`. */
function teamsChannelId(value: string): string | undefined {
  const url = parseUrl(value);
  if (!url) return undefined;
  const segments = pathSegments(url);
  const at = segments.indexOf('channel');
  return at >= 0 && segments[at + 1] ? decode(segments[at + 1]) : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// The integrations map.

interface Mapped {
  readonly name: string;
  /** `integrations.pagerduty.PWEBGW1` as written in the policy. */
  readonly via: string;
}

/** Looks catalog values up in one section of the `integrations` map: by the value, its URL, or its last segment. */
class Section {
  private readonly exact = new Map<string, Mapped>();

  constructor(
    private readonly kind: IntegrationKind,
    map: Readonly<Record<string, string>> | undefined,
  ) {
    for (const [key, name] of Object.entries(map ?? {})) {
      const mapped = { name, via: `integrations.${kind}.${key}` };
      this.exact.set(key.trim(), mapped);
      const url = normalizeUrl(key.trim());
      if (url) this.exact.set(url, mapped);
    }
  }

  /** The mapping for `value`, trying each candidate spelling in turn. */
  find(...candidates: (string | undefined)[]): Mapped | undefined {
    for (const c of candidates) {
      if (c === undefined || c === '') continue;
      const hit = this.exact.get(c) ?? this.exact.get(normalizeUrl(c) ?? '\u0000');
      if (hit) return hit;
    }
    return undefined;
  }

  /** Webhooks are mapped by URL prefix (the policy must not hold the secret part): the longest key that matches. */
  findPrefix(value: string): Mapped | undefined {
    const url = normalizeUrl(value);
    if (!url) return undefined;
    let best: { length: number; mapped: Mapped } | undefined;
    for (const [key, mapped] of this.exact) {
      if (!key.includes('://')) continue;
      if ((url === key || url.startsWith(`${key}/`)) && (!best || key.length > best.length))
        best = { length: key.length, mapped };
    }
    return best?.mapped;
  }

  handle(mapped: Mapped): string {
    return `${HANDLE_PREFIX[this.kind]}${mapped.name}`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Routing one service.

type Outcome = { readonly handle: string; readonly source: string } | { readonly dropped: DroppedContact } | undefined;

class Maps {
  readonly pulled: IntegrationNames;
  readonly pagerduty: Section;
  readonly opsgenie: Section;
  readonly slack: Section;
  readonly microsoftTeams: Section;
  readonly webhooks: Section;
  constructor(m: IntegrationMaps, pulled: IntegrationNames = {}) {
    this.pulled = pulled;
    this.pagerduty = new Section('pagerduty', m.pagerduty);
    this.opsgenie = new Section('opsgenie', m.opsgenie);
    this.slack = new Section('slack', m.slack);
    this.microsoftTeams = new Section('microsoftTeams', m.microsoftTeams);
    this.webhooks = new Section('webhooks', m.webhooks);
  }
}

function mappedOutcome(section: Section, mapped: Mapped, from: string): Outcome {
  return { handle: section.handle(mapped), source: `${from} → ${mapped.via}` };
}

function webhookOutcome(maps: Maps, type: string, value: string): Outcome {
  const shown = displayValue(value);
  const mapped = maps.webhooks.findPrefix(value);
  if (mapped) return mappedOutcome(maps.webhooks, mapped, `catalog ${type} ${shown}`);
  return {
    dropped: {
      what: `${type} ${shown}`,
      cause: 'webhook-unmapped',
      reason:
        'a webhook URL is not a channel, and its last part is a secret (never copied into output); map the URL ' +
        'without that part in integrations.webhooks to the name of a Datadog webhook integration',
    },
  };
}

function slackOutcome(maps: Maps, value: string): Outcome {
  const trimmed = value.trim();
  const segment = lastSegment(trimmed).replace(/^#/, '');
  const from = `catalog slack ${displayValue(parseUrl(trimmed) && !looksSecret(segment) ? segment : trimmed)}`;
  const mapped = maps.slack.find(trimmed, segment, `#${segment}`);
  if (mapped) return mappedOutcome(maps.slack, mapped, from);
  // A channel written as a name (`#payments-oncall` or `payments-oncall`) is that name; a URL segment is not known
  // to be one (archive links normally end with the channel id).
  if (!parseUrl(trimmed) && SLACK_CHANNEL_NAME.test(segment) && !looksSecret(segment))
    return { handle: `@slack-${segment}`, source: from };
  const what = `slack ${displayValue(parseUrl(trimmed) && !looksSecret(segment) ? segment : trimmed)}`;
  const reason = SLACK_CHANNEL_ID.test(segment)
    ? `${segment} is a Slack channel id; Datadog's handle needs the channel name: map it in integrations.slack`
    : parseUrl(trimmed)
      ? "a Slack URL does not say which name the channel has in Datadog's Slack integration: map it in integrations.slack"
      : 'not a Slack channel name (lowercase letters, digits, - and _): map it in integrations.slack';
  return { dropped: { what, cause: 'slack-unmapped', reason } };
}

/** Datadog mails any address written as a handle; it needs a domain with a dot to be deliverable. */
const EMAIL = /^[^\s@()]+@[^\s@()]+\.[^\s@().]+$/;

function emailOutcome(value: string): Outcome {
  const address = value.trim().replace(/^mailto:/i, '');
  if (EMAIL.test(address)) return { handle: `@${address}`, source: 'catalog email contact' };
  return {
    dropped: {
      what: `email ${displayValue(address)}`,
      cause: 'email-invalid',
      reason: 'not an email address Datadog can send to (name@domain.tld); fix the contact in the catalog',
    },
  };
}

function teamsOutcome(maps: Maps, value: string): Outcome {
  const trimmed = value.trim();
  const channel = teamsChannelId(trimmed);
  const shown = channel && !looksSecret(channel) ? channel : displayValue(trimmed);
  const mapped = maps.microsoftTeams.find(trimmed, channel);
  // Datadog lists its tenant-based handles with their channel id: the catalog link's channel says which one.
  const pulled = channel ? maps.pulled.microsoftTeams?.handles.find((h) => h.channelId === channel) : undefined;
  if (!mapped && pulled)
    return {
      handle: `${HANDLE_PREFIX.microsoftTeams}${pulled.name}`,
      source: `catalog microsoft-teams ${shown} → Datadog's Microsoft Teams handle (catalog pull)`,
    };
  if (mapped) return mappedOutcome(maps.microsoftTeams, mapped, `catalog microsoft-teams ${shown}`);
  return {
    dropped: {
      what: `microsoft-teams ${shown}`,
      cause: 'teams-unmapped',
      reason:
        "Datadog's handle is the handle name configured in its Microsoft Teams integration, which a channel link " +
        'does not tell: map it in integrations.microsoftTeams',
    },
  };
}

function contactOutcome(maps: Maps, c: Contact): Outcome {
  const type = c.type.trim().toLowerCase();
  const url = parseUrl(c.contact.trim());
  if (url && webhookShape(url)) return webhookOutcome(maps, type, c.contact);
  switch (type) {
    case 'slack':
      return slackOutcome(maps, c.contact);
    case 'email':
      return emailOutcome(c.contact);
    case 'microsoft-teams':
      return teamsOutcome(maps, c.contact);
    default: {
      // A URL mapped to a webhook integration (an on-call tool's inbound URL, say) is routed like any webhook.
      const hook = url ? maps.webhooks.findPrefix(c.contact) : undefined;
      if (hook) return mappedOutcome(maps.webhooks, hook, `catalog ${type} ${displayValue(c.contact)}`);
      return {
        dropped: {
          what: `${type} ${displayValue(c.contact)}`,
          cause: 'not-a-channel',
          reason: `a ${type} contact is not a notification channel Datadog can send to`,
        },
      };
    }
  }
}

function pagerOutcome(section: Section, label: 'pagerduty' | 'opsgenie', serviceUrl: string): Outcome {
  const trimmed = serviceUrl.trim();
  const segment = lastSegment(trimmed);
  const mapped = section.find(trimmed, segment);
  const shown = displayValue(parseUrl(trimmed) ? segment : trimmed);
  if (mapped) return mappedOutcome(section, mapped, `catalog ${label} ${shown}`);
  const product = label === 'pagerduty' ? 'PagerDuty' : 'Opsgenie';
  return {
    dropped: {
      what: `${label} ${shown}`,
      cause: label === 'pagerduty' ? 'pagerduty-unmapped' : 'opsgenie-unmapped',
      reason:
        `Datadog's handle is the service name configured in its ${product} integration, which the catalog ` +
        `does not hold: map ${shown} in integrations.${label}`,
    },
  };
}

export interface RoutingInput {
  /** The policy's `notify` entries of every layer that applies, least specific first. */
  readonly notify: readonly PolicyHandle[];
  readonly integrations: IntegrationMaps;
  readonly service: Pick<Service, 'contacts' | 'integrations'>;
  /** What Datadog's integrations list, when the catalog snapshot recorded it. */
  readonly pulled?: IntegrationNames;
}

/** A service's routes and dropped contacts. */
export function resolveRouting(input: RoutingInput): Routing {
  const maps = new Maps(input.integrations, input.pulled);
  const routes = new Map<string, { on?: readonly Transition[]; sources: string[] }>();
  const add = (handle: string, source: string, on?: readonly Transition[]) => {
    const r = routes.get(handle) ?? { sources: [] };
    if (!r.sources.includes(source)) r.sources.push(source);
    if (on) r.on = on; // layers come least specific first: the last `on` is the most specific
    routes.set(handle, r);
  };
  for (const n of input.notify) add(n.handle, n.layer, n.on);

  const dropped: DroppedContact[] = [];
  const take = (o: Outcome) => {
    if (!o) return;
    if ('dropped' in o) dropped.push(o.dropped);
    else add(o.handle, o.source);
  };
  for (const c of input.service.contacts) take(contactOutcome(maps, c));
  const { pagerduty, opsgenie } = input.service.integrations;
  if (pagerduty) take(pagerOutcome(maps.pagerduty, 'pagerduty', pagerduty.serviceUrl));
  if (opsgenie) take(pagerOutcome(maps.opsgenie, 'opsgenie', opsgenie.serviceUrl));

  const handles = [...routes.keys()].sort(compareStrings);
  const unconfirmed = handles.filter((h) => !confirmed(h, input.pulled ?? {}));
  return {
    routes: handles.map((handle) => {
      const r = routes.get(handle)!;
      return {
        handle,
        on: TRANSITIONS.filter((t) => (r.on ?? defaultTransitions(handle)).includes(t)),
        sources: r.sources,
      };
    }),
    dropped,
    ...(unconfirmed.length ? { unconfirmed } : {}),
  };
}

/** False for a handle of an integration whose configured names are known and do not include it. */
function confirmed(handle: string, pulled: IntegrationNames): boolean {
  if (pulled.opsgenie && handle.startsWith(HANDLE_PREFIX.opsgenie))
    return pulled.opsgenie.services.includes(handle.slice(HANDLE_PREFIX.opsgenie.length));
  if (pulled.microsoftTeams && handle.startsWith(HANDLE_PREFIX.microsoftTeams))
    return pulled.microsoftTeams.handles.some((h) => h.name === handle.slice(HANDLE_PREFIX.microsoftTeams.length));
  return true;
}

/** Handles told about `t`, sorted. */
export function handlesOn(r: Routing, t: Transition): string[] {
  return r.routes.filter((x) => x.on.includes(t)).map((x) => x.handle);
}

// ---------------------------------------------------------------------------------------------------------------
// One monitor's view.

/** What a monitor can send: every notifying monitor alerts and recovers. */
export interface Delivery {
  /** It has a warning threshold. */
  readonly warns: boolean;
  /** It notifies on No Data (`notify_no_data`). */
  readonly noData: boolean;
}

/**
 * The handles one monitor notifies, per transition; a transition the monitor cannot send is absent. Recovery lists
 * the handles told about the recovery from the states they were notified of.
 */
export interface MonitorRoutes {
  readonly warning?: readonly string[];
  readonly alert: readonly string[];
  readonly noData?: readonly string[];
  readonly recovery: readonly string[];
}

export function monitorRoutes(r: Routing, d: Delivery): MonitorRoutes {
  const on = (t: Transition) => handlesOn(r, t);
  // A handle told only about the recovery of states this monitor never enters has nothing to recover from.
  const states: Transition[] = [
    'alert',
    ...(d.warns ? (['warning'] as const) : []),
    ...(d.noData ? (['noData'] as const) : []),
  ];
  const recovery = r.routes
    .filter((x) => x.on.includes('recovery') && x.on.some((t) => states.includes(t)))
    .map((x) => x.handle);
  return {
    ...(d.warns ? { warning: on('warning') } : {}),
    alert: on('alert'),
    ...(d.noData ? { noData: on('noData') } : {}),
    recovery,
  };
}

/** The transitions a monitor's routes cover, in `TRANSITIONS` order. */
export function monitorTransitions(m: MonitorRoutes): Transition[] {
  return TRANSITIONS.filter((t) => m[t] !== undefined);
}

export function notifiesAnyone(m: MonitorRoutes): boolean {
  return monitorTransitions(m).some((t) => (m[t] ?? []).length > 0);
}

// ---------------------------------------------------------------------------------------------------------------
// requireRoute.

/** The transitions `requireRoute` asks of this service that reach nobody; undefined when the rule does not apply. */
export function missingRoutes(
  require: { readonly tiers?: readonly string[]; readonly on: readonly Transition[] } | undefined,
  service: { readonly enabled: boolean; readonly tierMatch?: { readonly tier: string }; readonly routing: Routing },
): Transition[] | undefined {
  if (!require || !service.enabled) return undefined;
  if (require.tiers && !(service.tierMatch && require.tiers.includes(service.tierMatch.tier))) return undefined;
  // A handle Datadog's integration does not list (a typo in the map) reaches nobody: it does not count.
  const unknown = new Set(service.routing.unconfirmed ?? []);
  return require.on.filter((t) => handlesOn(service.routing, t).every((h) => unknown.has(h)));
}
