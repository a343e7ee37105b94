/**
 * `npm ci` on the Node version package.json promises must not warn EBADENGINE: every locked package accepts it.
 * light-my-request 6.8 (fastify's inject helper) moved to cookie 2, which wants Node 22; package.json pins
 * light-my-request 6.6.0 (cookie 1, Node >= 18) through `overrides`, within fastify's `^6.0.0`.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  overrides?: Record<string, string>;
};
const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
};

/** The major version an `engines.node` alternative starts at: `>=22` → 22, `^20.9.0` → 20, `*` → 0. */
function lowestMajor(alternative: string): number {
  const m = /(\d+)/.exec(alternative);
  return m ? Number(m[1]) : 0;
}

describe('engines', () => {
  const ours = lowestMajor(pkg.engines.node);

  test('package.json promises Node 20', () => {
    expect(pkg.engines.node).toBe('>=20.19.0');
    expect(pkg.overrides).toStrictEqual({ 'light-my-request': '6.6.0' });
  });

  test('every locked package accepts that Node major (npm ci prints no EBADENGINE)', () => {
    const refusing: string[] = [];
    for (const [name, entry] of Object.entries(lock.packages)) {
      const range = !Array.isArray(entry.engines) ? entry.engines?.node : undefined;
      if (!range) continue;
      if (!range.split('||').some((alt) => lowestMajor(alt) <= ours))
        refusing.push(`${name}@${entry.version} (${range})`);
    }
    expect(refusing).toStrictEqual([]);
  });
});
