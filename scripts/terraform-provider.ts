/**
 * `npm run terraform:provider`: make the Datadog provider that our synthesized stacks pin (DataDog/datadog
 * 3.82.0, the version @cdktf/provider-datadog 12.15.2 was generated from) available to `terraform init` when
 * the Terraform registry cannot be reached (air-gapped CI, a firewall, this project's own CI).
 *
 * Idempotent. The last line printed is always the absolute path of a Terraform CLI config file; use it as
 * `TF_CLI_CONFIG_FILE=$(npm run -s terraform:provider | tail -1) terraform init`.
 *
 * - Registry reachable (a quick probe): nothing to build; the config only sets a shared plugin cache.
 * - Otherwise: the provider binary is taken from, in order, the filesystem mirror already in the cache, a
 *   binary you give (`TRACE_HEALTH_TF_PROVIDER_BINARY`, e.g. unzipped from the release archive on a machine
 *   that can download it), or `go install` of the provider's Go module at the release commit through the Go
 *   module proxy. It is laid out as a filesystem mirror
 *   (`registry.terraform.io/datadog/datadog/3.82.0/<os>_<arch>/terraform-provider-datadog_v3.82.0`), and the
 *   config installs DataDog/datadog from that mirror only.
 * - `terraform` missing from PATH: installed with `go install` too (said so on stderr).
 *
 * Environment: TRACE_HEALTH_TF_CACHE (cache folder, default `${XDG_CACHE_HOME:-~/.cache}/trace-health/terraform`),
 * TRACE_HEALTH_TF_PROVIDER_BINARY (prebuilt provider), TRACE_HEALTH_TF_OFFLINE=1 (skip the probe, always use the
 * mirror), TRACE_HEALTH_TF_REGISTRY_URL (what the probe asks; default the registry's service discovery).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

export const PROVIDER_VERSION = '3.82.0';
/** Commit of the provider's v3.82.0 tag: its tags lack the /v3 module suffix, so the Go command needs the commit. */
export const PROVIDER_COMMIT = 'cc0b64ae7e48d2e0f3c5c13b15ae1a65473865de';
export const PROVIDER_MODULE = 'github.com/terraform-providers/terraform-provider-datadog';
export const PROVIDER_ADDRESS = 'registry.terraform.io/datadog/datadog';
/** The Terraform release we test with; later releases' go.mod has replace directives, which `go install` refuses. */
export const TERRAFORM_VERSION = 'v1.11.4';
/** Newest Terraform release whose module `go install pkg@version` accepts (no replace directives). */
export const TERRAFORM_GO_INSTALLABLE = 'v1.6.6';
export const DEFAULT_REGISTRY_URL = 'https://registry.terraform.io/.well-known/terraform.json';

export interface PrepareOptions {
  /** Cache folder (mirror, CLI config, plugin cache, built binaries). */
  readonly cacheDir: string;
  /** Skip the registry probe and always use the mirror. */
  readonly offline: boolean;
  readonly registryUrl: string;
  readonly probeTimeoutMs: number;
  /** A prebuilt provider binary to put in the mirror instead of building one. */
  readonly providerBinary?: string;
  /** The `go` command (tests point it at a stand-in). */
  readonly go: string;
  /** PATH used to find `terraform`. */
  readonly path: string;
  /** Progress and notes (stderr by default). */
  readonly log: (line: string) => void;
}

export interface Prepared {
  /** Absolute path of the Terraform CLI config file. */
  readonly cliConfig: string;
  /** Absolute path of the terraform binary. */
  readonly terraform: string;
  /** Where the provider comes from. */
  readonly provider: 'registry' | 'mirror' | 'given' | 'built';
  readonly pluginCacheDir: string;
  /** Absolute path of the provider in the mirror (undefined with the registry). */
  readonly providerPath?: string;
}

/** A problem the user must fix (no provider to be had); printed without a stack, exit code 1. */
export class ProviderUnavailable extends Error {
  readonly exitCode = 1;
}

