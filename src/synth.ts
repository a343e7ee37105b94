/**
 * The synth pipeline: policy + catalog → plans → CDKTF app → `cdktf.out/stacks/<stack>/cdk.tf.json`, plus the
 * review manifest (`review/<stack>.yaml` beside the policy file).
 *
 * Guarantees:
 * - nothing is written unless everything succeeded: the app is synthesized into a temporary folder next to the
 *   output folder and moved into place with renames (same file system, so each move is atomic);
 * - `stacks` (selective synth, for CI matrices) builds and replaces only the named stacks; every other stack
 *   folder in the output is left untouched, and only the named stacks' review files are rewritten;
 * - the output depends on the inputs only: no absolute paths, no environment values, no timestamps;
 * - the shrink guard: a catalog that lost more services than `maxRemovalRatio` since the committed review
 *   manifest stops synth (exit 1) unless `allowRemovals`.
 */
import type { App } from 'cdktf';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import * as path from 'node:path';
import { loadCatalog } from './catalog/load';
import { catalogWarnings } from './catalog/read';
import type { Catalog, Service } from './catalog/model';
import { checkShrink, formatShrink } from './catalog/shrink';
import { overviewDashboardSpec } from './constructs/overview-spec';
import { planService, ServicePlan, ServicePlanInput } from './constructs/service/plan';
import { spanMetricSpecs, SpanMetricSpec } from './constructs/span-metric-specs';
import { locateTagRuleConflict, TagRuleConflict } from './constructs/tag-rule-source';
import type { DashboardSpec } from './constructs/service/plan';
import { CheckFailed, UserError } from './errors';
import { loadPolicy, policyCatalogPath } from './policy/load';
import type { PolicyDocument } from './policy/document';
import type { Policy } from './policy/model';
import { resolvePolicy } from './policy/resolve';
import { backendForStack, CORE_STACK } from './policy/stacks';
import { manifestServices, renderCoreManifest, renderServicesManifest } from './review/manifest';

export const DEFAULT_OUT_DIR = 'cdktf.out';
/** Review manifests live here, relative to the policy file's folder. */
export const REVIEW_DIR = 'review';

export interface Inputs {
  readonly doc: PolicyDocument;
  readonly policy: Policy;
  readonly catalog: Catalog;
  /** Absolute folder of the policy file. */
  readonly policyDir: string;
}

