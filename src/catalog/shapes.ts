/**
 * What each schema version allows, as data: the official service definition schemas (DataDog/schema,
 * `service-catalog/v2`, `v2.1`, `v2.2`, `v3/*.schema.json`) transcribed key by key, plus the keys Datadog's own API
 * knows and the schemas lack (each marked where it is added, with the API client model that has it). The checker in
 * normalize.ts walks a definition along these shapes and reports every deviation once.
 *
 * Every check has a rule, which decides how a deviation is reported:
 * - `identity`: the definition cannot be read correctly — its name, owner or tier, which decide the resources,
 *   their stack and their thresholds. Always an error.
 * - `schema`: the schema forbids it and trace-health would otherwise read the definition differently from what was
 *   meant (a wrong type, a missing required key, a key of another version/kind/place or a typo whose value would
 *   be silently ignored, a link that is no URL). An error in definition files; in definitions Datadog has already
 *   accepted (a `catalog pull` snapshot, the API) a warning, and the bad part is left out.
 * - `lenient`: the schema forbids it but nothing trace-health generates depends on it (an unknown key, a value
 *   outside a list the schema enumerates, an email or URL format, a minimum length). A warning in definition files;
 *   nothing at all for definitions Datadog accepted.
 *
 * Datadog's API is more lenient than the schemas: its models take additional properties on v2.x definitions and
 * plain strings for v2.2 `type` and v3 link URLs (datadog-api-client ServiceDefinitionV2Dot2, EntityV3MetadataLinksItems).
 */

export type Rule = 'identity' | 'schema' | 'lenient';

export interface StringShape {
  readonly type: 'string';
  /** Rule for a value that is not a string (default `schema`). */
  readonly rule?: Rule;
  /** What a valid value is, for messages (default `a string`). */
  readonly expected?: string;
  readonly minLength?: number;
  /** Values the schema enumerates; others are kept as written (lenient). `enumOf` names the list in messages. */
  readonly enum?: readonly string[];
  readonly enumOf?: string;
  /** `uri`: an absolute URL (schema rule: links end up in monitor messages and dashboards). */
  readonly format?: 'uri';
  /** A lenient pattern, with what it describes. */
  readonly pattern?: { readonly re: RegExp; readonly what: string };
  /** A string that is a reference to another entity (`service:name`): `dependsOn` must parse (schema rule). */
  readonly ref?: 'checked' | 'loose';
  /** The definition's name (`dd-service`, `metadata.name`): must not be empty (identity rule). */
  readonly name?: boolean;
}

/** Tier: a string in every schema; a YAML number (`tier: 1`) is read as its text, with a lenient warning. */
export interface TierShape {
  readonly type: 'tier';
  readonly minLength?: number;
}

export interface ListShape {
  readonly type: 'list';
  readonly items: Shape;
  /** What a valid value is, for messages: `a list of links (name, type, url)`. */
  readonly expected: string;
  readonly minItems?: number;
}

export interface MapShape {
  readonly type: 'map';
  /** The place, for messages: `a v2.2 contact`, `v3 service spec`. */
  readonly what: string;
  readonly keys: Readonly<Record<string, Shape>>;
  readonly required?: readonly string[];
  /** Rule for a missing required key (default `schema`). */
  readonly requiredRule?: Rule;
  /** Keys that are wrong here for a known reason (another version, kind or place): why, and what to do instead. */
  readonly hints?: Readonly<Record<string, string>>;
  /** Other keys are allowed (JSON Schema objects without `additionalProperties: false`). */
  readonly open?: boolean;
  /** Rule for a value that is not a mapping (default `schema`): `identity` for mappings that hold the name or tier. */
  readonly rule?: Rule;
  /** What a valid value is when the value is not a mapping (default `a mapping`). */
  readonly expected?: string;
  /** Checks across keys (JSON Schema if/then, oneOf): problems relative to this mapping. */
  readonly refine?: (value: Readonly<Record<string, unknown>>) => readonly Refinement[];
  /** Whole messages for missing required keys that name the definition itself (`dd-service`, `metadata`). */
  readonly missing?: Readonly<Record<string, string>>;
  /** Why required keys are missing, when the mapping shows it (a link pasted into contacts). */
  readonly explainMissing?: (value: Readonly<Record<string, unknown>>) => string | undefined;
}

export interface Refinement {
  /** Key below the mapping the problem is about (`contact`), or none for the mapping itself. */
  readonly key?: string;
  readonly message: string;
  readonly rule: Rule;
}

