/** `trace-health review --check`: exit 1 with a diff when the committed review manifest is stale. */
import * as path from 'node:path';
import { Command } from 'commander';
import { DEFAULT_POLICY_FILE } from '../policy/load';
import { checkReview } from '../review/check';
import { UserError } from '../errors';
import type { CliContext } from './index';

export function reviewCommand(program: Command, ctx: CliContext): void {
  program
    .command('review')
    .description('Check that the committed review manifest (review/<stack>.yaml) matches the policy and catalog.')
    .option('-c, --config <file>', 'policy file', DEFAULT_POLICY_FILE)
    .option('--check', 'exit 1 and print a unified diff when the manifest is stale')
    .option('--review-dir <dir>', 'review manifest folder (default: review/ beside the policy file)')
    .option('--skip-invalid', 'leave invalid catalog definitions out, as `synth --skip-invalid` does')
    .action((flags: { config: string; check?: boolean; reviewDir?: string; skipInvalid?: boolean }) => {
      if (!flags.check) throw new UserError('review: nothing to do (use --check; `synth` writes the manifest)');
      const result = checkReview(flags.config, ctx.io.cwd, flags.reviewDir, { skipInvalid: flags.skipInvalid });
      const dir = path.relative(ctx.io.cwd, result.reviewDir) || '.';
      if (result.diffs.length === 0) {
        ctx.io.out(`review manifest is current (${result.files} files in ${dir}/)`);
        return;
      }
      ctx.io.out(result.diffs.join('\n'));
      ctx.io.err(
        `review manifest in ${dir}/ is stale (${result.diffs.length} file${result.diffs.length === 1 ? '' : 's'}): ` +
          'run `npm run synth` and commit the result',
      );
      ctx.exitCode = 1;
    });
}
