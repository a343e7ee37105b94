/**
 * `npm run bench:collect`: the collector on ≥ 1 million generated spans, against a bare JSON.parse of the same
 * files in the same run.
 *
 *   - NDJSON: one file (hundreds of MB): memory follows the traces in flight, not the file size (compare
 *     SPANS=200000 with the default: same density, same memory, five times the file);
 *   - Datadog JSON pages: 1,000 spans per file, as the Spans API returns them.
 *
 * Each measurement runs in its own process (max RSS is per process). Reported: spans/s, the time ratio
 * collector / bare parse (target ≤ 2), max RSS of each, the input size and the peak number of traces in flight.
 * Options: SPANS=<n> (default 1,000,000), RUNS=<n> runs per measurement, median kept (default 3), KEEP=1 keeps
 * the generated files.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { datadogItem, syntheticTraces } from './synthetic-spans';

const TARGET = Number(process.env.SPANS ?? 1_000_000);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-collect-'));
const ndjsonDir = path.join(root, 'ndjson');
const pagesDir = path.join(root, 'pages');
fs.mkdirSync(ndjsonDir);
fs.mkdirSync(pagesDir);

// Generate: ~8 spans per trace; stop at TARGET spans.
const t0 = Date.now();
const fd = fs.openSync(path.join(ndjsonDir, 'spans.ndjson'), 'w');
let spans = 0;
let lines: string[] = [];
let page: string[] = [];
let pageNo = 0;
const flushPage = () => {
  if (!page.length) return;
  pageNo++;
  fs.writeFileSync(
    path.join(pagesDir, `page-${String(pageNo).padStart(5, '0')}.json`),
    `{"data":[${page.join(',')}],"meta":{"page":{"after":"c${pageNo}"}}}`,
  );
  page = [];
};
// A constant density (200,000 spans per hour of span time) whatever SPANS is: traces in flight depend on the
// density and the assembly horizon, so a bigger input must not need more memory.
const HOURS = TARGET / 200_000;
for (const trace of syntheticTraces({ traces: Math.ceil(TARGET / 7), seed: 11, spanMs: HOURS * 3_600_000 })) {
  for (const s of trace) {
    const json = JSON.stringify(datadogItem(s));
    lines.push(json);
    page.push(json);
    if (page.length === 1000) flushPage();
    spans++;
  }
  if (lines.length >= 10_000) {
    fs.writeSync(fd, `${lines.join('\n')}\n`);
    lines = [];
  }
  if (spans >= TARGET) break;
}
fs.writeSync(fd, lines.length ? `${lines.join('\n')}\n` : '');
fs.closeSync(fd);
flushPage();
const mb = (dir: string) =>
  Math.round(fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0) / 1e6);
process.stdout.write(
  `generated ${spans} spans (${HOURS.toFixed(1)} h of traffic) in ${((Date.now() - t0) / 1000).toFixed(1)} s: NDJSON ${mb(ndjsonDir)} MB (1 file), pages ${mb(pagesDir)} MB (${pageNo} files)\n\n`,
);

interface Result {
  mode: string;
  spans: number;
  ms: number;
  cpuMs: number;
  maxRssMb: number;
  peakTracesInFlight?: number;
}
/**
 * RUNS (default 3) runs of the bare parse and of the collector, alternated so that a change in machine load hits
 * both; the median of each figure is kept (wall time, CPU time and max RSS separately). CPU time (user + system,
 * GC threads included) is reported too: on a busy machine it varies less than wall time.
 */
function measurePair(kind: string, dir: string): [Result, Result] {
  const bare: Result[] = [];
  const coll: Result[] = [];
  for (let i = 0; i < Number(process.env.RUNS ?? 3); i++) {
    bare.push(measureOnce(`parse-${kind}`, dir));
    coll.push(measureOnce(`collect-${kind}`, dir));
  }
  return [median(bare), median(coll)];
}
function median(runs: Result[]): Result {
  const mid = (f: (r: Result) => number) => {
    const v = runs.map(f).sort((a, b) => a - b);
    return v.length % 2 ? v[v.length >> 1] : Math.round((v[v.length / 2 - 1] + v[v.length / 2]) / 2);
  };
  return { ...runs[0], ms: mid((r) => r.ms), cpuMs: mid((r) => r.cpuMs), maxRssMb: mid((r) => r.maxRssMb) };
}
function measureOnce(mode: string, dir: string): Result {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'collect-child.ts'), mode, dir], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`${mode} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Result;
}

const rows: string[] = [];
for (const [label, dir, kind] of [
  ['NDJSON', ndjsonDir, 'ndjson'],
  ['JSON pages', pagesDir, 'pages'],
] as const) {
  const [bare, coll] = measurePair(kind, dir);
  if (bare.spans !== coll.spans) throw new Error(`span counts differ: ${bare.spans} vs ${coll.spans}`);
  const rate = (r: Result) => Math.round(r.spans / (r.ms / 1000)).toLocaleString('en-US');
  rows.push(
    `| ${label} | ${coll.spans.toLocaleString('en-US')} | ${(bare.ms / 1000).toFixed(2)} s (${rate(bare)}/s) | ${(coll.ms / 1000).toFixed(2)} s (${rate(coll)}/s) | **${(coll.ms / bare.ms).toFixed(2)}×** | ${(coll.cpuMs / bare.cpuMs).toFixed(2)}× | ${bare.maxRssMb} MB | ${coll.maxRssMb} MB | ${coll.peakTracesInFlight} |`,
  );
}
process.stdout.write(
  [
    '| input | spans | bare JSON.parse | collector | wall ratio (target ≤ 2×) | CPU ratio | max RSS parse | max RSS collector | peak traces in flight |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n'),
);
if (!process.env.KEEP) fs.rmSync(root, { recursive: true, force: true });
else process.stdout.write(`files kept in ${root}\n`);
