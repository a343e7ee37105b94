/**
 * `npm run bench:site` — the static site (`trace-health site`) of a synthetic catalog (1,500 services by default,
 * bench/synthetic-catalog.ts, fixed seed) against synth of the same catalog, each run as the CLI a user runs in its
 * own process, measured in the same run: wall time (spawn to exit) and CPU time (user + system of the child, from
 * bash's `times`). Goal (issue 13): site ≤ 0.5× synth.
 *
 * Environment: BENCH_SIZES=1500 (comma-separated)  BENCH_RUNS=3 (synth and site alternate; medians)  BENCH_SEED=1
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeSyntheticCatalog } from './synthetic-catalog';

const BIN = resolve(__dirname, '..', 'bin', 'trace-health.js');

interface Measured {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly stderr: string;
}

/** `0m1.234s` → 1234 */
function seconds(text: string): number {
  const m = /(\d+)m([\d.]+)s/.exec(text);
  return m ? (Number(m[1]) * 60 + Number(m[2])) * 1000 : NaN;
}

function runCli(cwd: string, args: string[]): Measured {
  const t0 = performance.now();
  // bash's `times` prints the shell's and then its children's user and system time.
  const r = spawnSync(
    'bash',
    [
      '-c',
      '"$@" 2>.bench-stderr >/dev/null; s=$?; cat .bench-stderr >&2; times; exit $s',
      '_',
      process.execPath,
      BIN,
      ...args,
    ],
    {
      cwd,
      encoding: 'utf8',
      maxBuffer: 1 << 26,
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`trace-health ${args.join(' ')} exited ${r.status}:\n${r.stderr.slice(-3000)}`);
  const children = r.stdout.trim().split('\n').pop()!.split(/\s+/);
  return { wallMs, cpuMs: seconds(children[0]) + seconds(children[1]), stderr: r.stderr };
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const ratio = (a: number, b: number) => (a / b).toFixed(2);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main(): void {
  const sizes = (process.env.BENCH_SIZES ?? '1500').split(',').map(Number);
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const seed = Number(process.env.BENCH_SEED ?? 1);
  for (const size of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'th-bench-site-'));
    try {
      writeSyntheticCatalog(dir, { services: size, seed });
      const synth: Measured[] = [];
      const site: Measured[] = [];
      for (let i = 0; i < runs; i++) {
        synth.push(runCli(dir, ['synth', '--out', 'out', '--allow-removals']));
        site.push(runCli(dir, ['site', '--out', 'site']));
      }
      const files = spawnSync('find', ['site', '-type', 'f'], { cwd: dir, encoding: 'utf8' }).stdout.trim().split('\n');
      const bytes = spawnSync('du', ['-sb', 'site'], { cwd: dir, encoding: 'utf8' }).stdout.split('\t')[0];
      const summary = `${files.length} files, ${(Number(bytes) / 1e6).toFixed(1)} MB`;
      const m = (xs: Measured[], k: 'wallMs' | 'cpuMs') => median(xs.map((x) => x[k]));
      console.log(`${size} services (${summary}), median of ${runs}:`);
      console.log(`  synth     wall ${fmt(m(synth, 'wallMs'))}  cpu ${fmt(m(synth, 'cpuMs'))}`);
      console.log(`  site      wall ${fmt(m(site, 'wallMs'))}  cpu ${fmt(m(site, 'cpuMs'))}`);
      console.log(
        `  site/synth: wall ${ratio(m(site, 'wallMs'), m(synth, 'wallMs'))}, cpu ${ratio(m(site, 'cpuMs'), m(synth, 'cpuMs'))}  (goal ≤ 0.50)`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

main();
