/**
 * One raw service definition (any schema version) → the normalized `Service`, or an `Entity` for v3 kinds other
 * than `service`. Checks are hand-written so that every message names the key path and the bad value, e.g.
 * `spec.tier must be a string or number, got [1,2]`.
 *
 * Strictness: wrong types, missing names and unknown versions are errors. Keys we do not know are ignored (Datadog
 * adds fields, and the API returns read-only ones), except when they look like a typo of a known key (`dependson`,
 * `teir`) or belong to a later schema version (`tier` in a v2 file): those would silently change what gets
 * monitored, so they are errors with a hint.
 */
import { distance } from 'fastest-levenshtein';
import { Contact, Entity, Integrations, Link, SchemaVersion, Service, SourceLocation } from './model';
import { KeyPath, Locator } from './documents';
import { compareStrings, describeValue, formatKeyPath, Problem, throwIfProblems } from './problems';

/** The snapshot `format` marker; kept here too so a snapshot placed inside a catalog folder gets a hint. */
const SNAPSHOT_FORMAT_MARKER = 'trace-health/catalog-snapshot';

/** Kind assumed for a `dependsOn` reference written without one (`payments-api` → `service:payments-api`). */
export const DEFAULT_REF_KIND = 'service';

export interface DefinitionContext {
  /** File named in messages and in `source.file`. */
  readonly file: string;
  readonly locate: Locator;
  /** Where the definition sits inside its document (`['definitions', 3]` in a snapshot); `[]` for a whole document. */
  readonly at?: KeyPath;
  /** Put before every message, for definitions without a text position (`definitions[3] (checkout-api)`). */
  readonly messagePrefix?: string;
}

export interface CheckedDefinition {
  /** Present when the definition has no problems. */
  readonly definition?: Service | Entity;
  readonly problems: readonly Problem[];
}

export function isEntity(d: Service | Entity): d is Entity {
  return 'kind' in d;
}

/**
 * Normalize one raw definition; throws UserErrors listing every problem. Problems are reported at `source`
 * (a raw value has no line numbers of its own); their messages name the key path.
 */
export function normalizeDefinition(raw: unknown, source: SourceLocation): Service | Entity {
  const at = { line: source.line, col: source.col };
  const result = checkDefinition(raw, { file: source.file, locate: { value: () => at, key: () => at } });
  throwIfProblems(result.problems);
  return result.definition!;
}

/** `service:checkout-api`, `datastore:orders-db` for a raw definition of any version; undefined if it has no name. */
export function definitionRef(raw: unknown): string | undefined {
  if (!isRecord(raw)) return undefined;
  if (raw.apiVersion !== undefined) {
    const kind = raw.kind;
    const name = isRecord(raw.metadata) ? raw.metadata.name : undefined;
    return typeof kind === 'string' && typeof name === 'string' ? `${kind.toLowerCase()}:${name}` : undefined;
  }
  const name = raw['dd-service'];
  return typeof name === 'string' ? `service:${name}` : undefined;
}

/** Check and normalize one raw definition, collecting every problem instead of stopping at the first. */
export function checkDefinition(raw: unknown, ctx: DefinitionContext): CheckedDefinition {
  const c = new Checker(raw, ctx);
  const definition = c.read();
  return c.problems.length > 0 ? { problems: c.problems } : { definition, problems: [] };
}

const V2_KEYS = {
  v2: [
    'schema-version',
    'dd-service',
    'team',
    'dd-team',
    'contacts',
    'links',
    'repos',
    'docs',
    'tags',
    'integrations',
    'extensions',
  ],
  'v2.1': [
    'schema-version',
    'dd-service',
    'team',
    'application',
    'description',
    'tier',
    'lifecycle',
    'contacts',
    'links',
    'tags',
    'integrations',
    'extensions',
  ],
  'v2.2': [
    'schema-version',
    'dd-service',
    'team',
    'application',
    'description',
    'tier',
    'lifecycle',
    'type',
    'languages',
    'contacts',
    'links',
    'tags',
    'integrations',
    'extensions',
    'ci-pipeline-fingerprints',
  ],
} as const;
type V2Version = keyof typeof V2_KEYS;

