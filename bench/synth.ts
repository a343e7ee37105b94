/**
 * `npm run bench:synth` — how synth scales (issue 3, item 7).
 *
 * For synthetic catalogs of 150 and 1,500 services (bench/synthetic-catalog.ts, fixed seed) it measures, each
 * case in its own child process (so that peak RSS is that case's alone):
 *   - full synth of every stack, and synth of one team stack (`--stack`), with the real pipeline (src/synth.ts);
 *   - the same two for a naive baseline in the same script (bench/naive.ts): the very same resources, one
 *     custom construct per resource around the typed provider classes, token references, default App settings.
 * and prints wall time (spawn to exit, what a user waits for), peak RSS, and the ratios the issue sets as
 * targets: full synth per resource no slower and no larger than the baseline; one-stack synth at most a third
 * of full synth time at 1,500 services.
 *
 * Environment: BENCH_SIZES=150,1500  BENCH_RUNS=N (runs per case; default 3 up to 500 services, else 1)  BENCH_SEED=1  BENCH_DIR=<tmp>
 * BENCH_PROFILE=1 also writes a CPU profile of each real full synth (node --cpu-prof) into the bench folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { countResources, readSynthOutput } from './naive';
import type { ChildResult } from './synth-child';
import { writeSyntheticCatalog } from './synthetic-catalog';

const ROOT = resolve(__dirname, '..');
const CHILD = join(__dirname, 'synth-child.ts');

interface Measured extends ChildResult {
  readonly wallMs: number;
}

function envList(name: string, fallback: number[]): number[] {
  const v = process.env[name];
  return v ? v.split(',').map((x) => Number(x.trim())) : fallback;
}

/** Child stderr lines already printed (the same warning from every run is shown once). */
const shownNotes = new Set<string>();

