/**
 * Writes the example span exports for the bundled catalog (deterministic: same bytes every run):
 *
 *   examples/spans/page-NNN.json      Datadog Spans API list pages ({data, meta.page.after}, 1,000 spans each)
 *   examples/spans/ndjson/spans.ndjson the same spans, one list item per line
 *   examples/spans/otlp/traces.json    the same traces as OTLP JSON (hex ids; no sampler-kept chunks)
 *
 * Each export also holds a few malformed spans (counted, never a crash). The breakages are listed in
 * bench/synthetic-spans.ts. Regenerate with:  npx tsx examples/spans/generate.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { datadogItem, otlpDocument, SyntheticSpan, syntheticTraces } from '../../bench/synthetic-spans';

const TRACES = 400;
const PAGE = 1000;
const dir = __dirname;

const spans: SyntheticSpan[] = [];
for (const trace of syntheticTraces({ traces: TRACES, seed: 7 })) spans.push(...trace);
// Exports come sorted by start time, like the Spans API's `sort: timestamp`.
spans.sort((a, b) => a.start - b.start || (a.spanId < b.spanId ? -1 : 1));

const items: unknown[] = spans.map(datadogItem);
const malformed = [
  { type: 'spans', attributes: { trace_id: '1234', service: 'checkout-api', start_timestamp: '2026-11-28T11:59:00Z' } },
  {
    type: 'spans',
    attributes: { trace_id: '1234', span_id: '5678', service: 'checkout-api', start_timestamp: 'yesterday' },
  },
];
items.push(...malformed);

for (const f of fs.readdirSync(dir)) if (/^page-\d+\.json$/.test(f)) fs.rmSync(path.join(dir, f));
const pages = Math.ceil(items.length / PAGE);
for (let p = 0; p < pages; p++) {
  const data = items.slice(p * PAGE, (p + 1) * PAGE);
  const page = {
    data,
    meta: { page: p + 1 < pages ? { after: `cursor-${p + 2}` } : {}, status: 'done' },
    links: {},
  };
  fs.writeFileSync(path.join(dir, `page-${String(p + 1).padStart(3, '0')}.json`), `${JSON.stringify(page, null, 1)}\n`);
}

fs.mkdirSync(path.join(dir, 'ndjson'), { recursive: true });
fs.writeFileSync(
  path.join(dir, 'ndjson', 'spans.ndjson'),
  `${[...items.map((i) => JSON.stringify(i)), '{"type":"spans","attributes":{"trace_id": not json'].join('\n')}\n`,
);

fs.mkdirSync(path.join(dir, 'otlp'), { recursive: true });
const doc = otlpDocument(spans) as { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] };
doc.resourceSpans[0].scopeSpans[0].spans.push({ traceId: 'not-hex', spanId: '00f067aa0ba902b7', name: 'broken' });
fs.writeFileSync(path.join(dir, 'otlp', 'traces.json'), `${JSON.stringify(doc, null, 1)}\n`);

process.stdout.write(`wrote ${spans.length} spans in ${pages} pages, NDJSON and OTLP to ${path.relative(process.cwd(), dir)}\n`);
