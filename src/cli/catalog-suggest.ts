/**
 * `trace-health catalog suggest --from REPORT --out DIR`: draft v3 service definitions for the services a collect
 * report (JSON) found sending spans without a catalog definition, ready for a pull request once a person fills in
 * the owner. The drafts are checked with the catalog reader before anything is written; bad input is exit 2 naming
 * the file and the value, and nothing is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { formatProblems, readCatalogFiles } from '../catalog';
import { writeFileAtomic } from '../fs-atomic';
import { draftDefinitions } from '../collector/suggest';
import { UserError } from '../errors';
import type { CliContext } from './index';
import { readCollectReport } from './report-file';
import { plural } from './io';

export function catalogSuggestCommand(program: Command, ctx: CliContext): void {
  const catalog =
    program.commands.find((c) => c.name() === 'catalog') ??
    program.command('catalog').description('Read and check the Service Catalog.');
  catalog
    .command('suggest')
    .description(
      'Write draft v3 definitions (name, languages, tracers, dependsOn from observed calls; owner left to fill) for ' +
        'the services a collect report (--format json) saw sending spans without a catalog definition. Exit 0 ' +
        'written (or nothing to suggest), 2 invalid input (nothing written).',
    )
    .requiredOption('--from <report>', 'JSON report of `trace-health collect --format json` (run with a policy)')
    .requiredOption('-o, --out <dir>', 'folder to write <service>.yaml drafts into (created if needed)')
    .action((opts: { from: string; out: string }) => {
      const report = readCollectReport(opts.from, ctx.io.cwd);
      const drafts = draftDefinitions(report, path.basename(opts.from));
      if (drafts.length === 0) {
        ctx.io.err(
          `${opts.from}: no service missing from the catalog (services are checked against the catalog when collect runs with a policy)`,
        );
        return;
      }
      const dir = path.resolve(ctx.io.cwd, opts.out);
      // Checked as the catalog reader will read them once added: errors here are a bug, never a file to fix.
      const check = readCatalogFiles(drafts.map((d) => ({ path: path.join(opts.out, d.file), text: d.text })));
      if (check.problems.length) throw new Error(formatProblems(check.problems).join('\n'));
      try {
        fs.mkdirSync(dir, { recursive: true });
        for (const d of drafts) writeFileAtomic(path.join(dir, d.file), d.text);
      } catch (e) {
        throw new UserError(`${opts.out}: cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      }
      ctx.io.err(
        `wrote ${plural(drafts.length, 'draft definition')} to ${opts.out}: ${drafts.map((d) => d.file).join(', ')} — fill in each owner, review, then add them to the catalog`,
      );
    });
}
