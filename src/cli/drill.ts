/**
 * `trace-health drill SERVICE`: a printable incident-drill kit (Markdown) per fault class the project detects, for
 * a facilitator or for participants, from the plan and the simulator; `--report` replays the collector report's
 * real findings for the service.
 */
import { Command, Option } from 'commander';
import * as path from 'node:path';
import { writeFileAtomic } from '../fs-atomic';
import { UserError } from '../errors';
import { didYouMean } from '../policy/document';
import { DEFAULT_POLICY_FILE } from '../policy/load';
import { DRILL_ROLES, DrillRole, renderDrill } from '../site/drill';
import { drillFindings } from '../site/drill-findings';
import { BUILTIN_KINDS } from '../simulate/scenario';
import { simulate } from '../simulate/run';
import { loadInputs, planApp } from '../synth';
import type { CliContext } from './index';
import { readCollectReport } from './report-file';

interface Flags {
  config: string;
  scenario?: string;
  role: DrillRole;
  report?: string;
  out?: string;
}

export function drillCommand(program: Command, ctx: CliContext): void {
  program
    .command('drill')
    .description(
      'Print an incident-drill kit for SERVICE (Markdown, printable): per fault class, the brief (what users ' +
        'experience), what the on-call receives (the alert as sent, with links), the questions in order and — for the ' +
        'facilitator — the answer key. Alerts and timings come from the simulator; --report replays real findings.',
    )
    .argument('<service>', 'catalog service name')
    .option('-c, --config <file>', 'policy file', DEFAULT_POLICY_FILE)
    .option('--scenario <kind>', `one fault class only (${BUILTIN_KINDS.join(', ')})`)
    .addOption(
      new Option('--role <role>', 'facilitator (with answer key) or participant (without)')
        .choices(DRILL_ROLES)
        .default('facilitator'),
    )
    .option(
      '--report <file>',
      'collector JSON report (collect --format json): its findings for SERVICE become the scenarios',
    )
    .option('-o, --out <file>', 'write the kit to a file instead of stdout')
    .action((service: string, flags: Flags) => {
      const cwd = ctx.io.cwd;
      if (flags.scenario !== undefined && !(BUILTIN_KINDS as readonly string[]).includes(flags.scenario))
        throw new UserError(
          `--scenario: ${JSON.stringify(flags.scenario)} is not one of ${BUILTIN_KINDS.join(', ')}${didYouMean(flags.scenario, BUILTIN_KINDS)}`,
        );
      const inputs = loadInputs(flags.config, cwd);
      const { policy, catalog } = inputs;
      const enabled = policy.services.filter((s) => s.enabled).map((s) => s.service);
      if (!enabled.includes(service)) {
        const disabled = policy.services.some((s) => s.service === service);
        throw new UserError(
          disabled
            ? `service ${JSON.stringify(service)} is disabled in ${flags.config}: it has no monitors to drill`
            : `no service ${JSON.stringify(service)} in the catalog${didYouMean(service, enabled)}`,
        );
      }
      const report = flags.report ? readCollectReport(flags.report, cwd) : undefined;
      const plan = planApp(policy, catalog, undefined, inputs.doc);
      const x = plan.stacks
        .flatMap((s) => (s.kind === 'services' ? s.services : []))
        .find((s) => s.service.name === service)!;
      const env = x.policy.envs[0];
      const result = simulate({
        plan,
        policy,
        catalog,
        services: new Set([service]),
        ...(flags.scenario ? { kinds: new Set([flags.scenario]) } : {}),
      });
      const outcomes = result.scenarios.filter((o) => o.env === env);
      const text = renderDrill({
        site: policy.site,
        service: x,
        outcomes,
        role: flags.role,
        ...(report ? { findings: drillFindings(report, service, env), reportName: flags.report } : {}),
      });
      if (flags.out) {
        writeFileAtomic(path.resolve(cwd, flags.out), text);
        ctx.io.err(`wrote ${flags.out}`);
      } else ctx.io.out(text.replace(/\n$/, ''));
    });
}
