/**
 * Runs real `terraform` with the real Datadog provider against the fake Datadog API on loopback: init, validate,
 * plan (and, for the perpetual-diff check, apply then plan again) for one synthesized stack, timing each step and
 * counting the API calls the provider made.
 *
 * Each stack is planned in a work folder of its own holding a copy of its `cdk.tf.json` without the backend block
 * (`init -backend=false` leaves no backend to plan with; a test must never touch a real state either), and talks
 * to a fake of its own, so call counts are exact while stacks run in parallel.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeDatadog } from '../fake-datadog/server';
import { terraformRoutes } from '../fake-datadog/routes/terraform';
import { PROVIDER_VERSION } from '../../scripts/terraform-provider';

export interface TerraformSetup {
  readonly terraform: string;
  readonly cliConfig: string;
  readonly pluginCacheDir: string;
}

export interface StepResult {
  readonly ms: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

/** A planned resource, from `terraform show -json`. */
export interface PlannedResource {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly actions: readonly string[];
  /** Planned values (known at plan time). */
  readonly after: Record<string, unknown>;
}

export interface StackPlan {
  readonly stack: string;
  readonly workDir: string;
  readonly initMs: number;
  readonly validateMs: number;
  readonly planMs: number;
  readonly resources: readonly PlannedResource[];
  /** API calls the provider made during `plan`, by `METHOD /path` with ids replaced by `{id}`. */
  readonly apiCalls: Readonly<Record<string, number>>;
  readonly apiCallCount: number;
}

/** Terraform refused the configuration or the provider rejected a resource; the message is terraform's own. */
export class TerraformRejected extends Error {}

/** The environment terraform runs in: the fake for every Datadog call, dummy keys, no prompts, no telemetry. */
export function terraformEnv(setup: TerraformSetup, fakeUrl: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // Only what terraform needs from ours: never a real key, site or host.
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SSL_CERT_FILE']) if (process.env[k]) env[k] = process.env[k];
  return {
    ...env,
    TF_CLI_CONFIG_FILE: setup.cliConfig,
    TF_PLUGIN_CACHE_DIR: setup.pluginCacheDir,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    DD_HOST: fakeUrl,
    // Synthesized stacks set the provider's api_url from this variable (default: the policy's site), which wins
    // over DD_HOST.
    TF_VAR_datadog_api_url: `${fakeUrl}/`,
    DD_API_KEY: 'fake-api-key',
    DD_APP_KEY: 'fake-app-key',
  };
}

export function runTerraform(setup: TerraformSetup, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv) {
  return new Promise<StepResult>((resolveStep, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(setup.terraform, [...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) =>
      resolveStep({
        ms: Number(process.hrtime.bigint() - started) / 1e6,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        code: code ?? -1,
      }),
    );
  });
}