/** Any value (free-form `extensions`, `metadata.managed`, an API's OpenAPI `definition`): only its type is checked. */
export interface AnyShape {
  readonly type: 'any';
  readonly mapping?: boolean;
}

export type Shape = StringShape | TierShape | ListShape | MapShape | AnyShape;

// ---- building blocks ----

const str = (extra: Omit<StringShape, 'type'> = {}): StringShape => ({ type: 'string', ...extra });
const strings = (expected = 'a list of strings'): ListShape => ({ type: 'list', items: str(), expected });
const anyMapping: AnyShape = { type: 'any', mapping: true };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function isAbsoluteUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.host !== '' || u.protocol === 'mailto:';
  } catch {
    return false;
  }
}
export { isAbsoluteUrl };

const emailContact = (v: Readonly<Record<string, unknown>>): Refinement[] =>
  v.type === 'email' && typeof v.contact === 'string' && !EMAIL.test(v.contact.replace(/^mailto:/i, ''))
    ? [{ key: 'contact', message: `is not an email address (type is email)`, rule: 'lenient' }]
    : [];

/** A link pasted into `contacts`: the missing `contact` says why. */
const linkInContacts = (v: Readonly<Record<string, unknown>>): string | undefined =>
  'url' in v && !('contact' in v) ? 'this entry has a url: is it a link? links go under links' : undefined;

// ---- v2, v2.1, v2.2 ----

const PAGERDUTY_URL = {
  re: /^(https?:\/\/)?[a-zA-Z\d_\-.]+\.pagerduty\.com\/service-directory\/(P[a-zA-Z\d_-]+)\/?$/,
  what: 'a PagerDuty service URL (https://<account>.pagerduty.com/service-directory/P…)',
};
const OPSGENIE_URL = {
  re: /^(https?:\/\/)?[a-zA-Z\d_\-.]+\.opsgenie\.com\/service\/([a-zA-Z\d_-]+)\/?$/,
  what: 'an Opsgenie service URL (https://<account>.opsgenie.com/service/<id>)',
};

const V2_CONTACT_TYPES = ['email', 'slack', 'microsoft-teams'];

function v2Contact(version: 'v2' | 'v2.1' | 'v2.2'): MapShape {
  return {
    type: 'map',
    what: `a ${version} contact`,
    expected: 'a mapping (type, contact, name)',
    keys: {
      name: str({ minLength: 2 }),
      type: version === 'v2.2' ? str() : str({ enum: V2_CONTACT_TYPES, enumOf: `the ${version} contact types` }),
      contact: str(),
    },
    required: ['type', 'contact'],
    refine: (v) => {
      const out = emailContact(v);
      if (version !== 'v2.2' && v.type === 'slack' && typeof v.contact === 'string' && !/^https:\/\/.+/.test(v.contact))
        out.push({ key: 'contact', message: 'is not a Slack channel URL (https://…; type is slack)', rule: 'lenient' });
      if (version === 'v2.2' && v.type !== 'email' && typeof v.contact === 'string' && !isAbsoluteUrl(v.contact))
        out.push({
          key: 'contact',
          message: 'is not a URL (v2.2 wants a URL for every type but email)',
          rule: 'lenient',
        });
      return out;
    },
    explainMissing: linkInContacts,
  };
}

const V2_LINK_TYPES = ['doc', 'wiki', 'runbook', 'url', 'repo', 'dashboard', 'oncall', 'code', 'link'];
const V21_LINK_TYPES = ['doc', 'runbook', 'repo', 'dashboard', 'other'];

function v2Link(version: 'v2' | 'v2.1' | 'v2.2'): MapShape {
  const keys: Record<string, Shape> = {
    name: str({ minLength: version === 'v2' ? 1 : 0 }),
    type:
      version === 'v2'
        ? str({ enum: V2_LINK_TYPES, enumOf: 'the v2 link types' })
        : version === 'v2.1'
          ? str({ enum: V21_LINK_TYPES, enumOf: 'the v2.1 link types' })
          : str(),
    url: str({ format: 'uri' }),
  };
  if (version !== 'v2') keys.provider = str();
  return {
    type: 'map',
    what: `a ${version} link`,
    expected: `a mapping (${Object.keys(keys).join(', ')})`,
    keys,
    required: ['name', 'type', 'url'],
    hints: version === 'v2' ? { provider: 'links have a provider since v2.1; in v2 only repos and docs have one' } : {},
  };
}

