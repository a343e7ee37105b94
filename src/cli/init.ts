/**
 * `trace-health init [--catalog PATH | --pull] [--force]`: turn a checkout of this repository into a team's own.
 * Writes a commented trace-health.yaml from the team's catalog (src/init/starter-policy.ts), moves the bundled
 * example out of the way (trace-health.yaml → examples/trace-health.yaml, review/ → examples/review/), and prints
 * the next steps. The policy is checked against the catalog before anything is moved or written.
 */
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { parse } from 'yaml';
import { formatProblems, isSnapshot, loadCatalogReport } from '../catalog';
import { writeFileAtomic } from '../fs-atomic';
import { isSite } from '../datadog/site';
import { UserError } from '../errors';
import { starterPolicy } from '../init/starter-policy';
import { DEFAULT_POLICY_FILE, parsePolicy, resolvePolicy } from '../policy';
import { runPull } from './catalog-pull';
import type { CliContext } from './index';
import { plural } from './io';

/** Where `--pull` writes the snapshot, and where the bundled example goes. */
export const PULLED_SNAPSHOT = 'catalog/snapshot.json';
const EXAMPLES = 'examples';
const EXAMPLE_CATALOG = 'examples/catalog';
const DEFAULT_SITE = 'datadoghq.com';

interface InitOptions {
  catalog?: string;
  pull?: boolean;
  force?: boolean;
}

export function initCommand(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description(
      'Make this checkout your own: write a commented trace-health.yaml from your catalog (its teams and tiers, ' +
        'entrypoints guessed from dependsOn, the contacts that need a handle), move the bundled example to ' +
        'examples/, and print the next steps.',
    )
    .option('--catalog <path>', 'your catalog: a folder of service definition files, or a snapshot .json')
    .option('--pull', `pull the catalog from Datadog into ${PULLED_SNAPSHOT} first (DD_API_KEY, DD_APP_KEY, DD_SITE)`)
    .option('--force', `replace a ${DEFAULT_POLICY_FILE} that is not the bundled example`)
    .action((opts: InitOptions) => runInit(opts, ctx));
}

async function runInit(opts: InitOptions, ctx: CliContext): Promise<void> {
  const cwd = ctx.io.cwd;
  if ((opts.catalog === undefined) === !opts.pull)
    throw new UserError('init needs one of --catalog PATH (a folder of definitions or a snapshot .json) or --pull');
  const plan = planMoves(cwd, opts.force ?? false);

  if (opts.pull) await runPull({ out: PULLED_SNAPSHOT, timeout: 30, retries: 5 }, ctx);
  const catalogPath = toPosix(opts.catalog !== undefined ? path.normalize(opts.catalog) : PULLED_SNAPSHOT);
  const report = loadCatalogReport(catalogPath, { cwd });
  if (report.catalog.services.length === 0)
    throw new UserError(
      `${catalogPath}: no valid service definition, nothing to write a policy for` +
        (report.problems.length > 0 ? `:\n${formatProblems(report.problems).join('\n')}` : ''),
    );
  for (const p of formatProblems(report.problems)) ctx.io.err(`warning: ${p}`);

  const site = siteFor(cwd, catalogPath, ctx.io.env);
  const text = starterPolicy({
    catalogPath,
    catalog: report.catalog,
    site: site.site,
    siteFrom: site.from,
    invalid: report.invalid.length,
  });
  // What synth will do with it: a policy that does not validate against this catalog is a bug here, not theirs.
  resolvePolicy(parsePolicy(DEFAULT_POLICY_FILE, text), report.catalog);

  for (const m of plan.moves) m.apply();
  writeFileAtomic(path.join(cwd, DEFAULT_POLICY_FILE), text);

  const teams = new Set(report.catalog.services.flatMap((s) => (s.team ? [s.team] : []))).size;
  const lines = [
    `Wrote ${DEFAULT_POLICY_FILE} for ${catalogPath}: ${plural(report.catalog.services.length, 'service')} of ` +
      `${plural(teams, 'team')}.`,
  ];
  if (plan.moves.length > 0)
    lines.push(`Moved the bundled example out of the way: ${plan.moves.map((m) => m.label).join(', ')}.`);
  if (report.problems.length > 0)
    lines.push(
      `${plural(report.invalid.length, 'invalid definition')} left out (warnings above): fix them, or synth with ` +
        '--skip-invalid until then.',
    );
  const outside = catalogPath.startsWith('../') || path.isAbsolute(catalogPath);
  lines.push(
    'Next steps:',
    '  1. Read trace-health.yaml: check the guessed entrypoints, fill the tiers marked TODO, and map the catalog ids ' +
      'listed under integrations (docs/routing.md).',
    `  2. npx trace-health synth, then commit trace-health.yaml, review/${outside ? '' : ` and ${catalogPath}${catalogPath.endsWith('.json') ? '' : '/'}`}.`,
    `  3. Secrets: DD_API_KEY and DD_APP_KEY as CI secrets, DD_SITE=${site.site}; never in a file.`,
    '  4. Terraform state: set stacks.backend (s3, gcs or remote) in trace-health.yaml before the first apply.',
    '  5. CI: .github/workflows/trace-health-plan.yml, -apply.yml and -collect.yml (other CI systems: docs/ci.md).',
  );
  if (outside)
    lines.push(
      `${catalogPath} is outside this folder, so CI will not have it: copy the definitions in, or run init --pull ` +
        'and commit the snapshot.',
    );
  ctx.io.out(lines.join('\n'));
}

