/**
 * One raw service definition (any schema version) → the normalized `Service`, or an `Entity` for v3 kinds other
 * than `service`, plus every deviation from the schema version it declares, each once, at its own place.
 *
 * Two steps: the definition is walked along its version's shape (shapes.ts: the official schemas, key by key), which
 * reports each deviation with its rule and keeps only the parts that are valid; the model is then read from those
 * parts. How a deviation is reported depends on its rule and on whether Datadog already accepted the definition
 * (`accepted`: a `catalog pull` snapshot, the API) — see shapes.ts. Messages name the key path, the bad value and
 * what would be valid: `spec.tier must be a string or number, got [1,2]`.
 *
 * Suggestions ("did you mean") are made only where the meaning is kept: a key that means something elsewhere in the
 * schemas (another version, kind or place) is explained instead, never "corrected" into a different key.
 */
import { distance } from 'fastest-levenshtein';
import { Contact, Entity, Integrations, Link, SchemaVersion, Service, SourceLocation } from './model';
import { KeyPath, Locator } from './documents';
import { compareStrings, describeValue, formatKeyPath, Problem, throwIfProblems } from './problems';
import {
  CUSTOM_KIND,
  isAbsoluteUrl,
  KNOWN_ANYWHERE,
  ListShape,
  MapShape,
  Rule,
  Shape,
  StringShape,
  TierShape,
  V2_SHAPES,
  V3_KINDS,
  v3Shape,
} from './shapes';

/** The snapshot `format` marker; kept here too so a snapshot placed inside a catalog folder gets a hint. */
const SNAPSHOT_FORMAT_MARKER = 'trace-health/catalog-snapshot';

/** Kind assumed for a `dependsOn` reference written without one (`payments-api` → `service:payments-api`). */
export const DEFAULT_REF_KIND = 'service';

/** Appended to a schema problem of a definition Datadog accepted, which is then a warning. */
export const ACCEPTED_SUFFIX = '; ignored, as Datadog accepted this definition';

export interface DefinitionContext {
  /** File named in messages and in `source.file`. */
  readonly file: string;
  readonly locate: Locator;
  /** Where the definition sits inside its document (`['definitions', 3]` in a snapshot); `[]` for a whole document. */
  readonly at?: KeyPath;
  /** Put before every message (`definitions[3] (service:checkout-api)`, `service:checkout-api`). */
  readonly messagePrefix?: string;
  /**
   * Datadog already accepted this definition (a snapshot, an API result): only rules that protect what trace-health
   * generates are errors; other schema rules are warnings, and lenient ones are not reported.
   */
  readonly accepted?: boolean;
}

export interface CheckedDefinition {
  /** Present when the definition has no errors. */
  readonly definition?: Service | Entity;
  /** Errors: when there are any, there is no definition. */
  readonly problems: readonly Problem[];
  readonly warnings: readonly Problem[];
}

export function isEntity(d: Service | Entity): d is Entity {
  return 'kind' in d;
}

/**
 * Normalize one raw definition; throws UserErrors listing every error. Problems are reported at `source` (a raw
 * value has no line numbers of its own); their messages name the key path.
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
  const c = new Checker(ctx);
  const definition = c.read(raw);
  const warnings = c.warnings;
  if (c.errors.length > 0) return { problems: c.errors, warnings };
  // Never drop a definition without saying why (a bug if reached: every path that reads nothing reports an error).
  if (!definition) return { problems: [c.unreadable()], warnings };
  return { definition, problems: [], warnings };
}

const SUPPORTED = 'supported: schema-version v2, v2.1, v2.2, or apiVersion v3';

/** A deviation found by the walk: where, what, and under which rule. */
interface Found {
  readonly path: KeyPath;
  readonly message: string;
  readonly rule: Rule;
  readonly at: 'key' | 'value';
}

/** Walks a value along a shape; returns the valid parts (undefined: nothing valid) and records every deviation. */
class Walker {
  readonly found: Found[] = [];

  constructor(
    /** YAML text: a mapping where a string is expected gets a hint about the space after the colon. */
    private readonly yaml: boolean,
  ) {}

  walk(shape: Shape, v: unknown, path: KeyPath): unknown {
    switch (shape.type) {
      case 'string':
        return this.string(shape, v, path);
      case 'tier':
        return this.tier(shape, v, path);
      case 'list':
        return this.list(shape, v, path);
      case 'map':
        return this.map(shape, v, path);
      case 'any':
        if (shape.mapping && !isRecord(v)) return this.wrongType(path, 'a mapping', v, 'schema');
        return v;
    }
  }

