/**
 * A documented subset of Datadog's span-search syntax, parsed locally. The collector evaluates tag rule scopes with
 * it (`compileSpanQuery`, src/collector/match.ts; so its tag coverage matches what the span-based metrics count), and
 * the policy validates every `scope` with `parseSpanQuery` so that unsupported syntax is a policy error, not a silent
 * mismatch.
 *
 * Supported:
 *   *                        every span
 *   key:value                reserved attributes (env, service, version, resource_name, operation_name, status,
 *                            host, trace_id, span_id) or a span tag (`team:checkout`)
 *   @attr:value  @attr:*     span attributes; `*` alone means "has the attribute"
 *   value wildcards          `service:web-*`, `@http.url:*checkout*`
 *   "quoted values"          `@error.message:"connection refused"`
 *   -term, NOT term          negation
 *   a AND b, a b             conjunction (space is an implicit AND)
 *   a OR b                   disjunction (binds looser than AND)
 *   ( … )                    grouping
 *   status:error|ok          the span's error flag
 *   @_top_level:1            service-entry spans; when a span has no `_top_level` attribute it is computed from the
 *                            trace as Datadog's tracer does (src/collector/entry.ts)
 *
 * Not supported (a SpanQueryError naming the column): free text, ranges (`>`, `<`, `[a TO b]`), value groups
 * (`key:(a OR b)`), lowercase boolean operators, empty values.
 */
import { RESERVED_ATTRIBUTES } from './metrics';
import { UserError } from '../errors';

/** The span fields a query can look at. The collector's span model satisfies this structurally. */
export interface SearchableSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly service: string;
  readonly env?: string;
  readonly version?: string;
  readonly resource?: string;
  readonly operation?: string;
  readonly host?: string;
  readonly error: boolean;
  /** `key:value` tags (Datadog `tags` array). */
  readonly tags?: readonly string[];
  /** Span attributes, nested (`{usr:{id:…}}`) or flat (`{'usr.id':…}`) or mixed. */
  readonly attributes?: Readonly<Record<string, unknown>>;
  /** Service-entry span, computed from the trace; used when the span carries no `_top_level` attribute. */
  readonly topLevel?: boolean;
}

export type SpanQuery =
  | { readonly kind: 'all' }
  | {
      readonly kind: 'term';
      /** `@` attribute (true) or reserved attribute / tag (false). */
      readonly attribute: boolean;
      readonly key: string;
      /** The value as written (unquoted, unescaped); `*` alone means "exists". */
      readonly value: string;
      /** 1-based column of the term in the query text. */
      readonly column: number;
    }
  | { readonly kind: 'not'; readonly expr: SpanQuery }
  | { readonly kind: 'and'; readonly exprs: readonly SpanQuery[] }
  | { readonly kind: 'or'; readonly exprs: readonly SpanQuery[] };

/** A query we cannot evaluate faithfully. `column` is 1-based; the message names it and the offending text. */
export class SpanQueryError extends UserError {
  readonly query: string;
  readonly column: number;
  readonly reason: string;
  constructor(query: string, column: number, reason: string) {
    super(`span query ${JSON.stringify(query)}: column ${column}: ${reason}`);
    this.name = 'SpanQueryError';
    this.query = query;
    this.column = column;
    this.reason = reason;
  }
}

/** Reserved attributes searched without `@`: the same list the span-based metric filters are built with. */
const RESERVED_KEYS = RESERVED_ATTRIBUTES;

type Token =
  | { t: 'lparen' | 'rparen' | 'and' | 'or' | 'not' | 'minus' | 'star'; col: number }
  | { t: 'term'; col: number; attribute: boolean; key: string; value: string };

