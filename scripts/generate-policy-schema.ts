/**
 * Writes schema/trace-health.schema.json from the TypeBox definition in src/policy/schema.ts (the same objects ajv
 * validates with), formatted like the rest of the repo. `npm run schema`; a test fails when the file is stale.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { policyJsonSchema } from '../src/policy/schema';

export const POLICY_SCHEMA_FILE = path.join(__dirname, '..', 'schema', 'trace-health.schema.json');

export async function renderPolicySchema(): Promise<string> {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(POLICY_SCHEMA_FILE)) ?? {};
  return prettier.format(JSON.stringify(policyJsonSchema(), null, 2), { ...options, parser: 'json' });
}

if (require.main === module) {
  renderPolicySchema().then(
    (text) => {
      writeFileSync(POLICY_SCHEMA_FILE, text);
      process.stdout.write(`wrote ${path.relative(process.cwd(), POLICY_SCHEMA_FILE)}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