  private add(path: KeyPath, message: string, rule: Rule, at: 'key' | 'value' = 'value'): void {
    this.found.push({ path, message, rule, at });
  }

  private wrongType(path: KeyPath, expected: string, v: unknown, rule: Rule, hint = ''): undefined {
    this.add(path, `${formatKeyPath(path)} must be ${expected}, got ${describeValue(v)}${hint}`, rule);
    return undefined;
  }

  /** `- service: x` in YAML is a mapping; `- service:x` the string that was meant. */
  private spaceHint(v: unknown): string {
    if (!this.yaml || !isRecord(v)) return '';
    const entries = Object.entries(v);
    if (entries.length !== 1) return '';
    const [k, value] = entries[0];
    // A known key (`service-url`) is a shape of another version, not a tag or a reference missing its colon.
    if ((typeof value !== 'string' && typeof value !== 'number') || KNOWN_ANYWHERE.has(k) || /\s/.test(k)) return '';
    return ` (in YAML "${k}: ${value}" is a mapping; write ${k}:${value})`;
  }

  private string(shape: StringShape, v: unknown, path: KeyPath): string | undefined {
    const p = formatKeyPath(path);
    if (typeof v !== 'string' || (shape.name && v.trim() === ''))
      return this.wrongType(
        path,
        shape.name ? 'a non-empty string' : (shape.expected ?? 'a string'),
        v,
        shape.rule ?? 'schema',
        this.spaceHint(v),
      );
    if (shape.minLength !== undefined && v.length < shape.minLength) {
      if (v.trim() === '') {
        this.add(path, `${p} is empty; read as not set`, 'lenient');
        return undefined;
      }
      this.add(
        path,
        `${p} ${describeValue(v)} is shorter than ${shape.minLength} characters; kept as written`,
        'lenient',
      );
    }
    if (shape.format === 'uri' && !isAbsoluteUrl(v)) {
      this.add(path, `${p} must be an absolute URL (https://…), got ${describeValue(v)}`, 'schema');
      return undefined;
    }
    if (shape.ref === 'checked' && normalizeRef(v) === undefined) {
      this.add(path, `${p} must be a reference like service:name or datastore:name, got ${describeValue(v)}`, 'schema');
      return undefined;
    }
    if (shape.enum && !shape.enum.includes(v))
      this.add(
        path,
        `${p} ${describeValue(v)} is not one of ${shape.enumOf ?? 'the allowed values'} (${shape.enum.join(', ')}); kept as written`,
        'lenient',
      );
    if (shape.pattern && !shape.pattern.re.test(v))
      this.add(path, `${p} ${describeValue(v)} is not ${shape.pattern.what}; kept as written`, 'lenient');
    return v;
  }

  /** A string as the schemas say; a YAML number (`tier: 1`) is read as its text, with a lenient warning. */
  private tier(shape: TierShape, v: unknown, path: KeyPath): string | undefined {
    const p = formatKeyPath(path);
    if (typeof v === 'number' && Number.isFinite(v)) {
      this.add(path, `${p} is the number ${v}; the schema wants a string ("${v}"), read as "${v}"`, 'lenient');
      return String(v);
    }
    if (typeof v !== 'string') return this.wrongType(path, 'a string or number', v, 'identity');
    if (v.trim() === '') {
      // v2.x allows an empty tier (no minLength); v3 does not. Either way it is no tier.
      if (shape.minLength) this.add(path, `${p} is empty; read as not set`, 'lenient');
      return undefined;
    }
    return v;
  }

  private list(shape: ListShape, v: unknown, path: KeyPath): unknown[] | undefined {
    if (!Array.isArray(v)) return this.wrongType(path, shape.expected, v, 'schema');
    const out: unknown[] = [];
    v.forEach((item, i) => {
      const clean = this.walk(shape.items, item, [...path, i]);
      if (clean !== undefined) out.push(clean);
    });
    if (shape.minItems !== undefined && v.length < shape.minItems)
      this.add(path, `${formatKeyPath(path)} is empty (at least ${shape.minItems} expected); ignored`, 'lenient');
    return out;
  }

