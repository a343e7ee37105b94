import { compileAttributePath } from '../../src/collector/attr-path';
import { compileSpanQuery } from '../../src/collector/match';
import {
  parseSpanQuery,
  queryFields,
  SearchableSpan,
  SpanQueryError,
  usesTopLevel,
} from '../../src/datadog/span-query';
import { UserError } from '../../src/errors';

const base: SearchableSpan = {
  traceId: '18446744073709551615',
  spanId: '9007199254740993',
  service: 'checkout-api',
  env: 'prod',
  version: '2.14.0',
  resource: 'POST /checkout',
  operation: 'http.request',
  host: 'i-123',
  error: false,
  tags: ['team:checkout', 'Region:EU-West'],
  attributes: { usr: { id: 'u-1' }, 'http.status_code': 200, http: { method: 'POST' }, list: ['a', 'b'] },
};

function matches(query: string, span: Partial<SearchableSpan> = {}): boolean {
  return compileSpanQuery(parseSpanQuery(query))({ ...base, ...span });
}

function errorOf(query: string): SpanQueryError {
  try {
    parseSpanQuery(query);
  } catch (e) {
    if (e instanceof SpanQueryError) return e;
    throw e;
  }
  throw new Error(`expected ${query} to fail`);
}

describe('parseSpanQuery', () => {
  it('parses every supported construct into an AST', () => {
    expect(parseSpanQuery('*')).toEqual({ kind: 'all' });
    expect(parseSpanQuery('   ')).toEqual({ kind: 'all' });
    expect(parseSpanQuery('service:a env:prod')).toEqual({
      kind: 'and',
      exprs: [
        { kind: 'term', attribute: false, key: 'service', value: 'a', column: 1 },
        { kind: 'term', attribute: false, key: 'env', value: 'prod', column: 11 },
      ],
    });
    expect(parseSpanQuery('-@usr.id:* OR (status:error AND NOT @x:"a b")')).toEqual({
      kind: 'or',
      exprs: [
        { kind: 'not', expr: { kind: 'term', attribute: true, key: 'usr.id', value: '*', column: 2 } },
        {
          kind: 'and',
          exprs: [
            { kind: 'term', attribute: false, key: 'status', value: 'error', column: 16 },
            { kind: 'not', expr: { kind: 'term', attribute: true, key: 'x', value: 'a b', column: 37 } },
          ],
        },
      ],
    });
  });

  it('binds AND tighter than OR', () => {
    expect(parseSpanQuery('a:1 b:2 OR c:3')).toMatchObject({
      kind: 'or',
      exprs: [{ kind: 'and' }, { kind: 'term', key: 'c' }],
    });
  });

  it('unescapes backslashes in values', () => {
    expect(parseSpanQuery('@url:a\\ b\\:c')).toMatchObject({ kind: 'term', key: 'url', value: 'a b:c' });
  });

  it.each([
    ['hello', 1, /free-text search \("hello"\) is not supported/],
    ['service:a hello', 11, /free-text search/],
    ['"quoted text"', 1, /free-text search/],
    ['@duration:>100', 11, /numeric comparisons/],
    ['@duration:[1 TO 5]', 11, /ranges/],
    ['service:(a OR b)', 9, /value groups/],
    ['service:a and env:b', 11, /uppercase \(AND\)/],
    ['service:a OR', 13, /OR at column 11 needs a term/],
    ['service:a AND', 14, /AND at column 11 needs a term/],
    ['(service:a', 1, /unclosed "\("/],
    ['service:a)', 10, /unexpected "\)"/],
    ['()', 1, /empty parentheses/],
    ['- service:a', 1, /must be followed directly by a term/],
    ['NOT', 4, /NOT at column 1 needs a term/],
    ['service:', 9, /missing value after service:/],
    ['@:x', 2, /an attribute name must follow "@"/],
    ['@x:"open', 4, /unterminated quoted value/],
    ['OR service:a', 1, /unexpected OR where a term was expected/],
  ])('fails when the query is %j (column %i)', (query, column, message) => {
    const e = errorOf(query);
    expect(e).toBeInstanceOf(UserError);
    expect(e.column).toBe(column);
    expect(e.message).toMatch(message);
    expect(e.message).toContain(`span query ${JSON.stringify(query)}: column ${column}: `);
  });
});

