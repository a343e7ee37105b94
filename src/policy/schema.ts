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
} as const;

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
const HANDLE_PATTERN = '^@\\S+$';

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

/**
 * One layer of settings: `defaults`, a tier, a team or a service. Every key is optional; the most specific layer
 * that sets a value wins (defaults < tier < team < service), objects are merged per key and `notify` lists are
 * merged. `withDefaults` adds the built-in defaults as JSON Schema `default`s (only meaningful under `defaults`).
 */
function layer(description: string, withDefaults: boolean) {
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
        Type.Array(
          Type.String({
            pattern: HANDLE_PATTERN,
            ...expected('a notification handle starting with @, e.g. @slack-payments-oncall'),
          }),
          {
            uniqueItems: true,
            description:
              'Notification handles added to monitor messages. Merged across layers (union, sorted), not replaced.',
            ...(withDefaults ? { default: [] } : {}),
            ...expected('a list of notification handles such as @slack-payments-oncall'),
          },
        ),
      ),
    },
    { additionalProperties: false, description, ...expected('a mapping of policy settings') },
  );
}

export const PolicyLayerSchema = layer('Settings for the services this layer applies to.', false);
export type PolicyLayerFile = Static<typeof PolicyLayerSchema>;

const LayerMap = (description: string, keyDescription: string) =>
  Type.Unsafe<Record<string, PolicyLayerFile>>({
    type: 'object',
    description,
    additionalProperties: { $ref: '#/definitions/layer' },
    propertyNames: { description: keyDescription },
    ...expected('a mapping of names to policy settings'),
  });

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
      LayerMap(
        'Settings per catalog tier, keyed by the tier as written in the catalog ("1", "2", "3"). ' +
          '"tier1", "tier-1" and "1" are the same tier. Overrides defaults.',
        'A catalog tier: "1", "2", "3" (or "tier1", "tier-1").',
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
    definitions: { tagRule: TagRule, layer: PolicyLayerSchema },
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
