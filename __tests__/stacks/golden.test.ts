/**
 * Golden files: the exact cdk.tf.json of every stack of the bundled example (trace-health.yaml +
 * examples/catalog), as `npm run synth` writes them. Review changes as diffs; regenerate with
 *   UPDATE_GOLDEN=1 npx jest __tests__/stacks
 */
import { App } from 'cdktf';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildStacks, loadInputs, planApp } from '../../src/synth';
import { EXAMPLE_POLICY } from '../example-policy';

const ROOT = path.resolve(__dirname, '../..');
const GOLDEN = path.join(__dirname, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function synthExample(): Map<string, string> {
  const inputs = loadInputs(EXAMPLE_POLICY, ROOT);
  const out = mkdtempSync(path.join(tmpdir(), 'th-golden-'));
  try {
    const app = new App({ outdir: out, stackTraces: false });
    // As for the default output folder: cdktf.out/stacks/<stack> → the repository root.
    buildStacks(app, inputs.policy, planApp(inputs.policy, inputs.catalog), () => '../../..');
    app.synth();
    const files = new Map<string, string>();
    for (const stack of readdirSync(path.join(out, 'stacks')).sort())
      files.set(stack, readFileSync(path.join(out, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
    return files;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

describe('golden cdk.tf.json of the example', () => {
  const files = synthExample();

  test('one core stack and one stack per team', () => {
    expect([...files.keys()]).toEqual([
      'core',
      'team-checkout',
      'team-data',
      'team-identity',
      'team-payments',
      'team-platform',
    ]);
  });

  if (UPDATE) {
    mkdirSync(GOLDEN, { recursive: true });
    for (const f of readdirSync(GOLDEN)) rmSync(path.join(GOLDEN, f));
    for (const [stack, text] of files) writeFileSync(path.join(GOLDEN, `${stack}.tf.json`), text);
  }

  test.each([...files.keys()])('%s matches its golden file', (stack) => {
    const golden = path.join(GOLDEN, `${stack}.tf.json`);
    expect(existsSync(golden)).toBe(true);
    expect(files.get(stack)).toBe(readFileSync(golden, 'utf8'));
  });

  test('no golden file is left over from a stack that no longer exists', () => {
    expect(readdirSync(GOLDEN).sort()).toEqual([...files.keys()].map((s) => `${s}.tf.json`));
  });

  test('machine-independent: no absolute path, no home folder, relative local state', () => {
    for (const [stack, text] of files) {
      expect(text).not.toContain(ROOT);
      expect(text).not.toContain(tmpdir());
      const tf = JSON.parse(text) as { terraform: { backend: { local: { path: string } } } };
      expect(tf.terraform.backend.local.path).toBe(`../../../terraform.${stack}.tfstate`);
    }
  });

  test('the disabled service and non-service entities get nothing', () => {
    for (const [stack, text] of files) {
      const tf = JSON.parse(text) as { resource: Record<string, Record<string, unknown>> };
      const names = Object.values(tf.resource).flatMap((byName) => Object.keys(byName));
      expect({
        stack,
        names: names.filter((n) => /^(legacy-batch|orders-db|order-events|storefront)_/.test(n)),
      }).toEqual({
        stack,
        names: [],
      });
      if (stack !== 'core') expect(text).not.toContain('legacy-batch');
    }
  });
});