const SUPPORTED_HINT =
  'supported: key:value, @attr:value, @attr:*, wildcards, "quoted values", -term, NOT, AND, OR, parentheses';

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (at: number, reason: string): never => {
    throw new SpanQueryError(text, at + 1, reason);
  };
  const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  while (i < text.length) {
    const c = text[i];
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '(') {
      tokens.push({ t: 'lparen', col: start + 1 });
      i++;
      continue;
    }
    if (c === ')') {
      tokens.push({ t: 'rparen', col: start + 1 });
      i++;
      continue;
    }
    if (c === '-') {
      // `-` directly before a term negates it; `- x` (with a space) is not a negation in Datadog either.
      if (i + 1 >= text.length || isSpace(text[i + 1]) || text[i + 1] === ')')
        fail(start, `"${c}" must be followed directly by a term`);
      tokens.push({ t: 'minus', col: start + 1 });
      i++;
      continue;
    }
    if (c === '*' && (i + 1 >= text.length || isSpace(text[i + 1]) || text[i + 1] === ')')) {
      tokens.push({ t: 'star', col: start + 1 });
      i++;
      continue;
    }
    if (c === '"')
      fail(start, `free-text search (${JSON.stringify(readWord(text, i))}) is not supported; ${SUPPORTED_HINT}`);
    // A key: `@attr` or a bare word. Bare AND/OR/NOT are operators.
    let attribute = false;
    if (c === '@') {
      attribute = true;
      i++;
    }
    const keyStart = i;
    while (i < text.length && /[A-Za-z0-9_.\-/]/.test(text[i])) i++;
    const key = text.slice(keyStart, i);
    if (!attribute && i < text.length && text[i] !== ':' && !isSpace(text[i]) && text[i] !== ')')
      fail(i, `unexpected ${JSON.stringify(text[i])}; ${SUPPORTED_HINT}`);
    if (!attribute && (i >= text.length || text[i] !== ':')) {
      if (key === 'AND' || key === 'OR' || key === 'NOT') {
        tokens.push({ t: key === 'AND' ? 'and' : key === 'OR' ? 'or' : 'not', col: start + 1 });
        continue;
      }
      if (key === 'and' || key === 'or' || key === 'not')
        fail(start, `boolean operators are uppercase (${key.toUpperCase()}); "${key}" would be free text`);
      fail(start, `free-text search (${JSON.stringify(readWord(text, start))}) is not supported; use key:value`);
    }
    if (key === '') fail(keyStart, attribute ? 'an attribute name must follow "@"' : `unexpected ${JSON.stringify(c)}`);
    if (i >= text.length || text[i] !== ':') fail(i, `expected ":" after ${attribute ? '@' : ''}${key}`);
    i++; // ':'
    // Value: quoted, or bare up to whitespace / ')' (backslash escapes any character).
    const valueStart = i;
    let value = '';
    if (i < text.length && text[i] === '"') {
      i++;
      let closed = false;
      while (i < text.length) {
        const ch = text[i];
        if (ch === '\\' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        if (ch === '"') {
          closed = true;
          i++;
          break;
        }
        value += ch;
        i++;
      }
      if (!closed) fail(valueStart, 'unterminated quoted value');
    } else {
      while (i < text.length && !isSpace(text[i]) && text[i] !== ')') {
        const ch = text[i];
        if (ch === '\\' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        if (ch === '(') fail(i, 'value groups like key:(a OR b) are not supported; write (key:a OR key:b)');
        if (ch === '[' || ch === '{') fail(i, 'ranges like key:[a TO b] are not supported');
        if ((ch === '>' || ch === '<') && i === valueStart)
          fail(i, 'numeric comparisons (>, <, >=, <=) are not supported');
        value += ch;
        i++;
      }
      if (value === '') fail(valueStart, `missing value after ${attribute ? '@' : ''}${key}:`);
    }
    tokens.push({ t: 'term', col: start + 1, attribute, key, value });
  }
  return tokens;
}

function readWord(text: string, from: number): string {
  let j = from;
  while (j < text.length && !/\s|\)/.test(text[j])) j++;
  return text.slice(from, j);
}

/**
 * Parse a span-search query into an AST. Throws `SpanQueryError` (a UserError) with the 1-based column for
 * anything outside the supported subset. An empty query or `*` selects every span.
 */
