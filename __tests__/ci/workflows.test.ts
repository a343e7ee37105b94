/**
 * The promises of the ready-made workflows that actionlint does not check: actions pinned to commits, least
 * privilege, applies that never race, secrets by name only, the CLI commands they call exist.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { COMMENT_MARKER } from '../../src/ci/markdown';

const DIR = join(__dirname, '..', '..', '.github', 'workflows');
const files = readdirSync(DIR)
  .filter((f) => /^trace-health-.*\.ya?ml$/.test(f))
  .sort();

interface Step {
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Job {
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, Job>;
}

const workflows: Record<string, Workflow> = Object.fromEntries(
  files.map((f) => [f, parse(readFileSync(join(DIR, f), 'utf8')) as Workflow]),
);
const text = (f: string) => readFileSync(join(DIR, f), 'utf8');
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);

describe('ready-made workflows', () => {
  it('are the plan, apply, collect and site workflows', () => {
    expect(files).toStrictEqual([
      'trace-health-apply.yml',
      'trace-health-collect.yml',
      'trace-health-plan.yml',
      'trace-health-site.yml',
    ]);
  });

  it.each(files)('%s pins every action to a full commit SHA with its version in a comment', (f) => {
    const uses = text(f)
      .split('\n')
      .filter((l) => /^\s*-?\s*uses:/.test(l));
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) expect(line).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it.each(files)('%s reads the repository only, and widens permissions per job', (f) => {
    const w = workflows[f];
    expect(w.permissions).toStrictEqual({ contents: 'read' });
    const widened = Object.entries(w.jobs)
      .filter(([, j]) => j.permissions)
      .map(([name, j]) => [name, j.permissions]);
    const expected: Record<string, unknown[]> = {
      'trace-health-plan.yml': [['summary', { contents: 'read', 'pull-requests': 'write' }]],
      'trace-health-apply.yml': [['synth', { contents: 'read', actions: 'read' }]],
      'trace-health-collect.yml': [],
      // GitHub Pages deployment (actions/deploy-pages needs both).
      'trace-health-site.yml': [['deploy', { pages: 'write', 'id-token': 'write' }]],
    };
    expect(widened).toStrictEqual(expected[f]);
  });

  it('never runs two applies at once, and never cancels one', () => {
    const w = workflows['trace-health-apply.yml'];
    expect(w.concurrency).toStrictEqual({ group: 'trace-health-apply', 'cancel-in-progress': false });
    expect(w.jobs.apply.concurrency).toStrictEqual({
      group: 'trace-health-apply-${{ matrix.stack }}',
      'cancel-in-progress': false,
    });
    const runs = steps(w).map((s) => s.run ?? '');
    expect(runs.some((r) => r.includes('terraform apply -input=false -lock-timeout=10m -auto-approve tfplan'))).toBe(
      true,
    );
    // The guard runs on the very plan that is applied.
    expect(
      runs.some((r) =>
        r.includes('npx trace-health plan-summary "${flags[@]}" "$STACK=cdktf.out/stacks/$STACK/plan.json"'),
      ),
    ).toBe(true);
  });

  it('keeps one collector at a time, every 15 minutes', () => {
    const w = workflows['trace-health-collect.yml'];
    expect(w.on.schedule).toStrictEqual([{ cron: '*/15 * * * *' }]);
    expect(w.concurrency).toStrictEqual({ group: 'trace-health-collect', 'cancel-in-progress': false });
    expect(steps(w).some((s) => s.run?.includes('npx trace-health collect --live --from 15m --submit --state'))).toBe(
      true,
    );
  });

  it.each(files)('%s takes secrets by name only, and only Datadog keys', (f) => {
    const secrets = [...text(f).matchAll(/secrets\.([A-Z_]+)/g)].map((m) => m[1]);
    // The site is rendered from the policy and the catalog alone: no secret at all.
    expect(new Set(secrets)).toStrictEqual(new Set(f === 'trace-health-site.yml' ? [] : ['DD_API_KEY', 'DD_APP_KEY']));
    expect(text(f)).not.toMatch(/pull_request_target/);
    // A key only reaches the steps that call Datadog (terraform, the collector, the presence check).
    for (const s of steps(workflows[f])) {
      if (!s.env?.DD_APP_KEY) continue;
      expect(s.run).toMatch(/terraform (plan|apply)|trace-health collect/);
    }
  });

  it('plans in a matrix of changed stacks and posts one comment it finds again', () => {
    const w = workflows['trace-health-plan.yml'];
    const runs = steps(w).map((s) => s.run ?? '');
    expect(runs.some((r) => r.includes('npx trace-health changed-stacks --base "$BASE_SHA" --json'))).toBe(true);
    expect(runs.some((r) => r.includes('npx trace-health review --check'))).toBe(true);
    expect(runs.some((r) => r.includes(`marker='${COMMENT_MARKER}'`))).toBe(true);
    expect(text('trace-health-plan.yml')).toContain('matrix: ${{ fromJSON(needs.synth.outputs.matrix) }}');
  });
});