  private map(shape: MapShape, v: unknown, path: KeyPath): Record<string, unknown> | undefined {
    if (!isRecord(v)) return this.wrongType(path, shape.expected ?? 'a mapping', v, shape.rule ?? 'schema');
    const out: Record<string, unknown> = {};
    const misspelled = new Set<string>();
    for (const key of Object.keys(v).sort(compareStrings)) {
      const p = [...path, key];
      if (has(shape.keys, key)) {
        const clean = this.walk(shape.keys[key], v[key], p);
        if (clean !== undefined) out[key] = clean;
        continue;
      }
      if (shape.open) continue;
      const guess = this.unknownKey(shape, v, key, p);
      if (guess) misspelled.add(guess);
    }
    let complete = true;
    for (const key of shape.required ?? []) {
      // Present but invalid (reported where it is), or misspelled (reported at the typo): not reported again.
      if (has(v, key) || misspelled.has(key)) {
        if (!has(out, key)) complete = false;
        continue;
      }
      complete = false;
      const message =
        shape.missing?.[key] ??
        `${formatKeyPath([...path, key])} is missing (${shape.what} needs ${listing(shape.required ?? [])})`;
      const why = shape.explainMissing?.(v);
      this.add(path, why ? `${message}; ${why}` : message, shape.requiredRule ?? 'schema');
    }
    for (const r of shape.refine?.(v) ?? []) {
      const p = r.key === undefined ? path : [...path, r.key];
      const value = r.key === undefined ? '' : ` ${describeValue(v[r.key])}`;
      const kept = r.rule === 'lenient' ? '; kept as written' : '';
      this.add(p, `${formatKeyPath(p)}${value} ${r.message}${kept}`, r.rule);
      if (r.rule !== 'lenient') complete = false;
    }
    // A mapping missing what it needs (a link without url) is left out as a whole.
    return complete ? out : undefined;
  }

  /** Reports a key the shape does not have; returns the known key it misspells, if that is what it looks like. */
  private unknownKey(shape: MapShape, v: Record<string, unknown>, key: string, p: KeyPath): string | undefined {
    const where = formatKeyPath(p);
    if (shape.hints && has(shape.hints, key)) {
      this.add(p, `${where} is not part of ${shape.what} (${shape.hints[key]})`, 'schema', 'key');
      return undefined;
    }
    const guess = closestKey(key, Object.keys(shape.keys));
    if (guess !== undefined && !has(v, guess)) {
      this.add(p, `${where} is not part of ${shape.what}; did you mean ${guess}?`, 'schema', 'key');
      return guess;
    }
    this.add(
      p,
      `${where} is not part of ${shape.what}; ignored (it has ${listing(Object.keys(shape.keys))})`,
      'lenient',
      'key',
    );
    return undefined;
  }
}

class Checker {
  readonly errors: Problem[] = [];
  readonly warnings: Problem[] = [];

  constructor(private readonly ctx: DefinitionContext) {}