/** Run one case in a fresh node (tsx loader, like `npm run synth`). */
function runChild(args: string[], profileDir?: string): Measured {
  const nodeArgs = ['--import', 'tsx'];
  if (profileDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...nodeArgs, CHILD, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const wallMs = performance.now() - t0;
  const line = r.stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (r.status !== 0 || !line)
    throw new Error(`bench case failed (${args.join(' ')}), exit ${r.status}:\n${r.stderr}\n${r.stdout.slice(-2000)}`);
  const note = r.stderr.trim();
  if (note && !shownNotes.has(note)) {
    shownNotes.add(note);
    console.log(note.replace(/^/gm, '  | '));
  }
  return { ...(JSON.parse(line.slice('BENCH_RESULT '.length)) as ChildResult), wallMs };
}

/** The run with the median CPU time (steadier than wall time when other processes share the cores). */
function median(runs: Measured[]): Measured {
  const sorted = [...runs].sort((a, b) => a.cpuMs - b.cpuMs);
  const mid = sorted[Math.floor(sorted.length / 2)];
  // Peak memory: the highest seen, so a lucky run cannot hide a spike.
  return { ...mid, maxRssKiB: Math.max(...runs.map((r) => r.maxRssKiB)) };
}

function measure(runs: number, args: () => string[], profileDir?: string): Measured {
  const results: Measured[] = [];
  for (let i = 0; i < runs; i++) results.push(runChild(args(), i === 0 ? profileDir : undefined));
  return median(results);
}

const fmtMs = (ms: number) => (ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const fmtMiB = (kib: number) => `${Math.round(kib / 1024)} MiB`;
const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : (a / b).toFixed(2));

function phases(m: Measured): string {
  return Object.entries(m.phases)
    .map(([k, v]) => `${k} ${fmtMs(v)}`)
    .join(', ');
}

/** The team stack with the median resource count: a typical one, not the smallest. */
function typicalStack(outDir: string): string {
  const stacks = readSynthOutput(outDir)
    .filter((s) => s.name !== 'core')
    .map((s) => ({ name: s.name, n: countResources([s]) }))
    .sort((a, b) => a.n - b.n || (a.name < b.name ? -1 : 1));
  if (!stacks.length) throw new Error(`no team stacks in ${outDir}`);
  return stacks[Math.floor(stacks.length / 2)].name;
}

function main(): void {
  const sizes = envList('BENCH_SIZES', [150, 1500]);
  // Median of 3 where a run takes seconds; one run at 1,500 services, where a run takes minutes.
  const runsFor = (n: number) => Math.max(1, Number(process.env.BENCH_RUNS ?? (n <= 500 ? 3 : 1)));
  const seed = Number(process.env.BENCH_SEED ?? 1);
  const base = process.env.BENCH_DIR ?? join(tmpdir(), 'trace-health-bench');
  const profile = process.env.BENCH_PROFILE === '1';
  mkdirSync(base, { recursive: true });

  console.log(
    `bench:synth — node ${process.version}, seed ${seed}; median wall and max RSS over the runs of each case`,
  );
  console.log(`work folder: ${base}\n`);
  const summary: string[] = [];

  for (const n of sizes) {
    const runs = runsFor(n);
    const dir = join(base, `catalog-${n}`);
    const cat = writeSyntheticCatalog(dir, { services: n, seed });
    const out = (name: string) => {
      const p = join(dir, `out-${name}`);
      rmSync(p, { recursive: true, force: true });
      return p;
    };
    const profileDir = profile ? join(dir, 'profiles') : undefined;
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });

    // Real full synth first: its output is the baseline's input and tells us the one stack to pick.
    const realFull = measure(runs, () => ['real', cat.policyFile, out('real-full')], profileDir);
    const realOut = join(dir, 'out-real-full');
    const resources = countResources(readSynthOutput(realOut));
    const stack = typicalStack(realOut);
    const stackResources = countResources(readSynthOutput(realOut, [stack]));
    const realOne = measure(runs, () => ['real', cat.policyFile, out('real-one'), stack]);
    const naiveFull = measure(runs, () => ['naive', cat.policyFile, out('naive-full'), realOut]);
    const naiveOne = measure(runs, () => ['naive', cat.policyFile, out('naive-one'), realOut, stack]);

    const rows: [string, Measured][] = [
      ['real   full', realFull],
      [`real   one (${stack})`, realOne],
      ['naive  full', naiveFull],
      [`naive  one (${stack})`, naiveOne],
    ];
    console.log(
      `== ${n} services, ${cat.teams.length} teams: ${realFull.stacks} stacks, ${resources} resources ` +
        `(one stack: ${stackResources}); ${runs} run(s) per case`,
    );
    for (const [label, m] of rows)
      console.log(
        `  ${label.padEnd(30)} wall ${fmtMs(m.wallMs).padStart(8)}  cpu ${fmtMs(m.cpuMs).padStart(8)}  ` +
          `peak RSS ${fmtMiB(m.maxRssKiB).padStart(8)}  ${(m.cpuMs / m.resources).toFixed(2)} cpu-ms/resource  [${phases(m)}]`,
      );
    const lines = [
      `  full synth, real/naive: wall ${ratio(realFull.wallMs, naiveFull.wallMs)}, cpu ${ratio(realFull.cpuMs, naiveFull.cpuMs)}, ` +
        `peak RSS ${ratio(realFull.maxRssKiB, naiveFull.maxRssKiB)}  (target ≤ 1.00; same resource count, so per resource too)`,
      `  one stack, real/naive:  wall ${ratio(realOne.wallMs, naiveOne.wallMs)}, cpu ${ratio(realOne.cpuMs, naiveOne.cpuMs)}, ` +
        `peak RSS ${ratio(realOne.maxRssKiB, naiveOne.maxRssKiB)}`,
      `  one-stack/full, real:   wall ${ratio(realOne.wallMs, realFull.wallMs)}, cpu ${ratio(realOne.cpuMs, realFull.cpuMs)}  ` +
        `(target ≤ 0.33 at 1,500 services)`,
    ];
    if (naiveFull.cyclicReferences)
      lines.push(
        `  WARNING: ${naiveFull.cyclicReferences} references in the real output close a dependency cycle; Terraform ` +
          `rejects such a configuration (examples above)`,
      );
    for (const l of lines) console.log(l);
    if (profileDir)
      console.log(
        `  CPU profiles: ${readdirSync(profileDir)
          .map((f) => join(profileDir, f))
          .join(', ')}`,
      );
    console.log('');
    summary.push(
      `${n} services (${resources} resources): full ${fmtMs(realFull.wallMs)} wall / ${fmtMs(realFull.cpuMs)} cpu / ` +
        `${fmtMiB(realFull.maxRssKiB)} vs naive ${fmtMs(naiveFull.wallMs)} / ${fmtMs(naiveFull.cpuMs)} / ` +
        `${fmtMiB(naiveFull.maxRssKiB)}; one stack ${fmtMs(realOne.wallMs)} wall / ${fmtMs(realOne.cpuMs)} cpu ` +
        `(${ratio(realOne.cpuMs, realFull.cpuMs)} of full, cpu)`,
    );
  }
  console.log('summary');
  for (const s of summary) console.log(`  ${s}`);
}

main();
