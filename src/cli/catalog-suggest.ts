/**
 * `trace-health catalog suggest --from REPORT --out DIR`: draft v3 service definitions for the services a collect
 * report (JSON) found sending spans without a catalog definition, ready for a pull request once a person fills in
 * the owner. The drafts are checked with the catalog reader before anything is written; bad input is exit 2 naming
 * the file and the value, and nothing is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { Command } from 'commander';
import { formatProblems, readCatalogFiles } from '../catalog';
import { writeFileAtomic } from '../fs-atomic';
import type { CollectReport } from '../collector/report';
import { reportJsonSchema } from '../collector/report-schema';
import { draftDefinitions } from '../collector/suggest';
import { UserError } from '../errors';
import { jsonSyntaxError } from '../input/json-syntax';
import type { CliContext } from './index';
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
      const report = readReport(opts.from, ctx.io.cwd);
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

let validate: ReturnType<Ajv['compile']> | undefined;

/** The report, checked against the published report schema; exit 2 naming the file, the path and the value. */
function readReport(file: string, cwd: string): CollectReport {
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code})`}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    const err = jsonSyntaxError(text);
    const at = err?.offset ?? 0;
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    const col = at - before.lastIndexOf('\n');
    throw new UserError(`${file}:${line}:${col}: invalid JSON (${err?.message ?? 'cannot parse'})`);
  }
  validate ??= new Ajv({ allErrors: false, strict: false }).compile(reportJsonSchema());
  if (!validate(data)) {
    const e = validate.errors![0];
    const where = e.instancePath
      .split('/')
      .slice(1)
      .map((p) => (/^[0-9]+$/.test(p) ? `[${p}]` : `.${p.replace(/~1/g, '/').replace(/~0/g, '~')}`))
      .join('')
      .replace(/^\./, '');
    const value = valueAt(data, e.instancePath);
    const shown = value === undefined ? '' : `${JSON.stringify(value)?.slice(0, 80)} `;
    throw new UserError(
      `${file}: ${where || '(top level)'}: ${shown}${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''} — not a report of \`trace-health collect --format json\``,
    );
  }
  return data as CollectReport;
}

function valueAt(data: unknown, pointer: string): unknown {
  let v: unknown = data;
  for (const p of pointer.split('/').slice(1)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[p.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}