/** v2 `repos` and `docs`: links without a type. */
function v2RepoOrDoc(what: 'repo' | 'doc'): MapShape {
  return {
    type: 'map',
    what: `a v2 ${what}`,
    expected: 'a mapping (name, url, provider)',
    keys: { name: str({ minLength: 1 }), provider: str({ minLength: 1 }), url: str({ format: 'uri' }) },
    required: ['name', 'url'],
    hints: { type: `v2 ${what}s have no type (they are all ${what}s)` },
  };
}

function v2Integrations(version: 'v2' | 'v2.1' | 'v2.2'): MapShape {
  const opsgenie: MapShape = {
    type: 'map',
    what: `${version} integrations.opsgenie`,
    expected: `a mapping with service-url (schema ${version})`,
    keys: {
      'service-url': str({ pattern: OPSGENIE_URL }),
      region: str({ enum: ['US', 'EU'], enumOf: 'the Opsgenie regions' }),
    },
    required: ['service-url'],
  };
  const pagerduty: Shape =
    version === 'v2'
      ? str({ pattern: PAGERDUTY_URL, expected: 'a PagerDuty service URL (schema v2)' })
      : {
          type: 'map',
          what: `${version} integrations.pagerduty`,
          expected: `a mapping with service-url (schema ${version})`,
          keys: { 'service-url': str({ pattern: PAGERDUTY_URL }) },
          required: ['service-url'],
        };
  return { type: 'map', what: `${version} integrations`, keys: { pagerduty, opsgenie } };
}

const NAME_MISSING = { 'dd-service': 'dd-service is missing: every definition needs a name' };

const LATER = {
  v21: 'added in v2.1: set schema-version: v2.1 or later',
  v22: 'added in v2.2: set schema-version: v2.2',
  repos: 'since v2.1 repositories are links with type: repo',
  docs: 'since v2.1 documents are links with type: doc',
  ddTeam: 'dd-team exists only in schema v2; since v2.1 the team is team',
};

/** v3 keys written in a v2.x file: the file is read as the version it declares. */
const V3_IN_V2 = (version: string): Record<string, string> => ({
  apiVersion: `a v3 key in a file that declares schema-version ${version}`,
  kind: `a v3 key in a file that declares schema-version ${version}`,
  metadata: `a v3 key in a file that declares schema-version ${version}`,
  spec: `a v3 key in a file that declares schema-version ${version}`,
  owner: `the owning team is team in schema ${version}`,
  name: `the service name is dd-service in schema ${version}`,
  dependsOn: `dependencies exist only in v3 entities (spec.dependsOn)`,
});

