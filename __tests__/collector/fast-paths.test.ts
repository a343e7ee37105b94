/**
 * The collector's per-span fast paths must give exactly what the general code gives: compiled attribute lookups
 * against `lookupAttribute`, the ISO timestamp arithmetic against Date.parse, the id scanner against the regexes.
 */
import fc from 'fast-check';
import { compileAttributePath } from '../../src/collector/attr-path';
import { compileSpanQuery } from '../../src/collector/match';
import { timestampMs } from '../../src/collector/readers/datadog';
import { datadogId } from '../../src/collector/readers/ids';
import { parseSpanQuery, SearchableSpan } from '../../src/datadog/span-query';
import { lookupAttribute, matchSpan } from './span-query-reference';

describe('compileAttributePath', () => {
  const seg = fc.constantFrom('a', 'b', 'c', '', '0', 'a.b', 'b.c', 'a.b.c', 'length');
  const value = fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom(1, 0, 'x', '', null, true, false),
      fc.dictionary(seg, tie('v'), { maxKeys: 4 }),
      fc.array(tie('v'), { maxLength: 2 }),
    ),
  })).v;
  const bag = fc.dictionary(seg, value, { maxKeys: 5 });
  const path = fc
    .array(fc.constantFrom('a', 'b', 'c', '', '0'), { minLength: 1, maxLength: 4 })
    .map((parts) => parts.join('.'));

  it('finds what lookupAttribute finds, in flat, nested and mixed bags', () => {
    fc.assert(
      fc.property(bag, path, (b, p) => {
        expect(compileAttributePath(p)(b)).toBe(lookupAttribute(b, p));
      }),
      { numRuns: 5_000 },
    );
  });

  it('handles the shapes the detectors read', () => {
    const kind = compileAttributePath('span.kind');
    expect(kind({ span: { kind: 'client' } })).toBe('client');
    expect(kind({ 'span.kind': 'server', span: { kind: 'client' } })).toBe('server');
    expect(kind({ span: null })).toBeUndefined();
    expect(kind(undefined)).toBeUndefined();
    const deep = compileAttributePath('http.request.method');
    expect(deep({ 'http.request': { method: 'GET' } })).toBe('GET');
    expect(deep({ http: { 'request.method': 'PUT' } })).toBe('PUT');
    expect(deep({ http: { request: { method: 'POST' } } })).toBe('POST');
  });
});

describe('timestampMs', () => {
  it('reads YYYY-MM-DDTHH:MM:SS.sssZ exactly as Date.parse, out-of-range fields and day overflow included', () => {
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    const cases: string[] = [];
    for (const y of [0, 1, 99, 100, 400, 1900, 1969, 1970, 2000, 2024, 2026, 2100, 9999])
      for (let mo = 0; mo <= 13; mo++)
        for (const d of [0, 1, 15, 28, 29, 30, 31, 32])
          for (const [h, mi, s, ms] of [
            [0, 0, 0, 0],
            [23, 59, 59, 999],
            [24, 0, 0, 0],
            [12, 60, 0, 1],
            [1, 2, 60, 3],
          ])
            cases.push(
              `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}Z`,
            );
    const expected = cases.map((c) => [c, Number.isFinite(Date.parse(c)) ? Date.parse(c) : undefined]);
    expect(cases.map((c) => [c, timestampMs(c)])).toEqual(expected);
  });

  it('leaves other shapes to Date.parse', () => {
    expect(timestampMs('2026-11-28T12:00:00Z')).toBe(Date.UTC(2026, 10, 28, 12));
    expect(timestampMs('2026-11-28T12:00:00.000+01:00')).toBe(Date.UTC(2026, 10, 28, 11));
    expect(timestampMs('2026-11-28T12:0a:00.000Z')).toBeUndefined();
    expect(timestampMs('1795863600001')).toBe(1795863600001);
  });
});

describe('datadogId', () => {
  it('accepts decimal and hex ids as the regexes did', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-hA-H_ ]{0,42}$/), (v) => {
        const expected =
          v === '' || v.length > 40
            ? undefined
            : /^[0-9]+$/.test(v)
              ? v.replace(/^0+(?=.)/, '')
              : /^[0-9a-fA-F]+$/.test(v)
                ? v.toLowerCase()
                : undefined;
        expect(datadogId(v)).toBe(expected);
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('compileSpanQuery', () => {
  const word = fc.constantFrom('a', 'B', 'prod', 'x-1', '1', 'error', 'ok', 'İ', '');
  const pattern = fc.constantFrom('a', 'b*', '*', 'PROD', '*1', 'x-*', 'error', 'ok', '1', 'true', 'i̇');
  const key = fc.constantFrom('env', 'service', 'version', 'resource_name', 'operation_name', 'status', 'host');
  const tagKey = fc.constantFrom('team', 'Team', 'env', 'a.b');
  const attrKey = fc.constantFrom('usr.id', '_top_level', 'a', 'a.b', 'error.message');
  const term = fc.oneof(
    fc.tuple(key, pattern).map(([k, v]) => `${k}:${v}`),
    fc.tuple(tagKey, pattern).map(([k, v]) => `${k}:${v}`),
    fc.tuple(attrKey, pattern).map(([k, v]) => `@${k}:${v}`),
    fc.constant('*'),
  );
  const query = fc
    .array(fc.tuple(fc.constantFrom('', '-', 'NOT '), term, fc.constantFrom(' ', ' AND ', ' OR ')), {
      minLength: 1,
      maxLength: 4,
    })
    .map((parts) =>
      parts
        .map(([neg, t, op], i) => `${i ? op : ''}${neg}${t}`)
        .join('')
        .trim(),
    );
  const scalar = fc.oneof(word, fc.constantFrom(1, 0, true, null));
  const attrValue = fc.oneof(scalar, fc.array(scalar, { maxLength: 2 }), fc.constant({ id: 'a' }));
  const span: fc.Arbitrary<SearchableSpan> = fc.record({
    traceId: fc.constantFrom('1', 'A'),
    spanId: fc.constantFrom('2', 'b'),
    service: fc.constantFrom('a', 'B', 'x-1'),
    env: fc.option(word, { nil: undefined }),
    version: fc.option(word, { nil: undefined }),
    resource: fc.option(word, { nil: undefined }),
    operation: fc.option(word, { nil: undefined }),
    host: fc.option(word, { nil: undefined }),
    error: fc.boolean(),
    tags: fc.option(
      fc.array(
        fc.tuple(tagKey, word).map(([k, v]) => `${k}:${v}`),
        { maxLength: 3 },
      ),
      { nil: undefined },
    ),
    attributes: fc.option(fc.dictionary(attrKey, attrValue, { maxKeys: 3 }), { nil: undefined }),
    topLevel: fc.option(fc.boolean(), { nil: undefined }),
  });

  it('answers as matchSpan does', () => {
    fc.assert(
      fc.property(query, span, (text, s) => {
        const q = parseSpanQuery(text);
        expect([text, compileSpanQuery(q)(s)]).toEqual([text, matchSpan(q, s)]);
      }),
      { numRuns: 5_000 },
    );
  });
});
