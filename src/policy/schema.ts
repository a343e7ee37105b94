/**
 * The shape of `trace-health.yaml`, defined once. TypeBox objects are JSON Schema: ajv validates the file against
 * them, `npm run schema` writes them to `schema/trace-health.schema.json` for editors, and `Static<>` gives the
 * TypeScript type of a parsed file. Descriptions, defaults and error texts live here so all three agree.
 *
 * `errorMessage` (read by editors through yaml-language-server, and by our own error formatter) always reads
 * "expected <what would be valid>"; the formatter turns it into `<bad value> is not <what would be valid>`.
 */
import { Static, TSchema, Type } from '@sinclair/typebox';
import { SITES } from '../datadog/site';
import { TRANSITIONS } from './routing';

/** Monitor evaluation windows accepted by Datadog query alerts (`last_5m` … `last_1d`). */
export const WINDOWS = ['5m', '10m', '15m', '30m', '1h', '2h', '4h', '1d'] as const;
export const SLO_TIMEFRAMES = ['7d', '30d', '90d'] as const;
export const STACK_GROUPINGS = ['team', 'service', 'single'] as const;
export const BACKEND_TYPES = ['local', 's3', 'gcs', 'remote'] as const;
export type BackendType = (typeof BACKEND_TYPES)[number];

/** Which backend keys each backend type needs and accepts (also generates the schema's if/then rules). */
export const BACKEND_FIELDS: Readonly<
  Record<BackendType, { readonly required: readonly string[]; readonly optional: readonly string[] }>
> = {
  local: { required: [], optional: ['path'] },
  s3: { required: ['bucket', 'region'], optional: ['key', 'dynamodbTable'] },
  gcs: { required: ['bucket'], optional: ['prefix'] },
  remote: { required: ['organization'], optional: ['workspacePrefix', 'hostname'] },
};

/** Per-stack state locations: `{stack}` is replaced by the stack name (`core`, `team-payments`, …). */
export const BACKEND_DEFAULTS = {
  localPath: 'terraform.{stack}.tfstate',
  s3Key: 'trace-health/{stack}.tfstate',
  gcsPrefix: 'trace-health/{stack}',
  remoteWorkspacePrefix: 'trace-health-',
} as const;

/**
 * The built-in layer under `defaults` (DESIGN §6). A key the file leaves out everywhere resolves to this value
 * and `policy explain` shows it as set by `builtin`.
 */
export const BUILTIN_DEFAULTS = {
  enabled: true,
  requiredTags: [
    { tag: 'usr.id', scope: '@_top_level:1', slo: true },
    { tag: 'error.message', scope: 'status:error', slo: true },
    { tag: 'version', scope: '*', slo: false },
  ],
  orphanRate: { warning: 0.01, critical: 0.05 },
  tagCoverage: { warning: 0.98, critical: 0.95 },
  minSpans: 200,
  window: '1h',
  slo: { timeframe: '30d', target: 99.0, warning: 99.5 },
  notify: [] as string[],
  /** Services without a tier, and tiers whose rule sets none; tiers 1, 2, 3 have built-in rules. */
  priority: 3,
} as const;

/**
 * Built-in tier rules: tiers "1", "2", "3" (also written "tier-1", "Tier 1", …) page as P1, P2, P3 unless the
 * policy says otherwise. Every other tier needs a `tiers` rule; until it has one it ranks with the most urgent tier
 * (never silently below the known ones) and synth warns.
 */
export const BUILTIN_TIER_PRIORITY: Readonly<Record<string, number>> = { '1': 1, '2': 2, '3': 3 };

export const TOP_LEVEL_DEFAULTS = {
  site: 'datadoghq.com',
  envs: ['prod'],
  stacksBy: 'team',
  validateMonitors: true,
  maxRemovalRatio: 0.1,
} as const;

/** Datadog tag values: lowercase, start with a letter; letters, digits, `_ - . /`. */
const ENV_PATTERN = '^[a-z][a-z0-9_./-]*$';
/** A span attribute path as used in `@usr.id:*` — without the `@`. */
const TAG_PATTERN = '^[A-Za-z_][A-Za-z0-9_.-]*$';
/** `@` and no whitespace; Datadog does not parse handles with parentheses (docs, notifications-integrations). */
const HANDLE_PATTERN = '^@[^\\s()]+$';
/** A name as configured in a Datadog integration: it ends the handle, so no whitespace, `@` or parentheses. */
const INTEGRATION_NAME_PATTERN = '^[^\\s@()]+$';

