/**
 * The synth pipeline: policy + catalog → plans → CDKTF app → `cdktf.out/stacks/<stack>/cdk.tf.json`, plus the
 * review manifest (`review/<stack>.yaml` beside the policy file).
 *
 * Guarantees:
 * - nothing is written unless everything succeeded: the app is synthesized into a temporary folder next to the
 *   output folder, the review manifests into temporary files beside them, and all are moved into place with
 *   renames (same file system, so each move is atomic); a file-system failure is a UserError
 *   ("cannot write <path>: <reason>", exit 2) and removes what was staged;
 * - the output folder is replaced as a whole, so synth only replaces a folder that is absent, empty or a previous
 *   synth output (manifest.json, stacks/<stack>/ holding cdktf's and Terraform's files), and never one that is
 *   or holds the current folder, the policy file's folder or the review manifests;
 * - folders are created with the usual permissions (0777 less the umask), so Terraform running as another user
 *   (a CI container) can read them;
 * - `stacks` (selective synth, for CI matrices) builds and replaces only the named stacks; every other stack
 *   folder in the output is left untouched, and only the named stacks' review files are rewritten;
 * - the output depends on the inputs only: no absolute paths, no environment values, no timestamps;
 * - the shrink guard: a catalog that lost more services than `maxRemovalRatio` since the committed review
 *   manifest stops synth (exit 1) unless `allowRemovals`;
 * - an invalid catalog definition stops synth (exit 2) unless `skipInvalid`: then the valid services are
 *   synthesized, the skipped definitions are named, and a skipped service counts as removed for the shrink guard
 *   (its monitors are not in the output, so applying it would destroy them).
 */
