/**
 * Synthesize the project as it was at a git commit, for `changed-stacks --base REF`. The commit is exported with
 * `git archive` into a temporary folder (no worktree registered, nothing in the repository changes, nothing left
 * behind if the process dies beyond a temp folder) and synthesized there with the project's own synth command.
 * Cost: one full synth of the base, plus `npm ci` when the base's package-lock.json differs from the current one
 * (otherwise the current node_modules is linked in).
 */
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, Stats, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { UserError } from '../errors';

export const DEFAULT_SYNTH_COMMAND = 'npm run --silent synth';

export interface BaseSynthOptions {
  /** Branch, tag or commit (`origin/main`, `HEAD~1`, a SHA). */
  readonly ref: string;
  /** The project folder (where package.json is); may be below the repository root. */
  readonly cwd: string;
  /** Where synth writes, relative to the project folder (the same `--out` as the current output). */
  readonly out: string;
  /** Shell command that synthesizes the project in its folder. */
  readonly synthCommand: string;
  readonly env: NodeJS.ProcessEnv;
  /** Progress lines (stderr). */
  readonly log: (line: string) => void;
}

export interface BaseSynth {
  readonly commit: string;
  /** The base's synth output folder; undefined when the project did not exist at that commit. */
  readonly outDir: string | undefined;
  /** Remove the temporary copy. */
  cleanup(): void;
}

function git(args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
}

/** The commit a ref names, or undefined when it names none (or `cwd` is not in a git repository). */
export function resolveCommit(ref: string, cwd: string): string | undefined {
  if (ref.startsWith('-')) return undefined;
  const r = git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], cwd);
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function run(command: string, cwd: string, env: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  // Child output goes nowhere near our stdout, which may be a CI matrix being captured.
  return spawnSync(command, { cwd, env, shell: true, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/** Export `commit` into a temporary folder and synthesize it there. Call `cleanup()` when done. */
export function synthesizeBase(options: BaseSynthOptions, commit: string): BaseSynth {
  const { cwd, env, log } = options;
  if (isAbsolute(options.out) || options.out.startsWith('..'))
    throw new UserError(`--out ${options.out}: must be inside the project to compare with a git ref`);
  const top = git(['rev-parse', '--show-toplevel'], cwd);
  if (top.status !== 0) throw new UserError(`--base ${options.ref}: ${cwd} is not in a git repository`);
  const prefix = relative(top.stdout.trim(), cwd);
  const tmp = mkdtempSync(join(tmpdir(), 'trace-health-base-'));
  const cleanup = () => rmSync(tmp, { recursive: true, force: true });
  try {
    const tar = join(tmp, 'base.tar');
    const src = join(tmp, 'src');
    mkdirSync(src);
    const archived = git(['archive', '--format=tar', '-o', tar, commit], top.stdout.trim());
    if (archived.status !== 0)
      throw new UserError(`--base ${options.ref}: git archive failed: ${tail(archived.stderr, 5)}`);
    const untar = spawnSync('tar', ['-xf', tar, '-C', src], { encoding: 'utf8' });
    if (untar.status !== 0) throw new UserError(`--base ${options.ref}: tar failed: ${tail(untar.stderr ?? '', 5)}`);
    rmSync(tar);

    const project = join(src, prefix);
    if (!existsSync(join(project, 'package.json')) || !existsSync(join(project, 'cdktf.json'))) {
      log(`changed-stacks: the project does not exist at ${options.ref} (${commit.slice(0, 12)}): every stack is new`);
      return { commit, outDir: undefined, cleanup };
    }
    const lock = (dir: string) => {
      const file = join(dir, 'package-lock.json');
      return existsSync(file) ? readFileSync(file, 'utf8') : '';
    };
    if (lock(project) === lock(cwd)) {
      const link = join(project, 'node_modules');
      // A committed `node_modules` symlink (`.gitignore`'s `node_modules/` only matches folders) is replaced.
      if (lstatOrUndefined(link)?.isSymbolicLink()) rmSync(link);
      if (existsSync(join(cwd, 'node_modules')) && !existsSync(link))
        symlinkSync(join(cwd, 'node_modules'), link, 'dir');
    } else {
      log(`changed-stacks: ${options.ref} has other dependencies: npm ci in the base copy (slower)`);
      const ci = run('npm ci --ignore-scripts --no-audit --no-fund', project, env);
      if (ci.status !== 0)
        throw new UserError(
          `--base ${options.ref}: npm ci of the base failed:\n${tail(`${ci.stdout}${ci.stderr}`, 20)}`,
        );
    }
    log(`changed-stacks: synthesizing ${options.ref} (${commit.slice(0, 12)}) with \`${options.synthCommand}\``);
    const synth = run(options.synthCommand, project, env);
    if (synth.status !== 0) {
      throw new UserError(
        `--base ${options.ref}: \`${options.synthCommand}\` failed at ${commit.slice(0, 12)} (exit ${synth.status ?? synth.signal}):\n` +
          tail(`${synth.stdout}${synth.stderr}`, 20),
      );
    }
    const outDir = join(project, options.out);
    if (!existsSync(outDir))
      throw new UserError(
        `--base ${options.ref}: \`${options.synthCommand}\` wrote nothing to ${options.out} at ${commit.slice(0, 12)}`,
      );
    return { commit, outDir, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}