async function step(
  setup: TerraformSetup,
  stack: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<StepResult> {
  const r = await runTerraform(setup, args, cwd, env);
  if (r.code !== 0)
    throw new TerraformRejected(
      `terraform ${args[0]} failed for stack ${stack} (exit ${r.code}):\n${shortenLines((r.stderr || r.stdout).trim())}`,
    );
  return r;
}

/** Terraform quotes the offending source line; a dashboard's JSON is one line of 100 kB. */
export function shortenLines(text: string, max = 400): string {
  return text
    .split('\n')
    .map((l) => (l.length > max ? `${l.slice(0, max)}… (${l.length - max} more characters)` : l))
    .join('\n');
}

/** Copy a stack's cdk.tf.json into `workDir` without its backend (see the file comment). */
export function prepareWorkDir(stackJsonFile: string, workDir: string): void {
  const config = JSON.parse(readFileSync(stackJsonFile, 'utf8')) as { terraform?: Record<string, unknown> };
  if (config.terraform) delete config.terraform.backend;
  mkdirSync(workDir, { recursive: true });
  // Pretty-printed, so terraform's diagnostics point at a line that names the resource and attribute.
  writeFileSync(join(workDir, 'cdk.tf.json'), `${JSON.stringify(config, null, 2)}\n`);
}

/** `METHOD /path` with numeric and hex/uuid-like ids replaced, so counts group by endpoint. */
export function endpointKey(method: string, path: string): string {
  const generic = path
    .split('/')
    .map((seg) => (/^\d+$|^[0-9a-f]{32}$|^[a-z0-9]{3}-[a-z0-9]{3}-[a-z0-9]{3}$|^slo\d+$/.test(seg) ? '{id}' : seg))
    .join('/');
  return `${method} ${generic}`;
}

export function countCalls(fake: FakeDatadog, since = 0): { byEndpoint: Record<string, number>; total: number } {
  const byEndpoint: Record<string, number> = {};
  const calls = fake.requests.slice(since);
  for (const r of calls) {
    const key = endpointKey(r.method, r.path);
    byEndpoint[key] = (byEndpoint[key] ?? 0) + 1;
  }
  return { byEndpoint: Object.fromEntries(Object.entries(byEndpoint).sort()), total: calls.length };
}

/** Resources of a plan (`terraform show -json`), sorted by address. */
export function plannedResources(planJson: string): PlannedResource[] {
  const plan = JSON.parse(planJson) as {
    resource_changes?: {
      address: string;
      type: string;
      name: string;
      change: { actions: string[]; after: Record<string, unknown> | null };
    }[];
  };
  return (plan.resource_changes ?? [])
    .map((rc) => ({
      address: rc.address,
      type: rc.type,
      name: rc.name,
      actions: rc.change.actions,
      after: rc.change.after ?? {},
    }))
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

const locks = new Map<TerraformSetup, Promise<string>>();

/**
 * A dependency lock file for the provider, made once by an init of an empty configuration. Terraform's plugin cache
 * is not safe for concurrent inits: without a lock file every init installs the provider into the cache again,
 * and a parallel init can find the cache entry half replaced ("Required plugins are not installed", seen once in
 * 103 stacks). With this lock file in place, init only links the verified cache entry.
 */
export function providerLock(setup: TerraformSetup): Promise<string> {
  let lock = locks.get(setup);
  if (!lock) {
    lock = (async () => {
      const dir = mkdtempSync(join(tmpdir(), 'th-tf-lock-'));
      writeFileSync(
        join(dir, 'main.tf.json'),
        JSON.stringify({
          terraform: { required_providers: { datadog: { source: 'DataDog/datadog', version: PROVIDER_VERSION } } },
        }),
      );
      await step(setup, 'lock', ['init', '-backend=false', '-input=false', '-no-color'], dir, terraformEnv(setup, ''));
      return join(dir, '.terraform.lock.hcl');
    })();
    locks.set(setup, lock);
  }
  return lock;
}

/** init, validate, plan -refresh=false -out, show -json, for one stack against a fake of its own. */
export async function planStack(
  setup: TerraformSetup,
  stack: string,
  stackJsonFile: string,
  workDir: string,
): Promise<StackPlan> {
  prepareWorkDir(stackJsonFile, workDir);
  copyFileSync(await providerLock(setup), join(workDir, '.terraform.lock.hcl'));
  const fake = await FakeDatadog.start([terraformRoutes()]);
  try {
    const env = terraformEnv(setup, fake.url);
    const init = await step(setup, stack, ['init', '-backend=false', '-input=false', '-no-color'], workDir, env);
    const validate = await step(setup, stack, ['validate', '-no-color'], workDir, env);
    const before = fake.requests.length;
    const plan = await step(
      setup,
      stack,
      ['plan', '-refresh=false', '-input=false', '-lock=false', '-no-color', '-out=tfplan'],
      workDir,
      env,
    );
    const calls = countCalls(fake, before);
    const show = await step(setup, stack, ['show', '-json', 'tfplan'], workDir, env);
    return {
      stack,
      workDir,
      initMs: init.ms,
      validateMs: validate.ms,
      planMs: plan.ms,
      resources: plannedResources(show.stdout),
      apiCalls: calls.byEndpoint,
      apiCallCount: calls.total,
    };
  } finally {
    await fake.stop();
  }
}

export interface RoundTrip {
  readonly applyMs: number;
  readonly replanMs: number;
  /** `terraform plan -detailed-exitcode` after apply: 0 no changes, 2 changes. */
  readonly replanExitCode: number;
  /** The second plan's text when it shows changes (the perpetual diffs). */
  readonly replanText: string;
  readonly applyCalls: number;
}

/** Apply a stack's saved plan against a fresh fake, then plan again with refresh: it must show no changes. */
export async function applyAndReplan(setup: TerraformSetup, plan: StackPlan): Promise<RoundTrip> {
  const fake = await FakeDatadog.start([terraformRoutes()]);
  try {
    const env = terraformEnv(setup, fake.url);
    // The saved plan was made against another fake; plan again against this one (same config, empty state).
    await step(setup, plan.stack, ['plan', '-input=false', '-no-color', '-out=tfplan-apply'], plan.workDir, env);
    const apply = await step(
      setup,
      plan.stack,
      ['apply', '-input=false', '-no-color', '-auto-approve', 'tfplan-apply'],
      plan.workDir,
      env,
    );
    const applyCalls = fake.requests.length;
    const replan = await runTerraform(
      setup,
      ['plan', '-input=false', '-no-color', '-detailed-exitcode'],
      plan.workDir,
      env,
    );
    if (replan.code === 1)
      throw new TerraformRejected(`second plan failed for stack ${plan.stack}:\n${replan.stderr.trim()}`);
    return {
      applyMs: apply.ms,
      replanMs: replan.ms,
      replanExitCode: replan.code,
      replanText: replan.code === 2 ? replan.stdout : '',
      applyCalls,
    };
  } finally {
    await fake.stop();
  }
}

/** What the provider sent when it updated a stack, and the plan after. */
export interface UpdateRound {
  /** Every request of the update apply that is not a GET, as `METHOD /path status`, in order. */
  readonly writes: readonly string[];
  /** `terraform plan -detailed-exitcode` after the update: 0 no changes, 2 changes. */
  readonly replanExitCode: number;
  readonly replanText: string;
}

/**
 * Apply a planned stack against a fresh fake, change its configuration with `edit`, and apply again: the provider's
 * update requests (PUT, PATCH, its item calls) go through the fake's checks. Then plan: it must show no changes.
 */
export async function applyThenUpdate(
  setup: TerraformSetup,
  plan: StackPlan,
  edit: (config: Record<string, unknown>) => void,
): Promise<UpdateRound> {
  const fake = await FakeDatadog.start([terraformRoutes()]);
  try {
    const env = terraformEnv(setup, fake.url);
    const apply = ['apply', '-input=false', '-no-color', '-auto-approve'];
    await step(setup, plan.stack, apply, plan.workDir, env);
    const file = join(plan.workDir, 'cdk.tf.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    edit(config);
    writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
    const before = fake.requests.length;
    await step(setup, plan.stack, apply, plan.workDir, env);
    const writes = fake.requests
      .slice(before)
      .filter((r) => r.method !== 'GET')
      .map((r) => `${endpointKey(r.method, r.path)} ${r.status}`);
    const replan = await runTerraform(
      setup,
      ['plan', '-input=false', '-no-color', '-detailed-exitcode'],
      plan.workDir,
      env,
    );
    if (replan.code === 1)
      throw new TerraformRejected(`plan after the update failed for stack ${plan.stack}:\n${replan.stderr.trim()}`);
    return { writes, replanExitCode: replan.code, replanText: replan.code === 2 ? replan.stdout : '' };
  } finally {
    await fake.stop();
  }
}

/** Run `fn` over `items` with at most `limit` at once; results in input order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
