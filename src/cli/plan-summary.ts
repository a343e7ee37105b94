/**
 * `trace-health plan-summary PLAN.json…`: what each stack's `terraform plan` does to Datadog, as Markdown for a
 * pull-request comment (or `--json`), with the destroy guard: exit 1 when a stack destroys more than
 * `--max-destroy` resources or any span-based metric, unless `--allow-destroy`.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { CheckFailed } from '../errors';
import { DEFAULT_MAX_CHARS, renderMarkdown } from '../ci/markdown';
import { planInputFromArg, readPlanFiles } from '../ci/plan';
import { DEFAULT_MAX_DESTROY, summarizePlans, summaryJson } from '../ci/summary';
import type { CliContext } from './index';

function wholeNumber(name: string, min: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min)
      throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}, got "${value}"`);
    return Number(value);
  };
}

export function planSummaryCommand(program: Command, ctx: CliContext): void {
  program
    .command('plan-summary')
    .description(
      'Summarize `terraform show -json` plans for a pull-request comment: per stack, the monitors, SLOs, dashboards ' +
        'and span metrics created, updated (fields before → after), replaced and destroyed, by service. ' +
        'Exits 1 when a stack destroys too much (destroy guard).',
    )
    .argument(
      '<plans...>',
      'plan JSON files; the stack is NAME in NAME=PATH, else the file name (core.json, plan-core.json → core), ' +
        'else the folder for plan.json/tfplan.json (stacks/core/plan.json → core)',
    )
    .option(
      '--max-destroy <n>',
      'most resources one stack may destroy (replacements count); any span-based metric always counts',
      wholeNumber('--max-destroy', 0),
      DEFAULT_MAX_DESTROY,
    )
    .option('--allow-destroy', 'report destroys but exit 0', false)
    .option('--json', 'print the summary as JSON instead of Markdown', false)
    .option(
      '--max-chars <n>',
      'cut the Markdown to this many characters (GitHub comments hold 65,536)',
      wholeNumber('--max-chars', 2000),
      DEFAULT_MAX_CHARS,
    )
    .action((args: string[], opts: { maxDestroy: number; allowDestroy: boolean; json: boolean; maxChars: number }) => {
      const cwd = ctx.io.cwd;
      const exists = (p: string) => existsSync(resolve(cwd, p));
      const plans = readPlanFiles(
        args.map((a) => planInputFromArg(a, exists, cwd)),
        cwd,
      );
      const summary = summarizePlans(plans, { maxDestroy: opts.maxDestroy, allowDestroy: opts.allowDestroy });
      ctx.io.out(opts.json ? summaryJson(summary) : renderMarkdown(summary, { maxChars: opts.maxChars }));
      const { violations, blocked } = summary.destroyGuard;
      if (blocked) {
        throw new CheckFailed(
          `destroy guard: ${violations.map((v) => v.message).join('; ')}. Re-run with --allow-destroy if this is intended.`,
        );
      }
      if (violations.length > 0)
        ctx.io.err(`trace-health: destroys allowed by --allow-destroy: ${violations.map((v) => v.message).join('; ')}`);
    });
}
