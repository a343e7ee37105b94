/**
 * `trace-health catalog …`: read the Service Catalog the way synth will. `validate` reports every problem of every
 * file at once, errors then warnings; `list` shows the valid services and reports the invalid ones. Other modules add
 * sub-commands (`catalog pull`) by finding this command on the program:
 * `program.commands.find((c) => c.name() === 'catalog')`.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import {
  Catalog,
  CatalogReport,
  formatProblems,
  InvalidDefinition,
  loadCatalogReport,
  Service,
  summarizeCatalog,
} from '../catalog';
import { UserError } from '../errors';
import { DEFAULT_POLICY_FILE, loadPolicy, policyCatalogArg } from '../policy';
import { CliContext } from './index';
import { plural } from './io';

const CATALOG_COMMAND = 'catalog';

const PATH_HELP = `catalog folder, definition file or snapshot .json (default: catalog: of ./${DEFAULT_POLICY_FILE})`;

/** `catalog validate --help`: what is checked, what is only warned about, and why. */
export const VALIDATE_HELP = `
What is checked: every definition against the schema version it declares (schema-version v2, v2.1, v2.2 or
apiVersion v3, as published by Datadog in DataDog/schema), every deviation once, at its own file:line:col.

Errors (exit 2; the definition is not used):
  - no name or kind, an unknown version, a service name with whitespace (it is used in service:<name> queries)
  - a wrong type or shape (a mapping where a string belongs), a required key missing
  - a key of another schema version, entity kind or place (tier in a v2 file, components in a service spec,
    owner under spec) or a typo of a known key or kind: its value would be silently ignored
  - a link url that is not an absolute URL, a dependsOn entry that is not a kind:name reference
  - a service defined twice
Warnings (exit 0, or 1 with --strict); the definition is used:
  - keys the schema does not have (ignored), values outside a list the schema enumerates (kept as written),
    email and URL formats, empty strings (read as not set), a numeric tier (read as its text)
  - a service without a team, a dependsOn naming nothing in the catalog
A snapshot from \`catalog pull\` holds definitions Datadog already accepted: only the name, owner, tier and
duplicate rules are errors there; other schema deviations are warnings naming the definition, and what they
concern is left out.`;

export function catalogCommand(program: Command, ctx: CliContext): void {
  const catalog = program
    .command(CATALOG_COMMAND)
    .description('Read and check the Service Catalog (definition files v2, v2.1, v2.2, v3, or a snapshot).');

  catalog
    .command('validate')
    .description(
      'Check every definition and print a summary. Exit 0 valid, 1 warnings with --strict, 2 invalid (every problem is listed as file:line:col).',
    )
    .argument('[path]', PATH_HELP)
    .option('-c, --config <file>', 'policy file to take the catalog path from when PATH is not given')
    .option('--strict', 'fail (exit 1) on warnings too (see below)')
    .addHelpText('after', VALIDATE_HELP)
    .action((given: string | undefined, opts: { config?: string; strict?: boolean }) => {
      const catalogPath = resolveCatalogPath(given, opts.config, ctx);
      const report = loadCatalogReport(catalogPath, { cwd: ctx.io.cwd });
      const warnings = formatProblems(report.warnings);
      // Errors first, then warnings: a broken file must not hide what the others have to say.
      for (const line of formatProblems(report.problems)) ctx.io.err(line);
      for (const w of warnings) ctx.io.err(`warning: ${w}`);
      if (report.problems.length > 0) {
        const n = report.problems.length;
        const { services, entities } = report.catalog;
        const also = warnings.length > 0 ? ` and ${plural(warnings.length, 'warning')}` : '';
        ctx.io.err(
          `${catalogPath}: invalid, ${plural(n, 'problem')}${also} (${plural(services.length, 'service')} and ${plural(entities.length, 'other entity', 'other entities')} are valid)`,
        );
        ctx.exitCode = 2;
        return;
      }
      // With --strict a warning fails the check: say so instead of "valid" (no summary on stdout).
      if (opts.strict && warnings.length > 0) {
        const { services, entities } = report.catalog;
        ctx.io.err(
          `${catalogPath}: not valid with --strict, ${plural(warnings.length, 'warning')} ` +
            `(${plural(services.length, 'service')}, ${plural(entities.length, 'other entity', 'other entities')} ` +
            `in ${plural(report.files, 'file')})`,
        );
        ctx.exitCode = 1;
        return;
      }
      ctx.io.out(summaryLines(catalogPath, report.catalog, report.files).join('\n'));
    });

  catalog
    .command('list')
    .description(
      'List the normalized catalog services (sorted by name). With invalid definitions, the valid services are still ' +
        'listed on stdout, and the problems and the definitions left out on stderr (exit 2).',
    )
    .argument('[path]', PATH_HELP)
    .option('-c, --config <file>', 'policy file to take the catalog path from when PATH is not given')
    .option('--json', 'print a JSON array of services instead of a table')
    .action((given: string | undefined, opts: { config?: string; json?: boolean }) => {
      const catalogPath = resolveCatalogPath(given, opts.config, ctx);
      const report = loadCatalogReport(catalogPath, { cwd: ctx.io.cwd });
      const services = report.catalog.services;
      ctx.io.out(opts.json ? `${JSON.stringify(services.map(serviceJson), null, 2)}` : table(services));
      if (report.problems.length > 0) {
        for (const line of formatProblems(report.problems)) ctx.io.err(line);
        ctx.io.err(leftOutLine(catalogPath, report));
        ctx.exitCode = 2;
      }
    });
}