import { compareStrings } from './catalog/problems';
import type { App } from 'cdktf';
import { randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import * as path from 'node:path';
import { loadCatalogReport } from './catalog/load';
import type { InvalidDefinition } from './catalog/read';
import type { Catalog, Service } from './catalog/model';
import { formatProblem, formatProblems } from './catalog/problems';
import { checkShrink, formatShrink } from './catalog/shrink';
import { overviewDashboardSpec } from './constructs/overview-spec';
import { planService, ServicePlan, ServicePlanInput } from './constructs/service/plan';
import { spanMetricSpecs, SpanMetricSpec } from './constructs/span-metric-specs';
import { TagRuleConflict } from './constructs/tag-rule-source';
import type { DashboardSpec } from './constructs/service/plan';
import { CheckFailed, UserError, UserErrors } from './errors';
import { replaceFolder, writeFileAtomic } from './fs-atomic';
import { loadPolicy, policyCatalogArg } from './policy/load';
import type { PolicyDocument } from './policy/document';
import type { Policy, ServicePolicy } from './policy/model';
import { locate } from './policy/document';
import { formatRouteFailures, requireRouteFailures, RouteFailure, routingWarnings } from './policy/route-check';
import { resolvePolicy, SkippedNames } from './policy/resolve';
import { readIntegrationNames } from './datadog/integration-names';
import { locateTagRuleConflict } from './policy/tag-rule-location';
import { backendForStack, CORE_STACK } from './policy/stacks';
import { manifestServices, renderCoreManifest, renderServicesManifest } from './review/manifest';

export const DEFAULT_OUT_DIR = 'cdktf.out';
/** Review manifests live here, relative to the policy file's folder. */
export const REVIEW_DIR = 'review';

/** The absolute review manifest folder: `option` (relative to `cwd`) when given, else `review/` beside the policy. */
export function reviewFolder(policyDir: string, cwd: string, option?: string): string {
  return option ? path.resolve(cwd, option) : path.join(policyDir, REVIEW_DIR);
}

export interface Inputs {
  readonly doc: PolicyDocument;
  readonly policy: Policy;
  /** The valid definitions (all of them unless `skipInvalid` left some out). */
  readonly catalog: Catalog;
  /** Absolute folder of the policy file. */
  readonly policyDir: string;
  /** Catalog warnings, formatted (`file:line:col: message`), sorted. */
  readonly catalogWarnings: readonly string[];
  /** Definitions left out by `skipInvalid`, and the errors that made them invalid (formatted). */
  readonly skipped: readonly InvalidDefinition[];
  readonly skippedProblems: readonly string[];
}

export interface LoadInputsOptions {
  /** Leave invalid catalog definitions out instead of failing (`synth --skip-invalid`). */
  readonly skipInvalid?: boolean;
}

/** Read and validate the policy and its catalog (UserError, exit 2, on any problem). */
export function loadInputs(config: string, cwd: string, options: LoadInputsOptions = {}): Inputs {
  const doc = loadPolicy(config, { cwd });
  // Relative to cwd, so that catalog messages name files the way the user sees them.
  const catalogArg = policyCatalogArg(doc, cwd);
  const report = loadCatalogReport(catalogArg, { cwd });
  const problems = formatProblems(report.problems);
  if (problems.length > 0 && !options.skipInvalid)
    throw new UserErrors([
      ...problems,
      `${catalogArg}: ${problems.length === 1 ? '1 problem' : `${problems.length} problems`}; nothing was written ` +
        '(--skip-invalid synthesizes the valid services and leaves these definitions out)',
    ]);
  const skipped = problems.length > 0 ? report.invalid : [];
  const integrationNames = readIntegrationNames(path.resolve(cwd, catalogArg), catalogArg);
  const policy = resolvePolicy(doc, report.catalog, {
    ...(skipped.length > 0 ? { skipped: skippedNames(skipped) } : {}),
    ...(integrationNames ? { integrationNames } : {}),
  });
  const policyDir = doc.baseDir ?? path.dirname(path.resolve(cwd, config));
  return {
    doc,
    policy,
    catalog: report.catalog,
    policyDir,
    catalogWarnings: formatProblems(report.warnings),
    skipped,
    skippedProblems: problems,
  };
}

function skippedNames(skipped: readonly InvalidDefinition[]): SkippedNames {
  const services = new Set<string>();
  const teams = new Set<string>();
  const tiers = new Set<string>();
  for (const d of skipped) {
    if (d.ref?.startsWith('service:')) services.add(d.ref.slice('service:'.length));
    if (d.team !== undefined) teams.add(d.team);
    if (d.tier !== undefined) tiers.add(d.tier);
  }
  return { services, teams, tiers };
}

/** Service names of skipped definitions (`service:<name>` refs). */
function skippedServices(skipped: readonly InvalidDefinition[]): Set<string> {
  return skippedNames(skipped).services as Set<string>;
}

export interface ServicesStackPlan {
  readonly kind: 'services';
  readonly name: string;
  readonly services: readonly (ServicePlanInput & { readonly plan: ServicePlan })[];
}

export interface CoreStackPlan {
  readonly kind: 'core';
  readonly name: string;
  readonly metrics: readonly SpanMetricSpec[];
  readonly overview: DashboardSpec;
}

export type StackPlan = CoreStackPlan | ServicesStackPlan;

export interface AppPlan {
  /** Core first, then service stacks by name. */
  readonly stacks: readonly StackPlan[];
  readonly warnings: readonly string[];
  /** Planned services that break the policy's `requireRoute` (synth refuses to write them). */
  readonly routeFailures: readonly RouteFailure[];
}

/** Every stack name the policy and catalog produce, without planning any service (cheap). */
export function stackNames(policy: Policy): string[] {
  return [
    CORE_STACK,
    ...[...new Set(policy.services.filter((s) => s.enabled).map((s) => s.stack))].sort(compareStrings),
  ];
}

/**
 * Plan the stacks (all of them, or the named ones). Pure. Disabled services and non-service catalog entities get
 * nothing; services are matched to their catalog entry by name.
 */
export function planApp(policy: Policy, catalog: Catalog, only?: ReadonlySet<string>, doc?: PolicyDocument): AppPlan {
  try {
    return planStacks(policy, catalog, only);
  } catch (e) {
    // Two required tags that cannot coexist: point at them in the policy file when we have it.
    if (e instanceof TagRuleConflict && doc) throw locateTagRuleConflict(e, doc);
    throw e;
  }
}

function planStacks(policy: Policy, catalog: Catalog, only: ReadonlySet<string> | undefined): AppPlan {
  const catalogByName = new Map<string, Service>(catalog.services.map((s) => [s.name, s]));
  const entrypoints = new Set(policy.entrypoints);
  const groups = new Map<string, ServicesStackPlan['services'][number][]>();
  const planned: ServicePolicy[] = [];
  for (const sp of policy.services) {
    if (!sp.enabled) continue;
    if (only && !only.has(sp.stack)) continue;
    if (sp.stack === CORE_STACK)
      throw new UserError(`service ${sp.service}: stack name "${CORE_STACK}" is reserved for org-wide resources`);
    const service = catalogByName.get(sp.service);
    if (!service) throw new Error(`policy service ${sp.service} is not in the catalog`);
    const input: ServicePlanInput = { site: policy.site, service, policy: sp, entrypoint: entrypoints.has(sp.service) };
    const plan = planService(input);
    planned.push(sp);
    const list = groups.get(sp.stack) ?? [];
    list.push({ ...input, plan });
    groups.set(sp.stack, list);
  }
  const stacks: StackPlan[] = [];
  if (!only || only.has(CORE_STACK)) {
    const enabled = policy.services.filter((s) => s.enabled);
    stacks.push({
      kind: 'core',
      name: CORE_STACK,
      metrics: spanMetricSpecs({
        rules: enabled.flatMap((s) => s.requiredTags.map((r, index) => ({ ...r, source: { policy: s, index } }))),
        envs: enabled.flatMap((s) => s.envs),
      }),
      overview: overviewDashboardSpec({ site: policy.site, services: policy.services }),
    });
  }
  for (const name of [...groups.keys()].sort(compareStrings))
    stacks.push({ kind: 'services', name, services: groups.get(name)! });
  // Tier rules concern every service; routing only the ones whose output this synth writes.
  const warnings = [...policy.warnings, ...routingWarnings(planned)];
  return { stacks, warnings, routeFailures: requireRouteFailures(policy, planned) };
}

/** `review/<stack>.yaml` contents by stack name. */
export function renderManifests(plan: AppPlan): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of plan.stacks)
    out.set(
      s.name,
      s.kind === 'core'
        ? renderCoreManifest(s.name, s.metrics, s.overview)
        : renderServicesManifest(
            s.name,
            s.services.map((x) => x.plan),
          ),
    );
  return out;
}

