/**
 * `trace-health changed-stacks --base DIR|GIT_REF`: the stacks whose synthesized Terraform differs from a base —
 * a folder of an earlier synth output, or a git ref that is synthesized on the fly — one per line
 * (`changed core`) or, with `--json`, as a GitHub Actions matrix (`{"include":[{"stack":…,"status":…}]}`).
 */
import { relative, resolve } from 'node:path';
import { Command } from 'commander';
import { UserError } from '../errors';
import { DEFAULT_SYNTH_COMMAND, resolveCommit, synthesizeBase } from '../ci/base-synth';
import { diffStacks, findStacksDir, isDir, readStacks, stackChangesMatrix, stackChangesText } from '../ci/stacks';
import type { CliContext } from './index';

interface Options {
  base: string;
  out: string;
  json: boolean;
  synthCommand: string;
}

export function changedStacksCommand(program: Command, ctx: CliContext): void {
  program
    .command('changed-stacks')
    .description(
      'List the stacks whose synthesized Terraform differs from a base (added, changed, removed), for CI to plan ' +
        'only those. Run `trace-health synth` first.',
    )
    .requiredOption(
      '--base <dir|ref>',
      'an earlier synth output folder (cdktf.out, or the project holding it), else a git ref that is synthesized ' +
        'in a temporary copy (costs one synth)',
    )
    .option('--out <dir>', 'the current synth output', 'cdktf.out')
    .option('--json', 'print a GitHub Actions matrix: {"include":[{"stack":"core","status":"changed"}]}', false)
    .addHelpText(
      'after',
      '\nWithout a change, stdout is empty (--json: {"include":[]}) and stderr says "no stack changed".',
    )
    .option(
      '--synth-command <cmd>',
      'how to synthesize a git ref (run in its copy of the project)',
      DEFAULT_SYNTH_COMMAND,
    )
    .action((opts: Options) => {
      const { io } = ctx;
      const currentDir = findStacksDir(resolve(io.cwd, opts.out), '--out');
      if (currentDir === undefined) throw new UserError(`--out ${opts.out}: empty; run \`trace-health synth\` first`);
      const current = readStacks(currentDir);

      let base: Map<string, string>;
      const baseDir = resolve(io.cwd, opts.base);
      if (isDir(baseDir)) {
        base = readStacks(findStacksDir(baseDir, '--base'));
      } else {
        const commit = resolveCommit(opts.base, io.cwd);
        if (commit === undefined) {
          throw new UserError(
            `--base ${opts.base}: neither a directory nor a git commit in this repository ` +
              '(in CI, fetch it first: actions/checkout with fetch-depth: 0, or `git fetch origin <ref>`)',
          );
        }
        const synth = synthesizeBase(
          {
            ref: opts.base,
            cwd: io.cwd,
            out: relative(io.cwd, resolve(io.cwd, opts.out)),
            synthCommand: opts.synthCommand,
            env: io.env,
            log: (line) => io.err(line),
          },
          commit,
        );
        try {
          base = readStacks(
            synth.outDir === undefined ? undefined : findStacksDir(synth.outDir, `--base ${opts.base}`),
          );
        } finally {
          synth.cleanup();
        }
      }
      const changes = diffStacks(base, current);
      const text = opts.json ? stackChangesMatrix(changes) : stackChangesText(changes);
      if (text !== '') io.out(text);
      // stdout stays one `<status> <stack>` line per change (scripts read it); the person reading gets a word.
      else io.err('no stack changed');
    });
}
