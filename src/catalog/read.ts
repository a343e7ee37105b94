/**
 * Pure catalog readers: files (already read) → `Catalog`, snapshot text → `Catalog`, raw API definitions →
 * `Catalog`. Each collects every problem of every input before failing, and sorts everything, so the result and
 * the error list are the same whatever order the files were listed in.
 */
import { Catalog, Entity, SchemaVersion, Service, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, SourceLocation } from './model';
import { NO_POSITION, parseDocuments } from './documents';
import { checkDefinition, definitionRef, isEntity } from './normalize';
import { compareProblems, compareStrings, describeValue, formatProblems, Problem, throwIfProblems } from './problems';

export interface CatalogFile {
  /** As it should appear in messages and `source.file`: relative, POSIX separators. */
  readonly path: string;
  readonly text: string;
}

/** What a reader found: the valid definitions and every problem. Readers that throw do so when problems exist. */
export interface CatalogReport {
  readonly catalog: Catalog;
  readonly problems: readonly Problem[];
  /** Files read (snapshot: 1). */
  readonly files: number;
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
  const problems: Problem[] = [];
  const definitions: (Service | Entity)[] = [];
  for (const file of sorted) {
    const parsed = parseDocuments(file.path, file.text);
    problems.push(...parsed.problems);
    for (const doc of parsed.documents) {
      const checked = checkDefinition(doc.value, { file: file.path, locate: doc.locate });
      problems.push(...checked.problems);
      if (checked.definition) definitions.push(checked.definition);
    }
  }
  return assemble(definitions, problems, sorted.length);
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
  const problems: Problem[] = [...parsed.problems];
  const definitions: (Service | Entity)[] = [];
  const done = () => assemble(definitions, problems, 1);
  if (parsed.problems.length > 0) return done();
  if (parsed.documents.length !== 1) {
    problems.push({ file: path, line: 1, col: 1, message: 'a catalog snapshot must be one JSON object' });
    return done();
  }
  const { value, locate } = parsed.documents[0];
  const at = (keyPath: (string | number)[]) => ({ file: path, ...locate.value(keyPath) });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push({ ...at([]), message: `a catalog snapshot must be a JSON object, got ${describeValue(value)}` });
    return done();
  }
  const snap = value as Record<string, unknown>;
  if (snap.format !== SNAPSHOT_FORMAT) {
    problems.push({
      ...at(['format']),
      message: `format must be ${JSON.stringify(SNAPSHOT_FORMAT)}, got ${describeValue(snap.format)}`,
    });
    return done();
  }
  if (snap.version !== SNAPSHOT_VERSION) {
    problems.push({
      ...at(['version']),
      message: `snapshot version ${describeValue(snap.version)} is not supported (this trace-health reads version ${SNAPSHOT_VERSION}; pull the catalog again)`,
    });
    return done();
  }
  if (snap.site !== undefined && typeof snap.site !== 'string')
    problems.push({ ...at(['site']), message: `site must be a string, got ${describeValue(snap.site)}` });
  if (!Array.isArray(snap.definitions)) {
    problems.push({
      ...at(['definitions']),
      message: `definitions must be a list of service definitions, got ${describeValue(snap.definitions)}`,
    });
    return done();
  }
  snap.definitions.forEach((raw, i) => {
    const checked = checkDefinition(raw, { file: path, locate, at: ['definitions', i] });
    problems.push(...checked.problems);
    if (checked.definition) definitions.push(checked.definition);
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

export function checkDefinitions(defs: readonly unknown[], label: string): CatalogReport {
  const problems: Problem[] = [];
  const definitions: (Service | Entity)[] = [];
  defs.forEach((raw, i) => {
    const ref = definitionRef(raw);
    const messagePrefix = `definitions[${i}]${ref ? ` (${ref})` : ''}`;
    const checked = checkDefinition(raw, { file: label, locate: NO_POSITION, messagePrefix });
    problems.push(...checked.problems);
    // In memory there is no line (0:0): the entry index goes in `file` so "defined twice" can say which entries.
    const source = { file: `${label} definitions[${i}]`, line: 0, col: 0 };
    if (checked.definition) definitions.push({ ...checked.definition, source });
  });
  return assemble(definitions, problems, 0);
}

/** Sort, and reject a service (or entity) defined twice, naming both places. */
function assemble(definitions: readonly (Service | Entity)[], problems: Problem[], files: number): CatalogReport {
  const byRef = new Map<string, (Service | Entity)[]>();
  for (const d of definitions) {
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
      problems.push({
        ...problemAt(dup.source),
        message: `${kind} ${dup.name} is defined twice: ${where(first.source)} and ${where(dup.source)}`,
      });
    }
    if (isEntity(first)) entities.push(first);
    else services.push(first);
  }
  services.sort((a, b) => compareStrings(a.name, b.name));
  entities.sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.kind, b.kind));
  problems.sort(compareProblems);
  return { catalog: { services, entities }, problems, files };
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
  return formatProblems(warnings);
}