/** Keys that exist in another v2.x version than the one declared: a likely cause of silently ignored data. */
const V2_KEY_HINTS: Readonly<Record<V2Version, Readonly<Record<string, string>>>> = {
  v2: {
    application: 'added in v2.1: set schema-version: v2.1 or later',
    description: 'added in v2.1: set schema-version: v2.1 or later',
    tier: 'added in v2.1: set schema-version: v2.1 or later',
    lifecycle: 'added in v2.1: set schema-version: v2.1 or later',
    type: 'added in v2.2: set schema-version: v2.2',
    languages: 'added in v2.2: set schema-version: v2.2',
    'ci-pipeline-fingerprints': 'added in v2.2: set schema-version: v2.2',
  },
  'v2.1': {
    type: 'added in v2.2: set schema-version: v2.2',
    languages: 'added in v2.2: set schema-version: v2.2',
    'ci-pipeline-fingerprints': 'added in v2.2: set schema-version: v2.2',
    repos: 'since v2.1 repositories are links with type: repo',
    docs: 'since v2.1 documents are links with type: doc',
  },
  'v2.2': {
    repos: 'since v2.1 repositories are links with type: repo',
    docs: 'since v2.1 documents are links with type: doc',
  },
};

const V3_KEYS = ['apiVersion', 'kind', 'metadata', 'spec', 'integrations', 'datadog', 'extensions'];
const V3_METADATA_KEYS = [
  'id',
  'inheritFrom',
  'managed',
  'owner',
  'additionalOwners',
  'name',
  'namespace',
  'description',
  'displayName',
  'tags',
  'contacts',
  'links',
];
const V3_METADATA_HINTS: Readonly<Record<string, string>> = { team: 'the owning team is metadata.owner' };
const V3_SPEC_KEYS: Readonly<Record<string, readonly string[]>> = {
  service: ['lifecycle', 'tier', 'type', 'languages', 'dependsOn', 'componentOf'],
  datastore: ['lifecycle', 'tier', 'type', 'componentOf', 'dependsOn', 'dependencyOf'],
  queue: ['lifecycle', 'tier', 'type', 'componentOf', 'dependsOn', 'dependencyOf'],
  system: ['lifecycle', 'tier', 'type', 'components', 'componentOf'],
  api: ['interface', 'lifecycle', 'tier', 'type', 'implementedBy', 'componentOf'],
  application: ['lifecycle', 'tier', 'components'],
};
const V3_SPEC_KEYS_OTHER = ['lifecycle', 'tier', 'type', 'componentOf', 'dependsOn', 'dependencyOf'];
const V3_INTEGRATION_KEYS = ['pagerduty', 'opsgenie', 'jiraServiceManagementOps', 'sentry', 'terraform'];

const SUPPORTED = 'supported: schema-version v2, v2.1, v2.2, or apiVersion v3';

class Checker {
  readonly problems: Problem[] = [];

  constructor(
    private readonly raw: unknown,
    private readonly ctx: DefinitionContext,
  ) {}

  read(): Service | Entity | undefined {
    const raw = this.raw;
    if (!isRecord(raw)) {
      this.report([], `expected a service definition (a mapping), got ${describeValue(raw)}`);
      return undefined;
    }
    if (has(raw, 'apiVersion')) {
      if (raw.apiVersion !== 'v3') {
        this.report(
          ['apiVersion'],
          `unknown schema version: apiVersion ${describeValue(raw.apiVersion)} (${SUPPORTED})`,
        );
        return undefined;
      }
      return this.readV3(raw);
    }
    if (has(raw, 'schema-version')) {
      const v = raw['schema-version'];
      if (v === 'v2' || v === 'v2.1' || v === 'v2.2') return this.readV2(raw, v);
      const why = v === 'v1' ? 'v1 is deprecated and not read; ' : '';
      this.report(
        ['schema-version'],
        `unknown schema version: schema-version ${describeValue(v)} (${why}${SUPPORTED})`,
      );
      return undefined;
    }
    if (raw.format === SNAPSHOT_FORMAT_MARKER) {
      this.report([], 'this is a catalog snapshot, not a service definition: give its path as the catalog itself');
      return undefined;
    }
    this.report([], `not a service definition: schema-version or apiVersion is missing (${SUPPORTED})`);
    return undefined;
  }

  // ---- v2, v2.1, v2.2 ----