  read(raw: unknown): Service | Entity | undefined {
    if (!isRecord(raw)) {
      this.report([], `expected a service definition (a mapping), got ${describeValue(raw)}`, 'identity');
      return undefined;
    }
    if (has(raw, 'apiVersion')) {
      if (raw.apiVersion !== 'v3') {
        this.report(
          ['apiVersion'],
          `unknown schema version: apiVersion ${describeValue(raw.apiVersion)} (${SUPPORTED})`,
          'identity',
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
        'identity',
      );
      return undefined;
    }
    if (raw.format === SNAPSHOT_FORMAT_MARKER) {
      this.report(
        [],
        'this is a catalog snapshot, not a service definition: give its path as the catalog itself',
        'identity',
      );
      return undefined;
    }
    this.report([], `not a service definition: schema-version or apiVersion is missing (${SUPPORTED})`, 'identity');
    return undefined;
  }

  /** Walk `raw` along `shape`; every deviation becomes an error, a warning or nothing, by rule. */
  private walk(shape: MapShape, raw: Record<string, unknown>): Record<string, unknown> | undefined {
    const walker = new Walker(/\.ya?ml$/i.test(this.ctx.file));
    const clean = walker.walk(shape, raw, []) as Record<string, unknown> | undefined;
    for (const f of walker.found) this.report(f.path, f.message, f.rule, f.at);
    return clean;
  }

  // ---- v2, v2.1, v2.2 ----

  private readV2(raw: Record<string, unknown>, version: 'v2' | 'v2.1' | 'v2.2'): Service | undefined {
    const c = this.walk(V2_SHAPES[version], raw);
    if (!c) return undefined;
    const name = this.serviceName(c['dd-service'], ['dd-service']);
    const links = (c.links as Link[] | undefined)?.map(link) ?? [];
    if (version === 'v2') {
      for (const [key, type] of [
        ['repos', 'repo'],
        ['docs', 'doc'],
      ] as const)
        for (const r of (c[key] as Record<string, string>[] | undefined) ?? []) links.push(link({ ...r, type }));
    }
    if (name === undefined) return undefined;
    return this.service({
      name,
      team: nonEmpty(c.team) ?? (version === 'v2' ? nonEmpty(c['dd-team']) : undefined),
      tier: str(c.tier),
      lifecycle: str(c.lifecycle),
      type: str(c.type),
      application: str(c.application),
      description: str(c.description),
      languages: (c.languages as string[] | undefined) ?? [],
      contacts: contacts(c.contacts),
      links,
      integrations: integrations(c.integrations, version),
      tags: (c.tags as string[] | undefined) ?? [],
      dependsOn: [],
      schemaVersion: version,
    });
  }

  // ---- v3 ----

  private readV3(raw: Record<string, unknown>): Service | Entity | undefined {
    const kind = this.kind(raw);
    const c = this.walk(v3Shape(kind ?? 'custom'), raw);
    if (!c || kind === undefined) return undefined;
    const metadata = (c.metadata ?? {}) as Record<string, unknown>;
    const spec = (c.spec ?? {}) as Record<string, unknown>;
    const name = kind === 'service' ? this.serviceName(metadata.name, ['metadata', 'name']) : str(metadata.name);
    if (name === undefined) return undefined;
    const owner = nonEmpty(metadata.owner);
    const dependsOn = refs(spec.dependsOn);
    if (kind !== 'service') {
      if (this.errors.length > 0) return undefined;
      const entity: Entity = {
        kind,
        name,
        ...(owner !== undefined ? { owner } : {}),
        dependsOn,
        schemaVersion: 'v3',
        source: this.source(),
      };
      return entity;
    }
    return this.service({
      name,
      team: owner,
      tier: str(spec.tier),
      lifecycle: str(spec.lifecycle),
      type: str(spec.type),
      application: undefined,
      description: str(metadata.description),
      languages: (spec.languages as string[] | undefined) ?? [],
      contacts: contacts(metadata.contacts),
      links: ((metadata.links as Link[] | undefined) ?? []).map(link),
      integrations: integrations(c.integrations, 'v3'),
      tags: (metadata.tags as string[] | undefined) ?? [],
      dependsOn,
      schemaVersion: 'v3',
    });
  }

  /** The entity kind, lower case; custom kinds are valid v3 (custom.schema.json) but get no monitors. */
  private kind(raw: Record<string, unknown>): string | undefined {
    const v = raw.kind;
    if (v === undefined) {
      this.report([], 'kind is missing (service, datastore, queue, system, api, …)', 'identity');
      return undefined;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      this.report(['kind'], `kind must be a non-empty string, got ${describeValue(v)}`, 'identity');
      return undefined;
    }
    const kind = v.toLowerCase();
    const builtIn = (V3_KINDS as readonly string[]).includes(kind);
    if (kind !== v && (builtIn || CUSTOM_KIND.test(kind))) {
      this.report(['kind'], `kind ${describeValue(v)} is read as ${kind} (kinds are lower case)`, 'lenient');
    } else if (!builtIn && !CUSTOM_KIND.test(kind)) {
      this.report(
        ['kind'],
        `kind ${describeValue(v)} is neither a built-in kind (${V3_KINDS.join(', ')}) nor a custom kind (lower-case words joined by -); read as a custom entity, which gets no monitors`,
        'lenient',
      );
    } else if (!builtIn) {
      // A custom kind is valid v3, but one a letter away from a built-in kind is a typo that costs the monitors.
      const guess = closestKey(kind, V3_KINDS);
      if (guess !== undefined)
        this.report(
          ['kind'],
          `kind ${describeValue(v)} is not a built-in kind (${V3_KINDS.join(', ')}); did you mean ${guess}? (as written it is a custom entity, which gets no monitors)`,
          'schema',
        );
    }
    return kind;
  }

  // ---- shared parts ----

  private service(s: Omit<Service, 'runbook' | 'source'>): Service | undefined {
    if (this.errors.length > 0) return undefined;
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

  /** The error for a definition that yielded nothing without a reason (a guard: not expected to happen). */
  unreadable(): Problem {
    const p = this.ctx.locate.value(this.ctx.at ?? []);
    const prefix = this.ctx.messagePrefix ? `${this.ctx.messagePrefix}: ` : '';
    return { file: this.ctx.file, line: p.line, col: p.col, message: `${prefix}this definition could not be read` };
  }

  private source(): SourceLocation {
    const p = this.ctx.locate.value(this.ctx.at ?? []);
    return { file: this.ctx.file, line: p.line, col: p.col };
  }

  /** Service names are used in `service:<name>` queries: stricter than the schemas, no whitespace. */
  private serviceName(v: unknown, path: KeyPath): string | undefined {
    if (typeof v !== 'string') return undefined;
    if (/\s/.test(v)) {
      this.report(
        path,
        `${formatKeyPath(path)} must not contain whitespace (it is used in service:<name> queries), got ${describeValue(v)}`,
        'identity',
      );
      return undefined;
    }
    return v;
  }

  private report(path: KeyPath, message: string, rule: Rule, where: 'key' | 'value' = 'value'): void {
    const accepted = this.ctx.accepted ?? false;
    // Datadog accepted the definition: lenient rules are its business, schema rules only warnings.
    if (accepted && rule === 'lenient') return;
    const warning = rule === 'lenient' || (accepted && rule === 'schema');
    const full = [...(this.ctx.at ?? []), ...path];
    const p = where === 'key' ? this.ctx.locate.key(full) : this.ctx.locate.value(full);
    const text = `${this.ctx.messagePrefix ? `${this.ctx.messagePrefix}: ` : ''}${message}${
      accepted && rule === 'schema' ? ACCEPTED_SUFFIX : ''
    }`;
    const problem: Problem = { file: this.ctx.file, line: p.line, col: p.col, message: text };
    if (warning) this.warnings.push({ ...problem, severity: 'warning' });
    else this.errors.push(problem);
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** An owner written as `""` (the v2.1+ schemas allow it) is no owner. */
function nonEmpty(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

function contacts(v: unknown): Contact[] {
  return ((v as Record<string, string>[] | undefined) ?? []).map((c) => ({
    type: c.type,
    contact: c.contact,
    ...(c.name !== undefined ? { name: c.name } : {}),
  }));
}

/** `{name, type, url, provider?}` with a fixed key order. */
function link(l: Partial<Link>): Link {
  return {
    name: l.name!,
    type: l.type!,
    url: l.url!,
    ...(l.provider !== undefined ? { provider: l.provider } : {}),
  };
}

/**
 * PagerDuty and Opsgenie in each version's own shape: v2 `pagerduty: <url>`, v2.1/v2.2 `pagerduty: {service-url}`,
 * v3 `pagerduty: {serviceURL}`; Opsgenie is `{service-url|serviceURL, region?}`.
 */
function integrations(v: unknown, version: SchemaVersion): Integrations {
  const i = (v ?? {}) as Record<string, unknown>;
  const urlKey = version === 'v3' ? 'serviceURL' : 'service-url';
  const out: { pagerduty?: { serviceUrl: string }; opsgenie?: { serviceUrl: string; region?: string } } = {};
  const pd = i.pagerduty;
  const pdUrl = typeof pd === 'string' ? pd : isRecord(pd) ? str(pd[urlKey]) : undefined;
  if (pdUrl !== undefined) out.pagerduty = { serviceUrl: pdUrl };
  const og = isRecord(i.opsgenie) ? i.opsgenie : undefined;
  const ogUrl = og ? str(og[urlKey]) : undefined;
  if (og && ogUrl !== undefined) {
    const region = str(og.region);
    out.opsgenie = { serviceUrl: ogUrl, ...(region !== undefined ? { region } : {}) };
  }
  return out;
}

/** v3 references, normalized to `kind:name`: `service:default/x` → `service:x`, `x` → `service:x`; sorted. */
function refs(v: unknown): string[] {
  const out = new Set<string>();
  for (const item of (v as string[] | undefined) ?? []) {
    const ref = normalizeRef(item);
    if (ref !== undefined) out.add(ref);
  }
  return [...out].sort(compareStrings);
}

/** `a`, `a and b`, `a, b and c`. */
function listing(items: readonly string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}` : items.join('');
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

/**
 * The known key that `key` misspells: the same words written differently (`service-url` / `serviceURL`), or within a
 * small edit distance — unless `key` means something elsewhere in the schemas (`components` is no typo of
 * `componentOf`: it is their opposite).
 */
function closestKey(key: string, known: readonly string[]): string | undefined {
  const squash = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  for (const k of known) if (squash(k) === squash(key)) return k;
  if (KNOWN_ANYWHERE.has(key)) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    // Two swapped letters (`teir`) are one slip, not two.
    const d = swapsTwoLetters(key.toLowerCase(), k.toLowerCase()) ? 1 : distance(key.toLowerCase(), k.toLowerCase());
    const limit = k.length >= 6 ? 2 : 1;
    if (d <= limit && d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** `teir` / `tier`: the same letters with two neighbours swapped. */
function swapsTwoLetters(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i < a.length - 1 && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function has(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}
