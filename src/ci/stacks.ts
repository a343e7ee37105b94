/**
 * Which stacks a change touches: compare two synth outputs (`cdktf.out/stacks/<stack>/cdk.tf.json`) stack by
 * stack, so that CI plans only those. The comparison is of the Terraform configuration, not the bytes: cdktf's
 * `//` metadata (construct paths, cdktf version) is ignored, and key order does not matter.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors';
import { parseJsonFile } from './plan';

export type StackStatus = 'added' | 'changed' | 'removed';

export interface StackChange {
  readonly stack: string;
  readonly status: StackStatus;
}

export const STACK_FILE = 'cdk.tf.json';

export function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function hasStacks(dir: string): boolean {
  return readdirSync(dir).some((name) => existsSync(join(dir, name, STACK_FILE)));
}

/**
 * The `stacks` folder of a synth output given as the `cdktf.out` folder, the project folder holding it, or the
 * `stacks` folder itself. `undefined` for an empty folder (a base with nothing synthesized yet).
 */
export function findStacksDir(dir: string, what: string): string | undefined {
  if (!isDir(dir)) throw new UserError(`${what} ${dir}: no such directory`);
  for (const candidate of [join(dir, 'stacks'), join(dir, 'cdktf.out', 'stacks')])
    if (isDir(candidate)) return candidate;
  if (hasStacks(dir)) return dir;
  if (readdirSync(dir).length === 0) return undefined;
  throw new UserError(
    `${what} ${dir}: no synth output here (expected ${join(dir, 'stacks', '<stack>', STACK_FILE)}); run \`trace-health synth\` first`,
  );
}

/** Drop cdktf's `//` metadata and sort keys, so that only the Terraform configuration is compared. */
export function canonicalJson(value: unknown): string {
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(norm);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v).sort()) if (key !== '//') out[key] = norm((v as Record<string, unknown>)[key]);
      return out;
    }
    return v;
  };
  return JSON.stringify(norm(value));
}

/** Stack name → canonical configuration, for every `<stack>/cdk.tf.json` under a stacks folder. */
export function readStacks(stacksDir: string | undefined): Map<string, string> {
  const stacks = new Map<string, string>();
  if (stacksDir === undefined) return stacks;
  for (const name of readdirSync(stacksDir).sort()) {
    const file = join(stacksDir, name, STACK_FILE);
    if (!existsSync(file)) continue;
    stacks.set(name, canonicalJson(parseJsonFile(readFileSync(file, 'utf8'), file)));
  }
  return stacks;
}

/** Stacks added, changed or removed between two synth outputs, sorted by stack name. */
export function diffStacks(base: ReadonlyMap<string, string>, current: ReadonlyMap<string, string>): StackChange[] {
  const names = [...new Set([...base.keys(), ...current.keys()])].sort();
  const changes: StackChange[] = [];
  for (const stack of names) {
    const b = base.get(stack);
    const c = current.get(stack);
    if (b === undefined) changes.push({ stack, status: 'added' });
    else if (c === undefined) changes.push({ stack, status: 'removed' });
    else if (b !== c) changes.push({ stack, status: 'changed' });
  }
  return changes;
}

/** One line per stack: `changed core`. */
export function stackChangesText(changes: readonly StackChange[]): string {
  return changes.map((c) => `${c.status} ${c.stack}\n`).join('');
}

/**
 * A GitHub Actions matrix: `strategy.matrix: ${{ fromJSON(needs.x.outputs.matrix) }}`. Only `include` at the top
 * level (any other key would become a matrix dimension); an empty `include` means nothing to plan.
 */
export function stackChangesMatrix(changes: readonly StackChange[]): string {
  return `${JSON.stringify({ include: changes.map((c) => ({ stack: c.stack, status: c.status })) })}\n`;
}