export const V2_SHAPES: Readonly<Record<'v2' | 'v2.1' | 'v2.2', MapShape>> = {
  v2: {
    type: 'map',
    what: 'schema v2',
    keys: {
      'schema-version': str(),
      'dd-service': str({ rule: 'identity', minLength: 1, name: true }),
      team: str({ rule: 'identity', minLength: 1 }),
      'dd-team': str({ rule: 'identity', minLength: 1 }),
      contacts: { type: 'list', items: v2Contact('v2'), expected: 'a list of contacts (type, contact, name)' },
      links: { type: 'list', items: v2Link('v2'), expected: 'a list of links (name, type, url)' },
      repos: { type: 'list', items: v2RepoOrDoc('repo'), expected: 'a list of repos (name, url, provider)' },
      docs: { type: 'list', items: v2RepoOrDoc('doc'), expected: 'a list of docs (name, url, provider)' },
      tags: strings(),
      integrations: v2Integrations('v2'),
      extensions: anyMapping,
    },
    required: ['schema-version', 'dd-service'],
    requiredRule: 'identity',
    missing: NAME_MISSING,
    hints: {
      ...V3_IN_V2('v2'),
      application: LATER.v21,
      description: LATER.v21,
      tier: LATER.v21,
      lifecycle: LATER.v21,
      type: LATER.v22,
      languages: LATER.v22,
      'ci-pipeline-fingerprints': LATER.v22,
    },
  },
  'v2.1': {
    type: 'map',
    what: 'schema v2.1',
    keys: {
      'schema-version': str(),
      'dd-service': str({ rule: 'identity', minLength: 1, name: true }),
      team: str({ rule: 'identity' }),
      application: str(),
      description: str(),
      tier: { type: 'tier' },
      lifecycle: str(),
      contacts: { type: 'list', items: v2Contact('v2.1'), expected: 'a list of contacts (type, contact, name)' },
      links: { type: 'list', items: v2Link('v2.1'), expected: 'a list of links (name, type, url, provider)' },
      tags: strings(),
      integrations: v2Integrations('v2.1'),
      extensions: anyMapping,
    },
    required: ['schema-version', 'dd-service'],
    requiredRule: 'identity',
    missing: NAME_MISSING,
    hints: {
      ...V3_IN_V2('v2.1'),
      type: LATER.v22,
      languages: LATER.v22,
      'ci-pipeline-fingerprints': LATER.v22,
      repos: LATER.repos,
      docs: LATER.docs,
      'dd-team': LATER.ddTeam,
    },
  },
  'v2.2': {
    type: 'map',
    what: 'schema v2.2',
    keys: {
      'schema-version': str(),
      'dd-service': str({ rule: 'identity', minLength: 1, name: true }),
      team: str({ rule: 'identity' }),
      application: str(),
      description: str(),
      tier: { type: 'tier' },
      lifecycle: str(),
      // The schema's list; Datadog's API takes any string (datadog-api-client ServiceDefinitionV2Dot2.type).
      type: str({
        enum: ['web', 'db', 'cache', 'function', 'browser', 'mobile', 'custom'],
        enumOf: 'the v2.2 service types',
      }),
      languages: strings(),
      contacts: { type: 'list', items: v2Contact('v2.2'), expected: 'a list of contacts (type, contact, name)' },
      links: { type: 'list', items: v2Link('v2.2'), expected: 'a list of links (name, type, url, provider)' },
      tags: strings(),
      integrations: v2Integrations('v2.2'),
      extensions: anyMapping,
      'ci-pipeline-fingerprints': strings(),
    },
    required: ['schema-version', 'dd-service'],
    requiredRule: 'identity',
    missing: NAME_MISSING,
    hints: { ...V3_IN_V2('v2.2'), repos: LATER.repos, docs: LATER.docs, 'dd-team': LATER.ddTeam },
  },
};

// ---- v3 ----

/** The built-in v3 kinds; any other kind matching CUSTOM_KIND is a custom entity (v3/custom.schema.json). */
export const V3_KINDS = ['service', 'datastore', 'queue', 'system', 'api', 'application'] as const;
export const CUSTOM_KIND = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

const refs = (ref: 'checked' | 'loose'): ListShape => ({
  type: 'list',
  items: str({ ref }),
  expected: 'a list of references like service:name',
});

/** Spec keys per kind (v3/<kind>.schema.json `spec`; custom kinds: v3/custom.schema.json). */
const SPEC_KEYS: Readonly<Record<string, Readonly<Record<string, Shape>>>> = {
  service: {
    lifecycle: str({ minLength: 1 }),
    tier: { type: 'tier', minLength: 1 },
    type: str(),
    languages: strings(),
    dependsOn: refs('checked'),
    componentOf: refs('loose'),
  },
  datastore: {
    lifecycle: str({ minLength: 1 }),
    tier: { type: 'tier', minLength: 1 },
    type: str(),
    componentOf: refs('loose'),
    dependsOn: refs('checked'),
    dependencyOf: refs('loose'),
  },
  queue: {
    lifecycle: str({ minLength: 1 }),
    tier: { type: 'tier', minLength: 1 },
    type: str(),
    componentOf: refs('loose'),
    dependsOn: refs('checked'),
    dependencyOf: refs('loose'),
  },
  system: {
    lifecycle: str({ minLength: 1 }),
    tier: { type: 'tier', minLength: 1 },
    type: str(),
    components: refs('loose'),
    componentOf: refs('loose'),
  },
  api: {
    interface: {
      type: 'map',
      what: 'v3 api spec.interface',
      keys: { fileRef: str({ format: 'uri' }), definition: anyMapping },
      refine: (v) =>
        'fileRef' in v === 'definition' in v
          ? [{ message: 'needs exactly one of fileRef and definition', rule: 'schema' }]
          : [],
    },
    lifecycle: str({ minLength: 1 }),
    tier: { type: 'tier', minLength: 1 },
    type: str(),
    implementedBy: refs('loose'),
    componentOf: refs('loose'),
  },
  application: {
    lifecycle: str({ minLength: 1 }),
    tier: { type: 'tier', minLength: 1 },
    components: refs('loose'),
  },
  custom: {
    dependsOn: refs('checked'),
    dependencyOf: refs('loose'),
    componentOf: refs('loose'),
    lifecycle: str({ minLength: 1 }),
    tier: { type: 'tier', minLength: 1 },
    type: str(),
  },
};