/**
 * Add the planned stacks to `app`. `policyDirFromStack` gives, per stack, the policy folder relative to the
 * folder Terraform will run in (for relative local state paths).
 */
export function buildStacks(
  app: App,
  policy: Policy,
  plan: AppPlan,
  policyDirFromStack: (stack: string) => string,
): void {
  // Loaded here, not at the top: `review --check` plans without cdktf or the provider bindings (seconds saved).
  const { CoreStack } = require('../stacks/core-stack') as typeof import('../stacks/core-stack');
  const { ServicesStack } = require('../stacks/services-stack') as typeof import('../stacks/services-stack');
  for (const s of plan.stacks) {
    const common = {
      site: policy.site,
      backend: backendForStack(policy.stacks.backend, s.name),
      policyDirFromStack: policyDirFromStack(s.name),
    };
    if (s.kind === 'core')
      new CoreStack(app, s.name, { ...common, services: policy.services, metrics: s.metrics, overview: s.overview });
    else new ServicesStack(app, s.name, { ...common, services: s.services, validateMonitors: policy.validateMonitors });
  }
}

export interface SynthOptions {
  /** Policy file, relative to `cwd`. */
  readonly config: string;
  /** Output folder, relative to `cwd` (default `cdktf.out`). */
  readonly out?: string;
  /** Only these stacks (selective synth); all when absent or empty. */
  readonly stacks?: readonly string[];
  readonly cwd: string;
  /** Let the catalog lose more services than `maxRemovalRatio` allows. */
  readonly allowRemovals?: boolean;
  /** Synthesize the valid services when some catalog definitions are invalid (see `loadInputs`). */
  readonly skipInvalid?: boolean;
  /** Review manifest folder, relative to `cwd` (default `review/` beside the policy file). */
  readonly reviewDir?: string;
}