  private readV2(raw: Record<string, unknown>, version: V2Version): Service | undefined {
    this.checkKeys(raw, [], V2_KEYS[version], `schema ${version}`, V2_KEY_HINTS[version]);
    const name = this.name(raw, ['dd-service']);
    const team = this.optString(raw, ['team']) ?? (version === 'v2' ? this.optString(raw, ['dd-team']) : undefined);
    const later = version !== 'v2';
    const tier = later ? this.tier(raw, ['tier']) : undefined;
    const lifecycle = later ? this.optString(raw, ['lifecycle']) : undefined;
    const application = later ? this.optString(raw, ['application']) : undefined;
    const description = later ? this.optString(raw, ['description']) : undefined;
    const type = version === 'v2.2' ? this.optString(raw, ['type']) : undefined;
    const languages = version === 'v2.2' ? this.stringList(raw, ['languages']) : [];
    const contacts = this.contacts(raw, ['contacts']);
    const links = this.links(raw, ['links'], { provider: later });
    if (!later) {
      links.push(
        ...this.links(raw, ['repos'], { type: 'repo', provider: true }),
        ...this.links(raw, ['docs'], { type: 'doc', provider: true }),
      );
    }
    const tags = this.stringList(raw, ['tags']);
    const integrations = this.integrations(raw, version);
    if (name === undefined) return undefined;
    return this.service({
      name,
      team,
      tier,
      lifecycle,
      type,
      application,
      description,
      languages,
      contacts,
      links,
      integrations,
      tags,
      dependsOn: [],
      schemaVersion: version,
    });
  }

  // ---- v3 ----

  private readV3(raw: Record<string, unknown>): Service | Entity | undefined {
    this.checkKeys(raw, [], V3_KEYS, 'v3 entity');
    const kindValue = this.value(raw, ['kind']);
    let kind: string | undefined;
    if (kindValue === undefined) this.report([], 'kind is missing (service, datastore, queue, system, api, …)');
    else if (typeof kindValue !== 'string' || kindValue.trim() === '')
      this.report(['kind'], `kind must be a non-empty string, got ${describeValue(kindValue)}`);
    else kind = kindValue.toLowerCase();

    const metadata = this.value(raw, ['metadata']);
    let name: string | undefined;
    let owner: string | undefined;
    let description: string | undefined;
    let contacts: Contact[] = [];
    let links: Link[] = [];
    let tags: string[] = [];
    if (metadata === undefined) {
      this.report([], 'metadata is missing (metadata.name names the entity)');
    } else if (!isRecord(metadata)) {
      this.report(['metadata'], `metadata must be a mapping, got ${describeValue(metadata)}`);
    } else {
      this.checkKeys(metadata, ['metadata'], V3_METADATA_KEYS, 'v3 metadata', V3_METADATA_HINTS);
      name = this.name(raw, ['metadata', 'name'], kind !== undefined && kind !== 'service');
      owner = this.optString(raw, ['metadata', 'owner']);
      description = this.optString(raw, ['metadata', 'description']);
      contacts = this.contacts(raw, ['metadata', 'contacts']);
      links = this.links(raw, ['metadata', 'links'], { provider: true });
      tags = this.stringList(raw, ['metadata', 'tags']);
    }

    const spec = this.value(raw, ['spec']);
    const specOk = spec === undefined || this.expectRecord(spec, ['spec']);
    if (specOk && isRecord(spec) && kind !== undefined) {
      this.checkKeys(spec, ['spec'], V3_SPEC_KEYS[kind] ?? V3_SPEC_KEYS_OTHER, `v3 ${kind} spec`);
    }
    const dependsOn = specOk ? this.refs(raw, ['spec', 'dependsOn']) : [];
    if (kind === undefined || name === undefined) return undefined;

    if (kind !== 'service') {
      const entity: Entity = {
        kind,
        name,
        ...(owner !== undefined ? { owner } : {}),
        dependsOn,
        schemaVersion: 'v3',
        source: this.source(),
      };
      return this.problems.length > 0 ? undefined : entity;
    }

    const tier = specOk ? this.tier(raw, ['spec', 'tier']) : undefined;
    const lifecycle = specOk ? this.optString(raw, ['spec', 'lifecycle']) : undefined;
    const type = specOk ? this.optString(raw, ['spec', 'type']) : undefined;
    const languages = specOk ? this.stringList(raw, ['spec', 'languages']) : [];
    const integrations = this.integrations(raw, 'v3');
    return this.service({
      name,
      team: owner,
      tier,
      lifecycle,
      type,
      application: undefined,
      description,
      languages,
      contacts,
      links,
      integrations,
      tags,
      dependsOn,
      schemaVersion: 'v3',
    });
  }

