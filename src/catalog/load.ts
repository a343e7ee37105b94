/**
 * The one catalog function that touches the file system: a folder of definition files (recursive, sorted), a
 * single definition file, or a snapshot `.json` (recognized by its `format` field). Paths in messages and in
 * `source.file` are relative to the working folder with `/` separators, so output is the same on every machine.
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import * as nodePath from 'node:path';
import { UserError } from '../errors';
import { checkUtf8 } from '../input/utf8';
import { Catalog } from './model';
import { compareProblems, compareStrings, Problem, throwIfProblems } from './problems';
import { CatalogFile, CatalogReport, isSnapshot, readCatalogFiles, readSnapshot } from './read';

export interface LoadOptions {
  /** Folder that relative paths (and displayed paths) are relative to; default `process.cwd()`. */
  readonly cwd?: string;
}

const DEFINITION_EXTENSIONS = ['.yaml', '.yml', '.json'];

/** Load and validate a catalog; throws UserErrors listing every problem. */
export function loadCatalog(path: string, options: LoadOptions = {}): Catalog {
  const report = loadCatalogReport(path, options);
  throwIfProblems(report.problems);
  return report.catalog;
}

/** Load a catalog, returning problems instead of throwing them (missing paths and unreadable files still throw). */
export function loadCatalogReport(path: string, options: LoadOptions = {}): CatalogReport {
  const cwd = options.cwd ?? process.cwd();
  const full = nodePath.resolve(cwd, path);
  const shown = displayPath(path, full, cwd);
  let stat;
  try {
    stat = statSync(full);
  } catch {
    throw new UserError(`${shown}: catalog path not found`);
  }
  if (stat.isDirectory()) {
    const files = listDefinitionFiles(full, shown);
    if (files.length === 0)
      throw new UserError(`${shown}: no service definition files (*.yaml, *.yml, *.json) in this folder`);
    // A file that is not UTF-8 is one more problem: the other files are still read and checked.
    const texts: CatalogFile[] = [];
    const encoding: Problem[] = [];
    for (const f of files) {
      const r = checkUtf8(readBytes(f.full, f.shown));
      if ('text' in r) texts.push({ path: f.shown, text: r.text });
      else encoding.push({ file: f.shown, ...r.problem });
    }
    const report = readCatalogFiles(texts);
    if (encoding.length === 0) return report;
    return {
      ...report,
      problems: [...report.problems, ...encoding].sort(compareProblems),
      files: files.length,
      invalid: [...report.invalid, ...encoding.map(({ file, line, col }) => ({ file, line, col }))].sort(
        (a, b) => compareStrings(a.file, b.file) || a.line - b.line || a.col - b.col,
      ),
    };
  }
  if (!stat.isFile() || !hasDefinitionExtension(full))
    throw new UserError(
      `${shown}: not a catalog (expected a folder of .yaml/.yml/.json service definitions, or a snapshot .json)`,
    );
  const r = checkUtf8(readBytes(full, shown));
  if ('problem' in r) {
    const problem = { file: shown, ...r.problem };
    const invalid = [{ file: shown, line: problem.line, col: problem.col }];
    const catalog = { services: [], entities: [] };
    return { catalog, problems: [problem], warnings: [], definitionWarnings: [], files: 1, invalid };
  }
  if (full.toLowerCase().endsWith('.json') && looksLikeSnapshot(r.text)) return readSnapshot(shown, r.text);
  return readCatalogFiles([{ path: shown, text: r.text }]);
}

/** JSON.parse is native and fast; the line-aware parse happens once, in the reader. */
function looksLikeSnapshot(text: string): boolean {
  try {
    return isSnapshot(JSON.parse(text));
  } catch {
    return false;
  }
}

function listDefinitionFiles(dir: string, shownDir: string): { full: string; shown: string }[] {
  const out: { full: string; shown: string }[] = [];
  const seen = new Set<string>();
  const walk = (full: string, shown: string) => {
    const real = realpathSync(full);
    if (seen.has(real)) return; // a symlink loop
    seen.add(real);
    const names = readdirSync(full).sort(compareStrings);
    for (const name of names) {
      // Hidden entries (.git, editor backups) are never catalog content.
      if (name.startsWith('.') || name === 'node_modules') continue;
      const childFull = nodePath.join(full, name);
      const childShown = shown === '.' ? name : `${shown}/${name}`;
      let st;
      try {
        st = statSync(childFull);
      } catch {
        continue; // a dangling symlink
      }
      if (st.isDirectory()) walk(childFull, childShown);
      else if (st.isFile() && hasDefinitionExtension(name)) out.push({ full: childFull, shown: childShown });
    }
  };
  walk(dir, shownDir);
  return out;
}

function hasDefinitionExtension(name: string): boolean {
  const lower = name.toLowerCase();
  return DEFINITION_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/** Raw bytes: decoding is strict (`checkUtf8`), so that invalid UTF-8 is a problem, not U+FFFD in a name. */
function readBytes(full: string, shown: string): Buffer {
  try {
    return readFileSync(full);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new UserError(`${shown}: cannot read (${code})`);
  }
}

/** Relative paths are shown relative to cwd (normalized); absolute ones stay absolute. Always `/`. */
function displayPath(given: string, full: string, cwd: string): string {
  const shown = nodePath.isAbsolute(given) ? full : nodePath.relative(cwd, full) || '.';
  return shown.split(nodePath.sep).join('/');
}