export function defaultOptions(env: NodeJS.ProcessEnv = process.env): PrepareOptions {
  const cacheHome = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return {
    cacheDir: resolve(env.TRACE_HEALTH_TF_CACHE || join(cacheHome, 'trace-health', 'terraform')),
    offline: env.TRACE_HEALTH_TF_OFFLINE === '1' || env.TRACE_HEALTH_TF_OFFLINE === 'true',
    registryUrl: env.TRACE_HEALTH_TF_REGISTRY_URL || DEFAULT_REGISTRY_URL,
    probeTimeoutMs: 3000,
    providerBinary: env.TRACE_HEALTH_TF_PROVIDER_BINARY || undefined,
    go: 'go',
    path: env.PATH ?? '',
    log: (line) => process.stderr.write(`${line}\n`),
  };
}

/** Terraform's name for this machine's platform, e.g. `linux_amd64`. */
export function terraformPlatform(platform: string = process.platform, arch: string = process.arch): string {
  const goArch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' };
  const a = goArch[arch];
  if (!a) throw new ProviderUnavailable(`no Terraform platform for CPU architecture ${arch}`);
  return `${platform === 'win32' ? 'windows' : platform}_${a}`;
}

/** Path of the provider binary inside a filesystem mirror rooted at `mirrorDir`. */
export function mirrorPath(mirrorDir: string, platform = terraformPlatform()): string {
  return join(
    mirrorDir,
    PROVIDER_ADDRESS,
    PROVIDER_VERSION,
    platform,
    `terraform-provider-datadog_v${PROVIDER_VERSION}${platform.startsWith('windows') ? '.exe' : ''}`,
  );
}