/** Read and validate the policy and its catalog (UserError, exit 2, on any problem). */
export function loadInputs(config: string, cwd: string): Inputs {
  const doc = loadPolicy(config, { cwd });
  // Relative to cwd, so that catalog messages name files the way the user sees them.
  const catalog = loadCatalog(path.relative(cwd, policyCatalogPath(doc, cwd)) || '.', { cwd });
  const policy = resolvePolicy(doc, catalog);
  const policyDir = doc.baseDir ?? path.dirname(path.resolve(cwd, config));
  return { doc, policy, catalog, policyDir };
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
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Every stack name the policy and catalog produce, without planning any service (cheap). */
export function stackNames(policy: Policy): string[] {
  return [CORE_STACK, ...[...new Set(policy.services.filter((s) => s.enabled).map((s) => s.stack))].sort(byText)];
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
  const warnings: string[] = [];
  for (const sp of policy.services) {
    if (!sp.enabled) continue;
    if (only && !only.has(sp.stack)) continue;
    if (sp.stack === CORE_STACK)
      throw new UserError(`service ${sp.service}: stack name "${CORE_STACK}" is reserved for org-wide resources`);
    const service = catalogByName.get(sp.service);
    if (!service) throw new Error(`policy service ${sp.service} is not in the catalog`);
    const input: ServicePlanInput = { site: policy.site, service, policy: sp, entrypoint: entrypoints.has(sp.service) };
    const plan = planService(input);
    warnings.push(...plan.warnings);
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
  for (const name of [...groups.keys()].sort(byText))
    stacks.push({ kind: 'services', name, services: groups.get(name)! });
  const unmapped = stacks.flatMap((s) =>
    s.kind === 'services' ? s.services.filter((x) => x.plan.routing.unmapped.length).map((x) => x.service.name) : [],
  );
  if (unmapped.length)
    warnings.push(
      `${unmapped.length} service${unmapped.length === 1 ? '' : 's'} (${unmapped.sort(byText).join(', ')}) ` +
        'have catalog contacts or PagerDuty/Opsgenie integrations that name an id, not a Datadog handle, so ' +
        'those are not notified; add the handles (e.g. @pagerduty-<service name in the Datadog integration>) to ' +
        "notify in trace-health.yaml. The review manifest lists them per service under 'unmapped'.",
    );
  return { stacks, warnings };
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
    if (s.kind === 'core') new CoreStack(app, s.name, { ...common, services: policy.services, overview: s.overview });
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

function toPosix(p: string): string {
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
  if (!existsSync(reviewDir)) return [];
  const names = new Set<string>();
  for (const f of readdirSync(reviewDir).sort()) {
    if (!f.endsWith('.yaml')) continue;
    for (const s of manifestServices(readFileSync(path.join(reviewDir, f), 'utf8'))) names.add(s);
  }
  return [...names].sort(byText);
}

function shrinkGuard(inputs: Inputs, reviewDir: string, allow: boolean): void {
  const previous = committedServices(reviewDir);
  const check = checkShrink(
    previous,
    inputs.catalog.services.map((s) => s.name),
    inputs.policy.maxRemovalRatio,
  );
  if (check.exceeded && !allow)
    throw new CheckFailed(
      formatShrink(check, {
        against: `the review manifest (${toPosix(path.relative(process.cwd(), reviewDir)) || reviewDir})`,
        previousCount: new Set(previous).size,
        maxRatio: inputs.policy.maxRemovalRatio,
        override: '--allow-removals',
        consequence: 'Nothing was written.',
      }),
    );
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

/** Files Terraform keeps in a stack folder (`terraform init` results): carried over when the folder is replaced. */
function carryTerraformFiles(from: string, to: string): void {
  if (!existsSync(from)) return;
  for (const entry of readdirSync(from)) {
    if (!entry.startsWith('.terraform')) continue;
    cpSync(path.join(from, entry), path.join(to, entry), { recursive: true, verbatimSymlinks: true });
  }
}

/** Write a file by writing a sibling temp file and renaming it over the target. */
function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export function synth(opts: SynthOptions): SynthResult {
  const cwd = opts.cwd;
  const inputs = loadInputs(opts.config, cwd);
  const only = selectStacks(inputs.policy, opts.stacks);
  const reviewDir = opts.reviewDir ? path.resolve(cwd, opts.reviewDir) : path.join(inputs.policyDir, REVIEW_DIR);
  shrinkGuard(inputs, reviewDir, opts.allowRemovals ?? false);

  const plan = planApp(inputs.policy, inputs.catalog, only, inputs.doc);
  const manifests = renderManifests(plan);
  const outDir = path.resolve(cwd, opts.out ?? DEFAULT_OUT_DIR);
  const parent = path.dirname(outDir);
  mkdirSync(parent, { recursive: true });
  const tmp = mkdtempSync(path.join(parent, `.${path.basename(outDir)}.tmp-`));
  try {
    withoutTokenStackTraces(() => {
      const { App } = require('cdktf') as typeof import('cdktf');
      const app = new App({ outdir: tmp, stackTraces: false });
      buildStacks(app, inputs.policy, plan, (stack) =>
        toPosix(path.relative(path.join(outDir, 'stacks', stack), inputs.policyDir)),
      );
      app.synth();
    });
    if (only) replaceStacks(tmp, outDir, [...only]);
    else replaceAll(tmp, outDir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  mkdirSync(reviewDir, { recursive: true });
  for (const [stack, text] of manifests) writeAtomic(path.join(reviewDir, `${stack}.yaml`), text);
  if (!only)
    for (const f of readdirSync(reviewDir))
      if (f.endsWith('.yaml') && !manifests.has(f.slice(0, -'.yaml'.length))) rmSync(path.join(reviewDir, f));

  return {
    stacks: plan.stacks.map((s) => s.name),
    // Catalog warnings (a service without a team, a dependsOn naming nothing) first, then per-service ones.
    warnings: [...catalogWarnings(inputs.catalog), ...plan.warnings],
    outDir,
    reviewDir,
  };
}

/** Full synth: the new output folder replaces the old one (Terraform's init files carried over). */
function replaceAll(tmp: string, outDir: string): void {
  const stacksDir = path.join(outDir, 'stacks');
  if (existsSync(stacksDir))
    for (const stack of readdirSync(path.join(tmp, 'stacks')))
      carryTerraformFiles(path.join(stacksDir, stack), path.join(tmp, 'stacks', stack));
  const old = `${tmp}.old`;
  if (existsSync(outDir)) renameSync(outDir, old);
  renameSync(tmp, outDir);
  mkdirSync(tmp); // so that the caller's cleanup has something to remove
  rmSync(old, { recursive: true, force: true });
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
  for (const k of Object.keys(merged.stacks).sort(byText)) sorted[k] = merged.stacks[k];
  writeAtomic(manifestFile, `${JSON.stringify({ ...merged, stacks: sorted }, null, 2)}\n`);
}
