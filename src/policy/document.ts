/**
 * A parsed, validated `trace-health.yaml` with the source position of every key and value, so that checks made
 * later (against the catalog, after resolution) still point at `file:line:col: key.path`.
 */
import { distance } from 'fastest-levenshtein';
import { formatKeyPath } from '../catalog/problems';
import { PolicyFile } from './schema';

export type PathSegment = string | number;

export interface Position {
  readonly line: number;
  readonly col: number;
}

export interface NodePositions {
  /** Where the key is written (absent for list items and the root). */
  readonly key?: Position;
  /** Where the value starts (the key's position when the value is empty). */
  readonly value: Position;
}

export interface PolicyDocument {
  /** The policy file as given (used in messages). */
  readonly file: string;
  /** Absolute folder the `catalog` path is relative to; set by `loadPolicy`, else the file's folder from cwd. */
  readonly baseDir?: string;
  /** The file's content, validated against `PolicyFileSchema` (no defaults filled in). */
  readonly data: PolicyFile;
  /** Positions by key path (`defaults.orphanRate.critical`, `defaults.requiredTags[0]`; root is ``). */
  readonly positions: ReadonlyMap<string, NodePositions>;
}

/** `defaults.requiredTags[0].scope`: the catalog's key-path format, so every message writes a path the same way. */
export const pathString: (path: readonly PathSegment[]) => string = formatKeyPath;

/** A problem found in the policy file, located by key path. */
export interface Problem {
  readonly path: readonly PathSegment[];
  readonly message: string;
  /** Point at the key (unknown or misplaced keys, missing keys) rather than at the value. */
  readonly at?: 'key' | 'value';
  /** The path as printed, when `path` must not be (a key holding a secret). */
  readonly shownPath?: readonly PathSegment[];
}

const ORIGIN: Position = { line: 1, col: 1 };

/** Closest ancestor position for `path` (a value may be missing from the map, e.g. under an alias). */
export function locate(
  positions: ReadonlyMap<string, NodePositions>,
  path: readonly PathSegment[],
  at: 'key' | 'value',
): Position {
  for (let n = path.length; n >= 0; n--) {
    const p = positions.get(pathString(path.slice(0, n)));
    if (!p) continue;
    if (n === path.length && at === 'key') return p.key ?? p.value;
    return n === path.length ? p.value : (p.key ?? p.value);
  }
  return ORIGIN;
}

/** `trace-health.yaml:12:7: defaults.orphanRate.critical: 1.5 is not a ratio between 0 and 1`, sorted by position. */
export function formatProblems(
  file: string,
  positions: ReadonlyMap<string, NodePositions>,
  problems: readonly Problem[],
): string[] {
  const located = problems.map((p) => {
    const pos = locate(positions, p.path, p.at ?? 'value');
    const where = pathString(p.shownPath ?? p.path);
    return { pos, text: `${file}:${pos.line}:${pos.col}: ${where ? `${where}: ` : ''}${p.message}` };
  });
  located.sort((a, b) => a.pos.line - b.pos.line || a.pos.col - b.pos.col || (a.text < b.text ? -1 : 1));
  return [...new Set(located.map((l) => l.text))];
}

/** A value as it appears in a message: strings quoted, lists and mappings as short JSON. */
export function show(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch {
    return Array.isArray(value) ? 'a self-referencing list' : 'a self-referencing mapping'; // `&a [*a]`
  }
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/** The closest candidate to `word`, if it is close enough to be a plausible typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  for (const c of candidates) {
    const d = distance(lower, c.toLowerCase());
    if (d < bestDistance || (d === bestDistance && best !== undefined && c < best)) {
      best = c;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** ` (did you mean "orphanRate"?)` or ``. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : ` (did you mean ${JSON.stringify(c)}?)`;
}
