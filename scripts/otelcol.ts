/**
 * `npm run otelcol`: build the OpenTelemetry Collector distribution of `deploy/otelcol/` (OTLP receiver,
 * loadbalancing exporter, OTLP/HTTP exporter; every collector module at one release, pinned by its go.mod and
 * go.sum) with the Go toolchain from the Go module proxy, once: the binary is cached under
 * `${TRACE_HEALTH_CACHE:-${XDG_CACHE_HOME:-~/.cache}/trace-health}/otelcol/<hash of the module and go version>/`
 * and reused while neither changes. Prints the binary's absolute path as the last line.
 *
 * A cold build downloads the modules (~1 min) and compiles them (several minutes: the loadbalancing exporter
 * brings the Kubernetes client for its k8s resolver); see docs/serve.md for the figures.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const MODULE_DIR = resolve(__dirname, '..', 'deploy', 'otelcol');
export const BINARY_NAME = 'trace-health-otelcol';

export type OtelcolResult = { readonly binary: string; readonly built: boolean } | { readonly skip: string };

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.TRACE_HEALTH_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'trace-health');
}

/** The cached binary, built first when missing. `skip` (with the reason) only when there is no Go toolchain. */
export function ensureOtelcol(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): OtelcolResult {
  const version = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0)
    return { skip: `no Go toolchain (\`go version\` failed: ${version.error?.message ?? version.stderr.trim()})` };
  const hash = createHash('sha256');
  for (const f of ['go.mod', 'go.sum', 'main.go']) hash.update(readFileSync(join(MODULE_DIR, f)));
  hash.update(version.stdout);
  const dir = join(cacheRoot(), 'otelcol', hash.digest('hex').slice(0, 16));
  const binary = join(dir, BINARY_NAME);
  if (existsSync(binary)) return { binary, built: false };
  mkdirSync(dir, { recursive: true });
  const tmp = `${binary}.${process.pid}.tmp`;
  log(`building the OpenTelemetry Collector distribution (deploy/otelcol) into ${dir}: a few minutes, once`);
  const started = Date.now();
  const build = spawnSync('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', tmp, '.'], {
    cwd: MODULE_DIR,
    // -mod=readonly: go.mod and go.sum are the pins; a build never changes them.
    env: { ...process.env, GOFLAGS: '-mod=readonly', CGO_ENABLED: '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (build.status !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(`go build in deploy/otelcol failed (exit ${build.status ?? build.signal})`);
  }
  renameSync(tmp, binary);
  log(`built ${binary} in ${Math.round((Date.now() - started) / 1000)} s`);
  return { binary, built: true };
}

if (require.main === module) {
  const r = ensureOtelcol();
  if ('skip' in r) {
    process.stderr.write(`otelcol: not built: ${r.skip}\n`);
    process.exit(1);
  }
  process.stdout.write(`${r.binary}\n`);
}
