/** Reading `trace-health.yaml` from disk; everything after the read is `parsePolicy`. */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { UserError, UserErrors } from '../errors';
import { decodeUtf8 } from '../input/utf8';
import { formatProblems, PolicyDocument } from './document';
import { parsePolicy } from './parse';

export const DEFAULT_POLICY_FILE = 'trace-health.yaml';

export interface LoadPolicyOptions {
  /** Folder `file` is relative to (default: the process's working directory). */
  readonly cwd?: string;
}

/** Read and validate a policy file. Messages name the file as given (normalized: `./x.yaml` → `x.yaml`). */
export function loadPolicy(file: string, options: LoadPolicyOptions = {}): PolicyDocument {
  const absolute = path.resolve(options.cwd ?? process.cwd(), file);
  const shown = path.normalize(file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(absolute);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${shown}: no such policy file (create it, or pass --config FILE)`);
    if (code === 'EISDIR') throw new UserError(`${shown}: is a folder, not a policy file`);
    throw new UserError(`${shown}: cannot read the policy file (${code ?? String(e)})`);
  }
  return { ...parsePolicy(shown, decodeUtf8(shown, bytes)), baseDir: path.dirname(absolute) };
}

export interface PolicyCatalogPathOptions {
  /**
   * Throw a UserError located at `catalog:` when nothing exists there (default true). `catalog pull` passes false:
   * the snapshot it is about to write may not exist yet.
   */
  readonly mustExist?: boolean;
}

/** Absolute path of the document's `catalog`, which is relative to the policy file's folder. */
export function policyCatalogPath(
  doc: PolicyDocument,
  cwd: string = process.cwd(),
  options: PolicyCatalogPathOptions = {},
): string {
  const base = doc.baseDir ?? path.dirname(path.resolve(cwd, doc.file));
  const full = path.resolve(base, doc.data.catalog);
  if (options.mustExist !== false && !existsSync(full)) throw catalogNotFound(doc, full, cwd);
  return full;
}

/**
 * The `catalog` path as `loadCatalog(p, { cwd })` should get it, so that catalog messages name files the way the
 * user wrote them: an absolute path stays absolute; a relative one (relative to the policy file's folder) becomes
 * relative to `cwd`, with `/` separators. Throws like `policyCatalogPath` when nothing is there.
 */
export function policyCatalogArg(doc: PolicyDocument, cwd: string = process.cwd()): string {
  const full = policyCatalogPath(doc, cwd);
  return toSlashes(path.isAbsolute(doc.data.catalog) ? full : path.relative(cwd, full) || '.');
}

/** `trace-health.yaml:1:10: catalog: "/nonexistent" not found (a folder of service definitions or a snapshot .json)` */
function catalogNotFound(doc: PolicyDocument, full: string, cwd: string): UserErrors {
  const given = doc.data.catalog;
  let message = `${JSON.stringify(given)} not found (a folder of service definitions or a snapshot .json)`;
  // A relative path starts at the policy file's folder, which may not be where the user is: say where we looked.
  const shown = toSlashes(path.relative(cwd, full) || '.');
  if (!path.isAbsolute(given) && shown !== toSlashes(path.normalize(given))) message += `; looked for ${shown}`;
  return new UserErrors(formatProblems(doc.file, doc.positions, [{ path: ['catalog'], message }]));
}

function toSlashes(p: string): string {
  return p.split(path.sep).join('/');
}
