/**
 * A limit on nesting for every file we parse. Parsers and the code after them (JSON.stringify in messages, key
 * sorting, the YAML composer) recurse once per level, so a file nested 100,000 levels deep would otherwise end in
 * `RangeError: Maximum call stack size exceeded` somewhere. No catalog definition, snapshot or policy needs more
 * than a dozen levels; `extensions` and other free-form parts get many times that. Pure and iterative.
 */
import { isMap, isPair, isSeq, Node } from 'yaml';

export const MAX_NESTING = 100;

/** The message for a file nested deeper than MAX_NESTING, after `invalid JSON: ` / `invalid YAML: `. */
export const TOO_DEEP = `nested more than ${MAX_NESTING} levels deep (lists and mappings inside each other)`;

/**
 * Offset of the `[` or `{` that opens level MAX_NESTING + 1 of a JSON text, or undefined. Brackets inside strings do
 * not count. Call it on text that `JSON.parse` accepted (it does not check the syntax).
 */
export function jsonNestingOffset(text: string, max = MAX_NESTING): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string: an escaped character is never its end.
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return undefined;
}

/** Start offset of the first node of a parsed YAML tree nested deeper than `max`, or undefined. */
export function yamlNestingOffset(root: Node | null | undefined, max = MAX_NESTING): number | undefined {
  if (!root) return undefined;
  const stack: [Node, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth > max) return node.range?.[0] ?? 0;
    for (const item of node.items) {
      if (isPair(item)) {
        if (item.key && typeof item.key === 'object') stack.push([item.key as Node, depth + 1]);
        if (item.value && typeof item.value === 'object') stack.push([item.value as Node, depth + 1]);
      } else if (item && typeof item === 'object') stack.push([item as Node, depth + 1]);
    }
  }
  return undefined;
}

/** True when a plain value (objects, arrays) nests deeper than `max`. */
export function nestedTooDeep(value: unknown, max = MAX_NESTING): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
