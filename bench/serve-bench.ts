/**
 * `npm run bench:serve`: `collect --serve` throughput over OTLP/HTTP, against `collect --input` on the same spans in
 * the same run.
 *
 *   - baseline: `collect --input` on the spans as OTLP JSON files (one per request body), in its own process;
 *   - one instance: the same spans POSTed to one `collect --serve` process as OTLP/HTTP protobuf and as OTLP/HTTP
 *     JSON, both gzip (what the Collector's otlphttp exporter sends by default), CONCURRENCY requests in flight;
 *   - two instances: the protobuf requests split by trace id over two processes (what the loadbalancing exporter
 *     does), the load generator in a third.
 *
 * Time runs from the first request to the instance's report after a graceful stop (every trace finalized). Spans
 * are generated and encoded before the clock starts. Everything shares the machine's cores with the load
 * generator: on 2 cores, two instances plus the generator cannot scale to 2×, and the table says what it measured.
 * CPU time (of the instances, from when they are ready; the generator's own is not counted) is reported too: on a
 * machine shared with other work it varies far less than wall time.
 * Options: SPANS=<n> (default 300,000), RUNS=<n> (median of n, default 3), CONCURRENCY=<n> (default 4).
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { encodeOtlpRequest } from '../src/collector/readers/otlp-proto';
import { otlpDocument, SyntheticSpan, syntheticTraces } from './synthetic-spans';

const TARGET = Number(process.env.SPANS ?? 300_000);
const RUNS = Number(process.env.RUNS ?? 3);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 4);
const TRACES_PER_REQUEST = 100;
const child = path.join(__dirname, 'serve-child.ts');

interface Result {
  spans: number;
  traces: number;
  cpuMs: number;
  maxRssMb: number;
  ms?: number;
}

// --- corpus -----------------------------------------------------------------------------------------------------
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-serve-'));
const batches: SyntheticSpan[][][] = [];
let spanTotal = 0;
let batch: SyntheticSpan[][] = [];
for (const t of syntheticTraces({ traces: Math.ceil(TARGET / 7), seed: 12, spanMs: (TARGET / 200_000) * 3_600_000 })) {
  const kept = t.filter((s) => !s.ingestionReason); // OTLP has no spans kept without their trace
  if (kept.length === 0) continue;
  batch.push(kept);
  spanTotal += kept.length;
  if (batch.length === TRACES_PER_REQUEST) {
    batches.push(batch);
    batch = [];
  }
  if (spanTotal >= TARGET) break;
}
if (batch.length) batches.push(batch);
const nonEmpty = batches;
const jsonDir = path.join(root, 'otlp-json');
fs.mkdirSync(jsonDir);
const protoBodies: Buffer[] = [];
const jsonBodies: Buffer[] = [];
const shardBodies: Buffer[][] = [[], []];
nonEmpty.forEach((b, i) => {
  const doc = otlpDocument(b.flat());
  const json = JSON.stringify(doc);
  fs.writeFileSync(path.join(jsonDir, `request-${String(i).padStart(5, '0')}.json`), json);
  jsonBodies.push(zlib.gzipSync(json));
  protoBodies.push(zlib.gzipSync(encodeOtlpRequest(doc)));
  // By trace id, as the loadbalancing exporter routes (any stable hash will do for a benchmark).
  const parts: SyntheticSpan[][][] = [[], []];
  for (const t of b) parts[Number(BigInt(t[0].traceId) % 2n)].push(t);
  parts.forEach((p, s) => {
    if (p.length) shardBodies[s].push(zlib.gzipSync(encodeOtlpRequest(otlpDocument(p.flat()))));
  });
});
const mb = (bodies: Buffer[]) => (bodies.reduce((n, b) => n + b.length, 0) / 1e6).toFixed(1);
process.stdout.write(
  `${spanTotal} spans in ${nonEmpty.length} requests of ${TRACES_PER_REQUEST} traces: protobuf+gzip ${mb(protoBodies)} MB, JSON+gzip ${mb(jsonBodies)} MB\n\n`,
);

// --- processes ----------------------------------------------------------------------------------------------------
function startInstance(): Promise<{ proc: ChildProcess; url: string; done: Promise<Result> }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, 'serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const done = new Promise<Result>((res) => proc.once('exit', () => res(JSON.parse(out.trim().split('\n').pop()!))));
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\S+)/.exec(out);
      if (m && !out.includes('"spans"')) resolve({ proc, url: `http://${m[1]}/v1/traces`, done });
    });
    proc.once('error', reject);
  });
}

async function send(url: string, bodies: Buffer[], type: string): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const res = await fetch(url, {
        method: 'POST',
        body,
        headers: { 'content-type': type, 'content-encoding': 'gzip' },
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function measureServe(sets: Buffer[][], type: string): Promise<{ ms: number; spans: number; cpuMs: number }> {
  const instances = await Promise.all(sets.map(() => startInstance()));
  const t0 = process.hrtime.bigint();
  await Promise.all(instances.map((inst, i) => send(inst.url, sets[i], type)));
  for (const inst of instances) inst.proc.kill('SIGTERM');
  const results = await Promise.all(instances.map((i) => i.done));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return {
    ms,
    spans: results.reduce((n, r) => n + r.spans, 0),
    cpuMs: results.reduce((n, r) => n + r.cpuMs, 0),
  };
}

function measureInput(): { ms: number; spans: number; cpuMs: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', child, 'input', jsonDir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`collect --input failed: ${r.stderr}`);
  const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as Result;
  return { ms: res.ms!, spans: res.spans, cpuMs: res.cpuMs };
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];

async function run(): Promise<void> {
  const rows: Record<string, { ms: number[]; cpuMs: number[]; spans: number }> = {};
  const record = (name: string, r: { ms: number; spans: number; cpuMs: number }) => {
    const row = (rows[name] ??= { ms: [], cpuMs: [], spans: r.spans });
    if (row.spans !== r.spans) throw new Error(`${name}: ${r.spans} spans counted, expected ${row.spans}`);
    row.ms.push(r.ms);
    row.cpuMs.push(r.cpuMs);
  };
  // Alternated, so that a change in machine load hits every row.
  for (let i = 0; i < RUNS; i++) {
    record('collect --input (OTLP JSON files)', measureInput());
    record('--serve, 1 instance, protobuf+gzip', await measureServe([protoBodies], 'application/x-protobuf'));
    record('--serve, 1 instance, JSON+gzip', await measureServe([jsonBodies], 'application/json'));
    record('--serve, 2 instances, protobuf+gzip', await measureServe(shardBodies, 'application/x-protobuf'));
  }
  const base = rows['collect --input (OTLP JSON files)'];
  const rate = (r: { ms: number[]; spans: number }) => r.spans / (median(r.ms) / 1000);
  const cpuRate = (r: { cpuMs: number[]; spans: number }) => r.spans / (median(r.cpuMs) / 1000);
  const one = rows['--serve, 1 instance, protobuf+gzip'];
  const lines = [
    '| run | spans | wall (median) | spans/s | ratio to collect --input | CPU (all instances) | spans per CPU-second | CPU ratio |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const [name, r] of Object.entries(rows))
    lines.push(
      `| ${name} | ${r.spans.toLocaleString('en-US')} | ${(median(r.ms) / 1000).toFixed(2)} s | ${Math.round(rate(r)).toLocaleString('en-US')} | **${(rate(r) / rate(base)).toFixed(2)}×** | ${(median(r.cpuMs) / 1000).toFixed(2)} s | ${Math.round(cpuRate(r)).toLocaleString('en-US')} | ${(cpuRate(r) / cpuRate(base)).toFixed(2)}× |`,
    );
  lines.push(
    '',
    `scaling, 1 → 2 instances (protobuf): ${(rate(rows['--serve, 2 instances, protobuf+gzip']) / rate(one)).toFixed(2)}× on ${os.cpus().length} cores (load generator included)`,
    '',
  );
  process.stdout.write(lines.join('\n'));
  fs.rmSync(root, { recursive: true, force: true });
}

void run();