function expected(text: string): { errorMessage: string } {
  return { errorMessage: `expected ${text}` };
}

/** A string enum as plain JSON Schema `enum` (TypeBox unions become anyOf, which editors and ajv report badly). */
function StringEnum<T extends readonly string[]>(values: T, options: Record<string, unknown>) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

const Ratio = (description: string, dflt?: number) =>
  Type.Number({
    minimum: 0,
    maximum: 1,
    description,
    ...(dflt === undefined ? {} : { default: dflt }),
    ...expected('a ratio between 0 and 1'),
  });

const Percent = (description: string, dflt?: number) =>
  Type.Number({
    exclusiveMinimum: 0,
    exclusiveMaximum: 100,
    description,
    ...(dflt === undefined ? {} : { default: dflt }),
    ...expected('a percent between 0 and 100 (exclusive), e.g. 99.9'),
  });

const TagRule = Type.Object(
  {
    tag: Type.String({
      pattern: TAG_PATTERN,
      description: 'Span attribute path that must be present, without the @: `usr.id`, `error.message`, `version`.',
      ...expected('a span attribute path such as usr.id (letters, digits, _ . -, no leading @)'),
    }),
    scope: Type.Optional(
      Type.String({
        minLength: 1,
        default: '*',
        description:
          'Span-search query selecting the spans that must carry the tag, e.g. `@_top_level:1` (service entry ' +
          'spans) or `status:error`. `*` (the default) means every span. Unique together with `tag`.',
        ...expected('a non-empty span-search query such as @_top_level:1, status:error or *'),
      }),
    ),
    slo: Type.Optional(
      Type.Boolean({
        default: false,
        description: "Also create an SLO on this tag's coverage.",
        ...expected('true or false'),
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'A tag that spans in `scope` must carry.',
    ...expected('a mapping with keys tag, scope, slo'),
  },
);

/** Shared sub-schemas are written once under `definitions` and referenced, keeping the published schema small. */
const TagRuleRef = Type.Unsafe<Static<typeof TagRule>>({ $ref: '#/definitions/tagRule' });

const TagRules = (description: string, dflt?: unknown) =>
  Type.Array(TagRuleRef, {
    description,
    ...(dflt === undefined ? {} : { default: dflt }),
    ...expected('a list of {tag, scope, slo} rules'),
  });

const Transitions = (description: string) =>
  Type.Array(
    StringEnum(TRANSITIONS, {
      ...expected(`one of ${TRANSITIONS.join(', ')}`),
    }),
    {
      minItems: 1,
      uniqueItems: true,
      description,
      ...expected(`a non-empty list of transitions: ${TRANSITIONS.join(', ')}`),
    },
  );

/**
 * A `notify` entry: a handle, or `{ handle, on }`. Written as if/then/else rather than anyOf so that a bad entry
 * gets the error of the form it has (a string, or a mapping), not one per alternative.
 */
const NotifyEntry = Type.Unsafe<string | { handle: string; on?: (typeof TRANSITIONS)[number][] }>({
  if: { type: 'string' },
  then: {
    type: 'string',
    pattern: HANDLE_PATTERN,
    ...expected('a notification handle starting with @, without spaces or parentheses, e.g. @slack-payments-oncall'),
  },
  else: Type.Object(
    {
      handle: Type.String({
        pattern: HANDLE_PATTERN,
        description: 'The handle: `@pagerduty-<service>`, `@slack-<channel>`, `@team@example.com`, …',
        ...expected('a notification handle starting with @, without spaces or parentheses, e.g. @pagerduty-payments'),
      }),
      on: Type.Optional(
        Transitions('The monitor transitions this handle is told about (recovery: from the states it was told of).'),
      ),
    },
    {
      additionalProperties: false,
      ...expected('a handle such as @slack-payments-oncall, or a mapping with keys handle, on'),
    },
  ),
});
const NotifyEntryRef = Type.Unsafe<Static<typeof NotifyEntry>>({ $ref: '#/definitions/notifyEntry' });

/**
 * One layer of settings: `defaults`, a tier, a team or a service. Every key is optional; the most specific layer
 * that sets a value wins (defaults < tier < team < service), objects are merged per key and `notify` lists are
 * merged. `withDefaults` adds the built-in defaults as JSON Schema `default`s (only meaningful under `defaults`).
 */
function layer(description: string, withDefaults: boolean, extra: Record<string, TSchema> = {}) {
  const d = <T>(value: T): T | undefined => (withDefaults ? value : undefined);
  const b = BUILTIN_DEFAULTS;
  return Type.Object(
    {
      enabled: Type.Optional(
        Type.Boolean({
          description: 'Generate monitors, SLOs and a dashboard for the services this layer applies to.',
          ...(withDefaults ? { default: b.enabled } : {}),
          ...expected('true or false'),
        }),
      ),
      requiredTags: Type.Optional(
        TagRules(
          'Tags spans must carry. Replaces the list inherited from less specific layers; use `extraRequiredTags` ' +
            'to add to it instead.',
          d(b.requiredTags),
        ),
      ),
      extraRequiredTags: Type.Optional(
        TagRules(
          'Tags required in addition to the inherited `requiredTags` (a rule with the same tag and scope replaces ' +
            'the inherited one).',
        ),
      ),
      orphanRate: Type.Optional(
        Type.Object(
          {
            warning: Type.Optional(
              Ratio('Warn when this fraction of checked spans lost their parent.', d(b.orphanRate.warning)),
            ),
            critical: Type.Optional(
              Ratio('Alert when this fraction of checked spans lost their parent.', d(b.orphanRate.critical)),
            ),
          },
          {
            additionalProperties: false,
            description:
              'Orphan-span rate thresholds (spans whose parent is missing from the complete trace). ' +
              'Must stay low: warning < critical.',
            ...expected('a mapping with keys warning, critical'),
          },
        ),
      ),
      tagCoverage: Type.Optional(
        Type.Object(
          {
            warning: Type.Optional(
              Ratio('Warn when a required tag covers less than this fraction of its spans.', d(b.tagCoverage.warning)),
            ),
            critical: Type.Optional(
              Ratio(
                'Alert when a required tag covers less than this fraction of its spans.',
                d(b.tagCoverage.critical),
              ),
            ),
          },
          {
            additionalProperties: false,
            description: 'Required-tag coverage thresholds. Coverage must stay high: warning > critical.',
            ...expected('a mapping with keys warning, critical'),
          },
        ),
      ),
      minSpans: Type.Optional(
        Type.Integer({
          minimum: 1,
          description:
            'Low-volume guard: ratio monitors only alert when at least this many spans were checked in the window.',
          ...(withDefaults ? { default: b.minSpans } : {}),
          ...expected('a positive integer'),
        }),
      ),
      window: Type.Optional(
        StringEnum(WINDOWS, {
          description: 'Monitor evaluation window (Datadog `last_<window>`).',
          ...(withDefaults ? { default: b.window } : {}),
          ...expected(`one of ${WINDOWS.join(', ')}`),
        }),
      ),
      slo: Type.Optional(
        Type.Object(
          {
            timeframe: Type.Optional(
              StringEnum(SLO_TIMEFRAMES, {
                description: 'SLO timeframe.',
                ...(withDefaults ? { default: b.slo.timeframe } : {}),
                ...expected(`one of ${SLO_TIMEFRAMES.join(', ')}`),
              }),
            ),
            target: Type.Optional(Percent('SLO target, percent of spans carrying the tag.', d(b.slo.target))),
            warning: Type.Optional(
              Percent('SLO warning, percent; must be stricter (higher) than target.', d(b.slo.warning)),
            ),
          },
          {
            additionalProperties: false,
            description: 'Tag-coverage SLOs (for required tags with `slo: true`).',
            ...expected('a mapping with keys timeframe, target, warning'),
          },
        ),
      ),
      notify: Type.Optional(
        Type.Array(NotifyEntryRef, {
          uniqueItems: true,
          description:
            'Notification handles added to monitor messages. Merged across layers (union), not replaced. A ' +
            'handle alone is told about the default transitions of its kind (pagers: alert, noData, recovery; ' +
            'everything else: every transition); `{ handle, on: [...] }` says which.',
          ...(withDefaults ? { default: [] } : {}),
          ...expected('a list of notification handles such as @slack-payments-oncall'),
        }),
      ),
      priority: Type.Optional(
        Type.Integer({
          minimum: 1,
          maximum: 5,
          description:
            'Monitor priority, 1 (most urgent) … 5. Usually set per tier; tiers "1", "2", "3" default to 1, 2, 3, ' +
            'services without a tier to 3.',
          ...(withDefaults ? { default: b.priority } : {}),
          ...expected('an integer from 1 (most urgent) to 5'),
        }),
      ),
      ...extra,
    },
    { additionalProperties: false, description, ...expected('a mapping of policy settings') },
  );
}

export const PolicyLayerSchema = layer('Settings for the services this layer applies to.', false);
export type PolicyLayerFile = Static<typeof PolicyLayerSchema>;

export const TierLayerSchema = layer('Settings for the services of this catalog tier.', false, {
  aliases: Type.Optional(
    Type.Array(Type.String({ minLength: 1, ...expected('a tier as written in the catalog, e.g. "0" or critical') }), {
      uniqueItems: true,
      description:
        'Other spellings of this tier in the catalog ("0", "p1", "critical"): services with those tiers get ' +
        'this rule. Catalog tiers are free text; "tier-1", "Tier 1" and "1" are the same tier already.',
      ...expected('a list of tiers as written in the catalog'),
    }),
  ),
});
export type TierLayerFile = PolicyLayerFile & { aliases?: string[] };

const LayerMap = <T = PolicyLayerFile>(
  description: string,
  keyDescription: string,
  ref: 'layer' | 'tierLayer' = 'layer',
) =>
  Type.Unsafe<Record<string, T>>({
    type: 'object',
    description,
    additionalProperties: { $ref: `#/definitions/${ref}` },
    propertyNames: { description: keyDescription },
    ...expected('a mapping of names to policy settings'),
  });

/** One section of `integrations`: catalog value → name in that Datadog integration. */
const NameMap = (description: string, key: string, product: string) =>
  Type.Unsafe<Record<string, string>>({
    type: 'object',
    description,
    propertyNames: { minLength: 1, description: key },
    additionalProperties: {
      type: 'string',
      pattern: INTEGRATION_NAME_PATTERN,
      errorMessage: `expected the name configured in Datadog's ${product} integration (no spaces, @ or parentheses)`,
    },
    ...expected(`a mapping of ${key}s to names in Datadog's ${product} integration`),
  });

const Integrations = Type.Object(
  {
    pagerduty: Type.Optional(
      NameMap(
        "PagerDuty service id or service URL (as in the catalog) → the service name configured in Datadog's " +
          'PagerDuty integration. The handle is @pagerduty-<name>.',
        'PagerDuty service id or URL',
        'PagerDuty',
      ),
    ),
    opsgenie: Type.Optional(
      NameMap(
        "Opsgenie service id or service URL (as in the catalog) → the service name configured in Datadog's " +
          'Opsgenie integration. The handle is @opsgenie-<name>.',
        'Opsgenie service id or URL',
        'Opsgenie',
      ),
    ),
    slack: Type.Optional(
      NameMap(
        'Slack channel id or channel URL (as in the catalog) → the channel name (or <account>-<channel>) in ' +
          "Datadog's Slack integration. The handle is @slack-<name>.",
        'Slack channel id or URL',
        'Slack',
      ),
    ),
    microsoftTeams: Type.Optional(
      NameMap(
        "Microsoft Teams channel link or channel id → the handle name configured in Datadog's Microsoft Teams " +
          'integration. The handle is @teams-<name>.',
        'Microsoft Teams channel link or id',
        'Microsoft Teams',
      ),
    ),
    webhooks: Type.Optional(
      NameMap(
        'Webhook URL prefix, without its secret part (e.g. https://hooks.slack.com/services/T0001/B0001) → the ' +
          'name of a Datadog webhook integration that posts there. The handle is @webhook-<name>. A catalog ' +
          'contact whose URL starts with the prefix is routed to it.',
        'webhook URL prefix',
        'Webhooks',
      ),
    ),
  },
  {
    additionalProperties: false,
    description:
      "How catalog contacts and integrations become Datadog handles. Datadog's handle is the name configured in " +
      "each integration, which catalog ids and URLs do not tell: one line here maps a team's pager or channel " +
      'for every service that names it.',
    ...expected('a mapping with keys pagerduty, opsgenie, slack, microsoftTeams, webhooks'),
  },
);

const RequireRoute = Type.Object(
  {
    tiers: Type.Optional(
      Type.Array(Type.String({ minLength: 1, ...expected('a catalog tier such as "1"') }), {
        minItems: 1,
        uniqueItems: true,
        description: 'Only services of these tiers (aliases apply). Every enabled service when left out.',
        ...expected('a non-empty list of catalog tiers such as ["1"]'),
      }),
    ),
    on: Transitions('Transitions that must reach at least one handle.'),
  },
  {
    additionalProperties: false,
    description:
      '`synth` fails (exit 1, nothing written) when a service these apply to would notify nobody on one of the ' +
      'transitions in `on`, naming each such service.',
    ...expected('a mapping with keys tiers, on'),
  },
);

const Backend = Type.Object(
  {
    type: StringEnum(BACKEND_TYPES, {
      description:
        'Terraform backend type. One state per stack: the key, prefix or workspace is derived from the stack name.',
      ...expected(`one of ${BACKEND_TYPES.join(', ')}`),
    }),
    path: Type.Optional(
      Type.String({
        pattern: '\\{stack\\}',
        default: BACKEND_DEFAULTS.localPath,
        description:
          'local: state file path relative to the folder of trace-health.yaml; `{stack}` is replaced by the stack name.',
        ...expected('a path containing {stack}, so that every stack has its own state'),
      }),
    ),
    bucket: Type.Optional(Type.String({ minLength: 1, description: 's3/gcs: bucket name.' })),
    region: Type.Optional(Type.String({ minLength: 1, description: 's3: bucket region.' })),
    key: Type.Optional(
      Type.String({
        pattern: '\\{stack\\}',
        default: BACKEND_DEFAULTS.s3Key,
        description: 's3: object key of the state; `{stack}` is replaced by the stack name.',
        ...expected('a key containing {stack}, so that every stack has its own state'),
      }),
    ),
    dynamodbTable: Type.Optional(Type.String({ minLength: 1, description: 's3: DynamoDB table for state locking.' })),
    prefix: Type.Optional(
      Type.String({
        pattern: '\\{stack\\}',
        default: BACKEND_DEFAULTS.gcsPrefix,
        description: 'gcs: state prefix; `{stack}` is replaced by the stack name.',
        ...expected('a prefix containing {stack}, so that every stack has its own state'),
      }),
    ),
    organization: Type.Optional(Type.String({ minLength: 1, description: 'remote: HCP Terraform organization.' })),
    workspacePrefix: Type.Optional(
      Type.String({
        default: BACKEND_DEFAULTS.remoteWorkspacePrefix,
        description: 'remote: workspace name = this prefix + the stack name.',
      }),
    ),
    hostname: Type.Optional(
      Type.String({ minLength: 1, description: 'remote: HCP Terraform / Terraform Enterprise host.' }),
    ),
  },
  {
    additionalProperties: false,
    description: 'Where Terraform keeps the state of each stack. Default: local, one file per stack.',
    allOf: BACKEND_TYPES.filter((t) => BACKEND_FIELDS[t].required.length > 0).map((t) => ({
      if: { properties: { type: { const: t } }, required: ['type'] },
      then: { required: [...BACKEND_FIELDS[t].required] },
    })),
    ...expected('a mapping with a type: local, s3, gcs or remote'),
  },
);

export const PolicyFileSchema = Type.Object(
  {
    catalog: Type.String({
      minLength: 1,
      description:
        'Service catalog: a folder of service definition files (v2, v2.1, v2.2, v3) or a snapshot .json written ' +
        'by `catalog pull`. Relative to the folder of this file.',
      ...expected('a path to a catalog folder or snapshot .json'),
    }),
    site: Type.Optional(
      StringEnum(SITES, {
        default: TOP_LEVEL_DEFAULTS.site,
        description: 'Datadog site (what DD_SITE holds), used for links.',
        ...expected(`a Datadog site: ${SITES.join(', ')}`),
      }),
    ),
    envs: Type.Optional(
      Type.Array(
        Type.String({
          pattern: ENV_PATTERN,
          ...expected('an env tag value: lowercase, starting with a letter; letters, digits, _ . / -'),
        }),
        {
          minItems: 1,
          uniqueItems: true,
          default: [...TOP_LEVEL_DEFAULTS.envs],
          description: 'Environments (the `env` tag) that get monitors.',
          ...expected('a non-empty list of env names such as [prod]'),
        },
      ),
    ),
    stacks: Type.Optional(
      Type.Object(
        {
          by: Type.Optional(
            StringEnum(STACK_GROUPINGS, {
              default: TOP_LEVEL_DEFAULTS.stacksBy,
              description:
                'One Terraform stack per `team` (stack `team-<team>`, services without a team in `team-unowned`), ' +
                'per `service` (`service-<name>`), or one `single` stack (`all`). Org-wide resources always go ' +
                'in the `core` stack.',
              ...expected(`one of ${STACK_GROUPINGS.join(', ')}`),
            }),
          ),
          backend: Type.Optional(Backend),
        },
        {
          additionalProperties: false,
          description: 'How services are grouped into Terraform stacks, and where their state lives.',
          ...expected('a mapping with keys by, backend'),
        },
      ),
    ),
    entrypoints: Type.Optional(
      Type.Array(Type.String({ minLength: 1, ...expected('a catalog service name') }), {
        uniqueItems: true,
        default: [],
        description:
          'Services allowed to start traces (e.g. public gateways), added to those derived from the catalog ' +
          'dependsOn graph. A trace starting anywhere else means propagation was lost upstream.',
        ...expected('a list of catalog service names'),
      }),
    ),
    validateMonitors: Type.Optional(
      Type.Boolean({
        default: TOP_LEVEL_DEFAULTS.validateMonitors,
        description:
          "Let the Datadog provider call Datadog's validate endpoint for every monitor on every plan (catches bad " +
          'queries before apply; needs API access during plan).',
        ...expected('true or false'),
      }),
    ),
    maxRemovalRatio: Type.Optional(
      Ratio(
        '`catalog pull` and `synth` refuse to drop more than this fraction of the known services (an API hiccup ' +
          'must not destroy monitors) unless overridden on the command line.',
        TOP_LEVEL_DEFAULTS.maxRemovalRatio,
      ),
    ),
    integrations: Type.Optional(Integrations),
    requireRoute: Type.Optional(RequireRoute),
    simulate: Type.Optional(
      Type.Object(
        {
          scenarios: Type.Optional(
            Type.String({
              minLength: 1,
              description:
                'Folder of scenario files (*.yaml) that `trace-health simulate` runs besides its built-in scenarios, ' +
                'relative to this file. Format: schema/trace-health-scenarios.schema.json.',
              ...expected('a folder path'),
            }),
          ),
        },
        {
          additionalProperties: false,
          description: '`trace-health simulate`: alert paths proven by scenarios.',
          ...expected('a mapping with key scenarios'),
        },
      ),
    ),
    defaults: Type.Optional(layer('Settings for every service (the least specific layer).', true)),
    tiers: Type.Optional(
      LayerMap<TierLayerFile>(
        'Settings per catalog tier, keyed by the tier as written in the catalog ("1", "2", "3"); `aliases` lists ' +
          'other spellings. "tier1", "tier-1" and "1" are the same tier. Overrides defaults. Tiers "1", "2", "3" ' +
          'have built-in priorities 1, 2, 3; any other tier should set `priority`.',
        'A catalog tier: "1", "2", "3" (or "tier1", "tier-1"), "0", "critical", …',
        'tierLayer',
      ),
    ),
    teams: Type.Optional(
      LayerMap(
        'Settings per owning team (catalog `team` / v3 `owner`). Overrides tiers. Teams must exist in the catalog; ' +
          'services without a team belong to `unowned`.',
        'A team of the catalog.',
      ),
    ),
    services: Type.Optional(
      LayerMap('Settings per service. Overrides teams. Services must exist in the catalog.', 'A catalog service.'),
    ),
  },
  {
    additionalProperties: false,
    definitions: { tagRule: TagRule, notifyEntry: NotifyEntry, layer: PolicyLayerSchema, tierLayer: TierLayerSchema },
    title: 'trace-health policy',
    description:
      'trace-health.yaml: which services get trace-health monitors, SLOs and dashboards, with which thresholds, ' +
      'routed to whom. Resolution order per service: defaults < tiers < teams < services.',
    ...expected('a mapping with at least a catalog key'),
  },
);

export type PolicyFile = Static<typeof PolicyFileSchema>;

/** The JSON Schema as published in `schema/trace-health.schema.json` (TypeBox's symbol keys dropped). */
export function policyJsonSchema(): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(PolicyFileSchema as TSchema)) as Record<string, unknown>;
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...plain };
}
