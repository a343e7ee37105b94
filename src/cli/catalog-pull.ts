/**
 * `trace-health catalog pull`: snapshot the Service Catalog from Datadog into a committed, reviewable file.
 *
 *   DD_API_KEY=… DD_APP_KEY=… DD_SITE=datadoghq.eu trace-health catalog pull --out catalog/snapshot.json
 *
 * Order matters: pull everything, validate it with the reader `synth` uses, check the shrink guard against the
 * existing snapshot, and only then write (atomically). Any failure before the write leaves the old file
 * byte-identical. Exit codes: 0 written or unchanged, 1 the pull failed or the shrink guard tripped, 2 invalid
 * input (keys missing, bad DD_SITE/DD_HOST, invalid definitions in Datadog, a non-snapshot file at --out).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { Catalog, checkDefinitions, formatProblem, formatProblems, isSnapshot, parseSnapshot } from '../catalog';
import { checkShrink, DEFAULT_MAX_REMOVAL_RATIO, formatShrink } from '../catalog/shrink';
import {
  buildSnapshot,
  DefinitionChanges,
  diffDefinitions,
  renderSnapshot,
  writeSnapshot,
} from '../catalog/snapshot-write';
import type { PullEvent, PullResult } from '../catalog/pull';
import { CheckFailed, UserError, UserErrors } from '../errors';
import { DEFAULT_POLICY_FILE, loadPolicy, policyCatalogPath } from '../policy';
import { checkUtf8 } from '../input/utf8';
import { integrationNamesOf } from '../datadog/integration-names';
import type { IntegrationNames } from '../policy/routing';
import { CliContext } from './index';
import { plural } from './io';

export interface PullCliOptions {
  out?: string;
  allowRemovals?: boolean;
  integrations?: boolean;
  config?: string;
  timeout: number;
  retries: number;
}

export function catalogPullCommand(program: Command, ctx: CliContext): void {
  const catalog =
    program.commands.find((c) => c.name() === 'catalog') ??
    program.command('catalog').description('Read and check the Service Catalog.');
  catalog
    .command('pull')
    .description(
      'Fetch the Service Catalog from Datadog (v3 entities and v2.x service definitions) into a snapshot .json. ' +
        'Keys come from DD_API_KEY and DD_APP_KEY, the site from DD_SITE (or DD_HOST, a base URL). Exit 0 written ' +
        'or unchanged, 1 the pull failed or too many services disappeared (nothing written), 2 invalid input.',
    )
    .option('-o, --out <file>', `snapshot to write (default: catalog: of the policy file, when it is a .json)`)
    .option('--allow-removals', 'write even if more services disappeared than the policy maxRemovalRatio allows')
    .option(
      '--integrations',
      "also record the names configured in Datadog's Opsgenie and Microsoft Teams integrations (the ones its API " +
        'lists), for routing: Teams channel links map themselves, mapped Opsgenie names are checked. Needs ' +
        'integrations_read; without it, names recorded by an earlier pull are kept',
    )
    .option(
      '-c, --config <file>',
      `policy file for maxRemovalRatio, site and the default --out (default: ./${DEFAULT_POLICY_FILE} if present)`,
    )
    .option('--timeout <seconds>', 'per-request timeout', positiveNumber, 30)
    .option('--retries <n>', 'retries per request on 429, 5xx, timeouts and truncated responses', nonNegativeInt, 5)
    .action((opts: PullCliOptions) => runPull(opts, ctx));
}

/** `catalog pull` itself; `init --pull` runs it too. */
export async function runPull(opts: PullCliOptions, ctx: CliContext): Promise<void> {
  const { io } = ctx;
  const settings = readSettings(opts, ctx);
  // Loaded here, not at the top: the API client takes a second or two to load, and only this command needs it.
  // `require`, not `import()`: bin/trace-health.js runs the sources through tsx's CommonJS hook only.
  const { pullCatalog, readKeys, resolveTarget } = require('../catalog/pull') as typeof import('../catalog/pull');
  const keys = readKeys(io.env);
  const target = resolveTarget(io.env, settings.policySite);
  const previous = readPrevious(settings.outFull, settings.outShown, Boolean(opts.allowRemovals));

  const result = await pullCatalog(target, keys, {
    timeoutMs: opts.timeout * 1000,
    maxRetries: opts.retries,
    onEvent: (e) => progress(e, ctx),
  });
  const from = target.site ?? target.baseUrl.replace(/\/\/[^/@]*@/, '//');

  // The reader that synth uses, on the definitions as they are in memory: messages name the entity. Datadog
  // accepted them, so only what would make trace-health generate the wrong thing fails the pull; other deviations
  // from the schemas are warnings.
  const label = `Datadog catalog (${from})`;
  const report = checkDefinitions(result.definitions, label);
  if (report.problems.length > 0)
    throw new UserErrors([
      ...formatProblems(report.problems),
      `${label}: invalid definitions; nothing was written to ${settings.outShown}`,
    ]);
  const catalog: Catalog = report.catalog;
  for (const w of formatProblems(report.definitionWarnings)) io.err(`warning: ${w}`);

  const lines = pullLines(result, catalog, from);
  const current = catalog.services.map((s) => s.name);
  if (previous === 'invalid')
    lines.push(`--allow-removals: ${settings.outShown} was invalid; replaced without checking for removals.`);
  else if (previous) {
    const check = checkShrink(previous.services, current, settings.maxRatio);
    if (check.exceeded && !opts.allowRemovals) {
      for (const line of lines) io.err(line);
      throw new CheckFailed(
        formatShrink(check, {
          against: settings.outShown,
          previousCount: new Set(previous.services).size,
          maxRatio: settings.maxRatio,
          override: '--allow-removals',
          consequence: `Nothing was written to ${settings.outShown}.`,
        }),
      );
    }
    if (check.exceeded)
      lines.push(`--allow-removals: removing ${plural(check.removed.length, 'service')} from ${settings.outShown}.`);
  }

  // Also without a previous snapshot to compare against (or with a ratio of 1): an empty catalog is never what
  // anyone wants to plan from — it is a filter, a wrong site or an empty sandbox account.
  if (current.length === 0 && !opts.allowRemovals) {
    for (const line of lines) io.err(line);
    throw new CheckFailed(
      `Datadog returned no services from ${from}; nothing was written to ${settings.outShown}. Check DD_SITE / ` +
        `DD_HOST and the keys' organisation, or run again with --allow-removals to write an empty snapshot.`,
    );
  }

  // Integration names: fetched on request, otherwise those of the previous snapshot are kept (dropping them would
  // silently change routing).
  let integrations: IntegrationNames | undefined;
  if (opts.integrations) {
    const { pullIntegrationNames } =
      require('../datadog/integration-pull') as typeof import('../datadog/integration-pull');
    const pulled = await pullIntegrationNames(target, keys, {
      timeoutMs: opts.timeout * 1000,
      maxRetries: opts.retries,
      onEvent: (e) => progress(e, ctx),
    });
    integrations = pulled.names;
    lines.push(integrationLine(pulled.names, pulled.requests, pulled.retries));
  } else if (previous && previous !== 'invalid' && previous.integrations) {
    integrations = previous.integrations;
    lines.push('Integration names kept from the previous snapshot (--integrations fetches them again).');
  }
  const snapshot = buildSnapshot(result.definitions, target.site);
  const text = renderSnapshot(integrations ? ({ ...snapshot, integrations } as typeof snapshot) : snapshot);
  const written = writeSnapshot(settings.outFull, text, (_file, t) => parseSnapshot(settings.outShown, t));
  if (previous !== 'invalid')
    lines.push(
      ...changeLines(previous ? diffDefinitions(previous.definitions, result.definitions) : undefined, current.length),
    );
  lines.push(written.written ? `Wrote ${settings.outShown}.` : `${settings.outShown} is unchanged.`);
  io.out(lines.join('\n'));
}

