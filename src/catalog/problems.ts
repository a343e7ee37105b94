/**
 * Catalog problems: where (file:line:col, or a label and a key path for definitions held in memory) and what.
 * The readers collect every problem of every file before failing, so one run shows the user all there is to fix,
 * always in the same order.
 */
import { UserErrors } from '../errors';
import { nestedTooDeep } from '../input/depth';

export interface Problem {
  readonly file: string;
  /** 1-based; 0 when the definition has no text position (API results held in memory). */
  readonly line: number;
  readonly col: number;
  readonly message: string;
  /** A warning does not stop reading; absent: an error. */
  readonly severity?: 'warning';
}

export function formatProblem(p: Problem): string {
  return p.line > 0 ? `${p.file}:${p.line}:${p.col}: ${p.message}` : `${p.file}: ${p.message}`;
}

/** Plain code-unit order (not locale order): the same bytes on every machine. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareProblems(a: Problem, b: Problem): number {
  return compareStrings(a.file, b.file) || a.line - b.line || a.col - b.col || compareStrings(a.message, b.message);
}

/** Sorted, de-duplicated, formatted. */
export function formatProblems(problems: readonly Problem[]): string[] {
  const lines = [...problems].sort(compareProblems).map(formatProblem);
  return lines.filter((l, i) => i === 0 || l !== lines[i - 1]);
}

/** Throw one UserErrors (exit 2) listing every problem, if there are any. */
export function throwIfProblems(problems: readonly Problem[]): void {
  if (problems.length > 0) throw new UserErrors(formatProblems(problems));
}

const MAX_VALUE_CHARS = 100;

/** A bad value as the user would write it: `"abc"`, `[1,2]`, `{"a":1}`, `null`; long values are shortened. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  // JSON.stringify recurses per level: a value from the API (never depth-checked like files) could overflow it.
  if (nestedTooDeep(value)) return Array.isArray(value) ? '[[[…' : '{…}';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // A bigint or a cycle (never from JSON or YAML text): say what it is rather than fail.
    text = typeof value === 'bigint' ? `${value}` : Array.isArray(value) ? '[…]' : typeof value;
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

/** `spec.links[2].url` from `['spec', 'links', 2, 'url']`. */
export function formatKeyPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}
