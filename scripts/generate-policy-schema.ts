/**
 * Writes schema/trace-health.schema.json (the policy, src/policy/schema.ts) and
 * schema/trace-health-scenarios.schema.json (simulate's scenario files, src/simulate/scenario-file.ts) and
 * schema/trace-health-report.schema.json (collect's JSON report, src/collector/report-schema.ts) from their
 * TypeBox definitions (the same objects ajv validates with), formatted like the rest of the repo. `npm run schema`;
 * a test fails when a file is stale.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { policyJsonSchema } from '../src/policy/schema';
import { scenarioJsonSchema } from '../src/simulate/scenario-file';
import { reportJsonSchema } from '../src/collector/report-schema';

export const POLICY_SCHEMA_FILE = path.join(__dirname, '..', 'schema', 'trace-health.schema.json');
export const SCENARIO_SCHEMA_FILE = path.join(__dirname, '..', 'schema', 'trace-health-scenarios.schema.json');
export const REPORT_SCHEMA_FILE = path.join(__dirname, '..', 'schema', 'trace-health-report.schema.json');

async function render(file: string, schema: Record<string, unknown>): Promise<string> {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(JSON.stringify(schema, null, 2), { ...options, parser: 'json' });
}

export async function renderPolicySchema(): Promise<string> {
  return render(POLICY_SCHEMA_FILE, policyJsonSchema());
}

if (require.main === module) {
  Promise.all([
    renderPolicySchema(),
    render(SCENARIO_SCHEMA_FILE, scenarioJsonSchema()),
    render(REPORT_SCHEMA_FILE, reportJsonSchema()),
  ]).then(
    ([policy, scenarios, report]) => {
      writeFileSync(POLICY_SCHEMA_FILE, policy);
      writeFileSync(SCENARIO_SCHEMA_FILE, scenarios);
      writeFileSync(REPORT_SCHEMA_FILE, report);
      for (const f of [POLICY_SCHEMA_FILE, SCENARIO_SCHEMA_FILE, REPORT_SCHEMA_FILE])
        process.stdout.write(`wrote ${path.relative(process.cwd(), f)}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
