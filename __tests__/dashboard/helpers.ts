/** Tree walkers and the golden-file check shared by the dashboard tests. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Tree = unknown;

/** Fields the provider strips before diffing, or that cause perpetual diffs (DESIGN §4). */
export const FORBIDDEN_KEYS = [
  'id',
  'author_handle',
  'author_name',
  'created_at',
  'modified_at',
  'url',
  'is_read_only',
  'pause_auto_refresh',
  'default',
  'layout',
  'restricted_roles',
] as const;

export function keysInTree(tree: Tree, out = new Set<string>()): Set<string> {
  if (Array.isArray(tree)) for (const v of tree) keysInTree(v, out);
  else if (tree && typeof tree === 'object')
    for (const [k, v] of Object.entries(tree)) {
      out.add(k);
      keysInTree(v, out);
    }
  return out;
}

export function allStrings(tree: Tree, out: string[] = []): string[] {
  if (typeof tree === 'string') out.push(tree);
  else if (Array.isArray(tree)) for (const v of tree) allStrings(v, out);
  else if (tree && typeof tree === 'object') for (const v of Object.values(tree)) allStrings(v, out);
  return out;
}

/** Every widget definition of a type, groups included, in order. */
export function widgetsOfType(d: { widgets: unknown }, type: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (widgets: unknown) => {
    for (const w of widgets as { definition: Record<string, unknown> }[]) {
      if (w.definition.type === type) out.push(w.definition);
      if (w.definition.type === 'group') walk(w.definition.widgets);
    }
  };
  walk(d.widgets);
  return out;
}

/** Every `query` of a metrics data source. */
export function metricQueries(tree: Tree, out: string[] = []): string[] {
  if (Array.isArray(tree)) for (const v of tree) metricQueries(v, out);
  else if (tree && typeof tree === 'object') {
    const o = tree as Record<string, unknown>;
    if (o.data_source === 'metrics' && typeof o.query === 'string') out.push(o.query);
    for (const v of Object.values(o)) metricQueries(v, out);
  }
  return out;
}

/** Compare with `golden/<name>`; `UPDATE_GOLDEN=1` rewrites it instead. */
export function expectGolden(name: string, value: unknown): void {
  const file = join(__dirname, 'golden', name);
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, text);
  else if (!existsSync(file))
    throw new Error(`missing golden file ${file} (run: UPDATE_GOLDEN=1 npx jest __tests__/dashboard)`);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

/** One metric term of a query: `sum:metric{a,b} by {c}` → metric, filter terms, group-by tags. */
export interface MetricTerm {
  readonly metric: string;
  readonly filter: readonly string[];
  readonly by: readonly string[];
}

export function metricTerms(query: string): MetricTerm[] {
  const out: MetricTerm[] = [];
  for (const m of query.matchAll(/\b(?:sum|max|min|avg):([a-z][a-z0-9_.]*)\{([^}]*)\}(?:\s*by\s*\{([^}]*)\})?/g))
    out.push({
      metric: m[1],
      filter: m[2].split(',').map((t) => t.trim()),
      by: (m[3] ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    });
  return out;
}

/** Does the term filter on the `$version` template variable or a `version:` tag, or group by `version`? */
export function usesVersion(t: MetricTerm): boolean {
  return t.by.includes('version') || t.filter.some((f) => f === '$version' || /^!?version:/.test(f));
}
