/**
 * Span queries (src/datadog/span-query.ts) compiled to closures for the per-span hot path: the collector's one
 * evaluator. A property test holds it to the plain tree-walking reference (`matchSpan`,
 * __tests__/collector/span-query-reference.ts), which gives the same answer by walking the syntax tree, rebuilding
 * `key:` prefixes, lowercasing the pattern and allocating value arrays per span.
 */
import { RESERVED_ATTRIBUTES } from '../datadog/metrics';
import type { SearchableSpan, SpanQuery } from '../datadog/span-query';
import { compileAttributePath } from './attr-path';

export type SpanMatcher = (span: SearchableSpan) => boolean;

type Term = Extract<SpanQuery, { kind: 'term' }>;

/** How span-query reads each reserved attribute (searched without `@`) from the span model. */
const RESERVED: Readonly<Record<string, (s: SearchableSpan) => string | undefined>> = {
  env: (s) => s.env,
  service: (s) => s.service,
  version: (s) => s.version,
  resource_name: (s) => s.resource,
  operation_name: (s) => s.operation,
  status: (s) => (s.error ? 'error' : 'ok'),
  host: (s) => s.host,
  trace_id: (s) => s.traceId,
  span_id: (s) => s.spanId,
};

/** `valueMatches` of span-query, with the pattern prepared once. */
function valueMatcher(pattern: string, caseInsensitive: boolean): (actual: string) => boolean {
  if (!pattern.includes('*')) {
    if (!caseInsensitive) return (actual) => pattern === actual;
    const lower = pattern.toLowerCase();
    return (actual) => lower === actual.toLowerCase();
  }
  const body = pattern
    .split('*')
    .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const re = new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
  return (actual) => re.test(actual);
}

/** Any scalar (or scalar inside arrays, at any depth) of an attribute value matching. */
function someScalar(v: unknown, test: (s: string) => boolean): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) {
    for (const x of v) if (someScalar(x, test)) return true;
    return false;
  }
  if (typeof v === 'object') return false;
  return test(String(v));
}

function compileTerm(term: Term): SpanMatcher {
  const exists = term.value === '*';
  if (!term.attribute) {
    if (RESERVED_ATTRIBUTES.has(term.key)) {
      const read = Object.prototype.hasOwnProperty.call(RESERVED, term.key) ? RESERVED[term.key] : () => undefined;
      if (exists)
        return (s) => {
          const v = read(s);
          return v !== undefined && v !== '';
        };
      const test = valueMatcher(term.value, true);
      return (s) => {
        const v = read(s);
        return v !== undefined && v !== '' && test(v);
      };
    }
    // A tag: `key:value` entries of the span's tags, the key compared case-insensitively.
    const n = term.key.length + 1;
    const prefix = `${term.key}:`.toLowerCase();
    const test = exists ? undefined : valueMatcher(term.value, true);
    return (s) => {
      const tags = s.tags;
      if (tags === undefined) return false;
      for (const tag of tags)
        if (tag.length >= n && tag.slice(0, n).toLowerCase() === prefix && (test === undefined || test(tag.slice(n))))
          return true;
      return false;
    };
  }
  const lookup = compileAttributePath(term.key);
  const topLevel = term.key === '_top_level';
  // `@_top_level` without the attribute: the span's computed flag stands for the value "1".
  const topLevelValue = topLevel && (exists || valueMatcher(term.value, false)('1'));
  if (exists)
    return (s) => {
      const raw = lookup(s.attributes);
      if (raw === undefined && topLevel) return !!s.topLevel && topLevelValue;
      return raw !== undefined && raw !== null;
    };
  const test = valueMatcher(term.value, false);
  return (s) => {
    const raw = lookup(s.attributes);
    if (raw === undefined && topLevel) return !!s.topLevel && topLevelValue;
    return someScalar(raw, test);
  };
}

export function compileSpanQuery(query: SpanQuery): SpanMatcher {
  switch (query.kind) {
    case 'all':
      return () => true;
    case 'term':
      return compileTerm(query);
    case 'not': {
      const inner = compileSpanQuery(query.expr);
      return (s) => !inner(s);
    }
    case 'and': {
      const parts = query.exprs.map(compileSpanQuery);
      return (s) => {
        for (const p of parts) if (!p(s)) return false;
        return true;
      };
    }
    case 'or': {
      const parts = query.exprs.map(compileSpanQuery);
      return (s) => {
        for (const p of parts) if (p(s)) return true;
        return false;
      };
    }
  }
}
