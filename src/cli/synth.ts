/** `trace-health synth`: policy + catalog → cdktf.out/stacks/<stack>/cdk.tf.json and review/<stack>.yaml. */
import * as path from 'node:path';
import { Command } from 'commander';
import { DEFAULT_POLICY_FILE } from '../policy/load';
import { DEFAULT_OUT_DIR, synth } from '../synth';
import type { CliContext } from './index';

interface SynthFlags {
  config: string;
  out: string;
  stack?: string[];
  allowRemovals?: boolean;
  reviewDir?: string;
  skipInvalid?: boolean;
}

export function synthCommand(program: Command, ctx: CliContext): void {
  program
    .command('synth')
    .description(
      'Write the Terraform JSON of every stack (core + one per team by default) into --out, and the review manifest ' +
        '(review/<stack>.yaml) beside the policy file, or into --review-dir. Nothing is written when anything is ' +
        'wrong. Exit 1 when a check fails (requireRoute, the shrink guard).',
    )
    .option('-c, --config <file>', 'policy file', DEFAULT_POLICY_FILE)
    .option('-o, --out <dir>', 'output folder for the Terraform JSON (not the review manifest)', DEFAULT_OUT_DIR)
    .option(
      '--review-dir <dir>',
      'review manifest folder (default: review/ beside the policy file, whatever --out says)',
    )
    .option('-s, --stack <name...>', 'synthesize only these stacks; other stack folders are left as they are')
    .option('--allow-removals', 'accept a catalog that lost more services than maxRemovalRatio allows')
    .option(
      '--skip-invalid',
      'synthesize the valid services when catalog definitions are invalid; the skipped ones are named, and count as ' +
        'removed for the shrink guard',
    )
    .action((flags: SynthFlags) => {
      const result = synth({
        config: flags.config,
        out: flags.out,
        stacks: flags.stack,
        cwd: ctx.io.cwd,
        allowRemovals: flags.allowRemovals,
        reviewDir: flags.reviewDir,
        skipInvalid: flags.skipInvalid,
      });
      for (const w of result.warnings) ctx.io.err(`warning: ${w}`);
      const out = path.relative(ctx.io.cwd, result.outDir) || '.';
      const review = path.relative(ctx.io.cwd, result.reviewDir) || '.';
      ctx.io.out(
        `synthesized ${result.stacks.length} stack${result.stacks.length === 1 ? '' : 's'} into ${out}/stacks ` +
          `(${result.stacks.join(', ')}); review manifest in ${review}/`,
      );
    });
}
