/**
 * YAML/JSON text → plain values plus a way back to line:col for any key path. `.yaml`/`.yml` files are YAML;
 * `.json` files (definitions and snapshots) must be strict JSON — checked first, since the `yaml` parser accepts
 * YAML's flow style (trailing commas, single quotes) — and then go through the same `yaml` parse (JSON is YAML's flow
 * style) only so that every message can point at the exact line of the bad value.
 */
import { Document, isAlias, isMap, isScalar, isSeq, LineCounter, Node, parseAllDocuments, visit } from 'yaml';
import { jsonNestingOffset, TOO_DEEP, yamlNestingOffset } from '../input/depth';
import { jsonSyntaxError } from '../input/json-syntax';
import { lowerFirst, SourceLanguage, SyntaxProblem, yamlSyntaxProblems } from '../input/yaml-errors';
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
  /** The document has a duplicate key (reported as a problem already): the later value is the one in `value`. */
  readonly duplicateKeys?: boolean;
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

/** `.json` files are JSON (strict); everything else is YAML. */
function languageOf(file: string): SourceLanguage {
  return file.toLowerCase().endsWith('.json') ? 'JSON' : 'YAML';
}

/**
 * Parse every document of a YAML text, or the one value of a JSON text (by `file`'s extension). Never throws:
 * syntax errors come back as problems.
 */
export function parseDocuments(file: string, text: string): ParsedText {
  const language = languageOf(file);
  const lineCounter = new LineCounter();
  const documents: ParsedDocument[] = [];
  const problems: Problem[] = [];
  const pos = (offset: number): Position => {
    const p = lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line: p.line, col: p.col };
  };
  let json: { value: unknown } | undefined;
  if (language === 'JSON') {
    const checked = checkJson(text);
    if ('offset' in checked) {
      return { documents, problems: [{ file, ...textPosition(text, checked.offset), message: checked.message }] };
    }
    // JSON.parse takes any depth; what comes after it (the `yaml` parse below, messages) recurses per level.
    const deep = jsonNestingOffset(text);
    if (deep !== undefined)
      return { documents, problems: [{ file, ...textPosition(text, deep), message: `invalid JSON: ${TOO_DEEP}` }] };
    json = checked;
  }
  let docs: Document.Parsed[];
  try {
    // In valid JSON a tab can only be whitespace between tokens, where YAML may reject it as indentation; a space
    // in its place keeps every offset.
    docs = parseAllDocuments(json ? text.replace(/\t/g, ' ') : text, {
      lineCounter,
      prettyErrors: false,
      uniqueKeys: true,
      // Warnings (e.g. a mapping used as a key) would go to process.emitWarning; bad shapes are reported later.
      logLevel: 'error',
    }) as Document.Parsed[];
  } catch (e) {
    // Not expected from `yaml` (it reports errors on documents), but a reader must never crash.
    return { documents, problems: [{ file, line: 1, col: 1, message: `invalid ${language}: ${errorMessage(e)}` }] };
  }
  // An empty stream gives an empty array; some yaml versions return an EmptyStream object instead.
  if (!Array.isArray(docs)) docs = [];
  if (json) {
    // Valid JSON: `yaml` only locates keys. It still rejects duplicate keys (JSON.parse keeps the last silently).
    const doc = docs.length === 1 ? docs[0] : undefined;
    const syntax = doc ? yamlSyntaxProblems(doc, pos, language) : [];
    const duplicates = syntax.filter((p) => p.code === 'DUPLICATE_KEY');
    problems.push(...duplicates.map((p) => located(file, p)));
    // A JSON text `yaml` cannot read (a key over 1024 characters): the value is right, positions fall back to 1:1.
    const locate = doc && duplicates.length === syntax.length ? locator(doc, pos) : locator(undefined, pos);
    // The later of two duplicate keys is the one JSON.parse keeps: the document's other problems are still reported.
    const document = { value: json.value, locate, ...(duplicates.length > 0 ? { duplicateKeys: true } : {}) };
    return { documents: [document], problems };
  }
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      const syntax = yamlSyntaxProblems(doc, pos, language);
      problems.push(...syntax.map((p) => located(file, p)));
      // A duplicate key leaves the document whole (the later value wins): its other problems are still reported.
      if (syntax.some((p) => p.code !== 'DUPLICATE_KEY')) continue;
    }
    const deep = yamlNestingOffset(doc.contents as Node | null);
    if (deep !== undefined) {
      problems.push({ file, ...pos(deep), message: `invalid ${language}: ${TOO_DEEP}` });
      continue;
    }
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null && !hasContent(doc))) continue;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      const at = pos(unresolvedAlias(doc) ?? doc.contents.range?.[0] ?? doc.range[0]);
      problems.push({ file, ...at, message: `invalid ${language}: ${errorMessage(e)}` });
      continue;
    }
    documents.push({ value, locate: locator(doc, pos), ...(doc.errors.length > 0 ? { duplicateKeys: true } : {}) });
  }
  return { documents, problems };
}

/** `JSON.parse` decides; on failure the strict checker says where and why (V8's messages often have no position). */
function checkJson(text: string): { value: unknown } | { offset: number; message: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    const found = jsonSyntaxError(text);
    return { offset: found?.offset ?? 0, message: `invalid JSON: ${found?.message ?? errorMessage(e)}` };
  }
}

function located(file: string, p: SyntaxProblem): Problem {
  return { file, line: p.line, col: p.col, message: p.message };
}

/** 1-based line and column (in characters) of a character offset. */
function textPosition(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: offset - lineStart + 1 };
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

function locator(doc: Document.Parsed | undefined, pos: (offset: number) => Position): Locator {
  if (!doc) return { value: () => ({ line: 1, col: 1 }), key: () => ({ line: 1, col: 1 }) };
  const rootPosition = (): Position => pos(doc.contents?.range?.[0] ?? doc.range[0]);
  /** Walks the AST; returns the deepest node reached and the key node of the last step, if it was a map key. */
  const walk = (path: KeyPath): { node: Node | null; key: Node | null; complete: boolean } => {
    let node: Node | null = doc.contents as Node | null;
    let key: Node | null = null;
    for (const part of path) {
      if (node && isAlias(node)) node = (node.resolve(doc) as Node | undefined) ?? node;
      if (node && isMap(node)) {
        // The last pair with that key: with a duplicate key, the later value is the one that was read.
        let pair: (typeof node.items)[number] | undefined;
        for (const p of node.items) if (isScalar(p.key) && String(p.key.value) === String(part)) pair = p;
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

function errorMessage(e: unknown): string {
  return e instanceof Error ? lowerFirst(e.message) : String(e);
}