export interface SynthResult {
  readonly stacks: readonly string[];
  readonly warnings: readonly string[];
  /** Absolute output folder. */
  readonly outDir: string;
  readonly reviewDir: string;
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** Names of the known stacks, validated against `--stack` arguments. */
function selectStacks(policy: Policy, requested: readonly string[] | undefined): Set<string> | undefined {
  if (!requested || requested.length === 0) return undefined;
  const known = stackNames(policy);
  const unknown = requested.filter((s) => !known.includes(s));
  if (unknown.length)
    throw new UserError(
      `unknown stack${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${known.join(', ')})`,
    );
  return new Set(requested);
}

/** Services listed in the committed review manifests (all stacks). */
export function committedServices(reviewDir: string): string[] {
  // Absent, or not a folder (synth then fails to write it, with a message saying so).
  if (!existsSync(reviewDir) || !statSync(reviewDir).isDirectory()) return [];
  const names = new Set<string>();
  for (const f of readdirSync(reviewDir).sort()) {
    if (!f.endsWith('.yaml')) continue;
    for (const s of manifestServices(readFileSync(path.join(reviewDir, f), 'utf8'))) names.add(s);
  }
  return [...names].sort(compareStrings);
}

/**
 * `shownReview`: the review folder as messages name it (relative to the user's folder). A skipped (invalid)
 * service is absent from the catalog, so it counts as removed; the message says which removals are skipped ones.
 * Returns the services of the committed manifest that this output drops.
 */
function shrinkGuard(inputs: Inputs, reviewDir: string, shownReview: string, allow: boolean): readonly string[] {
  const previous = committedServices(reviewDir);
  const check = checkShrink(
    previous,
    inputs.catalog.services.map((s) => s.name),
    inputs.policy.maxRemovalRatio,
  );
  if (check.exceeded && !allow)
    throw new CheckFailed(
      formatShrink(check, {
        against: `the review manifest (${shownReview})`,
        previousCount: new Set(previous).size,
        maxRatio: inputs.policy.maxRemovalRatio,
        override: '--allow-removals',
        consequence: 'Nothing was written.',
        skipped: skippedServices(inputs.skipped),
      }),
    );
  return check.removed;
}

/**
 * Run `fn` with cheap stack traces for cdktf's bookkeeping objects. cdktf records a full stack trace (no depth
 * limit) for every token and complex attribute it creates — the typed `Monitor` class alone creates a dozen per
 * monitor for blocks we never set — and reads it at once, so V8 formats every frame, through source maps when
 * running under tsx. Those traces only decorate errors about unresolvable tokens. Profiling a 150-service synth
 * put about half of the construct-building time there. While `fn` runs, stack traces of anything that is not an
 * Error (cdktf captures them on plain objects) format to '', so cdktf stores none; real errors keep their usual
 * stack.
 */
export function withoutTokenStackTraces<T>(fn: () => T): T {
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => {
    if (!(error instanceof Error)) return '';
    if (previous) return previous(error, frames);
    return [String(error), ...frames.map((f) => `    at ${String(f)}`)].join('\n');
  };
  try {
    return fn();
  } finally {
    Error.prepareStackTrace = previous;
  }
}

/**
 * What a stack folder of a previous synth may hold: cdktf's own files, and what Terraform and the usual CI steps
 * leave when run there (`terraform init` results, local state, plan files, crash logs). Anything else in the
 * output folder means it is not (only) ours, and synth refuses to replace it.
 */
const STACK_FOLDER_FILES: readonly RegExp[] = [
  /^cdk\.tf\.json$/,
  /^metadata\.json$/,
  /^assets$/,
  /^\.terraform/, // .terraform/, .terraform.lock.hcl, .terraform.tfstate.lock.info
  /\.tfstate(\.backup)?$/,
  /^(tf)?plan(\.json)?$/, // `cdktf diff` writes `plan`; CI steps `tfplan`, `plan.json`
  /\.tfplan(\.json)?$/,
  /^crash(\.[^/]+)?\.log$/,
];

/** Kept when a stack folder is replaced: `terraform init` results and local state (plans are stale anyway). */
function isCarried(entry: string): boolean {
  return entry.startsWith('.terraform') || /\.tfstate(\.backup)?$/.test(entry);
}

function carryTerraformFiles(from: string, to: string): void {
  if (!existsSync(from)) return;
  for (const entry of readdirSync(from)) {
    if (!isCarried(entry)) continue;
    cpSync(path.join(from, entry), path.join(to, entry), { recursive: true, verbatimSymlinks: true });
  }
}

/** A failed fs call (not `instanceof Error`: under jest, core-module errors come from another realm). */
function isFsError(e: unknown): e is NodeJS.ErrnoException {
  const x = e as Partial<NodeJS.ErrnoException> | null;
  return typeof x === 'object' && x !== null && typeof x.code === 'string' && typeof x.syscall === 'string';
}

const FS_REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOENT: 'no such file or directory, or nothing can be created there',
  ENOTDIR: 'part of the path is a file, not a folder',
  EISDIR: 'is a folder',
  EBUSY: 'busy or a mount point (synth replaces the folder by renaming; mount its parent folder instead)',
  EXDEV: 'on another file system than its parent (a mount point? mount its parent folder instead)',
  ENAMETOOLONG: 'name too long',
  EEXIST: 'a file is in the way (not a folder)',
};

