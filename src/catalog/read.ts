/**
 * Pure catalog readers: files (already read) → `Catalog`, snapshot text → `Catalog`, raw API definitions →
 * `Catalog`. Each collects every problem of every input before failing, and sorts everything, so the result and
 * the error list are the same whatever order the files were listed in.
 *
 * Files are checked against the schema version each definition declares. Snapshots and API results hold
 * definitions Datadog already accepted: there only the rules that protect what trace-health generates are errors
 * (see shapes.ts), and every other deviation is a warning naming the definition.
 */
import { Catalog, Entity, SchemaVersion, Service, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, SourceLocation } from './model';
import type { CheckedDefinition } from './normalize';
import { NO_POSITION, parseDocuments } from './documents';
import { checkDefinition, definitionRef, isEntity } from './normalize';
import { compareProblems, compareStrings, describeValue, formatProblems, Problem, throwIfProblems } from './problems';

export interface CatalogFile {
  /** As it should appear in messages and `source.file`: relative, POSIX separators. */
  readonly path: string;
  readonly text: string;
}

/** What a reader found: the valid definitions and every problem. Readers that throw do so when errors exist. */
export interface CatalogReport {
  /** The definitions without errors (a service defined twice is in neither place: it is invalid). */
  readonly catalog: Catalog;
  /** Errors, sorted. */
  readonly problems: readonly Problem[];
  /** Deviations that do not stop reading, then catalog-wide warnings (a service without a team, …); sorted. */
  readonly warnings: readonly Problem[];
  /** Only the deviations of single definitions (what `catalog pull` reports about what Datadog accepted). */
  readonly definitionWarnings: readonly Problem[];
  /** Files read (snapshot: 1). */
  readonly files: number;
  /** What was left out because of errors, sorted by place: for `--skip-invalid` and its shrink guard. */
  readonly invalid: readonly InvalidDefinition[];
}

/** A definition (or a document that could not be parsed) left out of the catalog because of errors. */
export interface InvalidDefinition {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** `service:checkout-api`, when the definition says its kind and name; absent for unparsable documents. */
  readonly ref?: string;
  /** The owner and tier as written, when they are strings (the policy may name them). */
  readonly team?: string;
  readonly tier?: string;
}

/** Parse service definition files (YAML, several documents each, or JSON). Throws UserErrors on any problem. */
export function parseCatalogFiles(files: readonly CatalogFile[]): Catalog {
  const report = readCatalogFiles(files);
  throwIfProblems(report.problems);
  return report.catalog;
}

/** Like parseCatalogFiles, but returns the problems instead of throwing (for `catalog validate`). */
export function readCatalogFiles(files: readonly CatalogFile[]): CatalogReport {
  const sorted = [...files].sort((a, b) => compareStrings(a.path, b.path));
  const acc = new Accumulator();
  for (const file of sorted) {
    const parsed = parseDocuments(file.path, file.text);
    acc.unparsed(parsed.problems);
    for (const doc of parsed.documents) {
      const checked = checkDefinition(doc.value, { file: file.path, locate: doc.locate });
      const p = doc.locate.value([]);
      // A duplicate key (an error already) leaves the document invalid; its other problems are still reported.
      acc.add(doc.duplicateKeys ? { ...checked, definition: undefined } : checked, doc.value, {
        file: file.path,
        ...p,
      });
    }
  }
  return acc.assemble(sorted.length);
}

/** Parse a catalog snapshot (`catalog pull` output). Throws UserErrors on any problem. */
export function parseSnapshot(path: string, text: string): Catalog {
  const report = readSnapshot(path, text);
  throwIfProblems(report.problems);
  return report.catalog;
}

/** `true` when a parsed JSON value is a snapshot (has our `format` marker), whatever its version. */
export function isSnapshot(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { format?: unknown }).format === SNAPSHOT_FORMAT;
}