export function parseSpanQuery(text: string): SpanQuery {
  const tokens = tokenize(text);
  if (tokens.length === 0) return { kind: 'all' };
  let pos = 0;
  const end = text.length + 1;
  const peek = () => tokens[pos];
  const fail = (col: number, reason: string): never => {
    throw new SpanQueryError(text, col, reason);
  };

  const parseOr = (): SpanQuery => {
    const exprs = [parseAnd()];
    while (peek()?.t === 'or') {
      const op = tokens[pos++];
      if (!peek() || peek().t === 'rparen' || peek().t === 'or' || peek().t === 'and')
        fail(peek()?.col ?? end, `OR at column ${op.col} needs a term after it`);
      exprs.push(parseAnd());
    }
    return exprs.length === 1 ? exprs[0] : { kind: 'or', exprs };
  };
  const parseAnd = (): SpanQuery => {
    const exprs = [parseUnary()];
    for (;;) {
      const tok = peek();
      if (!tok || tok.t === 'rparen' || tok.t === 'or') break;
      if (tok.t === 'and') {
        pos++;
        const next = peek();
        if (!next || next.t === 'rparen' || next.t === 'or' || next.t === 'and')
          fail(next?.col ?? end, `AND at column ${tok.col} needs a term after it`);
      }
      exprs.push(parseUnary());
    }
    return exprs.length === 1 ? exprs[0] : { kind: 'and', exprs };
  };
  const parseUnary = (): SpanQuery => {
    const tok = peek();
    if (!tok) return fail(end, 'query ends where a term was expected');
    if (tok.t === 'minus' || tok.t === 'not') {
      pos++;
      const next = peek();
      if (!next || next.t === 'rparen' || next.t === 'and' || next.t === 'or')
        fail(next?.col ?? end, `${tok.t === 'not' ? 'NOT' : '-'} at column ${tok.col} needs a term after it`);
      return { kind: 'not', expr: parseUnary() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): SpanQuery => {
    const tok = tokens[pos++];
    switch (tok.t) {
      case 'lparen': {
        if (peek()?.t === 'rparen') fail(tok.col, 'empty parentheses');
        const inner = parseOr();
        const close = tokens[pos++];
        if (!close || close.t !== 'rparen') fail(tok.col, 'unclosed "("');
        return inner;
      }
      case 'star':
        return { kind: 'all' };
      case 'term':
        return { kind: 'term', attribute: tok.attribute, key: tok.key, value: tok.value, column: tok.col };
      case 'rparen':
        return fail(tok.col, 'unexpected ")"');
      default:
        return fail(tok.col, `unexpected ${tok.t.toUpperCase()} where a term was expected`);
    }
  };

  const ast = parseOr();
  if (pos < tokens.length) {
    const tok = tokens[pos];
    fail(tok.col, tok.t === 'rparen' ? 'unexpected ")"' : 'unexpected token');
  }
  return ast;
}

/** True when the query reads `@_top_level` (the collector then computes top-level flags from the trace). */
export function usesTopLevel(query: SpanQuery): boolean {
  switch (query.kind) {
    case 'term':
      return query.attribute && query.key === '_top_level';
    case 'not':
      return usesTopLevel(query.expr);
    case 'and':
    case 'or':
      return query.exprs.some(usesTopLevel);
    default:
      return false;
  }
}

/** The fields a query reads: `@` attribute paths and (non-reserved) tag keys. */
export function queryFields(query: SpanQuery, into = { attributes: new Set<string>(), tags: new Set<string>() }) {
  switch (query.kind) {
    case 'term':
      if (query.attribute) into.attributes.add(query.key);
      else if (!RESERVED_KEYS.has(query.key)) into.tags.add(query.key);
      break;
    case 'not':
      queryFields(query.expr, into);
      break;
    case 'and':
    case 'or':
      for (const e of query.exprs) queryFields(e, into);
      break;
  }
  return into;
}
