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
import { join } from 'node:path';
import { fmt, median, Measured, ratio, runCli } from './cli-run';
import { writeSyntheticCatalog } from './synthetic-catalog';

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
