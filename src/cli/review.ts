/**
 * `trace-health review [--check]`: exit 1 with a diff when the committed review manifest is stale. Checking is all
 * the command does (`synth` writes the manifest), so `--check` is optional.
 */
import * as path from 'node:path';
import { Command } from 'commander';
import { DEFAULT_POLICY_FILE } from '../policy/load';
import { checkReview } from '../review/check';
import type { CliContext } from './index';

export function reviewCommand(program: Command, ctx: CliContext): void {
  program
    .command('review')
    .description(
      'Check that the committed review manifest (review/<stack>.yaml) matches the policy and catalog: exit 0 when ' +
        'current, 1 with a unified diff when stale. `synth` writes it.',
    )
    .option('-c, --config <file>', 'policy file', DEFAULT_POLICY_FILE)
    .option('--check', 'the default and only mode (kept for scripts that pass it)')
    .option('--review-dir <dir>', 'review manifest folder (default: review/ beside the policy file)')
    .option('--skip-invalid', 'leave invalid catalog definitions out, as `synth --skip-invalid` does')
    .action((flags: { config: string; reviewDir?: string; skipInvalid?: boolean }) => {
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
