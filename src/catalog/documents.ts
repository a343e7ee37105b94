/**
 * YAML/JSON text → plain values plus a way back to line:col for any key path. The `yaml` package parses JSON too
 * (JSON is YAML's flow style), so `.yaml`, `.yml`, `.json` and snapshots all go through here and every message
 * can point at the exact line of the bad value.
 */
import { Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Node, parseAllDocuments, visit } from 'yaml';
import { Problem } from './problems';

export type KeyPath = readonly (string | number)[];

export interface Position {
  readonly line: number;
  readonly col: number;
}

/** Finds where a key path is written. A path that does not exist resolves to its closest existing ancestor. */
export interface Locator {
  /** Where the value at `path` starts. */
  value(path: KeyPath): Position;
  /** Where the key of the last path element is written (the value's position for list items). */
  key(path: KeyPath): Position;
}

export interface ParsedDocument {
  /** The document as plain data (objects, arrays, strings, numbers, booleans, null). */
  readonly value: unknown;
  readonly locate: Locator;
}

export interface ParsedText {
  /** Documents without syntax errors; empty documents (comments only, a trailing `---`) are left out. */
  readonly documents: readonly ParsedDocument[];
  readonly problems: readonly Problem[];
}

/** A locator for values without text (API results): every position is 0:0. */
export const NO_POSITION: Locator = {
  value: () => ({ line: 0, col: 0 }),
  key: () => ({ line: 0, col: 0 }),
};

/** Parse every document of a YAML (or JSON) text. Never throws: syntax errors come back as problems. */
export function parseDocuments(file: string, text: string): ParsedText {
  const lineCounter = new LineCounter();
  const documents: ParsedDocument[] = [];
  const problems: Problem[] = [];
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, {
      lineCounter,
      prettyErrors: false,
      uniqueKeys: true,
      // Warnings (e.g. a mapping used as a key) would go to process.emitWarning; bad shapes are reported later.
      logLevel: 'error',
    }) as Document.Parsed[];
  } catch (e) {
    // Not expected from `yaml` (it reports errors on documents), but a reader must never crash.
    return { documents, problems: [{ file, line: 1, col: 1, message: `invalid YAML: ${errorMessage(e)}` }] };
  }
  // An empty stream gives an empty array; some yaml versions return an EmptyStream object instead.
  if (!Array.isArray(docs)) docs = [];
  const pos = (offset: number): Position => {
    const p = lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line: p.line, col: p.col };
  };
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      problems.push(...syntaxProblems(file, doc, pos));
      continue;
    }
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null && !hasContent(doc))) continue;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      const at = pos(unresolvedAlias(doc) ?? doc.contents.range?.[0] ?? doc.range[0]);
      problems.push({ file, ...at, message: `invalid YAML: ${errorMessage(e)}` });
      continue;
    }
    documents.push({ value, locate: locator(doc, pos) });
  }
  return { documents, problems };
}

/** A `---` followed by nothing parses as a null scalar; an explicit `null`/`~` is content (and invalid later). */
function hasContent(doc: Document.Parsed): boolean {
  const c = doc.contents;
  if (!c || !isScalar(c)) return true;
  const [start, end] = c.range ?? [0, 0];
  return end > start;
}

/** Offset of the first alias without an anchor before it (the usual reason toJS throws). */
function unresolvedAlias(doc: Document.Parsed): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_, alias) {
      if (alias.resolve(doc) !== undefined) return undefined;
      offset = alias.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}

function syntaxProblems(file: string, doc: Document.Parsed, pos: (offset: number) => Position): Problem[] {
  const out: Problem[] = [];
  const seenLines = new Set<number>();
  for (const e of doc.errors) {
    const at = pos(e.pos[0]);
    // One message per line: after the first error on a line the parser's follow-ups are noise.
    if (seenLines.has(at.line)) continue;
    seenLines.add(at.line);
    let message: string;
    if (e.code === 'DUPLICATE_KEY') message = duplicateKeyMessage(doc, e.pos[0], pos);
    else if (e.code === 'TAB_AS_INDENT') message = 'invalid YAML: tabs are not allowed in indentation (use spaces)';
    else message = `invalid YAML: ${lowerFirst(e.message)}`;
    out.push({ file, ...at, message });
  }
  return out;
}

function duplicateKeyMessage(doc: Document.Parsed, offset: number, pos: (offset: number) => Position): string {
  let message = 'invalid YAML: duplicate key';
  visit(doc, {
    Map(_, map) {
      const dup = map.items.find((p) => isPair(p) && isScalar(p.key) && p.key.range?.[0] === offset);
      if (!dup || !isScalar(dup.key)) return undefined;
      const name = String(dup.key.value);
      const first = map.items.find((p) => isScalar(p.key) && String(p.key.value) === name);
      const firstAt = first && isScalar(first.key) && first.key.range ? pos(first.key.range[0]) : undefined;
      message = `invalid YAML: duplicate key ${name}${firstAt ? ` (first at line ${firstAt.line})` : ''}`;
      return visit.BREAK;
    },
  });
  return message;
}

function locator(doc: Document.Parsed, pos: (offset: number) => Position): Locator {
  const rootPosition = (): Position => pos(doc.contents?.range?.[0] ?? doc.range[0]);
  /** Walks the AST; returns the deepest node reached and the key node of the last step, if it was a map key. */
  const walk = (path: KeyPath): { node: Node | null; key: Node | null; complete: boolean } => {
    let node: Node | null = doc.contents as Node | null;
    let key: Node | null = null;
    for (const part of path) {
      if (node && isAlias(node)) node = (node.resolve(doc) as Node | undefined) ?? node;
      if (node && isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
        if (!pair) return { node, key, complete: false };
        key = pair.key as Node;
        // `key:` with no value: point at the key.
        node = (pair.value as Node | null) ?? (pair.key as Node);
      } else if (node && isSeq(node) && typeof part === 'number' && part < node.items.length) {
        key = null;
        node = node.items[part] as Node;
      } else {
        return { node, key, complete: false };
      }
    }
    return { node, key, complete: true };
  };
  const at = (n: Node | null): Position => (n?.range ? pos(n.range[0]) : rootPosition());
  return {
    value: (path) => at(walk(path).node),
    key: (path) => {
      const w = walk(path);
      return w.complete && w.key ? at(w.key) : at(w.node);
    },
  };
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0].toLowerCase() + s.slice(1) : s;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? lowerFirst(e.message) : String(e);
}