describe('compileSpanQuery', () => {
  it('matches reserved attributes case-insensitively, with wildcards', () => {
    expect(matches('service:checkout-api')).toBe(true);
    expect(matches('service:CHECKOUT-API')).toBe(true);
    expect(matches('service:checkout-*')).toBe(true);
    expect(matches('service:*-api env:prod')).toBe(true);
    expect(matches('service:payments-api')).toBe(false);
    expect(matches('version:2.14.*')).toBe(true);
    expect(matches('resource_name:"POST /checkout"')).toBe(true);
    expect(matches('operation_name:http.request host:i-123')).toBe(true);
    expect(matches('env:*', { env: undefined })).toBe(false);
  });

  it('matches ids as exact strings (no number precision loss)', () => {
    expect(matches('trace_id:18446744073709551615')).toBe(true);
    expect(matches('trace_id:18446744073709551616')).toBe(false);
    expect(matches('span_id:9007199254740992')).toBe(false);
  });

  it('matches status from the error flag', () => {
    expect(matches('status:error')).toBe(false);
    expect(matches('status:error', { error: true })).toBe(true);
    expect(matches('status:ok')).toBe(true);
  });

  it('matches attributes nested, flat or as lists, and existence', () => {
    expect(matches('@usr.id:*')).toBe(true);
    expect(matches('-@usr.id:*')).toBe(false);
    expect(matches('@usr.id:u-1')).toBe(true);
    expect(matches('@usr.id:U-1')).toBe(false);
    expect(matches('@http.status_code:200 @http.method:POST')).toBe(true);
    expect(matches('@list:b')).toBe(true);
    expect(matches('@error.message:*')).toBe(false);
    expect(matches('@usr.id:*', { attributes: { usr: { id: null } } })).toBe(false);
  });

  it('matches tags without @', () => {
    expect(matches('team:checkout')).toBe(true);
    expect(matches('region:eu-*')).toBe(true);
    expect(matches('team:payments')).toBe(false);
    expect(matches('missing:*')).toBe(false);
  });

  it('combines with AND, OR, NOT and parentheses', () => {
    expect(matches('service:x OR env:prod')).toBe(true);
    expect(matches('service:x OR (env:prod AND status:error)')).toBe(false);
    expect(matches('NOT service:x')).toBe(true);
    expect(matches('*')).toBe(true);
    expect(matches('* -service:checkout-api')).toBe(false);
  });

  it('computes @_top_level from the trace when the attribute is absent', () => {
    expect(matches('@_top_level:1', { topLevel: true })).toBe(true);
    expect(matches('@_top_level:1', { topLevel: false })).toBe(false);
    expect(matches('@_top_level:1')).toBe(false);
    expect(matches('-@_top_level:*', { topLevel: false })).toBe(true);
    // An explicit attribute wins over the computed flag.
    expect(matches('@_top_level:1', { topLevel: false, attributes: { _top_level: 1 } })).toBe(true);
    expect(usesTopLevel(parseSpanQuery('service:a (-@_top_level:1 OR x:y)'))).toBe(true);
    expect(usesTopLevel(parseSpanQuery('status:error'))).toBe(false);
  });
});

describe('compileAttributePath', () => {
  it('finds flat, nested and mixed paths', () => {
    expect(compileAttributePath('a.b.c')({ 'a.b.c': 1 })).toBe(1);
    expect(compileAttributePath('a.b.c')({ a: { b: { c: 2 } } })).toBe(2);
    expect(compileAttributePath('a.b.c')({ a: { 'b.c': 3 } })).toBe(3);
    expect(compileAttributePath('a.b.c')({ 'a.b': { c: 4 } })).toBe(4);
    expect(compileAttributePath('a.b')({ a: 'x' })).toBeUndefined();
    expect(compileAttributePath('a')(undefined)).toBeUndefined();
  });
});

describe('queryFields', () => {
  it('lists the attributes and tags a query reads (reserved attributes are span fields)', () => {
    const f = queryFields(parseSpanQuery('service:a (@usr.id:* OR -team:x) NOT @_top_level:1 status:error'));
    expect([...f.attributes]).toEqual(['usr.id', '_top_level']);
    expect([...f.tags]).toEqual(['team']);
  });
});
