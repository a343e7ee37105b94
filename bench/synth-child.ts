/**
 * One measured case of `bench:synth`, run in its own process so that its peak RSS is its own:
 *
 *   tsx bench/synth-child.ts real  <policy> <out> [stack]          the real pipeline (src/synth.ts)
 *   tsx bench/synth-child.ts naive <policy> <out> <from> [stack]   the naive baseline replaying <from>'s output
 *
 * Prints one line `BENCH_RESULT {json}`: phase times (ms), resources built, peak RSS (KiB, from
 * process.resourceUsage().maxRSS, which covers the whole process life including module loading).
 */
import { performance } from 'node:perf_hooks';
import { countResources, readSynthOutput, synthNaive } from './naive';
import { runRealSynth } from './real';

export interface ChildResult {
  readonly mode: 'real' | 'naive';
  readonly stacks: number;
  readonly resources: number;
  /** Naive mode: references in the replayed output that close a dependency cycle (Terraform rejects those). */
  readonly cyclicReferences: number;
  /** Milliseconds per phase, in order. */
  readonly phases: Record<string, number>;
  /** From process start (node's own time origin) to the end of synth. */
  readonly processMs: number;
  readonly maxRssKiB: number;
  /** User + system CPU time of the whole process: steadier than wall time on a busy machine. */
  readonly cpuMs: number;
}

async function main(): Promise<void> {
  const [mode, policy, out, a, b] = process.argv.slice(2);
  const phases: Record<string, number> = {};
  let resources = 0;
  let stacks = 0;
  let cyclicReferences = 0;
  if (mode === 'real') {
    const r = await runRealSynth({ policyFile: policy, outDir: out, stacks: a ? [a] : undefined, phases });
    resources = r.resources;
    stacks = r.stacks;
  } else if (mode === 'naive') {
    let t = performance.now();
    // The same front half as the real pipeline (catalog + policy), so fixed costs match.
    await runRealSynth({ policyFile: policy, outDir: '', loadOnly: true, phases });
    t = performance.now();
    const input = readSynthOutput(a, b ? [b] : undefined);
    phases.readReplayInput = performance.now() - t;
    t = performance.now();
    const naive = synthNaive(input, out);
    phases.buildAndSynth = performance.now() - t;
    resources = naive.resources;
    cyclicReferences = naive.cyclic.length;
    if (naive.cyclic.length)
      process.stderr.write(
        `warning: ${naive.cyclic.length} reference(s) close a dependency cycle in the real output (Terraform rejects ` +
          `cycles), e.g. ${naive.cyclic.slice(0, 3).join(', ')}\n`,
      );
    stacks = input.length;
    if (resources !== countResources(readSynthOutput(out))) throw new Error('naive baseline lost resources');
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  const usage = process.resourceUsage();
  const result: ChildResult = {
    mode: mode as 'real' | 'naive',
    stacks,
    resources,
    cyclicReferences,
    phases,
    processMs: performance.now(),
    maxRssKiB: usage.maxRSS,
    cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
  };
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
