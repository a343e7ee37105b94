/**
 * YAML syntax errors in the user's words, shared by the catalog reader and the policy parser so that both say
 * `invalid YAML: duplicate key team (first at line 3)` rather than the parser's `Map keys must be unique`. Pure: it
 * only looks at a parsed `yaml` document.
 */
import { Document, isPair, isScalar, visit } from 'yaml';
import { TOO_DEEP } from './depth';

export interface TextPosition {
  readonly line: number;
  readonly col: number;
}

export interface SyntaxProblem extends TextPosition {
  readonly message: string;
  /** The `yaml` parser's error code (`DUPLICATE_KEY`, `TAB_AS_INDENT`, …). */
  readonly code: string;
}

/** The language named in messages: `.json` files are read as JSON and say so. */
export type SourceLanguage = 'YAML' | 'JSON';

/**
 * Every syntax error of one parsed document, at most one per line (after the first error on a line the parser's
 * follow-ups are noise), each `invalid YAML: …`. `pos` turns a character offset into a 1-based line:col.
 */
export function yamlSyntaxProblems(
  doc: Document.Parsed,
  pos: (offset: number) => TextPosition,
  language: SourceLanguage = 'YAML',
): SyntaxProblem[] {
  const out: SyntaxProblem[] = [];
  const seenLines = new Set<number>();
  for (const e of doc.errors) {
    const at = pos(e.pos[0]);
    if (seenLines.has(at.line)) continue;
    seenLines.add(at.line);
    let detail: string;
    if (e.code === 'DUPLICATE_KEY') detail = duplicateKeyDetail(doc, e.pos[0], pos);
    else if (e.code === 'TAB_AS_INDENT') detail = 'tabs are not allowed in indentation (use spaces)';
    // The parser catches its own stack overflow on very deep nesting and reports it as this message.
    else if (/maximum call stack size exceeded/i.test(e.message)) detail = TOO_DEEP;
    else detail = lowerFirst(e.message);
    out.push({ ...at, message: `invalid ${language}: ${detail}`, code: e.code });
  }
  return out;
}

/** `duplicate key team (first at line 3)`: the parser's message names neither the key nor the first occurrence. */
function duplicateKeyDetail(doc: Document.Parsed, offset: number, pos: (offset: number) => TextPosition): string {
  let detail = 'duplicate key';
  visit(doc, {
    Map(_, map) {
      const dup = map.items.find((p) => isPair(p) && isScalar(p.key) && p.key.range?.[0] === offset);
      if (!dup || !isScalar(dup.key)) return undefined;
      const name = String(dup.key.value);
      const first = map.items.find((p) => isScalar(p.key) && String(p.key.value) === name);
      const firstAt = first && isScalar(first.key) && first.key.range ? pos(first.key.range[0]) : undefined;
      detail = `duplicate key ${name}${firstAt ? ` (first at line ${firstAt.line})` : ''}`;
      return visit.BREAK;
    },
  });
  return detail;
}

/** `Map keys must be unique` → `map keys must be unique`: messages continue after `invalid YAML: `. */
export function lowerFirst(s: string): string {
  return s.length > 0 ? s[0].toLowerCase() + s.slice(1) : s;
}
