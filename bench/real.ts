/**
 * The bench's handle on the real synth pipeline (src/synth.ts). The bench measures it; it never reimplements
 * it. `loadOnly` runs just the front half (policy + catalog + resolution), which the naive baseline shares so
 * that both pay the same fixed costs.
 */
import { performance } from 'node:perf_hooks';
import { loadCatalog } from '../src/catalog';
import { loadPolicy, policyCatalogPath, resolvePolicy } from '../src/policy';
import { countResources, readSynthOutput } from './naive';

export interface RealSynthOptions {
  readonly policyFile: string;
  readonly outDir: string;
  /** Only these stacks (the CLI's `--stack`); all when undefined. */
  readonly stacks?: readonly string[];
  readonly loadOnly?: boolean;
  /** Filled with phase durations (ms). */
  readonly phases: Record<string, number>;
}

export async function runRealSynth(o: RealSynthOptions): Promise<{ stacks: number; resources: number }> {
  if (o.loadOnly) {
    let t = performance.now();
    const doc = loadPolicy(o.policyFile);
    const catalog = loadCatalog(policyCatalogPath(doc));
    o.phases.loadCatalogAndPolicy = performance.now() - t;
    t = performance.now();
    resolvePolicy(doc, catalog);
    o.phases.resolvePolicy = performance.now() - t;
    return { stacks: 0, resources: 0 };
  }
  const t = performance.now();
  const synth = require(process.env.BENCH_SYNTH_MODULE ?? '../src/synth');
  o.phases.importPipeline = performance.now() - t;
  const t1 = performance.now();
  // Paths are absolute, so `cwd` only matters for messages. The review manifests go beside the policy file, in
  // the bench's own folder.
  await synth.synth({
    config: o.policyFile,
    out: o.outDir,
    stacks: o.stacks ? [...o.stacks] : undefined,
    cwd: process.cwd(),
  });
  o.phases.synth = performance.now() - t1;
  const written = readSynthOutput(o.outDir, o.stacks);
  return { stacks: written.length, resources: countResources(written) };
}
