/**
 * One CLI run as a user runs it, in its own process, for the benchmarks that compare two commands of the same run
 * (bench:simulate, bench:site): wall time (spawn to exit) and CPU time (user + system of the child, from bash's
 * `times`).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

export const BIN = resolve(__dirname, '..', 'bin', 'trace-health.js');

export interface Measured {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly stderr: string;
}

/** `0m1.234s` → 1234 */
function seconds(text: string): number {
  const m = /(\d+)m([\d.]+)s/.exec(text);
  return m ? (Number(m[1]) * 60 + Number(m[2])) * 1000 : NaN;
}

export function runCli(cwd: string, args: string[]): Measured {
  const t0 = performance.now();
  // bash's `times` prints the shell's and then its children's user and system time.
  const r = spawnSync(
    'bash',
    [
      '-c',
      '"$@" 2>.bench-stderr >/dev/null; s=$?; cat .bench-stderr >&2; times; exit $s',
      '_',
      process.execPath,
      BIN,
      ...args,
    ],
    {
      cwd,
      encoding: 'utf8',
      maxBuffer: 1 << 26,
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`trace-health ${args.join(' ')} exited ${r.status}:\n${r.stderr.slice(-3000)}`);
  const children = r.stdout.trim().split('\n').pop()!.split(/\s+/);
  return { wallMs, cpuMs: seconds(children[0]) + seconds(children[1]), stderr: r.stderr };
}

export const fmt = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
export const ratio = (a: number, b: number) => (a / b).toFixed(2);
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
