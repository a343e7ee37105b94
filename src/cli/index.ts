/**
 * `trace-health` command line: a thin layer over catalog, policy, synth and collector. Each command lives in
 * its own module and registers itself on the program; this file only wires them and maps errors to exit codes:
 * 0 ok, 1 a check failed, 2 invalid input or usage. User errors print their message alone, never a stack.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import { UserError } from '../errors';
import { Io, processIo } from './io';

/** A command module adds its sub-command(s) to the program. Actions set `ctx.exitCode` or throw UserError. */
export type CommandModule = (program: Command, ctx: CliContext) => void;

export interface CliContext {
  readonly io: Io;
  exitCode: number;
}

// Command modules, in the order `--help` lists them.
const COMMANDS: CommandModule[] = [];

export function registerCommands(...modules: CommandModule[]): void {
  COMMANDS.push(...modules);
}

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('trace-health')
    .description('Trace health (orphan spans, tag coverage) for every service in the Datadog Service Catalog, as code.')
    .version(packageVersion(), '-V, --version', 'print the trace-health version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.io.out(s.replace(/\n$/, '')),
      writeErr: (s) => ctx.io.err(s.replace(/\n$/, '')),
    })
    .exitOverride();
  for (const mod of COMMANDS) mod(program, ctx);
  for (const sub of program.commands) applyExitOverride(sub, ctx);
  return program;
}

function applyExitOverride(cmd: Command, ctx: CliContext): void {
  cmd.exitOverride().configureOutput({
    writeOut: (s) => ctx.io.out(s.replace(/\n$/, '')),
    writeErr: (s) => ctx.io.err(s.replace(/\n$/, '')),
  });
  cmd.showHelpAfterError('(run with --help for usage)');
  for (const sub of cmd.commands) applyExitOverride(sub, ctx);
}

/** The `version` of package.json (read, not imported: the file is outside src/). */
function packageVersion(): string {
  const file = path.join(__dirname, '..', '..', 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Run the CLI; resolves to the process exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  loadCommands();
  const ctx: CliContext = { io, exitCode: 0 };
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // An asked-for --help / --version exits 0. Help shown because a sub-command is missing
      // (`trace-health catalog`) is a usage error like anything else commander rejects: 2.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      if (e.code === 'commander.help') return e.exitCode === 0 ? 0 : 2;
      return 2;
    }
    if (e instanceof UserError) {
      io.err(`trace-health: ${e.message}`);
      return e.exitCode;
    }
    throw e;
  }
}

let loaded = false;
function loadCommands(): void {
  if (loaded) return;
  loaded = true;
  // Each command module registers itself here. Keep one line per module.
  registerCommands(
    require('./catalog').catalogCommand,
    require('./catalog-pull').catalogPullCommand,
    require('./catalog-suggest').catalogSuggestCommand,
    require('./changed-stacks').changedStacksCommand,
    require('./plan-summary').planSummaryCommand,
    require('./policy').policyCommand,
    require('./collect').collectCommand,
    require('./synth').synthCommand,
    require('./review').reviewCommand,
    require('./simulate').simulateCommand,
    require('./site').siteCommand,
    require('./drill').drillCommand,
    require('./init').initCommand,
  );
}
