/**
 * What changed inside one resource: `before` and `after` of a plan entry flattened into `field → value` pairs and
 * compared. Terraform writes blocks as lists (`monitor_thresholds: [{critical: "0.05"}]`) or objects; a one-element
 * list is shown without an index (`monitor_thresholds.critical`), SLO `thresholds` are keyed by timeframe
 * (`thresholds[30d].target`), lists of strings (tags) are compared as sets. Unknown values (`after_unknown`) read
 * "(known after apply)"; sensitive ones never show their value.
 */

/** One changed field: values rendered as text, `null` when not set. */
export interface FieldChange {
  readonly field: string;
  readonly before: string | null;
  readonly after: string | null;
  /** For lists of strings (tags, notify handles): items only before / only after, sorted. */
  readonly removed?: readonly string[];
  readonly added?: readonly string[];
  /** For dashboard widgets: titles present on both sides whose content changed. */
  readonly changed?: readonly string[];
  /** For long text (monitor messages): changed lines, `-`/`+` prefixed, in order. */
  readonly lines?: readonly string[];
}

export const UNKNOWN = '(known after apply)';
export const SENSITIVE = '(sensitive)';

type Leaf = { kind: 'scalar'; text: string } | { kind: 'set'; items: string[] } | { kind: 'unknown' | 'sensitive' };

/** Keys that identify an element of a list of blocks better than its index. */
const BLOCK_KEYS = ['timeframe', 'tag_name', 'name', 'path', 'dash_id', 'type'];

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function scalarText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** `sub` of a sensitivity / unknown marker tree: `true` covers everything below it. */
function child(tree: unknown, key: string | number): unknown {
  if (tree === true) return true;
  if (Array.isArray(tree) && typeof key === 'number') return tree[key];
  if (isObject(tree) && typeof key === 'string') return tree[key];
  return undefined;
}

/**
 * Flatten a value into display paths. `unknown` and `sensitive` are Terraform's marker trees for the same value
 * (same shape, `true` at marked leaves or subtrees).
 */
export function flatten(value: unknown, unknown?: unknown, sensitive?: unknown): Map<string, Leaf> {
  const out = new Map<string, Leaf>();
  walk(value, unknown, sensitive, '', out);
  return out;
}

