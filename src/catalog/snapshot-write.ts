/**
 * Writing a catalog snapshot (the file `catalog pull` produces and `synth` reads). The bytes depend only on the
 * definitions: they are sorted by kind then name, every object's keys are sorted, there is no fetch timestamp,
 * and the text is 2-space JSON with a final newline — so an unchanged catalog gives an unchanged file and
 * `git diff` shows only real catalog changes. The text is validated with the same reader `synth` uses before
 * anything touches the disk, and written atomically (temp file in the same folder, then rename): a reader sees
 * the old snapshot or the new one, never half of one.
 */
import fs from 'node:fs';
import { Catalog, CatalogSnapshot, SNAPSHOT_FORMAT, SNAPSHOT_VERSION } from './model';
import { writeFileAtomic } from '../fs-atomic';
import { compareStrings } from './problems';

/** Kind and name of a raw definition: v3 `kind` + `metadata.name`, v2.x `dd-service` (always a service). */
export interface DefinitionRef {
  readonly kind: string;
  readonly name: string;
}

export function definitionKey(def: unknown): DefinitionRef | undefined {
  if (!isObject(def)) return undefined;
  if (typeof def['dd-service'] === 'string') return { kind: 'service', name: def['dd-service'] };
  const metadata = def.metadata;
  if (typeof def.kind === 'string' && isObject(metadata) && typeof metadata.name === 'string')
    return { kind: def.kind, name: metadata.name };
  return undefined;
}

/** `service:checkout-api`, `datastore:orders-db`; `?` for a definition without a recognisable name. */
function formatRef(ref: DefinitionRef | undefined): string {
  return ref ? `${ref.kind}:${ref.name}` : '?';
}

/** A deep copy of `value` with every object's keys in code-unit order; arrays keep their order (it is data). */
function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort(compareStrings)) out[key] = sortKeysDeep(value[key]);
    return out;
  }
  return value;
}

/** The one JSON text format of trace-health files: sorted keys, 2-space indent, final newline. */
export function canonicalJson(value: unknown): string {
  return `${JSON.stringify(sortKeysDeep(value), null, 2)}\n`;
}

/** The snapshot for these definitions, in canonical order (kind, name, then content for exact duplicates). */
export function buildSnapshot(definitions: readonly unknown[], site?: string): CatalogSnapshot {
  const keyed = definitions.map((def) => {
    const ref = definitionKey(def);
    const sorted = sortKeysDeep(def) as Record<string, unknown>;
    return { kind: ref?.kind ?? '', name: ref?.name ?? '', text: JSON.stringify(sorted), def: sorted };
  });
  keyed.sort(
    (a, b) => compareStrings(a.kind, b.kind) || compareStrings(a.name, b.name) || compareStrings(a.text, b.text),
  );
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    ...(site ? { site } : {}),
    definitions: keyed.map((k) => k.def),
  };
}

export function renderSnapshot(snapshot: CatalogSnapshot): string {
  return canonicalJson(snapshot);
}

export interface DefinitionChanges {
  /** `kind:name` refs, sorted. */
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
  readonly unchanged: number;
}

/**
 * What changed between two sets of raw definitions, by `kind:name` (content compared with keys sorted, so key order
 * alone is no change). Definitions without a name are ignored; for a duplicated name the last one counts.
 */
export function diffDefinitions(previous: readonly unknown[], current: readonly unknown[]): DefinitionChanges {
  const index = (defs: readonly unknown[]) => {
    const out = new Map<string, string>();
    for (const def of defs) {
      const ref = definitionKey(def);
      if (ref) out.set(formatRef(ref), JSON.stringify(sortKeysDeep(def)));
    }
    return out;
  };
  const before = index(previous);
  const after = index(current);
  const added: string[] = [];
  const changed: string[] = [];
  let unchanged = 0;
  for (const [ref, text] of after) {
    const old = before.get(ref);
    if (old === undefined) added.push(ref);
    else if (old !== text) changed.push(ref);
    else unchanged++;
  }
  const removed = [...before.keys()].filter((ref) => !after.has(ref));
  return {
    added: added.sort(compareStrings),
    removed: removed.sort(compareStrings),
    changed: changed.sort(compareStrings),
    unchanged,
  };
}

/** Reads a snapshot's text the way `synth` will (the catalog reader's `parseSnapshot`). */
export type SnapshotValidator = (file: string, text: string) => Catalog;

export interface WriteResult {
  readonly catalog: Catalog;
  /** False when the file already held exactly these bytes (it is then left untouched). */
  readonly written: boolean;
}

/**
 * Validate `text` as the snapshot at `file` and write it atomically. Throws (and writes nothing) when the reader
 * rejects it. An identical existing file is not rewritten, so its mtime says when the catalog last changed.
 */
export function writeSnapshot(file: string, text: string, validate: SnapshotValidator): WriteResult {
  const catalog = validate(file, text);
  const existing = readIfExists(file);
  if (existing === text) return { catalog, written: false };
  writeFileAtomic(file, text);
  return { catalog, written: true };
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