  // ---- shared parts ----

  private service(s: Omit<Service, 'runbook' | 'source'>): Service | undefined {
    if (this.problems.length > 0) return undefined;
    const runbook = s.links.find((l) => l.type.toLowerCase() === 'runbook')?.url;
    const tags = [...new Set(s.tags)].sort(compareStrings);
    // v2 has no tier field; a `tier:<x>` tag is how such catalogs say it (an explicit tier wins).
    const tier = s.tier ?? tags.find((t) => t.startsWith('tier:') && t.length > 5)?.slice(5);
    // Fixed key order and no undefined values: `catalog list --json` and goldens are byte-stable.
    return {
      name: s.name,
      ...(s.team !== undefined ? { team: s.team } : {}),
      ...(tier !== undefined ? { tier } : {}),
      ...(s.lifecycle !== undefined ? { lifecycle: s.lifecycle } : {}),
      ...(s.type !== undefined ? { type: s.type } : {}),
      ...(s.application !== undefined ? { application: s.application } : {}),
      ...(s.description !== undefined ? { description: s.description } : {}),
      languages: s.languages,
      contacts: s.contacts,
      links: s.links,
      ...(runbook !== undefined ? { runbook } : {}),
      integrations: s.integrations,
      tags,
      dependsOn: s.dependsOn,
      schemaVersion: s.schemaVersion,
      source: this.source(),
    };
  }

  private source(): SourceLocation {
    const p = this.ctx.locate.value(this.ctx.at ?? []);
    return { file: this.ctx.file, line: p.line, col: p.col };
  }

  /** The entity name: required, a non-empty string; service names are used in queries, so no whitespace. */
  private name(raw: Record<string, unknown>, path: KeyPath, entity = false): string | undefined {
    const v = this.value(raw, path);
    const key = formatKeyPath(path);
    if (v === undefined) {
      this.report(path.slice(0, -1), `${key} is missing: every definition needs a name`);
      return undefined;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      this.report(path, `${key} must be a non-empty string, got ${describeValue(v)}`);
      return undefined;
    }
    if (!entity && /\s/.test(v)) {
      this.report(
        path,
        `${key} must not contain whitespace (it is used in service:<name> queries), got ${describeValue(v)}`,
      );
      return undefined;
    }
    return v;
  }

