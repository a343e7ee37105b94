/**
 * One instance of `npm run bench:serve`, in its own process:
 *   tsx bench/serve-child.ts serve        — `collect --serve` (no submission) on 127.0.0.1:0; prints
 *                                           `listening HOST:PORT`, and on SIGTERM stops gracefully (every trace
 *                                           finalized) and prints one JSON line {spans, traces, cpuMs, maxRssMb}
 *   tsx bench/serve-child.ts input <dir>  — `collect --input` on the folder; prints the same JSON line with ms
 * CPU time (user + system) is counted from the moment the instance is ready.
 */
import { collectFiles } from '../src/collector/files';
import { defaultOptions } from '../src/collector/options';
import { OtlpServer } from '../src/collector/serve';
import { memoryIo } from '../src/cli/io';

const [mode, dir] = process.argv.slice(2);
const options = defaultOptions('datadoghq.com');

/** CPU time is counted from when the instance is ready (module loading and start-up left out on both sides). */
let cpu0 = process.cpuUsage();

function result(extra: Record<string, number>, spans: number, traces: number): string {
  const cpu = process.cpuUsage(cpu0);
  return JSON.stringify({
    spans,
    traces,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    ...extra,
  });
}

async function main(): Promise<void> {
  if (mode === 'input') {
    cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const a = collectFiles([dir], options);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    process.stdout.write(`${result({ ms: Math.round(ms) }, a.totals.spans, a.totals.traces)}\n`);
    return;
  }
  const server = await OtlpServer.start({
    io: memoryIo(),
    options,
    host: '127.0.0.1',
    port: 0,
    intervalMs: 3_600_000,
    maxTraces: 1_000_000,
    instance: 'bench',
    submit: false,
  });
  cpu0 = process.cpuUsage();
  process.stdout.write(`listening ${server.address}\n`);
  process.once('SIGTERM', () => {
    void server.stop().then((a) => {
      process.stdout.write(`${result({}, a!.totals.spans, a!.totals.traces)}\n`);
      process.exit(0);
    });
  });
}

void main();