/** `cannot write cdktf.out: permission denied` (exit 2), for any file-system failure while writing output. */
function cannotWrite(shown: string, e: NodeJS.ErrnoException): UserError {
  const reason = FS_REASONS[e.code ?? ''] ?? e.message.replace(/^[A-Z0-9]+: /, '').replace(/, \w+ '.*'$/, '');
  return new UserError(`cannot write ${shown}: ${reason}; nothing was written`);
}

function isWithin(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** The real path of `p`, also when it does not exist yet (its nearest existing ancestor resolved). */
function realPath(p: string): string {
  const rest: string[] = [];
  let head = p;
  while (!existsSync(head) && path.dirname(head) !== head) {
    rest.unshift(path.basename(head));
    head = path.dirname(head);
  }
  try {
    return path.join(realpathSync(head), ...rest);
  } catch {
    return p;
  }
}

/** `a`, `a and b`, `a, b and c`, `a, b, c and 4 more`. */
function listing(names: readonly string[]): string {
  if (names.length > 3) return `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names.join('');
}

/** Entries of an existing output folder that synth did not write (relative paths), sorted. */
function foreignEntries(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry);
    if (entry === 'manifest.json' && lstatSync(full).isFile()) continue;
    if (entry !== 'stacks' || !lstatSync(full).isDirectory()) {
      out.push(entry);
      continue;
    }
    for (const stack of readdirSync(full).sort()) {
      const stackDir = path.join(full, stack);
      if (!lstatSync(stackDir).isDirectory()) out.push(`stacks/${stack}`);
      else
        for (const f of readdirSync(stackDir).sort())
          if (!STACK_FOLDER_FILES.some((re) => re.test(f))) out.push(`stacks/${stack}/${f}`);
    }
  }
  return out;
}

function isCdktfManifest(file: string): boolean {
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as { stacks?: unknown };
    return typeof m === 'object' && m !== null && typeof m.stacks === 'object' && m.stacks !== null;
  } catch {
    return false;
  }
}

/** `trace-health.yaml:40:1: requireRoute (…): 2 services would notify nobody; nothing was written:` + a line each. */
function routeCheckFailed(inputs: Inputs, failures: readonly RouteFailure[]): CheckFailed {
  const { line, col } = locate(inputs.doc.positions, ['requireRoute'], 'key');
  const [head, ...rest] = formatRouteFailures(inputs.policy, failures);
  return new CheckFailed([`${inputs.doc.file}:${line}:${col}: ${head}`, ...rest].join('\n'));
}

export interface OutputGuard {
  /** Absolute output folder. */
  readonly outDir: string;
  /** The output folder as the user wrote it (messages). */
  readonly shown: string;
  readonly cwd: string;
  readonly policyDir: string;
  readonly reviewDir: string;
}

/**
 * Refuse (UserError, exit 2) an output folder synth must not replace: one that is or holds the current folder,
 * the policy file's folder or the review manifests; a file or a symbolic link; a folder holding anything a
 * previous synth (and Terraform run in its stack folders) would not have left. Writes nothing.
 */
export function checkOutputFolder(g: OutputGuard): void {
  const refuse = (reason: string) =>
    new UserError(
      `output folder ${g.shown}: ${reason}. synth replaces its output folder as a whole, so --out must name a ` +
        'new or empty folder, or one a previous synth wrote (manifest.json, stacks/); nothing was written',
    );
  const out = realPath(g.outDir);
  const shownDir = (p: string) => toPosix(path.relative(g.cwd, p)) || '.';
  const guarded: [string, string][] = [
    [g.cwd, 'the current folder'],
    [g.policyDir, `the policy file's folder (${shownDir(g.policyDir)})`],
    [g.reviewDir, `the review manifest folder (${shownDir(g.reviewDir)})`],
  ];
  for (const [dir, what] of guarded) {
    const real = realPath(dir);
    if (real === out) throw refuse(`is ${what}`);
    if (isWithin(real, out)) throw refuse(`contains ${what}`);
  }
  try {
    let st;
    try {
      st = lstatSync(g.outDir);
    } catch (e) {
      if (isFsError(e) && e.code === 'ENOENT') return;
      throw e;
    }
    if (st.isSymbolicLink()) throw refuse(`is a symbolic link (pass the folder it points to)`);
    if (!st.isDirectory()) throw refuse('is a file, not a folder');
    const foreign = foreignEntries(g.outDir);
    if (foreign.length) throw refuse(`holds ${listing(foreign)}, which synth does not write`);
    const manifest = path.join(g.outDir, 'manifest.json');
    if (readdirSync(g.outDir).length && !existsSync(manifest))
      throw refuse('has no manifest.json from a previous synth');
    if (existsSync(manifest) && !isCdktfManifest(manifest)) throw refuse('its manifest.json is not one cdktf wrote');
  } catch (e) {
    if (isFsError(e)) throw cannotWrite(g.shown, e);
    throw e;
  }
}