export function readSnapshot(path: string, text: string): CatalogReport {
  const parsed = parseDocuments(path, text);
  const acc = new Accumulator();
  acc.unparsed(parsed.problems);
  const done = () => acc.assemble(1);
  if (parsed.problems.length > 0) return done();
  if (parsed.documents.length !== 1) {
    acc.unparsed([{ file: path, line: 1, col: 1, message: 'a catalog snapshot must be one JSON object' }]);
    return done();
  }
  const { value, locate } = parsed.documents[0];
  const at = (keyPath: (string | number)[]) => ({ file: path, ...locate.value(keyPath) });
  /** The snapshot as a whole cannot be read: nothing in it is. */
  const unreadable = (keyPath: (string | number)[], message: string) => {
    acc.unparsed([{ ...at(keyPath), message }]);
    return done();
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return unreadable([], `a catalog snapshot must be a JSON object, got ${describeValue(value)}`);
  const snap = value as Record<string, unknown>;
  if (snap.format !== SNAPSHOT_FORMAT)
    return unreadable(
      ['format'],
      `format must be ${JSON.stringify(SNAPSHOT_FORMAT)}, got ${describeValue(snap.format)}`,
    );
  if (snap.version !== SNAPSHOT_VERSION)
    return unreadable(
      ['version'],
      `snapshot version ${describeValue(snap.version)} is not supported (this trace-health reads version ${SNAPSHOT_VERSION}; pull the catalog again)`,
    );
  if (snap.site !== undefined && typeof snap.site !== 'string')
    acc.errors.push({ ...at(['site']), message: `site must be a string, got ${describeValue(snap.site)}` });
  if (!Array.isArray(snap.definitions))
    return unreadable(
      ['definitions'],
      `definitions must be a list of service definitions, got ${describeValue(snap.definitions)}`,
    );
  snap.definitions.forEach((raw, i) => {
    const ref = definitionRef(raw);
    // Datadog accepted these definitions: warnings name the definition, as its line alone does not.
    const checked = checkDefinition(raw, {
      file: path,
      locate,
      at: ['definitions', i],
      accepted: true,
      ...(ref ? { messagePrefix: ref } : {}),
    });
    // A duplicate key in the snapshot (an error already): the definitions are read, but none is used.
    const usable = parsed.documents[0].duplicateKeys ? { ...checked, definition: undefined } : checked;
    acc.add(usable, raw, { file: path, ...locate.value(['definitions', i]) });
  });
  return done();
}

/**
 * Validate raw definitions held in memory (API results, before `catalog pull` writes a snapshot). Messages read
 * `<label>: definitions[3] (service:checkout-api): spec.tier must be …`. Throws UserErrors on any problem.
 */
export function validateDefinitions(defs: readonly unknown[], label: string): Catalog {
  const report = checkDefinitions(defs, label);
  throwIfProblems(report.problems);
  return report.catalog;
}

/** API results held in memory: Datadog accepted them (see readSnapshot). */
export function checkDefinitions(defs: readonly unknown[], label: string): CatalogReport {
  const acc = new Accumulator();
  defs.forEach((raw, i) => {
    const ref = definitionRef(raw);
    const messagePrefix = `definitions[${i}]${ref ? ` (${ref})` : ''}`;
    const checked = checkDefinition(raw, { file: label, locate: NO_POSITION, messagePrefix, accepted: true });
    // In memory there is no line (0:0): the entry index goes in `file` so "defined twice" can say which entries.
    const source = { file: `${label} definitions[${i}]`, line: 0, col: 0 };
    acc.add(checked.definition ? { ...checked, definition: { ...checked.definition, source } } : checked, raw, source);
  });
  return acc.assemble(0);
}

/** Collects what the readers find, then sorts it and rejects a service (or entity) defined twice. */
class Accumulator {
  readonly errors: Problem[] = [];
  private readonly warnings: Problem[] = [];
  private readonly definitions: (Service | Entity)[] = [];
  private readonly invalid: InvalidDefinition[] = [];

  /** Syntax errors: each is a document (or a file) that yields nothing. */
  unparsed(problems: readonly Problem[]): void {
    this.errors.push(...problems);
    for (const p of problems) this.invalid.push({ file: p.file, line: p.line, col: p.col });
  }

  add(checked: CheckedDefinition, raw: unknown, at: SourceLocation): void {
    this.errors.push(...checked.problems);
    this.warnings.push(...checked.warnings);
    if (checked.definition) this.definitions.push(checked.definition);
    else this.invalid.push({ ...at, ...rawFacts(raw) });
  }

  assemble(files: number): CatalogReport {
    const byRef = new Map<string, (Service | Entity)[]>();
    for (const d of this.definitions) {
      const ref = `${isEntity(d) ? d.kind : 'service'}:${d.name}`;
      const list = byRef.get(ref) ?? [];
      list.push(d);
      byRef.set(ref, list);
    }
    const services: Service[] = [];
    const entities: Entity[] = [];
    for (const [ref, list] of byRef) {
      list.sort((a, b) => compareLocations(a.source, b.source));
      const first = list[0];
      for (const dup of list.slice(1)) {
        const kind = ref.slice(0, ref.indexOf(':'));
        this.errors.push({
          ...problemAt(dup.source),
          message: `${kind} ${dup.name} is defined twice: ${where(first.source)} and ${where(dup.source)}`,
        });
      }
      if (list.length > 1) {
        // Which one is meant is not ours to guess: both are left out.
        for (const d of list)
          this.invalid.push({ ...problemAt(d.source), ref, ...(isEntity(d) ? {} : ownerAndTier(d)) });
        continue;
      }
      if (isEntity(first)) entities.push(first);
      else services.push(first);
    }
    services.sort((a, b) => compareStrings(a.name, b.name));
    entities.sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.kind, b.kind));
    const catalog = { services, entities };
    const definitionWarnings = dedupe(this.warnings.sort(compareProblems));
    return {
      catalog,
      problems: dedupe(this.errors.sort(compareProblems)),
      warnings: [...definitionWarnings, ...graphWarnings(catalog)],
      definitionWarnings,
      files,
      invalid: this.invalid.sort((a, b) => compareLocations(a, b) || compareStrings(a.ref ?? '', b.ref ?? '')),
    };
  }
}

