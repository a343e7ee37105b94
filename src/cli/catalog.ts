/**
 * `trace-health catalog …`: read the Service Catalog the way synth will. `validate` reports every problem of every
 * file at once; `list` shows the normalized services. Other modules add sub-commands (`catalog pull`) by finding
 * this command on the program: `program.commands.find((c) => c.name() === 'catalog')`.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import {
  Catalog,
  catalogWarnings,
  formatProblems,
  loadCatalog,
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
    .option('--strict', 'fail (exit 1) on warnings too: services without a team, dependsOn naming nothing')
    .action((given: string | undefined, opts: { config?: string; strict?: boolean }) => {
      const catalogPath = resolveCatalogPath(given, opts.config, ctx);
      const report = loadCatalogReport(catalogPath, { cwd: ctx.io.cwd });
      const summary = summaryLines(catalogPath, report.catalog, report.files);
      if (report.problems.length > 0) {
        for (const line of formatProblems(report.problems)) ctx.io.err(line);
        const n = report.problems.length;
        const { services, entities } = report.catalog;
        ctx.io.err(
          `${catalogPath}: invalid, ${plural(n, 'problem')} (${plural(services.length, 'service')} and ${plural(entities.length, 'other entity', 'other entities')} are valid)`,
        );
        ctx.exitCode = 2;
        return;
      }
      const warnings = catalogWarnings(report.catalog);
      // With --strict a warning fails the check: say so instead of "valid" (and print no summary on stdout).
      if (opts.strict && warnings.length > 0) {
        for (const w of warnings) ctx.io.err(`warning: ${w}`);
        const { services, entities } = report.catalog;
        ctx.io.err(
          `${catalogPath}: not valid with --strict, ${plural(warnings.length, 'warning')} ` +
            `(${plural(services.length, 'service')}, ${plural(entities.length, 'other entity', 'other entities')} ` +
            `in ${plural(report.files, 'file')})`,
        );
        ctx.exitCode = 1;
        return;
      }
      ctx.io.out(summary.join('\n'));
      for (const w of warnings) ctx.io.err(`warning: ${w}`);
    });

  catalog
    .command('list')
    .description('List the normalized catalog services (sorted by name).')
    .argument('[path]', PATH_HELP)
    .option('-c, --config <file>', 'policy file to take the catalog path from when PATH is not given')
    .option('--json', 'print a JSON array of services instead of a table')
    .action((given: string | undefined, opts: { config?: string; json?: boolean }) => {
      const catalogPath = resolveCatalogPath(given, opts.config, ctx);
      const services = loadCatalog(catalogPath, { cwd: ctx.io.cwd }).services;
      ctx.io.out(opts.json ? `${JSON.stringify(services.map(serviceJson), null, 2)}` : table(services));
    });
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