/** A new folder `<prefix><random>`, created with the usual permissions (0777 less the umask, unlike mkdtemp's 0700). */
function makeTempDir(prefix: string): string {
  for (;;) {
    const dir = `${prefix}${randomBytes(6).toString('hex')}`;
    try {
      mkdirSync(dir);
      return dir;
    } catch (e) {
      if (!isFsError(e) || e.code !== 'EEXIST') throw e;
    }
  }
}

export function synth(opts: SynthOptions): SynthResult {
  const cwd = opts.cwd;
  const inputs = loadInputs(opts.config, cwd, { skipInvalid: opts.skipInvalid });
  const only = selectStacks(inputs.policy, opts.stacks);
  const reviewDir = reviewFolder(inputs.policyDir, cwd, opts.reviewDir);
  const shownReview = toPosix(path.relative(cwd, reviewDir)) || '.';
  const outDir = path.resolve(cwd, opts.out ?? DEFAULT_OUT_DIR);
  const shownOut = opts.out ?? DEFAULT_OUT_DIR;
  checkOutputFolder({ outDir, shown: shownOut, cwd, policyDir: inputs.policyDir, reviewDir });
  const removed = shrinkGuard(inputs, reviewDir, shownReview, opts.allowRemovals ?? false);

  const plan = planApp(inputs.policy, inputs.catalog, only, inputs.doc);
  if (plan.routeFailures.length) throw routeCheckFailed(inputs, plan.routeFailures);
  const manifests = renderManifests(plan);
  writeOutput({
    outDir,
    shownOut,
    reviewDir,
    shownReview,
    only,
    manifests,
    build: (tmp) =>
      withoutTokenStackTraces(() => {
        const { App } = require('cdktf') as typeof import('cdktf');
        const app = new App({ outdir: tmp, stackTraces: false });
        buildStacks(app, inputs.policy, plan, (stack) =>
          toPosix(path.relative(path.join(outDir, 'stacks', stack), inputs.policyDir)),
        );
        app.synth();
        dropUnwrittenMetadataPaths(tmp);
      }),
  });

  return {
    stacks: plan.stacks.map((s) => s.name),
    // What was skipped first, then catalog warnings (a service without a team, …), then per-service ones.
    warnings: [...skipWarnings(inputs, removed, shownReview), ...inputs.catalogWarnings, ...plan.warnings],
    outDir,
    reviewDir,
  };
}

