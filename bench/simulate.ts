/**
 * `npm run bench:simulate` — every built-in scenario for every service of a synthetic catalog (1,500 services by
 * default, bench/synthetic-catalog.ts, fixed seed), against synth of the same catalog, each run as the CLI a user
 * runs (`trace-health simulate`, `trace-health synth`) in its own process, measured in the same run: wall time
 * (spawn to exit) and CPU time (user + system of the child, from bash's `times`). Goal (issue 10): simulate ≤ 1×
 * synth.
 *
 * Environment: BENCH_SIZES=1500 (comma-separated)  BENCH_RUNS=1  BENCH_SEED=1
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, median, Measured, ratio, runCli } from './cli-run';
import { writeSyntheticCatalog } from './synthetic-catalog';

function main(): void {
  const sizes = (process.env.BENCH_SIZES ?? '1500').split(',').map(Number);
  const runs = Number(process.env.BENCH_RUNS ?? 1);
  const seed = Number(process.env.BENCH_SEED ?? 1);
  for (const size of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'th-bench-sim-'));
    try {
      writeSyntheticCatalog(dir, { services: size, seed });
      const synth: Measured[] = [];
      const sim: Measured[] = [];
      for (let i = 0; i < runs; i++) {
        synth.push(runCli(dir, ['synth', '--out', 'out', '--allow-removals']));
        sim.push(runCli(dir, ['simulate', '--out', 'simulate.md']));
      }
      const summary = /simulate: (.*)/.exec(sim[0].stderr)?.[1] ?? '?';
      const m = (xs: Measured[], k: 'wallMs' | 'cpuMs') => median(xs.map((x) => x[k]));
      console.log(`${size} services (${summary}), median of ${runs}:`);
      console.log(`  synth     wall ${fmt(m(synth, 'wallMs'))}  cpu ${fmt(m(synth, 'cpuMs'))}`);
      console.log(`  simulate  wall ${fmt(m(sim, 'wallMs'))}  cpu ${fmt(m(sim, 'cpuMs'))}`);
      console.log(
        `  simulate/synth: wall ${ratio(m(sim, 'wallMs'), m(synth, 'wallMs'))}, cpu ${ratio(m(sim, 'cpuMs'), m(synth, 'cpuMs'))}  (goal ≤ 1.00)`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

main();
