/**
 * Span inputs: files or folders (the span files directly in them, in sorted path order so any listing order gives the same
 * result). By extension: `.ndjson`/`.jsonl` are streamed line by line (memory independent of file size); `.json`
 * holds a Datadog spans page, an array of spans, or an OTLP JSON document (detected by shape).
 *
 * A file we cannot read at all (missing, invalid JSON, unknown shape) is a UserError naming the file and the
 * reason; a bad span inside a good file is counted as malformed and reading goes on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../errors';
import { INCOMPLETE_PAGE, SpanSink } from '../model';
import { emitDatadogItems, mapDatadogSpan, pageIncompleteReason, spanAttributesOf } from './datadog';
import { quoteNumericIds, UnsafeNumericId } from './ids';
import { emitOtlpDocument, isOtlpDocument } from './otlp';

export const SPAN_FILE_EXTENSIONS = ['.json', '.ndjson', '.jsonl'] as const;

/** Every span file under the given paths, sorted. Throws UserError for a missing path or an empty folder. */
export function listSpanFiles(inputs: readonly string[], cwd = process.cwd()): string[] {
  const files: string[] = [];
  for (const input of inputs) {
    const abs = path.resolve(cwd, input);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      throw new UserError(`${input}: no such file or folder`);
    }
    if (st.isDirectory()) {
      const found = walk(abs).filter((f) => SPAN_FILE_EXTENSIONS.some((e) => f.endsWith(e)));
      if (found.length === 0)
        throw new UserError(`${input}: no span files (${SPAN_FILE_EXTENSIONS.join(', ')}) in this folder`);
      files.push(...found.map((f) => path.join(input, path.relative(abs, f))));
    } else files.push(input);
  }
  return [...new Set(files.map((f) => path.normalize(f)))].sort();
}

/** The files directly in a folder (not sub-folders: one export per folder, e.g. examples/spans/otlp/ apart). */
function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(dir, e.name));
}

