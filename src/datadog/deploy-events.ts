/**
 * Deploy markers: the event the collector posts once per (service, env, version) it sees for the first time, and
 * the event-overlay query the service dashboards draw them with. Both live here so that what is posted is what
 * the dashboards search for.
 *
 * Why our own events: `tags:deployment_analysis` events come from Watchdog's *faulty* deployment detection only,
 * so routine deploys showed no marker. The collector reads every version of every service in sampled complete
 * traces, so "a version we have not seen before" is a marker that exists for every deploy.
 *
 * The event is a v1 event (EventsApi.createEvent, `POST /api/v1/events`) rather than a v2 change event: the v2
 * intake's change events describe a `changed_resource` of type `feature_flag` or `configuration` only (no
 * deployment), and it has its own host (`event-management-intake.<site>`) where every other collector call goes
 * to `api.<site>` (or DD_HOST). Both from @datadog/datadog-api-client 1.64: v2 models
 * ChangeEventCustomAttributesChangedResourceType, servers `v2.EventsApi.createEvent`.
 */
import { METRIC_TAGS, shortHash } from './metrics';
import { serviceUrl, traceExplorerUrl } from './site';

// POST /api/v1/events: "date_happened … Limited to events no older than 18 hours" (https://docs.datadoghq.com/api/latest/events/#post-an-event).
export const MAX_EVENT_AGE_MS = 18 * 60 * 60 * 1000;
// Same page: aggregation_key "Limited to 100 characters"; text "Limited to 4000 characters".
const MAX_AGGREGATION_KEY = 100;

/**
 * The tag that marks a trace-health deploy marker. Its key is no reserved event attribute (host, source, status,
 * service, message: https://docs.datadoghq.com/service_management/events/explorer/attributes/), so `key:value`
 * searches it as a tag.
 */
export const DEPLOY_MARKER_TAG = 'trace_health:version_first_seen';

/** One version of a service seen for the first time. `env` is absent when its spans carried none. */
export interface VersionFirstSeen {
  readonly service: string;
  readonly env?: string;
  readonly version: string;
  /** ISO time of the earliest span of this version in the window it was first seen in. */
  readonly firstSeen: string;
}

/** The v1 event body, in the API client's model names (EventCreateRequest). */
export interface DeployEventBody {
  readonly title: string;
  readonly text: string;
  readonly tags: string[];
  readonly aggregationKey: string;
  readonly alertType: 'info';
  /** POSIX seconds (the endpoint wants an integer). */
  readonly dateHappened: number;
}

/**
 * Tags: the marker tag plus unified service tagging (`service`, `env`, `version`), which Datadog recommends on
 * events (https://docs.datadoghq.com/service_management/events/guides/recommended_event_tags/). Values as the
 * collector's metrics carry them (src/collector/series.ts), so a marker and the series of its version agree.
 */
export function deployEventTags(e: Pick<VersionFirstSeen, 'service' | 'env' | 'version'>): string[] {
  const tags = [DEPLOY_MARKER_TAG, `${METRIC_TAGS.service}:${e.service}`];
  if (e.env !== undefined) tags.push(`${METRIC_TAGS.env}:${e.env}`);
  tags.push(`${METRIC_TAGS.version}:${e.version}`);
  return tags;
}

/** One key per service and env, so a service's deploys group together; at most 100 characters. */
export function deployEventAggregationKey(service: string, env: string | undefined): string {
  const key = `${DEPLOY_MARKER_TAG}:${service}:${env ?? ''}`;
  return key.length <= MAX_AGGREGATION_KEY ? key : `${key.slice(0, MAX_AGGREGATION_KEY - 7)}:${shortHash(key)}`;
}

/** `web-gateway 5.2.0 first seen in prod (trace-health)`. */
export function deployEventTitle(e: Pick<VersionFirstSeen, 'service' | 'env' | 'version'>): string {
  return `${e.service} ${e.version} first seen${e.env !== undefined ? ` in ${e.env}` : ''} (trace-health)`;
}

/** Inline code that survives any text (a backtick inside would end it). */
function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

export function deployEventBody(e: VersionFirstSeen, site: string): DeployEventBody {
  const spans = [`service:${e.service}`, ...(e.env !== undefined ? [`env:${e.env}`] : []), `version:${e.version}`];
  const body = [
    `Version ${code(e.version)} of ${code(e.service)}${e.env !== undefined ? ` in ${code(`env:${e.env}`)}` : ''} first appeared at ${e.firstSeen}: the earliest span of that version in the sampled complete traces trace-health's collector reads. A new version is nearly always a deploy; the marker can be a little late (only sampled traces are read), never early.`,
    '',
    `[Spans of this version](${traceExplorerUrl(site, spans.join(' '))}) · [APM service page](${serviceUrl(site, e.service, e.env)})`,
  ].join('\n');
  return {
    title: deployEventTitle(e),
    // Markdown: "start the text block with `%%% \n` and end the text block with `\n %%%`" (post-an-event, `text`).
    text: `%%% \n${body}\n %%%`,
    tags: deployEventTags(e),
    aggregationKey: deployEventAggregationKey(e.service, e.env),
    alertType: 'info',
    dateHappened: Math.floor(Date.parse(e.firstSeen) / 1000),
  };
}

/**
 * The event-overlay query of a service dashboard's timeseries: this service's markers in the env the dashboard
 * shows. Event search uses the log search syntax (`key:value`, `OR`, parentheses:
 * https://docs.datadoghq.com/service_management/events/explorer/searching/). `service` is a reserved event
 * attribute, and a tag with a reserved key is searched as `tags:("key:value")` (explorer/attributes): whether the
 * `service:` tag of an API event also fills the attribute is not documented, so the query matches either. `$env`
 * is the dashboard's env template variable, which event overlays take as `$<name>`
 * (https://docs.datadoghq.com/dashboards/template_variables/#events-overlay).
 */
export function deployMarkerQuery(service: string): string {
  return `${DEPLOY_MARKER_TAG} (service:${service} OR tags:("service:${service}")) $env`;
}