/** The CLI config: the mirror for DataDog/datadog only (other providers still come from their registries). */
export function cliConfigText(opts: { mirrorDir?: string; pluginCacheDir: string }): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = [
    '# Written by `npm run terraform:provider` (trace-health). Use with TF_CLI_CONFIG_FILE.',
    `plugin_cache_dir = ${q(opts.pluginCacheDir)}`,
  ];
  if (opts.mirrorDir) {
    lines.push(
      '',
      'provider_installation {',
      '  filesystem_mirror {',
      `    path    = ${q(opts.mirrorDir)}`,
      `    include = [${q(PROVIDER_ADDRESS)}]`,
      '  }',
      '  direct {',
      `    exclude = [${q(PROVIDER_ADDRESS)}]`,
      '  }',
      '}',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** True when the registry's service discovery answers within the timeout. */
export async function registryReachable(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok;
  } catch {
    return false;
  }
}

function findOnPath(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function goInstall(opts: PrepareOptions, target: string, gobin: string): { ok: boolean; output: string } {
  mkdirSync(gobin, { recursive: true });
  const res = spawnSync(opts.go, ['install', target], {
    env: { ...process.env, GOBIN: gobin, GOFLAGS: '-mod=mod' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (res.error) return { ok: false, output: `${opts.go}: ${res.error.message}` };
  return { ok: res.status === 0, output: `${res.stdout ?? ''}${res.stderr ?? ''}`.trim() };
}

/** `terraform` from PATH, else from the cache, else installed there with `go install`. */
export function ensureTerraform(opts: PrepareOptions): string {
  const onPath = findOnPath('terraform', opts.path);
  if (onPath) return onPath;
  const gobin = join(opts.cacheDir, 'bin');
  const cached = join(gobin, 'terraform');
  if (existsSync(cached)) return cached;
  opts.log(`terraform is not on PATH: installing it with go install into ${gobin}`);
  const tried: string[] = [];
  for (const version of [TERRAFORM_VERSION, TERRAFORM_GO_INSTALLABLE]) {
    const r = goInstall(opts, `github.com/hashicorp/terraform@${version}`, gobin);
    if (r.ok) {
      if (version !== TERRAFORM_VERSION)
        opts.log(
          `note: installed terraform ${version}: go install cannot build ${TERRAFORM_VERSION} (its go.mod has replace directives)`,
        );
      return cached;
    }
    tried.push(`go install github.com/hashicorp/terraform@${version}:\n${indent(r.output)}`);
  }
  throw new ProviderUnavailable(
    `terraform is not on PATH and could not be installed with go:\n${tried.join('\n')}\n` +
      'Install terraform (https://developer.hashicorp.com/terraform/install) and run this again.',
  );
}

/** Put the provider binary in the mirror; return where it came from. */
function ensureMirror(opts: PrepareOptions, target: string): 'mirror' | 'given' | 'built' {
  if (opts.providerBinary) {
    const given = resolve(opts.providerBinary);
    if (!existsSync(given))
      throw new ProviderUnavailable(`TRACE_HEALTH_TF_PROVIDER_BINARY: no such file: ${JSON.stringify(given)}`);
    if (!existsSync(target) || !readFileSync(given).equals(readFileSync(target))) install(given, target);
    return 'given';
  }
  if (existsSync(target)) return 'mirror';
  const gobin = join(opts.cacheDir, 'build', PROVIDER_COMMIT);
  const module = `${PROVIDER_MODULE}@${PROVIDER_COMMIT}`;
  opts.log(`building the Datadog provider ${PROVIDER_VERSION}: go install ${module} (a few minutes cold)`);
  const r = goInstall(opts, module, gobin);
  if (!r.ok)
    throw new ProviderUnavailable(
      `cannot build the Datadog provider: go install ${module} failed:\n${indent(r.output)}\n` +
        'Either let terraform reach registry.terraform.io, or download terraform-provider-datadog ' +
        `${PROVIDER_VERSION} for ${terraformPlatform()} where you can and run this again with ` +
        'TRACE_HEALTH_TF_PROVIDER_BINARY=/path/to/terraform-provider-datadog_v3.82.0 (see docs/terraform-offline.md).',
    );
  install(join(gobin, 'terraform-provider-datadog'), target);
  return 'built';
}

function install(from: string, to: string): void {
  mkdirSync(join(to, '..'), { recursive: true });
  // Copy beside the target, then rename: a concurrent `terraform init` never sees half a binary.
  const tmp = `${to}.tmp-${process.pid}`;
  copyFileSync(from, tmp);
  chmodSync(tmp, 0o755);
  renameSync(tmp, to);
}

export async function prepareTerraform(opts: PrepareOptions): Promise<Prepared> {
  const cacheDir = resolve(opts.cacheDir);
  const pluginCacheDir = join(cacheDir, 'plugin-cache');
  mkdirSync(pluginCacheDir, { recursive: true });
  const terraform = ensureTerraform(opts);
  const cliConfig = join(cacheDir, 'terraform.rc');

  if (!opts.offline && (await registryReachable(opts.registryUrl, opts.probeTimeoutMs))) {
    opts.log(`the Terraform registry answers: terraform init downloads DataDog/datadog ${PROVIDER_VERSION} itself`);
    writeIfChanged(cliConfig, cliConfigText({ pluginCacheDir }));
    return { cliConfig, terraform, provider: 'registry', pluginCacheDir };
  }
  if (!opts.offline)
    opts.log(`the Terraform registry does not answer (${opts.registryUrl}): using a filesystem mirror`);
  const mirrorDir = join(cacheDir, 'mirror');
  const providerPath = mirrorPath(mirrorDir);
  const provider = ensureMirror(opts, providerPath);
  opts.log(`provider DataDog/datadog ${PROVIDER_VERSION} (${provider}): ${providerPath}`);
  writeIfChanged(cliConfig, cliConfigText({ mirrorDir, pluginCacheDir }));
  return { cliConfig, terraform, provider, pluginCacheDir, providerPath };
}

function writeIfChanged(file: string, text: string): void {
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return;
  writeFileSync(`${file}.tmp-${process.pid}`, text);
  renameSync(`${file}.tmp-${process.pid}`, file);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const opts = defaultOptions();
  const unknown = args.filter((a) => a !== '--offline');
  if (unknown.length > 0) {
    process.stderr.write(`usage: terraform-provider [--offline] (unknown argument ${JSON.stringify(unknown[0])})\n`);
    process.exit(2);
  }
  prepareTerraform({ ...opts, offline: opts.offline || args.includes('--offline') }).then(
    (p) => {
      process.stdout.write(`${p.cliConfig}\n`);
    },
    (err: unknown) => {
      if (err instanceof ProviderUnavailable) {
        process.stderr.write(`terraform-provider: ${err.message}\n`);
        process.exit(err.exitCode);
      }
      throw err;
    },
  );
}
