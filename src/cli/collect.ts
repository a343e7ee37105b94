/**
 * `trace-health collect`: find broken traces in sampled complete traces (span export files, or the Spans API with
 * `--live`), print a report, and with `--submit` send the counts as metrics for the generated monitors (and, with
 * `--state`, post a deploy marker per new version for the dashboards).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { loadCatalog } from '../catalog';
import { writeFileAtomic } from '../fs-atomic';
import { Analysis, AnalyzeOptions } from '../collector/analyze';
import { collectFiles } from '../collector/files';
import { reaches } from '../collector/findings';
import { renderMarkdown } from '../collector/markdown';
import { defaultOptions, optionsFromPolicy } from '../collector/options';
import { WHOLE_TRACE_RETENTION } from '../collector/model';
import { buildReport, inputWarnings, malformedSummary } from '../collector/report';
import { DEFAULT_LISTEN, DEFAULT_MAX_REQUESTS, DEFAULT_MAX_TRACES } from '../collector/limits';
import { parseDuration, parseWindow } from '../collector/time';
import { isSite, SITES } from '../datadog/site';
import { UserError } from '../errors';
import { DEFAULT_POLICY_FILE, loadPolicy, policyCatalogArg, resolvePolicy, TOP_LEVEL_DEFAULTS } from '../policy';
import type { CliContext } from './index';

interface CollectFlags {
  input?: string[];
  live?: boolean;
  serve?: boolean;
  listen: string;
  interval: string;
  maxTraces: string;
  horizon: string;
  instance?: string;
  from: string;
  to?: string;
  format: string;
  out?: string;
  config: string;
  site?: string;
  submit?: boolean;
  state?: string;
  maxRequests: string;
  examples: string;
  wholeTracesRetainedBy?: string;
  failOn?: string;
}

export function collectCommand(program: Command, ctx: CliContext): void {
  program
    .command('collect')
    .description(
      'Find orphan spans, unexpected roots, unpaired calls, double tracers and missing tags in sampled complete traces.',
    )
    .option('-i, --input <paths...>', 'span exports: files or folders (Datadog JSON pages, NDJSON, OTLP JSON)')
    .option('--live', 'pull complete traces (retained_by:flat_sampled) from the Datadog Spans API')
    .option(
      '--serve',
      'receive traces over OTLP/HTTP (POST /v1/traces) until SIGTERM; with --submit, send counts every interval',
    )
    .option('--listen <host:port>', 'address --serve listens on (port 0: any free port)', DEFAULT_LISTEN)
    .option('--interval <duration>', '--serve: how often counts are submitted', '60s')
    .option(
      '--max-traces <n>',
      '--serve: traces held in memory at most; above it exporters get 429 (back-pressure)',
      String(DEFAULT_MAX_TRACES),
    )
    .option('--instance <name>', '--serve: this instance, sent as the host of its series (default: the host name)')
    .option(
      '--horizon <duration>',
      '--serve: a trace is complete once spans this much newer arrived (or this long passed without spans)',
      '10m',
    )
    .option('--from <time>', 'live window start: a duration before now (15m, 1h) or ISO time', '15m')
    .option('--to <time>', 'live window end: a duration before now or ISO time (default: now)')
    .option('--format <format>', 'report format: md or json', 'md')
    .option('-o, --out <file>', 'write the report to a file instead of stdout')
    .option(
      '-c, --config <file>',
      'policy file (optional: built-in defaults when the default file is absent)',
      `./${DEFAULT_POLICY_FILE}`,
    )
    .option('--site <site>', 'Datadog site for links (default: DD_SITE, then the policy)')
    .option(
      '--submit',
      'send the counts as metrics (MetricsApi.submitMetrics) and, with --live --state, a deploy marker event per new version; needs --live or --serve',
    )
    .option(
      '--state <file>',
      'remember processed windows, pending submissions and versions seen (reruns never double-count or re-mark)',
    )
    .option(
      '--max-requests <n>',
      'Spans API request budget per run (300/hour at a 15-minute cadence)',
      String(DEFAULT_MAX_REQUESTS),
    )
    .option('--examples <n>', 'example trace ids kept per finding', '3')
    .option(
      '--whole-traces-retained-by <values>',
      `retained_by values whose spans come with their whole trace, comma-separated, or * for all (default ${WHOLE_TRACE_RETENTION.join(',')}); other spans are counted apart, never called orphans`,
    )
    .option(
      '--fail-on <severity>',
      'exit 1 (after writing the report) when a finding is at least this severe: warning or critical (a CI gate)',
    )
    .action(async (flags: CollectFlags, cmd: Command) => {
      const format = flags.format;
      if (format !== 'md' && format !== 'json')
        throw new UserError(`--format: ${JSON.stringify(format)} is not md or json`);
      const modes = (['input', 'live', 'serve'] as const).filter((m) => flags[m]);
      if (modes.length === 0) throw new UserError('collect: pass --input FILES/FOLDERS, --live or --serve');
      if (modes.length > 1)
        throw new UserError(`collect: ${modes.map((m) => `--${m}`).join(' and ')} exclude each other`);
      if (flags.submit && flags.input)
        throw new UserError(
          '--submit needs --live or --serve: the metrics intake only accepts points from the last hour',
        );
      if (flags.state && flags.input) throw new UserError('--state only applies to --live and --serve');
      if (flags.serve && flags.state && !flags.submit)
        throw new UserError('--state with --serve needs --submit: the state file records what was submitted');
      if (!flags.serve)
        for (const option of ['listen', 'interval', 'maxTraces', 'horizon', 'instance'] as const)
          if (cmd.getOptionValueSource(option) === 'cli')
            throw new UserError(`--${option === 'maxTraces' ? 'max-traces' : option} only applies to --serve`);
      const failOn = flags.failOn;
      if (failOn !== undefined && failOn !== 'warning' && failOn !== 'critical')
        throw new UserError(`--fail-on: ${JSON.stringify(failOn)} is not warning or critical`);
      const maxRequests = positiveInt('--max-requests', flags.maxRequests);
      const maxExamples = positiveInt('--examples', flags.examples);

      const env = ctx.io.env;
      const siteFlag = flags.site ?? (env.DD_SITE?.trim() || undefined);
      if (siteFlag !== undefined && !isSite(siteFlag))
        throw new UserError(
          `${flags.site ? '--site' : 'DD_SITE'}: ${JSON.stringify(siteFlag)} is not a Datadog site (known: ${SITES.join(', ')})`,
        );
      const { options, envs } = loadOptions(flags, cmd, ctx, siteFlag);
      const wholeTraceRetention = retentionList(flags.wholeTracesRetainedBy);
      const analyzeOptions: AnalyzeOptions = { ...options, maxExamples, envs, wholeTraceRetention };

      let analysis: Analysis;
      if (flags.serve) {
        const result = await serve(flags, ctx, analyzeOptions);
        if (!result) return;
        analysis = result;
      } else if (flags.live) {
        const now = Date.now();
        const window = parseWindow(flags.from, flags.to, now);
        // Loaded only for --live: the API client takes 1.5–2 s to load, which offline reports should not pay.
        const { runLive } = require('../collector/live') as typeof import('../collector/live');
        const result = await runLive({
          io: ctx.io,
          options: analyzeOptions,
          envs,
          from: window.from,
          to: window.to,
          fromExplicit: cmd.getOptionValueSource('from') !== 'default',
          now,
          maxRequests,
          submit: Boolean(flags.submit),
          statePath: flags.state && path.resolve(ctx.io.cwd, flags.state),
          stateShown: flags.state,
        });
        if (!result) return;
        analysis = result;
      } else {
        const files = flags.input ?? [];
        const read = collectFiles(files, analyzeOptions, {
          cwd: ctx.io.cwd,
          onFile: ctx.io.isTTY ? (p) => ctx.io.err(`reading ${p.file} (${p.index + 1}/${p.count})`) : undefined,
        });
        // Span files that hold no spans at all (`[]`, an empty NDJSON file) are valid input: the report is empty, and
        // says so here so that an empty export does not pass for a healthy one. (No span files at all is exit 2.)
        const t = read.totals;
        if (t.spans + t.excludedSpans + t.malformedSpans === 0)
          ctx.io.err(`note: no spans in ${describeFiles(read.files)}; the report is empty (window from/to are null)`);
        analysis = read;
      }

      const summary = malformedSummary(analysis);
      if (summary) ctx.io.err(summary);
      for (const line of inputWarnings(analysis)) ctx.io.err(line);
      const report = buildReport(analysis);
      const text = format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderMarkdown(report, analyzeOptions);
      if (flags.out) writeReport(path.resolve(ctx.io.cwd, flags.out), text);
      else ctx.io.out(text);
      if (failOn !== undefined) {
        const failing = report.findings.filter((f) => reaches(f.severity, failOn));
        if (failing.length > 0) {
          const crit = failing.filter((f) => f.severity === 'critical').length;
          const services = [...new Set(failing.map((f) => f.service))].sort();
          ctx.io.err(
            `--fail-on ${failOn}: ${failing.length} finding${failing.length === 1 ? '' : 's'} (${crit} critical, ${failing.length - crit} warning) in ${services.join(', ')}`,
          );
          ctx.exitCode = 1;
        }
      }
    });
}

/** `collect --serve`: listen until SIGTERM or SIGINT, then stop gracefully (the report, without --submit). */
async function serve(flags: CollectFlags, ctx: CliContext, options: AnalyzeOptions): Promise<Analysis | undefined> {
  const { host, port } = parseListen(flags.listen);
  const intervalMs = parseDuration('--interval', flags.interval, 1000);
  const horizonMs = parseDuration('--horizon', flags.horizon, 1000);
  const maxTraces = positiveInt('--max-traces', flags.maxTraces);
  let target;
  if (flags.submit) {
    if (!ctx.io.env.DD_API_KEY?.trim())
      throw new UserError(
        'DD_API_KEY is not set: collect --serve --submit reads the Datadog API key from the environment only',
      );
    // Loaded only to submit: the API client takes 1.5–2 s to load.
    const { apiTarget } = require('../collector/spans-api') as typeof import('../collector/spans-api');
    target = apiTarget(ctx.io.env, options.site, false);
  }
  const { OtlpServer } = require('../collector/serve') as typeof import('../collector/serve');
  const server = await OtlpServer.start({
    io: ctx.io,
    options: { ...options, horizonMs },
    host,
    port,
    intervalMs,
    maxTraces,
    instance: flags.instance?.trim() || os.hostname(),
    submit: Boolean(flags.submit),
    target,
    statePath: flags.state && path.resolve(ctx.io.cwd, flags.state),
    stateShown: flags.state,
  });
  ctx.io.err(`listening ${server.address}`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  ctx.io.err('stopping: finishing requests in progress');
  return server.stop();
}

/** `HOST:PORT`, `[v6]:PORT`; port 0 picks a free one. */
function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):([0-9]{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    throw new UserError(
      `--listen: ${JSON.stringify(value)} is not HOST:PORT (e.g. 127.0.0.1:4318, 0.0.0.0:4318, [::1]:0)`,
    );
  return { host: m[1] ?? m[2], port };
}

function describeFiles(files: readonly string[]): string {
  const shown = files.slice(0, 5).map((f) => f.split(path.sep).join('/'));
  const more = files.length > shown.length ? `, and ${files.length - shown.length} more` : '';
  return `${files.length === 1 ? 'the input file' : `the ${files.length} input files`} (${shown.join(', ')}${more})`;
}

/** `--whole-traces-retained-by a,b` → ['a', 'b']; `*` trusts every span; absent → the default. */
function retentionList(value: string | undefined): readonly string[] {
  if (value === undefined) return WHOLE_TRACE_RETENTION;
  const list = value.split(',').map((v) => v.trim());
  const bad = list.find((v) => !/^(\*|[a-z][a-z0-9_]*)$/.test(v));
  if (bad !== undefined)
    throw new UserError(
      `--whole-traces-retained-by: ${JSON.stringify(bad)} is not a retained_by value (e.g. flat_sampled, diversity_sampling, retention_filter, or *)`,
    );
  return [...new Set(list)];
}

function positiveInt(option: string, value: string): number {
  if (!/^[0-9]+$/.test(value) || Number(value) < 1)
    throw new UserError(`${option}: ${JSON.stringify(value)} is not a positive integer`);
  return Number(value);
}

/** The policy (when present) resolved against its catalog; built-in defaults when the default file is absent. */
function loadOptions(
  flags: CollectFlags,
  cmd: Command,
  ctx: CliContext,
  site: string | undefined,
): { options: AnalyzeOptions; envs: readonly string[] } {
  const explicit = cmd.getOptionValueSource('config') !== 'default';
  if (!explicit && !fs.existsSync(path.resolve(ctx.io.cwd, flags.config)))
    return { options: defaultOptions(site ?? TOP_LEVEL_DEFAULTS.site), envs: [] };
  const doc = loadPolicy(flags.config, { cwd: ctx.io.cwd });
  const catalog = loadCatalog(policyCatalogArg(doc, ctx.io.cwd), { cwd: ctx.io.cwd });
  const policy = resolvePolicy(doc, catalog);
  return { options: optionsFromPolicy(policy, catalog, doc, { site }), envs: policy.envs };
}

/** Atomically (temporary file, then rename), so a reader never sees half a report. */
function writeReport(file: string, text: string): void {
  try {
    writeFileAtomic(file, text);
  } catch (e) {
    throw new UserError(`${file}: cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}
