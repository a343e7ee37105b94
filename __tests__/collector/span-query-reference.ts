/**
 * The span-query semantics written the plain way — a tree-walking interpreter — as the reference the collector's
 * compiled evaluators (`compileSpanQuery`, `compileAttributePath`) are property-tested against. Test code only: the
 * collector evaluates queries with the compiled forms.
 */
import { RESERVED_ATTRIBUTES } from '../../src/datadog/metrics';
import type { SearchableSpan, SpanQuery } from '../../src/datadog/span-query';

/** Value patterns compiled once per pattern text. */
const patternCache = new Map<string, RegExp>();
function valueMatches(pattern: string, actual: string, caseInsensitive: boolean): boolean {
  if (!pattern.includes('*'))
    return caseInsensitive ? pattern.toLowerCase() === actual.toLowerCase() : pattern === actual;
  const cacheKey = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  let re = patternCache.get(cacheKey);
  if (!re) {
    const body = pattern
      .split('*')
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
    patternCache.set(cacheKey, re);
  }
  return re.test(actual);
}

/**
 * Look up an attribute by dotted path in a nested, flat or mixed object: `usr.id` finds `{ 'usr.id': x }`,
 * `{ usr: { id: x } }` and `{ usr: { 'id': x } }`.
 */
export function lookupAttribute(bag: Readonly<Record<string, unknown>> | undefined, path: string): unknown {
  if (!bag) return undefined;
  if (Object.prototype.hasOwnProperty.call(bag, path)) return bag[path];
  // Fast path for the common fully nested shape ({usr:{id:…}}).
  let node: unknown = bag;
  let from = 0;
  for (;;) {
    const dot = path.indexOf('.', from);
    const seg = dot < 0 ? path.slice(from) : path.slice(from, dot);
    if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, seg)) break;
    node = (node as Record<string, unknown>)[seg];
    if (dot < 0) return node;
    from = dot + 1;
  }
  if (path.indexOf('.') < 0) return undefined;
  let dot = path.indexOf('.');
  while (dot > 0) {
    const head = path.slice(0, dot);
    const next = bag[head];
    if (
      next !== null &&
      typeof next === 'object' &&
      !Array.isArray(next) &&
      Object.prototype.hasOwnProperty.call(bag, head)
    ) {
      const found = lookupAttribute(next as Record<string, unknown>, path.slice(dot + 1));
      if (found !== undefined) return found;
    }
    dot = path.indexOf('.', dot + 1);
  }
  return undefined;
}

function scalarValues(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.flatMap(scalarValues);
  if (typeof v === 'object') return [];
  return [String(v)];
}

function reservedValue(span: SearchableSpan, key: string): string | undefined {
  switch (key) {
    case 'env':
      return span.env;
    case 'service':
      return span.service;
    case 'version':
      return span.version;
    case 'resource_name':
      return span.resource;
    case 'operation_name':
      return span.operation;
    case 'status':
      return span.error ? 'error' : 'ok';
    case 'host':
      return span.host;
    case 'trace_id':
      return span.traceId;
    case 'span_id':
      return span.spanId;
    default:
      return undefined;
  }
}

function matchTerm(term: Extract<SpanQuery, { kind: 'term' }>, span: SearchableSpan): boolean {
  const exists = term.value === '*';
  if (!term.attribute) {
    if (RESERVED_ATTRIBUTES.has(term.key)) {
      const v = reservedValue(span, term.key);
      if (v === undefined || v === '') return false;
      return exists || valueMatches(term.value, v, true);
    }
    // A tag: `key:value` entries of the span's tags (case-insensitive, as Datadog lowercases tags).
    const prefix = `${term.key}:`;
    for (const tag of span.tags ?? []) {
      if (tag.length >= prefix.length && tag.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase()) {
        if (exists || valueMatches(term.value, tag.slice(prefix.length), true)) return true;
      }
    }
    return false;
  }
  const raw = lookupAttribute(span.attributes, term.key);
  if (term.key === '_top_level' && raw === undefined) {
    // Computed from the trace (see SearchableSpan.topLevel): Datadog marks service-entry spans `_top_level:1`.
    if (!span.topLevel) return false;
    return exists || valueMatches(term.value, '1', false);
  }
  const values = scalarValues(raw);
  if (values.length === 0) return raw !== undefined && raw !== null && exists;
  return exists || values.some((v) => valueMatches(term.value, v, false));
}

/** Does the span match the query? Pure; `@_top_level` falls back to `span.topLevel`. */
export function matchSpan(query: SpanQuery, span: SearchableSpan): boolean {
  switch (query.kind) {
    case 'all':
      return true;
    case 'term':
      return matchTerm(query, span);
    case 'not':
      return !matchSpan(query.expr, span);
    case 'and':
      return query.exprs.every((e) => matchSpan(e, span));
    case 'or':
      return query.exprs.some((e) => matchSpan(e, span));
  }
}
