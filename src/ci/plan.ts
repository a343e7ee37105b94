/**
 * Reading `terraform show -json PLANFILE` output: only the part of the format plan-summary needs
 * (https://developer.hashicorp.com/terraform/internals/json-format, "Plan Representation"). Pure apart from
 * `readPlanFiles`, which reads files and reports every bad one at once (exit 2, no partial output).
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { UserError, UserErrors } from '../errors';

/** One entry of `resource_changes[]`. Values are kept as Terraform wrote them (JSON). */
export interface TfResourceChange {
  readonly address: string;
  readonly mode?: string;
  readonly type: string;
  readonly name?: string;
  /** Set when the change is to a deposed object (a create_before_destroy leftover). */
  readonly deposed?: string;
  readonly action_reason?: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly before?: unknown;
    readonly after?: unknown;
    readonly after_unknown?: unknown;
    readonly before_sensitive?: unknown;
    readonly after_sensitive?: unknown;
    /** Attribute paths that forced a replacement, e.g. `[["name"], ["compute", "aggregation_type"]]`. */
    readonly replace_paths?: readonly (readonly (string | number)[])[];
  };
}

export interface TfPlan {
  readonly format_version?: string;
  readonly terraform_version?: string;
  readonly resource_changes: readonly TfResourceChange[];
}

/** A plan file and the stack it belongs to. */
export interface PlanInput {
  readonly stack: string;
  readonly file: string;
}

/** A parsed plan, labelled with its stack. */
export interface LabelledPlan extends PlanInput {
  readonly plan: TfPlan;
}

/** File names that say nothing about the stack: such files take their folder's name. */
const GENERIC_PLAN_NAMES = new Set(['plan', 'tfplan', 'show', 'terraform']);
const STACK_LABEL = /^([A-Za-z0-9][A-Za-z0-9_.-]*)=(.+)$/;

/**
 * The stack a plan argument names. `NAME=PATH` labels it explicitly; otherwise the file name without `.json` and
 * without a `plan`/`tfplan` prefix or suffix (`core.json`, `core.plan.json`, `plan-core.json` → `core`), and for generic names
 * (`plan.json`, `tfplan.json`) the folder's name (`cdktf.out/stacks/core/plan.json` → `core`).
 */
export function planInputFromArg(
  arg: string,
  exists: (p: string) => boolean = fileExists,
  cwd = process.cwd(),
): PlanInput {
  const labelled = STACK_LABEL.exec(arg);
  if (labelled && !exists(arg)) return { stack: labelled[1], file: labelled[2] };
  const base = basename(arg)
    .replace(/\.json$/i, '')
    .replace(/[.-](tf)?plan$/i, '')
    .replace(/^(tf)?plan[.-](?=.)/i, '');
  const stack = GENERIC_PLAN_NAMES.has(base.toLowerCase()) || base === '' ? basename(dirname(resolve(cwd, arg))) : base;
  return { stack, file: arg };
}

function fileExists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

/** 1-based line and column of a character offset. */
export function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, col: offset - start + 1 };
}

/** Parse JSON text; errors name the file and, when V8 says where, the line and column. */
export function parseJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const at = /at position (\d+)/.exec(message);
    const where = at ? (({ line, col }) => `${file}:${line}:${col}`)(lineCol(text, Number(at[1]))) : file;
    const detail =
      text.trim() === ''
        ? 'the file is empty'
        : message.replace(/\s*\(line \d+ column \d+\)$/, '').replace(/ in JSON at position \d+$/, '');
    throw new UserError(`${where}: invalid JSON: ${detail}`);
  }
}

/**
 * Check that a parsed document is a `terraform show -json` plan and return its resource changes.
 * Plans without changes may omit `resource_changes`; a state (`terraform show -json` without a plan file) has
 * `values` but no `planned_values`, and is rejected with a hint.
 */
export function toPlan(doc: unknown, file: string): TfPlan {
  const hint = 'expected the output of `terraform show -json PLANFILE`';
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw new UserError(`${file}: not a Terraform plan (${hint})`);
  const obj = doc as Record<string, unknown>;
  if (!('resource_changes' in obj) && !('planned_values' in obj)) {
    const what = 'values' in obj ? 'a Terraform state, not a plan' : 'not a Terraform plan';
    throw new UserError(`${file}: ${what} (${hint})`);
  }
  const changes = obj.resource_changes ?? [];
  if (!Array.isArray(changes))
    throw new UserError(`${file}: resource_changes: expected a list, got ${typeName(changes)}`);
  changes.forEach((rc, i) => {
    const where = `${file}: resource_changes[${i}]`;
    if (rc === null || typeof rc !== 'object') throw new UserError(`${where}: expected an object, got ${typeName(rc)}`);
    const r = rc as Record<string, unknown>;
    for (const key of ['address', 'type'] as const)
      if (typeof r[key] !== 'string')
        throw new UserError(`${where}.${key}: expected a string, got ${typeName(r[key])}`);
    const change = r.change as Record<string, unknown> | undefined;
    if (change === null || typeof change !== 'object')
      throw new UserError(`${where}.change: expected an object, got ${typeName(change)}`);
    const actions = change.actions;
    if (!Array.isArray(actions) || actions.some((a) => typeof a !== 'string'))
      throw new UserError(`${where}.change.actions: expected a list of strings, got ${JSON.stringify(actions)}`);
  });
  return {
    format_version: typeof obj.format_version === 'string' ? obj.format_version : undefined,
    terraform_version: typeof obj.terraform_version === 'string' ? obj.terraform_version : undefined,
    resource_changes: changes as TfResourceChange[],
  };
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (v === undefined) return 'nothing';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

/** Parse the text of one plan file (exported for callers that already hold the text, e.g. test:terraform). */
export function parsePlanText(text: string, file: string): TfPlan {
  // A binary plan (`terraform plan -out`) is a zip archive.
  if (text.startsWith('PK')) {
    throw new UserError(`${file}: a binary plan file; convert it first: terraform show -json ${file} > ${file}.json`);
  }
  return toPlan(parseJsonFile(text, file), file);
}

/**
 * Read and parse every plan. All problems are collected and thrown together so that nothing is printed for a
 * partly valid set. Two plans for the same stack are an error (the summary would count a stack twice).
 */
export function readPlanFiles(inputs: readonly PlanInput[], cwd = process.cwd()): LabelledPlan[] {
  const problems: string[] = [];
  const plans: LabelledPlan[] = [];
  const seen = new Map<string, string>();
  for (const input of inputs) {
    const other = seen.get(input.stack);
    if (other !== undefined) {
      problems.push(
        `${input.file}: stack "${input.stack}" already given by ${other}; label plans explicitly with NAME=PATH`,
      );
      continue;
    }
    seen.set(input.stack, input.file);
    let text: string;
    try {
      text = readFileSync(resolve(cwd, input.file), 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      problems.push(
        code === 'ENOENT'
          ? `${input.file}: no such file`
          : code === 'EISDIR'
            ? `${input.file}: is a directory, expected a plan JSON file`
            : `${input.file}: cannot read: ${(e as Error).message}`,
      );
      continue;
    }
    try {
      plans.push({ ...input, plan: parsePlanText(text, input.file) });
    } catch (e) {
      if (e instanceof UserError) problems.push(e.message);
      else throw e;
    }
  }
  if (problems.length === 1) throw new UserError(problems[0]);
  if (problems.length > 1) throw new UserErrors(problems);
  return plans;
}
