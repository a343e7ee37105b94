/**
 * One measurement of `npm run bench:collect`, in its own process so that peak memory (max RSS) is its own:
 *   tsx bench/collect-child.ts <parse-ndjson|collect-ndjson|parse-pages|collect-pages> <folder>
 * Prints one JSON line: {mode, spans, ms (wall), cpuMs (user+system, GC threads included), maxRssMb,
 * peakTracesInFlight?}.
 */
import fs from 'node:fs';
import path from 'node:path';
import { collectFiles } from '../src/collector/files';
import { defaultOptions } from '../src/collector/options';

const [mode, dir] = process.argv.slice(2);

/** Bare parsing of NDJSON: the same 1 MiB chunking as the reader, then JSON.parse per line. */
function parseNdjson(file: string): number {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let carry: Buffer = Buffer.alloc(0);
  let n = 0;
  let sink = 0;
  for (;;) {
    const read = fs.readSync(fd, buf, 0, buf.length, null);
    if (read === 0) break;
    const lastNl = buf.lastIndexOf(10, read - 1);
    if (lastNl < 0) {
      carry = Buffer.concat([carry, buf.subarray(0, read)]);
      continue;
    }
    const text = carry.length
      ? Buffer.concat([carry, buf.subarray(0, lastNl)]).toString('utf8')
      : buf.toString('utf8', 0, lastNl);
    carry = Buffer.from(buf.subarray(lastNl + 1, read));
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      const o = JSON.parse(line);
      sink += o.attributes ? 1 : 0;
      n++;
    }
  }
  fs.closeSync(fd);
  if (sink < 0) throw new Error('unreachable');
  return n;
}

const files = fs
  .readdirSync(dir)
  .filter((f) => /\.(json|ndjson)$/.test(f))
  .sort()
  .map((f) => path.join(dir, f));

const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
let spans = 0;
let peakTracesInFlight: number | undefined;
if (mode === 'parse-ndjson') for (const f of files) spans += parseNdjson(f);
else if (mode === 'parse-pages')
  for (const f of files) spans += (JSON.parse(fs.readFileSync(f, 'utf8')) as { data: unknown[] }).data.length;
else if (mode === 'collect-ndjson' || mode === 'collect-pages') {
  const a = collectFiles([dir], {
    ...defaultOptions('datadoghq.com'),
    ...(process.env.HORIZON_MS ? { horizonMs: Number(process.env.HORIZON_MS) } : {}),
  });
  spans = a.totals.spans + a.totals.malformedSpans;
  peakTracesInFlight = a.peakTracesInFlight;
} else throw new Error(`unknown mode ${mode}`);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
const cpu = process.cpuUsage(cpu0);
const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(`${JSON.stringify({ mode, spans, ms: Math.round(ms), cpuMs, maxRssMb, peakTracesInFlight })}\n`);
