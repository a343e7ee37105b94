/**
 * `trace-health simulate`: run the built-in scenarios (every fault class, for every service) and the policy's own
 * scenario files against the monitors and SLOs synth generates; exit 1 when an alert path does not hold.
 */
import { Command } from 'commander';
import * as path from 'node:path';
import { UserError } from '../errors';
import { DEFAULT_POLICY_FILE } from '../policy/load';
import { BUILTIN_KINDS } from '../simulate/scenario';
import { readScenarioFolder, userScenarios } from '../simulate/scenario-file';
import { READING_TEXT, renderJson, renderMarkdown } from '../simulate/report';
import { simulate } from '../simulate/run';
import { loadInputs, planApp } from '../synth';
import { writeFileAtomic } from '../fs-atomic';
import type { CliContext } from './index';

interface Flags {
  config: string;
  service?: string[];
  scenario?: string[];
  json?: boolean;
  out?: string;
}

export function simulateCommand(program: Command, ctx: CliContext): void {
  program
    .command('simulate')
    .description(
      'Prove alert paths: run scenarios (tag vanishes, tag drops, orphans in a new version, traffic stops, low ' +
        'volume, an edge loses propagation, callers lose context, a second tracer) against the monitors and SLOs ' +
        'synth generates, evaluated with documented Datadog semantics; exit 1 when a monitor does not fire, fires ' +
        'falsely, does not recover, or misses a handle.',
    )
    .option('-c, --config <file>', 'policy file', DEFAULT_POLICY_FILE)
    .option('-s, --service <name...>', 'only these services')
    .option('--scenario <kind...>', `only these built-in scenarios (${BUILTIN_KINDS.join(', ')})`)
    .option('--json', 'JSON report')
    .option('-o, --out <file>', 'write the report to a file instead of stdout')
    .addHelpText(
      'after',
      [
        '',
        'Undocumented Datadog behaviour is evaluated under every reading; a scenario passes only under all:',
        ...Object.entries(READING_TEXT).map(([k, v]) => `  ${k}: ${v}`),
        '',
        'Own scenarios: YAML files in the folder named by `simulate.scenarios` in the policy',
        '(format: schema/trace-health-scenarios.schema.json). Exit codes: 0 every scenario passed, 1 a scenario',
        'failed, 2 invalid input.',
      ].join('\n'),
    )
    .action((flags: Flags) => {
      const inputs = loadInputs(flags.config, ctx.io.cwd);
      const { policy, catalog } = inputs;
      const known = new Set(policy.services.filter((s) => s.enabled).map((s) => s.service));
      for (const s of flags.service ?? [])
        if (!known.has(s)) throw new UserError(`--service: ${JSON.stringify(s)} is not an enabled catalog service`);
      for (const k of flags.scenario ?? [])
        if (!(BUILTIN_KINDS as readonly string[]).includes(k))
          throw new UserError(`--scenario: ${JSON.stringify(k)} is not one of ${BUILTIN_KINDS.join(', ')}`);
      const plan = planApp(policy, catalog, undefined, inputs.doc);
      const plans = new Map(
        plan.stacks.flatMap((s) =>
          s.kind === 'services' ? s.services.map((x) => [x.service.name, x.plan] as const) : [],
        ),
      );
      const user = policy.simulationScenarios
        ? userScenarios(
            readScenarioFolder(
              path.resolve(inputs.policyDir, policy.simulationScenarios),
              path.relative(ctx.io.cwd, path.resolve(inputs.policyDir, policy.simulationScenarios)) || '.',
            ),
            plans,
            policy,
          )
        : [];
      const result = simulate({
        plan,
        policy,
        catalog,
        userScenarios: user,
        ...(flags.service ? { services: new Set(flags.service) } : {}),
        ...(flags.scenario ? { kinds: new Set(flags.scenario) } : {}),
      });
      const text = flags.json ? renderJson(result) : renderMarkdown(result);
      if (flags.out) {
        writeFileAtomic(path.resolve(ctx.io.cwd, flags.out), text);
        ctx.io.err(`wrote ${flags.out}`);
      } else ctx.io.out(text.replace(/\n$/, ''));
      ctx.io.err(
        `simulate: ${result.scenarios.length} scenarios, ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped`,
      );
      if (result.failed) ctx.exitCode = 1;
    });
}