interface Move {
  readonly label: string;
  apply(): void;
}

/**
 * The bundled example (a trace-health.yaml whose catalog is examples/catalog, and its review/) moves to examples/;
 * any other trace-health.yaml is the team's and is only replaced with --force. Checked before anything is done.
 */
function planMoves(cwd: string, force: boolean): { moves: Move[] } {
  const policy = path.join(cwd, DEFAULT_POLICY_FILE);
  if (!existsSync(policy)) return { moves: [] };
  const text = readFileSync(policy, 'utf8');
  if (!isBundledExample(text)) {
    if (!force)
      throw new UserError(
        `${DEFAULT_POLICY_FILE} exists and is not the bundled example (an earlier init?): not replacing it; ` +
          '--force does',
      );
    return { moves: [] };
  }
  const movedPolicy = path.join(cwd, EXAMPLES, DEFAULT_POLICY_FILE);
  const review = path.join(cwd, 'review');
  const movedReview = path.join(cwd, EXAMPLES, 'review');
  for (const target of [movedPolicy, ...(existsSync(review) ? [movedReview] : [])])
    if (existsSync(target))
      throw new UserError(
        `${toPosix(path.relative(cwd, target))} exists: cannot move the bundled example there; move or delete it first`,
      );
  const moves: Move[] = [
    {
      label: `${DEFAULT_POLICY_FILE} → ${EXAMPLES}/${DEFAULT_POLICY_FILE}`,
      apply: () => {
        // Paths in it are relative to its folder: one level down now.
        const moved = text
          .replace(/^catalog:\s*examples\/catalog\b/m, 'catalog: catalog')
          .replace('$schema=./schema/', '$schema=../schema/');
        writeFileAtomic(movedPolicy, moved);
        rmSync(policy);
      },
    },
  ];
  if (existsSync(review))
    moves.push({ label: `review/ → ${EXAMPLES}/review/`, apply: () => renameSync(review, movedReview) });
  return { moves };
}

function isBundledExample(text: string): boolean {
  try {
    const data = parse(text) as { catalog?: unknown } | null;
    return typeof data === 'object' && data !== null && data.catalog === EXAMPLE_CATALOG;
  } catch {
    return false;
  }
}

/** A snapshot's site, else DD_SITE, else datadoghq.com. */
function siteFor(cwd: string, catalogPath: string, env: NodeJS.ProcessEnv): { site: string; from: string } {
  if (catalogPath.toLowerCase().endsWith('.json')) {
    try {
      const snap = JSON.parse(readFileSync(path.resolve(cwd, catalogPath), 'utf8')) as { site?: unknown };
      if (isSnapshot(snap) && typeof snap.site === 'string' && isSite(snap.site))
        return { site: snap.site, from: 'the snapshot' };
    } catch {
      // Not a readable snapshot: the catalog reader has said why.
    }
  }
  const fromEnv = env.DD_SITE?.trim();
  if (fromEnv && isSite(fromEnv)) return { site: fromEnv, from: 'DD_SITE' };
  return { site: DEFAULT_SITE, from: 'the default; set it to your Datadog site' };
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