/** Why a spec key of another kind is wrong here: said so that the meaning is kept (never "did you mean"). */
const SPEC_KEY_MEANING: Readonly<Record<string, string>> = {
  components:
    'the system or application that contains an entity lists it in components; to place this entity in one, name it in componentOf',
  componentOf: 'an application is the top of a hierarchy: it lists its components',
  dependencyOf: "to say that another entity depends on this one, list this one in that entity's spec.dependsOn",
  dependsOn: 'the dependencies of a system or application are those of its components',
  languages: 'languages describe services',
  interface: 'an interface describes an api entity',
  implementedBy: 'implementedBy names the services behind an api entity',
  type: 'an application has no type',
};

/**
 * Keys that unmistakably belong to metadata or to spec, for hints when they are written one level off. `type` is
 * left out: under metadata it is as likely a mis-indented additional owner's type as the spec's type.
 */
const METADATA_KEYS = ['name', 'owner', 'displayName', 'description', 'tags', 'contacts', 'links', 'additionalOwners'];
const SPEC_KEY_NAMES = ['tier', 'lifecycle', 'languages', 'dependsOn', 'componentOf', 'components'];
const belongsUnder = (keys: readonly string[], where: string): Record<string, string> =>
  Object.fromEntries(keys.map((k) => [k, `${k} belongs under ${where}`]));

