/** Reading a generated site: its files, and every internal link with its target. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** Every file under `dir` (relative, `/`-separated), sorted. */
export function siteFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const full = path.join(dir, rel);
    if (statSync(full).isDirectory()) for (const e of readdirSync(full).sort()) walk(rel ? `${rel}/${e}` : e);
    else out.push(rel);
  };
  walk('');
  return out.sort();
}

export interface BrokenLink {
  readonly page: string;
  readonly href: string;
  readonly problem: string;
}

/** `href`/`src` values of a page that stay inside the site (not http(s), mailto or data). */
export function internalLinks(html: string): string[] {
  return [...html.matchAll(/\s(?:href|src)="([^"]*)"/g)]
    .map((m) => m[1].replace(/&amp;/g, '&'))
    .filter((h) => !/^(?:https?:|mailto:|data:)/.test(h));
}

/** Internal links whose file or `#id` does not exist. */
export function brokenLinks(dir: string): BrokenLink[] {
  const broken: BrokenLink[] = [];
  for (const page of siteFiles(dir).filter((f) => f.endsWith('.html'))) {
    const html = readFileSync(path.join(dir, page), 'utf8');
    for (const href of internalLinks(html)) {
      const [file, anchor] = href.split('#');
      const target = file === '' ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), file));
      if (target.startsWith('..') || !existsSync(path.join(dir, target))) {
        broken.push({ page, href, problem: 'no such file in the site' });
        continue;
      }
      if (anchor) {
        const text = readFileSync(path.join(dir, target), 'utf8');
        if (!text.includes(`id="${anchor}"`)) broken.push({ page, href, problem: `no id ${anchor}` });
      }
    }
  }
  return broken;
}