interface Settings {
  readonly outFull: string;
  readonly outShown: string;
  readonly maxRatio: number;
  readonly policySite?: string;
}

/** --out, the ratio and the site: from the options, else the policy file (--config, or ./trace-health.yaml). */
function readSettings(opts: PullCliOptions, ctx: CliContext): Settings {
  const cwd = ctx.io.cwd;
  const policyFile =
    opts.config ?? (existsSync(path.resolve(cwd, DEFAULT_POLICY_FILE)) ? DEFAULT_POLICY_FILE : undefined);
  const doc = policyFile !== undefined ? loadPolicy(policyFile, { cwd }) : undefined;
  let outFull: string;
  if (opts.out !== undefined) outFull = path.resolve(cwd, opts.out);
  else if (doc && doc.data.catalog.toLowerCase().endsWith('.json'))
    outFull = policyCatalogPath(doc, cwd, { mustExist: false });
  else
    throw new UserError(
      doc
        ? `--out FILE is required: catalog: in ${doc.file} is ${JSON.stringify(doc.data.catalog)}, not a snapshot .json ` +
            `(point catalog: at the snapshot, e.g. catalog/snapshot.json, or pass --out)`
        : `--out FILE is required: there is no ./${DEFAULT_POLICY_FILE} to take catalog: from (e.g. --out catalog/snapshot.json)`,
    );
  return {
    outFull,
    outShown: (path.relative(cwd, outFull) || '.').split(path.sep).join('/'),
    maxRatio: doc?.data.maxRemovalRatio ?? DEFAULT_MAX_REMOVAL_RATIO,
    policySite: doc?.data.site,
  };
}

interface Previous {
  readonly services: readonly string[];
  readonly definitions: readonly unknown[];
  readonly integrations?: IntegrationNames;
}

/**
 * The snapshot being replaced: what the shrink guard and the change summary compare against. A file that is not a
 * snapshot at all is never overwritten; an invalid snapshot only with --allow-removals (removals cannot be checked).
 */
