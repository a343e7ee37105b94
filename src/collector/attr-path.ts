/**
 * Attribute lookups compiled once per path, for the per-span hot path: the same result as the reference
 * `lookupAttribute` (__tests__/collector/span-query-reference.ts) — the flat key first, then the nested walk, then
 * the mixed shapes — without slicing the path into new strings on every call.
 */
type Bag = Readonly<Record<string, unknown>>;
export type AttributeLookup = (bag: Bag | undefined) => unknown;

const hasOwn = Object.prototype.hasOwnProperty;

export function compileAttributePath(path: string): AttributeLookup {
  const segs = path.split('.');
  if (segs.length === 1) return (bag) => (!!bag && hasOwn.call(bag, path) ? bag[path] : undefined);
  if (segs.length === 2) {
    // `a.b`: the flat key, or `a` (an own object, arrays included) holding an own `b`. The mixed-shape fallback of
    // the general case finds nothing more for two segments.
    const [a, b] = segs;
    return (bag) => {
      if (!bag) return undefined;
      if (hasOwn.call(bag, path)) return bag[path];
      if (!hasOwn.call(bag, a)) return undefined;
      const node = bag[a];
      return node !== null && typeof node === 'object' && hasOwn.call(node, b) ? (node as Bag)[b] : undefined;
    };
  }
  // Mixed shapes: for each dot after the first character, `head` as a flat key holding a (non-array) object that
  // has `rest` (recursively).
  const splits: { head: string; rest: AttributeLookup }[] = [];
  if (path[0] !== '.')
    for (let dot = path.indexOf('.'); dot > 0; dot = path.indexOf('.', dot + 1))
      splits.push({ head: path.slice(0, dot), rest: compileAttributePath(path.slice(dot + 1)) });
  return (bag) => {
    if (!bag) return undefined;
    if (hasOwn.call(bag, path)) return bag[path];
    let node: unknown = bag;
    for (let i = 0; i < segs.length; i++) {
      if (node === null || typeof node !== 'object' || !hasOwn.call(node, segs[i])) break;
      node = (node as Bag)[segs[i]];
      if (i === segs.length - 1) return node;
    }
    for (const { head, rest } of splits) {
      const next = bag[head];
      if (next !== null && typeof next === 'object' && !Array.isArray(next) && hasOwn.call(bag, head)) {
        const found = rest(next as Bag);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
}
