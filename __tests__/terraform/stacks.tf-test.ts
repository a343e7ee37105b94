/**
 * Every stack synthesized from the example catalog and from a synthetic catalog, through real terraform and the
 * real Datadog provider against the fake API: init, validate, plan; the plan must create exactly what the stack
 * declares, and per service the monitors, SLOs and dashboards its review manifest lists. The example's stacks are
 * then applied to the fake and planned again: a change in the second plan is a perpetual diff.
 *
 * TRACE_HEALTH_TF_SERVICES sets the synthetic catalog's size (default 1500; 0 skips it). Figures (times, API
 * calls per plan) are printed and written to `<tmp>/th-tf-stacks-*` /report-<label>.json.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeSyntheticCatalog } from '../../bench/synthetic-catalog';
import { synth } from '../../src/synth';
import { configAddresses, dashboardOwners, manifestExpectations, planExpectations } from './expectations';
import { applyAndReplan, mapBounded, planStack, RoundTrip, StackPlan, TerraformSetup } from './harness';
import { terraformSetup } from './setup';

const ROOT = resolve(__dirname, '..', '..');
const CONCURRENCY = 2;
const SYNTHETIC_SERVICES = Number(process.env.TRACE_HEALTH_TF_SERVICES ?? 1500);

interface Synthesized {
  readonly outDir: string;
  readonly reviewDir: string;
  readonly stacks: readonly string[];
  readonly synthMs: number;
}

function synthesize(policyFile: string, work: string): Synthesized {
  const outDir = join(work, 'cdktf.out');
  const reviewDir = join(work, 'review');
  const started = Date.now();
  const result = synth({ config: policyFile, out: outDir, reviewDir, cwd: ROOT });
  return { outDir, reviewDir, stacks: result.stacks, synthMs: Date.now() - started };
}

interface Outcome {
  readonly stack: string;
  readonly plan?: StackPlan;
  readonly error?: string;
}

async function planAll(setup: TerraformSetup, s: Synthesized, work: string): Promise<Outcome[]> {
  return mapBounded(s.stacks, CONCURRENCY, async (stack) => {
    try {
      const file = join(s.outDir, 'stacks', stack, 'cdk.tf.json');
      return { stack, plan: await planStack(setup, stack, file, join(work, 'tf', stack)) };
    } catch (e) {
      return { stack, error: (e as Error).message };
    }
  });
}

function checkAgainstSynth(s: Synthesized, plan: StackPlan): void {
  const config = JSON.parse(readFileSync(join(s.outDir, 'stacks', plan.stack, 'cdk.tf.json'), 'utf8'));
  // Exactly what the stack declares, all created.
  expect({ stack: plan.stack, addresses: plan.resources.map((r) => r.address) }).toEqual({
    stack: plan.stack,
    addresses: configAddresses(config),
  });
  expect(plan.resources.filter((r) => r.actions.join() !== 'create').map((r) => r.address)).toEqual([]);
  // Per service, what reviewers read in the manifest.
  const expected = manifestExpectations(readFileSync(join(s.reviewDir, `${plan.stack}.yaml`), 'utf8'));
  expect({ stack: plan.stack, byService: planExpectations(plan.resources, config, dashboardOwners(expected)) }).toEqual(
    { stack: plan.stack, byService: expected },
  );
}

function report(label: string, work: string, s: Synthesized, outcomes: readonly Outcome[], rounds?: RoundTrip[]) {
  const plans = outcomes.flatMap((o) => (o.plan ? [o.plan] : []));
  const sum = (f: (p: StackPlan) => number) => plans.reduce((a, p) => a + f(p), 0);
  const max = (f: (p: StackPlan) => number) => plans.reduce((a, p) => Math.max(a, f(p)), 0);
  const summary = {
    label,
    stacks: s.stacks.length,
    resources: sum((p) => p.resources.length),
    synthMs: s.synthMs,
    validateMs: { total: Math.round(sum((p) => p.validateMs)), max: Math.round(max((p) => p.validateMs)) },
    planMs: { total: Math.round(sum((p) => p.planMs)), max: Math.round(max((p) => p.planMs)) },
    apiCalls: { total: sum((p) => p.apiCallCount), max: max((p) => p.apiCallCount) },
    perStack: plans.map((p) => ({
      stack: p.stack,
      resources: p.resources.length,
      initMs: Math.round(p.initMs),
      validateMs: Math.round(p.validateMs),
      planMs: Math.round(p.planMs),
      apiCalls: p.apiCalls,
    })),
    perpetualDiffs: rounds?.filter((r) => r.replanExitCode !== 0).length,
  };
  const file = join(work, `report-${label}.json`);
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`terraform ${label}: ${JSON.stringify({ ...summary, perStack: undefined })}\nper stack: ${file}`);
}

function failures(outcomes: readonly Outcome[]): string {
  return outcomes
    .filter((o) => o.error)
    .map((o) => o.error)
    .join('\n\n');
}

describe('synthesized stacks through terraform and the real Datadog provider', () => {
  let setup: TerraformSetup;
  let work: string;
  beforeAll(async () => {
    setup = await terraformSetup();
    work = mkdtempSync(join(tmpdir(), 'th-tf-stacks-'));
  });
  afterAll(() => {
    if (process.env.TRACE_HEALTH_TF_KEEP !== '1') rmSync(work, { recursive: true, force: true });
  });

  describe('the example catalog', () => {
    let s: Synthesized;
    let outcomes: Outcome[];
    beforeAll(async () => {
      const policy = ['examples/trace-health.yaml', 'trace-health.yaml'].find((p) => existsSync(join(ROOT, p)));
      if (!policy) throw new Error('no example policy (examples/trace-health.yaml or trace-health.yaml)');
      s = synthesize(join(ROOT, policy), join(work, 'example'));
      outcomes = await planAll(setup, s, join(work, 'example'));
    });

    it('validates and plans every stack without a rejection', () => {
      expect(s.stacks.length).toBeGreaterThan(1);
      expect(failures(outcomes)).toBe('');
    });

    it('plans exactly the resources each stack and its review manifest list', () => {
      for (const o of outcomes) if (o.plan) checkAgainstSynth(s, o.plan);
    });

    it('applies to the fake, and a second plan of every stack shows no changes', async () => {
      const plans = outcomes.flatMap((o) => (o.plan ? [o.plan] : []));
      const rounds = await mapBounded(plans, CONCURRENCY, (p) => applyAndReplan(setup, p));
      report('example', work, s, outcomes, rounds);
      const diffs = rounds
        .map((r, i) => (r.replanExitCode === 0 ? '' : `stack ${plans[i].stack}:\n${r.replanText}`))
        .filter(Boolean);
      expect(diffs.join('\n')).toBe('');
    });
  });

  (SYNTHETIC_SERVICES > 0 ? describe : describe.skip)(`a synthetic catalog of ${SYNTHETIC_SERVICES} services`, () => {
    let s: Synthesized;
    let outcomes: Outcome[];
    beforeAll(async () => {
      const dir = join(work, 'synthetic');
      const catalog = writeSyntheticCatalog(join(dir, 'input'), { services: SYNTHETIC_SERVICES, seed: 1 });
      s = synthesize(catalog.policyFile, dir);
      outcomes = await planAll(setup, s, dir);
      report(`synthetic-${SYNTHETIC_SERVICES}`, work, s, outcomes);
    });

    it('validates and plans every stack without a rejection', () => {
      expect(failures(outcomes)).toBe('');
    });

    it('plans exactly the resources each stack and its review manifest list', () => {
      for (const o of outcomes) if (o.plan) checkAgainstSynth(s, o.plan);
    });
  });
});