function readPrevious(full: string, shown: string, allowRemovals: boolean): Previous | 'invalid' | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(full);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EISDIR') throw new UserError(`${shown}: is a folder; --out names the snapshot .json file to write`);
    throw new UserError(`${shown}: cannot read the existing snapshot (${code ?? String(e)})`);
  }
  // Strict like every catalog read: invalid bytes make the old snapshot invalid instead of U+FFFD in its names.
  const decoded = checkUtf8(bytes);
  const text = 'text' in decoded ? decoded.text : bytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!isSnapshot(json))
    throw new UserError(
      `${shown}: exists and is not a catalog snapshot (no "format": "trace-health/catalog-snapshot"); not overwriting ` +
        `it. Choose another --out, or delete the file.`,
    );
  try {
    if ('problem' in decoded) throw new UserErrors([formatProblem({ file: shown, ...decoded.problem })]);
    const catalog = parseSnapshot(shown, text);
    const definitions = (json as { definitions: unknown[] }).definitions;
    const integrations = integrationNamesOf(json, shown);
    return { services: catalog.services.map((s) => s.name), definitions, ...(integrations ? { integrations } : {}) };
  } catch (e) {
    if (!(e instanceof UserErrors)) throw e;
    if (allowRemovals) return 'invalid';
    throw new UserErrors([
      ...e.problems,
      `${shown}: the existing snapshot is invalid, so removals cannot be checked against it; fix or delete it, or ` +
        `run again with --allow-removals`,
    ]);
  }
}

function pullLines(result: PullResult, catalog: Catalog, from: string): string[] {
  const lines = [
    `Pulled ${plural(catalog.services.length, 'service')} and ${plural(catalog.entities.length, 'other entity', 'other entities')} ` +
      `from ${from} (${plural(result.v3Entities, 'v3 entity', 'v3 entities')}, ` +
      `${plural(result.legacyDefinitions, 'legacy service definition')}; ${plural(result.requests, 'request')}, ` +
      `${plural(result.retries, 'retry', 'retries')}).`,
  ];
  if (result.v3Preferred.length > 0)
    lines.push(
      `Defined both as a v3 entity and as a legacy service definition, the v3 entity is used: ` +
        `${result.v3Preferred.join(', ')}.`,
    );
  if (result.withoutDefinition.length > 0)
    lines.push(`Listed by Datadog without a definition, left out: ${result.withoutDefinition.join(', ')}.`);
  return lines;
}

/** `Integration names: 3 Opsgenie services, 2 Microsoft Teams handles (2 requests, 0 retries).` */
function integrationLine(n: IntegrationNames, requests: number, retries: number): string {
  const parts = [
    n.opsgenie ? plural(n.opsgenie.services.length, 'Opsgenie service') : 'Opsgenie not set up',
    n.microsoftTeams ? plural(n.microsoftTeams.handles.length, 'Microsoft Teams handle') : 'Microsoft Teams not set up',
  ];
  return `Integration names: ${parts.join(', ')} (${plural(requests, 'request')}, ${plural(retries, 'retry', 'retries')}).`;
}

function changeLines(changes: DefinitionChanges | undefined, services: number): string[] {
  if (!changes) return [`No previous snapshot: ${plural(services, 'service')} recorded.`];
  const describe = (refs: readonly string[], prefix: 'service:' | 'other') =>
    refs
      .filter((r) => (prefix === 'service:' ? r.startsWith('service:') : !r.startsWith('service:')))
      .map((r) => (prefix === 'service:' ? r.slice('service:'.length) : r));
  const lines: string[] = [];
  for (const [title, prefix] of [
    ['Services', 'service:'],
    ['Other entities', 'other'],
  ] as const) {
    const added = describe(changes.added, prefix);
    const removed = describe(changes.removed, prefix);
    const changed = describe(changes.changed, prefix);
    if (prefix === 'other' && added.length + removed.length + changed.length === 0) continue;
    const parts = [
      `${added.length} added${list(added)}`,
      `${removed.length} removed${list(removed)}`,
      `${changed.length} changed${list(changed)}`,
    ];
    lines.push(`${title}: ${parts.join(', ')}.`);
  }
  return lines;
}

function list(names: readonly string[]): string {
  return names.length > 0 ? ` (${names.join(', ')})` : '';
}

function progress(e: PullEvent, ctx: CliContext): void {
  if (e.type === 'retry') {
    // Always shown: a slow pull in CI should say why it is slow.
    ctx.io.err(`catalog pull: ${e.reason} on ${e.request}; retry ${e.attempt} in ${formatSeconds(e.delayMs)}`);
  } else if (ctx.io.isTTY) {
    const what = e.source === 'v3' ? 'v3 entities' : 'legacy service definitions';
    ctx.io.err(`catalog pull: ${what}: page ${e.page}, ${e.items} so far`);
  }
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of seconds above 0');
  return n;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number, 0 or more');
  return n;
}