/** Read one span file into the sink. `file` is shown in messages as given; `cwd` resolves it. */
export function readSpanFile(file: string, sink: SpanSink, cwd = process.cwd()): void {
  const abs = path.resolve(cwd, file);
  if (/\.(ndjson|jsonl)$/.test(file)) return readNdjson(abs, file, sink);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (e) {
    throw new UserError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  readJsonText(text, file, sink);
}

/** Parse a `.json` span document (Datadog page, span array, or OTLP) into the sink. */
export function readJsonText(text: string, file: string, sink: SpanSink): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file}:${jsonErrorLocation(text, e)}: invalid JSON (${jsonErrorReason(e)})`);
  }
  try {
    emitJsonDocument(doc, file, sink);
  } catch (e) {
    if (!(e instanceof UnsafeNumericId)) throw e;
    emitJsonDocument(JSON.parse(quoteNumericIds(text)), file, sink);
  }
}

function emitJsonDocument(doc: unknown, file: string, sink: SpanSink): void {
  if (isOtlpDocument(doc)) return emitOtlpDocument(doc, file, sink);
  if (Array.isArray(doc)) return emitDatadogItems(doc, (i) => `${file}: [${i}]`, sink);
  if (doc !== null && typeof doc === 'object' && Array.isArray((doc as { data?: unknown }).data)) {
    const page = doc as { data: unknown[]; meta?: unknown };
    const partial = pageIncompleteReason(page.meta);
    if (partial !== undefined) sink.incomplete?.(partial, file);
    return emitDatadogItems(
      page.data,
      (i) => `${file}: data[${i}]`,
      sink,
      partial === undefined ? undefined : INCOMPLETE_PAGE,
    );
  }
  throw new UserError(
    `${file}: not a span export (expected a Datadog spans page {"data":[…]}, an array of spans, or OTLP JSON {"resourceSpans":[…]}; NDJSON files must end in .ndjson or .jsonl)`,
  );
}

function lineOrigin(file: string, lineNo: number): string {
  return lineNo > 0 ? `${file}:${lineNo}` : file;
}

/** `file` is the origin, or with `lineNo` > 0 the file of that line: the `file:line` text is built only when needed. */
function ndjsonLine(line: string, file: string, lineNo: number, sink: SpanSink): void {
  if (line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim() === '')) return;
  let item: unknown;
  try {
    item = JSON.parse(line);
  } catch {
    return sink.malformed('invalid JSON', lineOrigin(file, lineNo));
  }
  // The OTLP file exporter writes JSON lines, one TracesData object per line, preferably `.jsonl`
  // (https://opentelemetry.io/docs/specs/otel/protocol/file-exporter/): read each as OTLP JSON.
  if (isOtlpDocument(item)) return emitOtlpDocument(item, lineOrigin(file, lineNo), sink);
  let m;
  try {
    m = mapDatadogSpan(spanAttributesOf(item));
  } catch (e) {
    if (!(e instanceof UnsafeNumericId)) throw e;
    m = mapDatadogSpan(spanAttributesOf(JSON.parse(quoteNumericIds(line))));
  }
  if (typeof m === 'string') sink.malformed(m, lineOrigin(file, lineNo));
  else sink.span(m);
}

/** Stream an NDJSON file in 1 MiB chunks: memory stays at one chunk plus the spans in flight. */
function readNdjson(abs: string, file: string, sink: SpanSink): void {
  let fd: number;
  try {
    fd = fs.openSync(abs, 'r');
  } catch (e) {
    throw new UserError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    // Bytes after the last newline so far; kept as bytes so a multi-byte character split by a chunk stays whole.
    let carry: Buffer = Buffer.alloc(0);
    let lineNo = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const lastNl = buf.lastIndexOf(10, n - 1);
      if (lastNl < 0) {
        carry = Buffer.concat([carry, buf.subarray(0, n)]);
        continue;
      }
      const text =
        carry.length > 0
          ? Buffer.concat([carry, buf.subarray(0, lastNl)]).toString('utf8')
          : buf.toString('utf8', 0, lastNl);
      carry = Buffer.from(buf.subarray(lastNl + 1, n));
      let from = 0;
      for (;;) {
        const nl = text.indexOf('\n', from);
        const line = nl < 0 ? text.slice(from) : text.slice(from, nl);
        lineNo++;
        ndjsonLine(line.endsWith('\r') ? line.slice(0, -1) : line, file, lineNo, sink);
        if (nl < 0) break;
        from = nl + 1;
      }
    }
    if (carry.length > 0) {
      lineNo++;
      ndjsonLine(carry.toString('utf8'), file, lineNo, sink);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function jsonErrorReason(e: unknown): string {
  return String((e as Error).message ?? e)
    .replace(/ in JSON at position \d+.*$/, '')
    .replace(/\s*\(line \d+ column \d+\)$/, '');
}

/** Where JSON.parse stopped in `text`, when its message says so before the end; undefined at the end. */
function errorPosition(text: string, e: unknown): number | undefined | 'before-end' {
  const msg = String((e as Error).message ?? '');
  const m = /position (\d+)/.exec(msg);
  if (m && Number(m[1]) < text.length) return Number(m[1]);
  if (m || /end of JSON input|Unterminated/.test(msg)) return undefined;
  return 'before-end';
}

/**
 * `line:col` of a JSON.parse error. Node 20's V8 does not always give a position ("Unexpected token '}', … is not
 * valid JSON"): then the offending character is found by bisecting on prefixes (a prefix that still parses, or
 * fails only at its end, is before the error). Only runs on the error path.
 */
function jsonErrorLocation(text: string, e: unknown): string {
  let pos: number;
  const direct = errorPosition(text, e);
  if (typeof direct === 'number') pos = direct;
  else if (direct === undefined) pos = text.length;
  else {
    let lo = 0;
    let hi = text.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const prefix = text.slice(0, mid + 1);
      let before = false;
      try {
        JSON.parse(prefix);
      } catch (pe) {
        before = errorPosition(prefix, pe) !== undefined;
      }
      if (before) hi = mid;
      else lo = mid + 1;
    }
    pos = lo;
  }
  let line = 1;
  let col = 1;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      col = 1;
    } else col++;
  }
  return `${line}:${col}`;
}
