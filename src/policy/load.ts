/** Reading `trace-health.yaml` from disk; everything after the read is `parsePolicy`. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import { PolicyDocument } from './document';
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
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${shown}: no such policy file (create it, or pass --config FILE)`);
    if (code === 'EISDIR') throw new UserError(`${shown}: is a folder, not a policy file`);
    throw new UserError(`${shown}: cannot read the policy file (${code ?? String(e)})`);
  }
  return { ...parsePolicy(shown, text), baseDir: path.dirname(absolute) };
}

/** Absolute path of the document's `catalog`, which is relative to the policy file's folder. */
export function policyCatalogPath(doc: PolicyDocument, cwd: string = process.cwd()): string {
  const base = doc.baseDir ?? path.dirname(path.resolve(cwd, doc.file));
  return path.resolve(base, doc.data.catalog);
}