function join(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

function walk(value: unknown, unknown: unknown, sensitive: unknown, path: string, out: Map<string, Leaf>): void {
  if (sensitive === true) {
    if (value !== null && value !== undefined) out.set(path, { kind: 'sensitive' });
    return;
  }
  if (unknown === true) {
    out.set(path, { kind: 'unknown' });
    return;
  }
  if (isObject(value) || (value == null && isObject(unknown))) {
    const obj = isObject(value) ? value : {};
    const keys = new Set([...Object.keys(obj), ...(isObject(unknown) ? Object.keys(unknown) : [])]);
    for (const key of [...keys].sort())
      walk(obj[key], child(unknown, key), child(sensitive, key), join(path, key), out);
    return;
  }
  if (Array.isArray(value)) {
    const markers = Array.isArray(unknown) && unknown.some((u) => u !== false && u !== undefined);
    if (value.every((v) => !isObject(v) && !Array.isArray(v)) && !markers && !Array.isArray(sensitive)) {
      if (value.length > 0) out.set(path, { kind: 'set', items: value.map(scalarText).sort() });
      return;
    }
    if (value.length === 1) {
      walk(value[0], child(unknown, 0), child(sensitive, 0), path, out);
      return;
    }
    const keyOf = blockKey(value);
    value.forEach((v, i) => {
      const label = keyOf ? scalarText((v as Record<string, unknown>)[keyOf]) : String(i);
      walk(v, child(unknown, i), child(sensitive, i), `${path}[${label}]`, out);
    });
    return;
  }
  if (value === null || value === undefined) return;
  out.set(path, { kind: 'scalar', text: scalarText(value) });
}

/** The first BLOCK_KEYS key whose values are present and distinct across all elements. */
function blockKey(list: unknown[]): string | undefined {
  if (!list.every(isObject)) return undefined;
  for (const key of BLOCK_KEYS) {
    const values = list.map((o) => (o as Record<string, unknown>)[key]);
    if (values.every((v) => typeof v === 'string' || typeof v === 'number') && new Set(values).size === values.length)
      return key;
  }
  return undefined;
}

function leafText(leaf: Leaf | undefined): string | null {
  if (leaf === undefined) return null;
  switch (leaf.kind) {
    case 'scalar':
      return leaf.text;
    case 'set':
      return `[${leaf.items.join(', ')}]`;
    case 'unknown':
      return UNKNOWN;
    case 'sensitive':
      return SENSITIVE;
  }
}

/** Empty strings and absent values mean the same to a reviewer (the provider defaults many fields to ""). */
function sameLeaf(a: Leaf | undefined, b: Leaf | undefined): boolean {
  const norm = (l: Leaf | undefined) => (l?.kind === 'scalar' && l.text === '' ? undefined : l);
  const x = norm(a);
  const y = norm(b);
  if (x === undefined || y === undefined) return x === y;
  if (x.kind === 'sensitive' && y.kind === 'sensitive') return true; // cannot tell; Terraform shows no diff either
  return JSON.stringify(x) === JSON.stringify(y);
}

export interface ValuePair {
  readonly before: unknown;
  readonly after: unknown;
  readonly afterUnknown?: unknown;
  readonly beforeSensitive?: unknown;
  readonly afterSensitive?: unknown;
}

/** Fields that differ between before and after, in field-path order. */
export function changedFields(pair: ValuePair): FieldChange[] {
  const before = flatten(pair.before, undefined, pair.beforeSensitive);
  const after = flatten(pair.after, pair.afterUnknown, pair.afterSensitive);
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  const changes: FieldChange[] = [];
  for (const path of paths) {
    const b = before.get(path);
    const a = after.get(path);
    if (sameLeaf(b, a)) continue;
    if (b?.kind === 'set' || a?.kind === 'set') {
      const bi = b?.kind === 'set' ? b.items : [];
      const ai = a?.kind === 'set' ? a.items : [];
      if (b?.kind !== 'sensitive' && a?.kind !== 'sensitive' && a?.kind !== 'unknown') {
        const removed = bi.filter((x) => !ai.includes(x));
        const added = ai.filter((x) => !bi.includes(x));
        changes.push({ field: path, before: leafText(b), after: leafText(a), removed, added });
        continue;
      }
    }
    changes.push({ field: path, before: leafText(b), after: leafText(a) });
  }
  return changes;
}

/**
 * Notification handles in a monitor message: `@slack-x`, `@pagerduty-y`, `@jane@example.com`. A handle starts a
 * word and is not followed by `:` (span-search terms such as `-@usr.id:*` in deep links are not handles).
 */
export function notifyHandles(message: string): string[] {
  const handles = new Set<string>();
  // Match the whole token first, then look at what follows it (a regex lookahead would let it backtrack).
  const re = /(?<![\w@.:/=-])@[A-Za-z0-9][\w.+-]*(?:@[\w.-]+)?/g;
  for (const m of message.matchAll(re)) {
    const next = message.charAt((m.index ?? 0) + m[0].length);
    if (next === ':' || next === '=') continue;
    handles.add(m[0].replace(/\.+$/, ''));
  }
  return [...handles].sort();
}

/** Changed lines of two texts (longest common subsequence), `-`/`+` prefixed, in order. */
export function lineDiff(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  // Trim the common head and tail first: messages usually change in one place.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const lcs: number[][] = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0));
  for (let i = x.length - 1; i >= 0; i--)
    for (let j = y.length - 1; j >= 0; j--)
      lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      i++;
      j++;
    } else if (i < x.length && (j === y.length || lcs[i + 1][j] >= lcs[i][j + 1])) out.push(`- ${x[i++]}`);
    else out.push(`+ ${y[j++]}`);
  }
  return out;
}
