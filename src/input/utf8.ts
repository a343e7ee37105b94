/**
 * Strict UTF-8 decoding for the files we read (catalog definitions, snapshots, the policy). `readFileSync(f, 'utf8')`
 * silently turns invalid bytes into U+FFFD, so a Latin-1 `café` would become a service named `caf\uFFFD` and every
 * monitor would carry the wrong name. Pure.
 */
import { UserError } from '../errors';

const decoder = new TextDecoder('utf-8', { fatal: true });
const NOT_UTF8 = 'not valid UTF-8';

export interface Utf8Problem {
  readonly line: number;
  /** In characters, like every other file:line:col message (the bytes before it on the line are valid UTF-8). */
  readonly col: number;
  readonly message: string;
}

/** The text of `bytes` (a leading BOM dropped), or where and why it is not valid UTF-8. */
export function checkUtf8(bytes: Uint8Array): { text: string } | { problem: Utf8Problem } {
  try {
    return { text: decoder.decode(bytes) };
  } catch {
    const offset = firstInvalidUtf8(bytes);
    if (offset < 0) return { problem: { line: 1, col: 1, message: `${NOT_UTF8} (save the file as UTF-8)` } };
    let lineStart = 0;
    let line = 1;
    for (let i = 0; i < offset; i++)
      if (bytes[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    const col = decoder.decode(bytes.subarray(lineStart, offset)).length + 1;
    const hex = bytes[offset].toString(16).padStart(2, '0');
    const message = `${NOT_UTF8}: byte 0x${hex} at byte offset ${offset} (save the file as UTF-8)`;
    return { problem: { line, col, message } };
  }
}

/** The text of `bytes`; a UserError `file:line:col: not valid UTF-8: byte 0xe9 at byte offset 17 …` if invalid. */
export function decodeUtf8(file: string, bytes: Uint8Array): string {
  const r = checkUtf8(bytes);
  if ('text' in r) return r.text;
  throw new UserError(`${file}:${r.problem.line}:${r.problem.col}: ${r.problem.message}`);
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629), or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let more: number;
    if (c >= 0xc2 && c <= 0xdf) more = 1;
    else if (c >= 0xe0 && c <= 0xef) more = 2;
    else if (c >= 0xf0 && c <= 0xf4) more = 3;
    else return i; // a continuation byte, an overlong 2-byte lead (C0, C1), or beyond U+10FFFF (F5-FF)
    if (i + more >= b.length) return i; // cut off at the end of the file
    for (let k = 1; k <= more; k++) if ((b[i + k] & 0xc0) !== 0x80) return i;
    const next = b[i + 1];
    // Overlong 3- and 4-byte forms, UTF-16 surrogates (ED A0-BF), code points above U+10FFFF.
    if ((c === 0xe0 && next < 0xa0) || (c === 0xed && next > 0x9f)) return i;
    if ((c === 0xf0 && next < 0x90) || (c === 0xf4 && next > 0x8f)) return i;
    i += more + 1;
  }
  return -1;
}
