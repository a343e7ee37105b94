/**
 * Where the bundled example policy is: `trace-health.yaml` in this repository, `examples/trace-health.yaml` once
 * `trace-health init` has made a checkout a team's own (its trace-health.yaml is then theirs). Tests about the
 * example use this, so that they keep passing in an adopted checkout.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const MOVED = 'examples/trace-health.yaml';

/** The example policy, relative to the repository root. */
export const EXAMPLE_POLICY = existsSync(path.join(ROOT, MOVED)) ? MOVED : 'trace-health.yaml';

/** The example policy's text as it reads at the repository root (`catalog: examples/catalog`). */
export function examplePolicyAtRoot(): string {
  const text = readFileSync(path.join(ROOT, EXAMPLE_POLICY), 'utf8');
  if (EXAMPLE_POLICY === 'trace-health.yaml') return text;
  return text
    .replace(/^catalog: catalog\b/m, 'catalog: examples/catalog')
    .replace('$schema=../schema/', '$schema=./schema/');
}

let checkout: string | undefined;

/**
 * A folder where the bundled example runs as it does in this repository (`./trace-health.yaml`, `examples/catalog`,
 * `examples/spans`): the repository root itself, or — in an adopted checkout — a temporary folder set up once.
 */
export function exampleRoot(): string {
  if (EXAMPLE_POLICY === 'trace-health.yaml') return ROOT;
  if (checkout === undefined) {
    const dir = mkdtempSync(path.join(tmpdir(), 'th-example-'));
    writeFileSync(path.join(dir, 'trace-health.yaml'), examplePolicyAtRoot());
    mkdirSync(path.join(dir, 'examples'));
    for (const sub of ['catalog', 'spans'])
      symlinkSync(path.join(ROOT, 'examples', sub), path.join(dir, 'examples', sub));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    checkout = dir;
  }
  return checkout;
}
