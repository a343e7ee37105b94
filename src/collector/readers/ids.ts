/**
 * Span ids as exact strings. Datadog ids are unsigned 64-bit decimals: JSON.parse turns a numeric literal above
 * 2^53 into a different number, so a reader that meets a numeric id it cannot trust re-reads the source text with
 * the id literals quoted (`quoteNumericIds`) and gets the exact digits back.
 */

/** Keys whose numeric values must be read as their source digits. */
const ID_LITERAL =
  /("(?:trace_id|span_id|parent_id|traceId|spanId|parentId|parentSpanId)"\s*:\s*)(-?[0-9][0-9.eE+-]*)/g;

/** Rewrite `"trace_id": 123…` as `"trace_id": "123…"` so that JSON.parse keeps every digit. */
export function quoteNumericIds(text: string): string {
  return text.replace(ID_LITERAL, '$1"$2"');
}

/** Thrown (internally) when an id came back as a number that may have lost digits: re-read the source. */
export class UnsafeNumericId extends Error {
  constructor() {
    super('numeric id above 2^53');
  }
}

const HEX = /^[0-9a-fA-F]+$/;

/**
 * A Datadog id (decimal string; hex accepted for 128-bit trace ids) or undefined when absent/invalid.
 * Safe-integer numbers are exact; larger ones throw UnsafeNumericId so the caller re-reads the source text.
 */
export function datadogId(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const n = v.length;
    if (n === 0 || n > 40) return undefined;
    // Per character rather than /^[0-9]+$/ then /^[0-9a-fA-F]+$/: three ids per span.
    let decimal = true;
    for (let i = 0; i < n; i++) {
      const c = v.charCodeAt(i);
      if (c >= 48 && c <= 57) continue;
      if (!((c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return undefined;
      decimal = false;
    }
    if (decimal) return n > 1 && v.charCodeAt(0) === 48 ? v.replace(/^0+(?=.)/, '') : v;
    return v.toLowerCase();
  }
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && v >= 0) return String(v);
    if (Number.isInteger(v) && v > 0) throw new UnsafeNumericId();
    return undefined;
  }
  return undefined;
}

/**
 * An OTLP id: hex per the OTLP/JSON spec (lowercased); base64 (the protobuf JSON mapping some exporters emit) and
 * raw bytes (decoded protobuf) are converted to hex. All-zero ids are invalid. Returns undefined when invalid, ''
 * when empty.
 */
export function otlpId(v: unknown, bytes: 8 | 16): string | undefined {
  // An unset bytes field of a decoded protobuf message reads as an empty array.
  if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) return '';
  if (v instanceof Uint8Array) {
    if (v.length === 0) return '';
    if (v.length !== bytes) return undefined;
    const hex = Buffer.from(v.buffer, v.byteOffset, v.length).toString('hex');
    return /^0+$/.test(hex) ? undefined : hex;
  }
  if (typeof v !== 'string') return undefined;
  let hex: string | undefined;
  if (v.length === bytes * 2 && HEX.test(v)) hex = v.toLowerCase();
  else if (/^[A-Za-z0-9+/]+={0,2}$/.test(v)) {
    const buf = Buffer.from(v, 'base64');
    if (buf.length === bytes) hex = buf.toString('hex');
  }
  if (hex === undefined || /^0+$/.test(hex)) return undefined;
  return hex;
}

/** Compare ids so that "smallest" is stable: shorter first, then lexicographic (numeric order for decimals). */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
