/** The strict readers under the catalog (and policy): UTF-8 decoding and the JSON syntax check. */
import fc from 'fast-check';
import { jsonSyntaxError } from '../../src/input/json-syntax';
import { checkUtf8, firstInvalidUtf8 } from '../../src/input/utf8';

const fatal = new TextDecoder('utf-8', { fatal: true });
const decodes = (b: Uint8Array): boolean => {
  try {
    fatal.decode(b);
    return true;
  } catch {
    return false;
  }
};

describe('firstInvalidUtf8', () => {
  it.each([
    ['a continuation byte alone', [0x61, 0x80], 1],
    ['an overlong 2-byte form', [0xc0, 0xaf], 0],
    ['an overlong 3-byte form', [0xe0, 0x80, 0xaf], 0],
    ['a UTF-16 surrogate', [0xed, 0xa0, 0x80], 0],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['a sequence cut off at the end', [0x61, 0xe2, 0x82], 1],
    ['Latin-1 é', [0x63, 0x61, 0x66, 0xe9], 3],
    ['valid é, €, 😀', [0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80], -1],
  ])('%s', (_, bytes, expected) => {
    expect(firstInvalidUtf8(Uint8Array.from(bytes))).toBe(expected);
  });

  it('agrees with TextDecoder (fatal) on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (b) => firstInvalidUtf8(b) < 0 === decodes(b)),
      { numRuns: 3000 },
    );
  });

  it('checkUtf8 drops a byte order mark and counts columns in characters', () => {
    expect(checkUtf8(Uint8Array.from([0xef, 0xbb, 0xbf, 0x61]))).toStrictEqual({ text: 'a' });
    expect(checkUtf8(Buffer.concat([Buffer.from('x\né: ', 'utf8'), Buffer.from([0xff])]))).toStrictEqual({
      problem: { line: 2, col: 4, message: 'not valid UTF-8: byte 0xff at byte offset 6 (save the file as UTF-8)' },
    });
  });
});

describe('jsonSyntaxError', () => {
  it('accepts whatever JSON.stringify writes, at any indentation', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2, '\t'), (v, indent) => {
        return jsonSyntaxError(JSON.stringify(v, null, indent)) === undefined;
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with JSON.parse on near-JSON text (a valid document with one character changed)', () => {
    const alphabet = [...'{}[],:"\\ \t\n0123456789-+.eEtruefalsn/\'x'];
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), fc.constantFrom(...alphabet), fc.boolean(), (v, at, c, insert) => {
        const text = JSON.stringify(v, null, 1);
        const i = at % (text.length + 1);
        const changed = text.slice(0, i) + c + text.slice(insert ? i : i + 1);
        let valid = true;
        try {
          JSON.parse(changed);
        } catch {
          valid = false;
        }
        return (jsonSyntaxError(changed) === undefined) === valid;
      }),
      { numRuns: 2000 },
    );
  });
});