function ownerAndTier(s: Service): { team?: string; tier?: string } {
  return { ...(s.team !== undefined ? { team: s.team } : {}), ...(s.tier !== undefined ? { tier: s.tier } : {}) };
}

/** Kind:name, owner and tier of an invalid raw definition, as far as they can be read. */
function rawFacts(raw: unknown): Omit<InvalidDefinition, 'file' | 'line' | 'col'> {
  const ref = definitionRef(raw);
  if (!ref || typeof raw !== 'object' || raw === null) return ref ? { ref } : {};
  const r = raw as Record<string, unknown>;
  const meta = (typeof r.metadata === 'object' && r.metadata !== null ? r.metadata : {}) as Record<string, unknown>;
  const spec = (typeof r.spec === 'object' && r.spec !== null ? r.spec : {}) as Record<string, unknown>;
  const team = r.apiVersion !== undefined ? meta.owner : (r.team ?? r['dd-team']);
  const tier = r.apiVersion !== undefined ? spec.tier : r.tier;
  return {
    ref,
    ...(typeof team === 'string' ? { team } : {}),
    ...(typeof tier === 'string' || typeof tier === 'number' ? { tier: String(tier) } : {}),
  };
}

function dedupe(problems: Problem[]): Problem[] {
  return problems.filter(
    (p, i) => i === 0 || compareProblems(p, problems[i - 1]) !== 0 || p.severity !== problems[i - 1].severity,
  );
}

function compareLocations(a: SourceLocation, b: SourceLocation): number {
  return compareStrings(a.file, b.file) || a.line - b.line || a.col - b.col;
}

/** In-memory definitions have line 0 and their index in `file`. */
function where(s: SourceLocation): string {
  return s.line > 0 ? `${s.file}:${s.line}:${s.col}` : s.file;
}

function problemAt(s: SourceLocation): Pick<Problem, 'file' | 'line' | 'col'> {
  return { file: s.file, line: s.line, col: s.col };
}

export interface CatalogSummary {
  readonly services: number;
  readonly entities: number;
  /** Services per schema version (entities are all v3). */
  readonly bySchemaVersion: Readonly<Record<SchemaVersion, number>>;
  /** Non-service entities per kind, sorted by kind. */
  readonly entitiesByKind: Readonly<Record<string, number>>;
  readonly teams: readonly string[];
}

export function summarizeCatalog(catalog: Catalog): CatalogSummary {
  const bySchemaVersion: Record<SchemaVersion, number> = { v2: 0, 'v2.1': 0, 'v2.2': 0, v3: 0 };
  for (const s of catalog.services) bySchemaVersion[s.schemaVersion] += 1;
  const kinds: Record<string, number> = {};
  for (const e of [...catalog.entities].sort((a, b) => compareStrings(a.kind, b.kind)))
    kinds[e.kind] = (kinds[e.kind] ?? 0) + 1;
  const teams = [...new Set(catalog.services.flatMap((s) => (s.team ? [s.team] : [])))].sort(compareStrings);
  return {
    services: catalog.services.length,
    entities: catalog.entities.length,
    bySchemaVersion,
    entitiesByKind: kinds,
    teams,
  };
}

/**
 * Things that are valid but probably not meant: a service without a team (its monitors go to the `unowned`
 * stack and nobody is notified), a `dependsOn` naming nothing in the catalog (the dependency graph, and so the
 * entrypoint detection, is incomplete). Sorted, `file:line:col: message`.
 */
export function catalogWarnings(catalog: Catalog): string[] {
  return formatProblems(graphWarnings(catalog));
}

function graphWarnings(catalog: Catalog): Problem[] {
  const known = new Set<string>([
    ...catalog.services.map((s) => `service:${s.name}`),
    ...catalog.entities.map((e) => `${e.kind}:${e.name}`),
  ]);
  const warnings: Problem[] = [];
  for (const s of catalog.services) {
    if (s.team === undefined)
      warnings.push({
        ...problemAt(s.source),
        message: `service ${s.name} has no team (v2.x team, v3 metadata.owner)`,
      });
  }
  for (const d of [...catalog.services, ...catalog.entities]) {
    for (const ref of d.dependsOn) {
      if (!known.has(ref))
        warnings.push({ ...problemAt(d.source), message: `${d.name} depends on ${ref}, which is not in the catalog` });
    }
  }
  return warnings.sort(compareProblems).map((w) => ({ ...w, severity: 'warning' as const }));
}