  private optString(raw: Record<string, unknown>, path: KeyPath): string | undefined {
    const v = this.value(raw, path);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') {
      this.report(path, `${formatKeyPath(path)} must be a string, got ${describeValue(v)}`);
      return undefined;
    }
    return v;
  }

  /** Tier as written, stringified: the schemas say string, but `tier: 1` in YAML is a number and means the same. */
  private tier(raw: Record<string, unknown>, path: KeyPath): string | undefined {
    const v = this.value(raw, path);
    if (v === undefined) return undefined;
    if ((typeof v === 'string' && v.trim() !== '') || (typeof v === 'number' && Number.isFinite(v))) return String(v);
    this.report(path, `${formatKeyPath(path)} must be a string or number, got ${describeValue(v)}`);
    return undefined;
  }

  private stringList(raw: Record<string, unknown>, path: KeyPath): string[] {
    const v = this.value(raw, path);
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      this.report(path, `${formatKeyPath(path)} must be a list of strings, got ${describeValue(v)}`);
      return [];
    }
    const out: string[] = [];
    v.forEach((item, i) => {
      if (typeof item === 'string') out.push(item);
      else this.report([...path, i], `${formatKeyPath([...path, i])} must be a string, got ${describeValue(item)}`);
    });
    return out;
  }

  /** A list of mappings; each one handed to `each` with its path. */
  private records(raw: Record<string, unknown>, path: KeyPath, each: (r: Record<string, unknown>, p: KeyPath) => void) {
    const v = this.value(raw, path);
    if (v === undefined) return;
    if (!Array.isArray(v)) {
      this.report(path, `${formatKeyPath(path)} must be a list, got ${describeValue(v)}`);
      return;
    }
    v.forEach((item, i) => {
      const p = [...path, i];
      if (isRecord(item)) each(item, p);
      else this.report(p, `${formatKeyPath(p)} must be a mapping, got ${describeValue(item)}`);
    });
  }

  private contacts(raw: Record<string, unknown>, path: KeyPath): Contact[] {
    const out: Contact[] = [];
    this.records(raw, path, (_, p) => {
      const type = this.requiredString(raw, [...p, 'type']);
      const contact = this.requiredString(raw, [...p, 'contact']);
      const name = this.optString(raw, [...p, 'name']);
      if (type !== undefined && contact !== undefined)
        out.push({ type, contact, ...(name !== undefined ? { name } : {}) });
    });
    return out;
  }

  /**
   * Links `{name, type, url, provider?}`. v2 links carry no provider; v2 `repos` and `docs` do, and have no type:
   * they pass the link type (repo, doc) instead.
   */
  private links(raw: Record<string, unknown>, path: KeyPath, shape: { type?: string; provider: boolean }): Link[] {
    const out: Link[] = [];
    this.records(raw, path, (_, p) => {
      const name = this.requiredString(raw, [...p, 'name']);
      const type = shape.type ?? this.requiredString(raw, [...p, 'type']);
      const url = this.url(raw, [...p, 'url']);
      const provider = shape.provider ? this.optString(raw, [...p, 'provider']) : undefined;
      if (name !== undefined && type !== undefined && url !== undefined)
        out.push({ name, type, url, ...(provider !== undefined ? { provider } : {}) });
    });
    return out;
  }

  private requiredString(raw: Record<string, unknown>, path: KeyPath): string | undefined {
    const v = this.value(raw, path);
    if (v === undefined) {
      this.report(path.slice(0, -1), `${formatKeyPath(path)} is missing`);
      return undefined;
    }
    return this.optString(raw, path);
  }

  private url(raw: Record<string, unknown>, path: KeyPath): string | undefined {
    const v = this.requiredString(raw, path);
    if (v === undefined) return undefined;
    if (!isAbsoluteUrl(v)) {
      this.report(path, `${formatKeyPath(path)} must be an absolute URL (https://…), got ${describeValue(v)}`);
      return undefined;
    }
    return v;
  }

  /**
   * PagerDuty and Opsgenie in each version's own shape: v2 `pagerduty: <url>`, v2.1/v2.2
   * `pagerduty: {service-url}`, v3 `pagerduty: {serviceURL}`; Opsgenie is `{service-url|serviceURL, region?}`.
   */
  private integrations(raw: Record<string, unknown>, version: SchemaVersion): Integrations {
    const path: KeyPath = ['integrations'];
    const v = this.value(raw, path);
    if (v === undefined || !this.expectRecord(v, path)) return {};
    const urlKey = version === 'v3' ? 'serviceURL' : 'service-url';
    const integrationKeys = version === 'v3' ? V3_INTEGRATION_KEYS : ['pagerduty', 'opsgenie'];
    this.checkKeys(v, path, integrationKeys, `${version} integrations`);
    const out: { pagerduty?: { serviceUrl: string }; opsgenie?: { serviceUrl: string; region?: string } } = {};

    const pdPath: KeyPath = [...path, 'pagerduty'];
    const pd = this.value(raw, pdPath);
    if (pd !== undefined) {
      if (version === 'v2') {
        if (typeof pd !== 'string')
          this.report(
            pdPath,
            `integrations.pagerduty must be a PagerDuty service URL (schema v2), got ${describeValue(pd)}`,
          );
        else {
          const url = this.url(raw, pdPath);
          if (url !== undefined) out.pagerduty = { serviceUrl: url };
        }
      } else if (!isRecord(pd)) {
        this.report(
          pdPath,
          `integrations.pagerduty must be a mapping with ${urlKey} (schema ${version}), got ${describeValue(pd)}`,
        );
      } else {
        const typos = this.checkKeys(pd, pdPath, [urlKey], `${version} integrations.pagerduty`);
        if (!typos.has(urlKey)) {
          const url = this.url(raw, [...pdPath, urlKey]);
          if (url !== undefined) out.pagerduty = { serviceUrl: url };
        }
      }
    }

    const ogPath: KeyPath = [...path, 'opsgenie'];
    const og = this.value(raw, ogPath);
    if (og !== undefined && this.expectRecord(og, ogPath, ` with ${urlKey} (schema ${version})`)) {
      const typos = this.checkKeys(og, ogPath, [urlKey, 'region'], `${version} integrations.opsgenie`);
      const url = typos.has(urlKey) ? undefined : this.url(raw, [...ogPath, urlKey]);
      const region = this.optString(raw, [...ogPath, 'region']);
      if (url !== undefined) out.opsgenie = { serviceUrl: url, ...(region !== undefined ? { region } : {}) };
    }
    return out;
  }

  /** v3 references, normalized to `kind:name`: `service:default/x` → `service:x`, `x` → `service:x`; sorted. */
  private refs(raw: Record<string, unknown>, path: KeyPath): string[] {
    const out = new Set<string>();
    const v = this.value(raw, path);
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      this.report(
        path,
        `${formatKeyPath(path)} must be a list of references like service:name, got ${describeValue(v)}`,
      );
      return [];
    }
    v.forEach((item, i) => {
      const ref = typeof item === 'string' ? normalizeRef(item) : undefined;
      if (ref !== undefined) out.add(ref);
      else
        this.report(
          [...path, i],
          `${formatKeyPath([...path, i])} must be a reference like service:name or datastore:name, got ${describeValue(item)}`,
        );
    });
    return [...out].sort(compareStrings);
  }

  /**
   * Unknown keys are allowed (forward compatibility) unless they look like a typo of a known key or `hints` says
   * why they are wrong. Returns the known keys that were misspelled, so "missing" is not reported twice.
   */
  private checkKeys(
    obj: Record<string, unknown>,
    path: KeyPath,
    known: readonly string[],
    what: string,
    hints: Readonly<Record<string, string>> = {},
  ): Set<string> {
    const misspelled = new Set<string>();
    for (const key of Object.keys(obj).sort(compareStrings)) {
      if (known.includes(key)) continue;
      const p = [...path, key];
      if (has(hints, key)) {
        this.report(p, `${formatKeyPath(p)} is not part of ${what} (${hints[key]})`, 'key');
        continue;
      }
      const guess = closestKey(key, known);
      if (guess !== undefined && !has(obj, guess)) {
        misspelled.add(guess);
        this.report(p, `${formatKeyPath(p)} is not part of ${what}; did you mean ${guess}?`, 'key');
      }
    }
    return misspelled;
  }

  private expectRecord(v: unknown, path: KeyPath, suffix = ''): v is Record<string, unknown> {
    if (isRecord(v)) return true;
    this.report(path, `${formatKeyPath(path)} must be a mapping${suffix}, got ${describeValue(v)}`);
    return false;
  }

  /** The value at a path below the definition; undefined when any step is missing or not a container. */
  private value(raw: Record<string, unknown>, path: KeyPath): unknown {
    let v: unknown = raw;
    for (const part of path) {
      if (typeof part === 'number') {
        if (!Array.isArray(v) || part >= v.length) return undefined;
        v = v[part];
      } else {
        if (!isRecord(v) || !has(v, part)) return undefined;
        v = v[part];
      }
    }
    return v;
  }

  private report(path: KeyPath, message: string, where: 'key' | 'value' = 'value'): void {
    const full = [...(this.ctx.at ?? []), ...path];
    const p = where === 'key' ? this.ctx.locate.key(full) : this.ctx.locate.value(full);
    const text = this.ctx.messagePrefix ? `${this.ctx.messagePrefix}: ${message}` : message;
    this.problems.push({ file: this.ctx.file, line: p.line, col: p.col, message: text });
  }
}

/** `kind:name` from `kind:namespace/name`, `name`, …; undefined when it is not a usable reference. */
export function normalizeRef(ref: string): string | undefined {
  const colon = ref.indexOf(':');
  const kind = colon >= 0 ? ref.slice(0, colon).trim().toLowerCase() : DEFAULT_REF_KIND;
  let name = colon >= 0 ? ref.slice(colon + 1).trim() : ref.trim();
  const slash = name.indexOf('/');
  // `default` is Datadog's implicit namespace; other namespaces stay part of the name.
  if (slash >= 0 && name.slice(0, slash) === 'default') name = name.slice(slash + 1);
  if (!/^[a-z][a-z0-9-]*$/.test(kind) || name === '' || /\s/.test(name)) return undefined;
  return `${kind}:${name}`;
}

function closestKey(key: string, known: readonly string[]): string | undefined {
  const squash = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    if (squash(k) === squash(key)) return k;
    const d = distance(key.toLowerCase(), k.toLowerCase());
    const limit = k.length >= 6 ? 2 : 1;
    if (d <= limit && d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function isAbsoluteUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol !== '' && u.host !== '' ? true : u.protocol === 'mailto:';
  } catch {
    return false;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function has(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}
