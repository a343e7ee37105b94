/**
 * `trace-health site --out DIR`: the static site (src/site) for the policy and catalog, rendered from the plan
 * synth uses. The folder is replaced as a whole and atomically: the site is written into a temporary folder beside
 * it and renamed into place, so a failure leaves the previous site (or nothing) — never half a site. Only a
 * folder that is absent, empty or a previous site (its index.html says `trace-health site`) is replaced.
 */
import { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import * as path from 'node:path';
import { replaceFolder } from '../fs-atomic';
import { UserError } from '../errors';
import { DEFAULT_POLICY_FILE } from '../policy/load';
import { siteEntries } from '../site/site';
import { loadInputs, planApp } from '../synth';
import type { CliContext } from './index';
import { plural } from './io';

export const DEFAULT_SITE_DIR = 'site';
const GENERATOR_MARK = '<meta name="generator" content="trace-health site">';

interface Flags {
  config: string;
  out: string;
}

export function siteCommand(program: Command, ctx: CliContext): void {
  program
    .command('site')
    .description(
      'Write a static site (plain HTML and CSS, no server needed) from the plan synth uses: an index of teams and ' +
        'services (searchable), a page per service (cheat sheet, every monitor with its rule and its message for a ' +
        'sample alert, SLOs, live Datadog links) and previews of the service and overview dashboards drawn from their ' +
        'JSON with sample series from the simulator. Replaces --out as a whole; nothing is written when anything is ' +
        'wrong.',
    )
    .option('-c, --config <file>', 'policy file', DEFAULT_POLICY_FILE)
    .option('-o, --out <dir>', 'output folder (replaced as a whole)', DEFAULT_SITE_DIR)
    .addHelpText(
      'after',
      '\nOpen <out>/index.html in a browser, or publish the folder (GitHub Pages, a CI artifact): docs/site.md.',
    )
    .action((flags: Flags) => {
      const cwd = ctx.io.cwd;
      const inputs = loadInputs(flags.config, cwd);
      const outDir = path.resolve(cwd, flags.out);
      checkSiteFolder(outDir, flags.out, cwd, inputs.policyDir);
      const plan = planApp(inputs.policy, inputs.catalog, undefined, inputs.doc);
      const files = writeSite(outDir, flags.out, siteEntries({ plan, policy: inputs.policy, catalog: inputs.catalog }));
      for (const w of [...inputs.catalogWarnings, ...plan.warnings]) ctx.io.err(`warning: ${w}`);
      const services = files.filter((f) => f.startsWith('services/')).length;
      const shown = flags.out.replace(/\/+$/, '') || '.';
      ctx.io.out(
        `wrote ${plural(files.length, 'file')} (${plural(services, 'service page')}) into ${shown}/; open ${shown}/index.html`,
      );
    });
}

function realPath(p: string): string {
  const rest: string[] = [];
  let head = p;
  while (!existsSync(head) && path.dirname(head) !== head) {
    rest.unshift(path.basename(head));
    head = path.dirname(head);
  }
  return path.join(realpathSync(head), ...rest);
}

function isWithin(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Refuse (exit 2) a folder the site must not replace. Writes nothing. */
export function checkSiteFolder(outDir: string, shown: string, cwd: string, policyDir: string): void {
  const refuse = (reason: string) =>
    new UserError(
      `--out ${shown}: ${reason}. site replaces its output folder as a whole, so --out must name a new or empty ` +
        'folder, or one a previous `trace-health site` wrote; nothing was written',
    );
  const out = realPath(outDir);
  for (const [dir, what] of [
    [cwd, 'the current folder'],
    [policyDir, "the policy file's folder"],
  ] as const)
    if (isWithin(realPath(dir), out)) throw refuse(out === realPath(dir) ? `is ${what}` : `contains ${what}`);
  if (!existsSync(outDir)) return;
  const st = lstatSync(outDir);
  if (st.isSymbolicLink()) throw refuse('is a symbolic link (pass the folder it points to)');
  if (!st.isDirectory()) throw refuse('is a file, not a folder');
  const entries = readdirSync(outDir);
  if (entries.length === 0) return;
  const index = path.join(outDir, 'index.html');
  const ours = existsSync(index) && lstatSync(index).isFile() && readFileSync(index, 'utf8').includes(GENERATOR_MARK);
  if (!ours) throw refuse('holds files that trace-health site did not write (no index.html from a previous site)');
}

/** Stage every file in a temp folder beside `outDir` as it is rendered, then swap it in with renames. */
function writeSite(outDir: string, shown: string, files: Iterable<[string, string]>): string[] {
  const written: string[] = [];
  const made = new Set<string>();
  const parent = path.dirname(outDir);
  const tmp = path.join(parent, `.${path.basename(outDir)}.tmp-${randomBytes(6).toString('hex')}`);
  try {
    mkdirSync(parent, { recursive: true });
    mkdirSync(tmp);
    for (const [rel, text] of files) {
      const file = path.join(tmp, ...rel.split('/'));
      const dir = path.dirname(file);
      if (!made.has(dir)) mkdirSync(dir, { recursive: true });
      made.add(dir);
      writeFileSync(file, text);
      written.push(rel);
    }
    replaceFolder(tmp, outDir);
    return written;
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    const err = e as NodeJS.ErrnoException;
    if (typeof err.code === 'string')
      throw new UserError(`cannot write ${shown}: ${err.code} (${err.syscall ?? 'fs'}); nothing was written`);
    throw e;
  }
}