/** `cat: 2 problems; left out: cat/b.yaml:3:1 (service:b), cat/c.yaml:1:1` (what is not in the list, and where). */
export function leftOutLine(catalogPath: string, report: CatalogReport): string {
  const left = report.invalid.map(describeInvalid);
  const what = left.length > 0 ? `; left out: ${left.join(', ')}` : '';
  return `${catalogPath}: ${plural(report.problems.length, 'problem')}${what}`;
}

/** `cat/b.yaml:3:1 (service:b)`; the place alone for a document that could not be parsed. */
export function describeInvalid(d: InvalidDefinition): string {
  const at = d.line > 0 ? `${d.file}:${d.line}:${d.col}` : d.file;
  return d.ref ? `${at} (${d.ref})` : at;
}

/**
 * PATH, else the `catalog:` of the policy file (`--config`, or ./trace-health.yaml when it exists), shown relative
 * to the working folder so messages stay machine-independent.
 */
function resolveCatalogPath(given: string | undefined, config: string | undefined, ctx: CliContext): string {
  if (given !== undefined) return given;
  const policyFile = config ?? DEFAULT_POLICY_FILE;
  if (config === undefined && !existsSync(path.resolve(ctx.io.cwd, policyFile)))
    throw new UserError(
      `catalog PATH is required: there is no ./${DEFAULT_POLICY_FILE} to take catalog: from (e.g. trace-health catalog validate examples/catalog)`,
    );
  const doc = loadPolicy(policyFile, { cwd: ctx.io.cwd });
  return policyCatalogArg(doc, ctx.io.cwd);
}

function summaryLines(catalogPath: string, catalog: Catalog, files: number): string[] {
  const s = summarizeCatalog(catalog);
  const versions = Object.entries(s.bySchemaVersion)
    .map(([v, n]) => `${v} ${n}`)
    .join(', ');
  const kinds = Object.entries(s.entitiesByKind)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const lines = [
    `${catalogPath}: valid, ${plural(s.services, 'service')}, ${plural(s.entities, 'other entity', 'other entities')} in ${plural(files, 'file')}`,
    `  services by schema version: ${versions}`,
  ];
  if (kinds) lines.push(`  entities by kind: ${kinds}`);
  lines.push(`  teams: ${s.teams.length > 0 ? s.teams.join(', ') : '(none)'}`);
  return lines;
}

/** `catalog list --json`: every key always present (null when unset), so jq filters need no guards. */
function serviceJson(s: Service): Record<string, unknown> {
  return {
    name: s.name,
    team: s.team ?? null,
    tier: s.tier ?? null,
    lifecycle: s.lifecycle ?? null,
    type: s.type ?? null,
    application: s.application ?? null,
    description: s.description ?? null,
    schemaVersion: s.schemaVersion,
    file: s.source.file,
    line: s.source.line,
    runbook: s.runbook ?? null,
    dependsOn: s.dependsOn,
    languages: s.languages,
    tags: s.tags,
    contacts: s.contacts,
    links: s.links,
    integrations: {
      pagerduty: s.integrations.pagerduty ?? null,
      opsgenie: s.integrations.opsgenie ?? null,
    },
  };
}

function table(services: readonly Service[]): string {
  const header = ['SERVICE', 'TEAM', 'TIER', 'LIFECYCLE', 'SCHEMA', 'RUNBOOK', 'DEFINED AT'];
  const rows = services.map((s) => [
    s.name,
    s.team ?? '-',
    s.tier ?? '-',
    s.lifecycle ?? '-',
    s.schemaVersion,
    s.runbook ? 'yes' : 'no',
    `${s.source.file}:${s.source.line}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [fmt(header), ...rows.map(fmt), plural(services.length, 'service')].join('\n');
}