/**
 * cdktf's manifest.json names a `stacks/<stack>/metadata.json` for every stack, but cdktf only writes that file for
 * HCL output (cdktf 0.21.0 lib/synthesize/synthesizer.js: `metadata.json` is written in the `hclOutput` branch
 * only). A manifest must not point at files that are not there: the entries are dropped.
 */
function dropUnwrittenMetadataPaths(outDir: string): void {
  const file = path.join(outDir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as { stacks: Record<string, Record<string, unknown>> };
  let changed = false;
  for (const stack of Object.values(manifest.stacks)) {
    const meta = stack.stackMetadataPath;
    if (typeof meta === 'string' && !existsSync(path.join(outDir, meta))) {
      delete stack.stackMetadataPath;
      changed = true;
    }
  }
  if (changed) writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * `--skip-invalid`: every error of the left-out definitions, which definitions they are, and — so that no monitor
 * disappears unnoticed — the services with resources in the committed review manifest that this output drops.
 */
function skipWarnings(inputs: Inputs, removed: readonly string[], shownReview: string): string[] {
  if (inputs.skipped.length === 0) return [];
  const left = inputs.skipped.map((d) => {
    const at = formatProblem({ file: d.file, line: d.line, col: d.col, message: '' }).replace(/: $/, '');
    return d.ref ? `${at} (${d.ref})` : at;
  });
  const out = [
    ...inputs.skippedProblems,
    `--skip-invalid: left out ${left.length === 1 ? '1 invalid definition' : `${left.length} invalid definitions`}: ${left.join(', ')}`,
  ];
  const skipped = skippedServices(inputs.skipped);
  const dropped = removed.filter((name) => skipped.has(name));
  if (dropped.length > 0)
    out.push(
      `--skip-invalid: ${dropped.join(', ')} ${dropped.length === 1 ? 'has' : 'have'} resources in ${shownReview}/ ` +
        'that this output does not have: applying it destroys them (fix the definitions to keep them)',
    );
  return out;
}

interface OutputWrite {
  readonly outDir: string;
  readonly shownOut: string;
  readonly reviewDir: string;
  readonly shownReview: string;
  readonly only: ReadonlySet<string> | undefined;
  readonly manifests: ReadonlyMap<string, string>;
  /** Synthesize the app into this (empty) folder. */
  readonly build: (dir: string) => void;
}

/**
 * Stage everything (the app in a temp folder beside the output, each review manifest in a temp file beside its
 * target), then move it all into place. A file-system failure while staging removes what was staged, including
 * folders it created, and is reported as `cannot write <path>: <reason>`.
 */
function writeOutput(w: OutputWrite): void {
  const created: string[] = [];
  const staged: [string, string][] = [];
  let tmp: string | undefined;
  let about = w.shownOut;
  let committed = false;
  try {
    const made = mkdirSync(path.dirname(w.outDir), { recursive: true });
    if (made) created.push(made);
    tmp = makeTempDir(path.join(path.dirname(w.outDir), `.${path.basename(w.outDir)}.tmp-`));
    w.build(tmp);
    about = w.shownReview;
    const madeReview = mkdirSync(w.reviewDir, { recursive: true });
    if (madeReview) created.push(madeReview);
    for (const [stack, text] of w.manifests) {
      const file = path.join(w.reviewDir, `${stack}.yaml`);
      const temp = `${file}.tmp-${process.pid}`;
      staged.push([temp, file]);
      writeFileSync(temp, text);
    }

    about = w.shownOut;
    if (w.only) replaceStacks(tmp, w.outDir, [...w.only]);
    else replaceAll(tmp, w.outDir);
    committed = true;
    about = w.shownReview;
    for (const [temp, file] of staged) renameSync(temp, file);
    staged.length = 0;
    if (!w.only)
      for (const f of readdirSync(w.reviewDir))
        if (f.endsWith('.yaml') && !w.manifests.has(f.slice(0, -'.yaml'.length))) rmSync(path.join(w.reviewDir, f));
  } catch (e) {
    for (const [temp] of staged) rmSync(temp, { force: true });
    if (!committed) for (const dir of created.reverse()) rmSync(dir, { recursive: true, force: true });
    if (isFsError(e)) throw cannotWrite(about, e);
    throw e;
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

/** Full synth: the new output folder replaces the old one (Terraform's init files and local state carried over). */
function replaceAll(tmp: string, outDir: string): void {
  const stacksDir = path.join(outDir, 'stacks');
  if (existsSync(stacksDir))
    for (const stack of readdirSync(path.join(tmp, 'stacks')))
      carryTerraformFiles(path.join(stacksDir, stack), path.join(tmp, 'stacks', stack));
  replaceFolder(tmp, outDir);
}

/** Selective synth: only the named stacks' folders are replaced; manifest.json is merged. */
function replaceStacks(tmp: string, outDir: string, stacks: readonly string[]): void {
  mkdirSync(path.join(outDir, 'stacks'), { recursive: true });
  const manifestFile = path.join(outDir, 'manifest.json');
  const fresh = JSON.parse(readFileSync(path.join(tmp, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, unknown>;
  };
  const merged = existsSync(manifestFile)
    ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as { stacks: Record<string, unknown> })
    : { ...fresh, stacks: {} };
  let changed = false;
  for (const stack of stacks) {
    const target = path.join(outDir, 'stacks', stack);
    const source = path.join(tmp, 'stacks', stack);
    carryTerraformFiles(target, source);
    const old = `${source}.old`;
    if (existsSync(target)) renameSync(target, old);
    renameSync(source, target);
    rmSync(old, { recursive: true, force: true });
    if (JSON.stringify(merged.stacks[stack]) !== JSON.stringify(fresh.stacks[stack])) changed = true;
    merged.stacks[stack] = fresh.stacks[stack];
  }
  // Unchanged entries (the usual case) leave cdktf's own manifest.json byte for byte as it was.
  if (existsSync(manifestFile) && !changed) return;
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(merged.stacks).sort(compareStrings)) sorted[k] = merged.stacks[k];
  writeFileAtomic(manifestFile, `${JSON.stringify({ ...merged, stacks: sorted }, null, 2)}\n`);
}