/** `a`, `a and b`, `a, b and c`. */
function listing(items: readonly string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}` : items.join('');
}

function specShape(kind: string): MapShape {
  const own = SPEC_KEYS[kind] ?? SPEC_KEYS.custom;
  const label = SPEC_KEYS[kind] ? kind : 'custom';
  const hints: Record<string, string> = belongsUnder(METADATA_KEYS, 'metadata');
  hints.team = 'the owning team is metadata.owner';
  const otherKeys = new Set(Object.values(SPEC_KEYS).flatMap((keys) => Object.keys(keys)));
  for (const key of otherKeys) {
    if (key in own) continue;
    const kinds = Object.keys(SPEC_KEYS).filter((k) => key in SPEC_KEYS[k]);
    hints[key] =
      `only ${listing(kinds)} specs have ${key}: ${SPEC_KEY_MEANING[key] ?? `it is not part of a ${label} spec`}`;
  }
  return { type: 'map', what: `a v3 ${label} spec`, keys: own, hints, rule: 'identity' };
}

const v3Contact: MapShape = {
  type: 'map',
  what: 'a v3 contact',
  expected: 'a mapping (type, contact, name)',
  keys: { name: str({ minLength: 2 }), type: str(), contact: str() },
  required: ['type', 'contact'],
  refine: emailContact,
  explainMissing: linkInContacts,
};

const v3Link: MapShape = {
  type: 'map',
  what: 'a v3 link',
  expected: 'a mapping (name, type, url, provider)',
  keys: { name: str(), type: str(), url: str({ format: 'uri' }), provider: str() },
  required: ['name', 'type', 'url'],
};

const METADATA: MapShape = {
  type: 'map',
  what: 'v3 metadata',
  rule: 'identity',
  keys: {
    id: str({ minLength: 1 }),
    inheritFrom: str(),
    managed: anyMapping,
    owner: str({ rule: 'identity' }),
    additionalOwners: {
      type: 'list',
      expected: 'a list of owners (name, type)',
      items: { type: 'map', what: 'a v3 additional owner', keys: { name: str(), type: str() }, required: ['name'] },
    },
    name: str({ rule: 'identity', minLength: 1, name: true }),
    // Not in metadata.schema.json; Datadog's API has them (datadog-api-client EntityV3Metadata).
    namespace: str(),
    description: str(),
    displayName: str(),
    tags: strings(),
    contacts: { type: 'list', items: v3Contact, expected: 'a list of contacts (type, contact, name)' },
    links: { type: 'list', items: v3Link, expected: 'a list of links (name, type, url, provider)' },
  },
  required: ['name'],
  requiredRule: 'identity',
  missing: { name: 'metadata.name is missing: every definition needs a name' },
  hints: { team: 'the owning team is metadata.owner', ...belongsUnder(SPEC_KEY_NAMES, 'spec') },
};

const V3_INTEGRATIONS: MapShape = {
  type: 'map',
  what: 'v3 integrations',
  keys: {
    pagerduty: {
      type: 'map',
      what: 'v3 integrations.pagerduty',
      expected: 'a mapping with serviceURL (schema v3)',
      keys: { serviceURL: str({ minLength: 1 }) },
      required: ['serviceURL'],
    },
    opsgenie: {
      type: 'map',
      what: 'v3 integrations.opsgenie',
      expected: 'a mapping with serviceURL (schema v3)',
      keys: { serviceURL: str({ minLength: 1 }), region: str({ minLength: 1 }) },
      required: ['serviceURL'],
    },
    jiraServiceManagementOps: {
      type: 'map',
      what: 'v3 integrations.jiraServiceManagementOps',
      keys: { teamURL: str({ minLength: 1 }) },
      required: ['teamURL'],
    },
    sentry: {
      type: 'map',
      what: 'v3 integrations.sentry',
      keys: {
        projectSlugs: { type: 'list', items: str({ minLength: 1 }), expected: 'a list of strings', minItems: 1 },
      },
      required: ['projectSlugs'],
    },
    terraform: {
      type: 'map',
      what: 'v3 integrations.terraform',
      keys: {
        workspaceIds: {
          type: 'list',
          items: str({ pattern: { re: /^ws-[a-zA-Z0-9]+$/, what: 'an HCP Terraform workspace id (ws-…)' } }),
          expected: 'a list of workspace ids',
          minItems: 1,
        },
      },
      required: ['workspaceIds'],
    },
  },
};

const namedQueries = (what: string): ListShape => ({
  type: 'list',
  expected: `a list of ${what} (name, query)`,
  items: { type: 'map', what: `a v3 datadog.${what} entry`, keys: { name: str(), query: str() }, open: true },
});

const V3_DATADOG: MapShape = {
  type: 'map',
  what: 'v3 datadog',
  keys: {
    pipelines: { type: 'map', what: 'v3 datadog.pipelines', keys: { fingerprints: strings() } },
    events: namedQueries('events'),
    logs: namedQueries('logs'),
    codeLocations: {
      type: 'list',
      expected: 'a list of code locations (repositoryURL, paths)',
      items: {
        type: 'map',
        what: 'a v3 code location',
        keys: { repositoryURL: str(), paths: strings() },
        open: true,
      },
    },
    // Not in the schemas; in Datadog's API and docs (datadog-api-client EntityV3ServiceDatadog.performanceData).
    performanceData: { type: 'map', what: 'v3 datadog.performanceData', keys: { tags: strings() } },
  },
};

const V3_SHAPES = new Map<string, MapShape>();

/** The v3 shape of one kind (`custom` for kinds that are not built in); built once per kind. */
export function v3Shape(kind: string): MapShape {
  const key = SPEC_KEYS[kind] ? kind : 'custom';
  let shape = V3_SHAPES.get(key);
  if (!shape) V3_SHAPES.set(key, (shape = buildV3Shape(key)));
  return shape;
}

function buildV3Shape(kind: string): MapShape {
  return {
    type: 'map',
    what: 'a v3 entity',
    keys: {
      apiVersion: str(),
      kind: str(),
      metadata: METADATA,
      spec: specShape(kind),
      integrations: V3_INTEGRATIONS,
      datadog: V3_DATADOG,
      extensions: anyMapping,
    },
    required: ['metadata'],
    requiredRule: 'identity',
    missing: { metadata: 'metadata is missing (metadata.name names the entity)' },
    hints: {
      ...belongsUnder(METADATA_KEYS, 'metadata'),
      ...belongsUnder(SPEC_KEY_NAMES, 'spec'),
      'schema-version': 'a v2.x key in a v3 entity (apiVersion: v3 is the version)',
      'dd-service': 'the v3 entity name is metadata.name',
      team: 'the owning team is metadata.owner',
    },
  };
}

/** Every key any shape knows: a key with a meaning somewhere is never "corrected" into another one. */
export const KNOWN_ANYWHERE: ReadonlySet<string> = (() => {
  const out = new Set<string>();
  const visit = (s: Shape) => {
    if (s.type === 'list') visit(s.items);
    if (s.type !== 'map') return;
    for (const [k, child] of Object.entries(s.keys)) {
      out.add(k);
      visit(child);
    }
  };
  for (const s of Object.values(V2_SHAPES)) visit(s);
  for (const kind of [...V3_KINDS, 'custom']) visit(v3Shape(kind));
  return out;
})();
