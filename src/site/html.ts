/**
 * HTML building blocks of the site: escaping, the page frame (landmarks, skip link, one stylesheet) and Markdown
 * rendering. Pure string building; same input, same bytes.
 */
import MarkdownIt from 'markdown-it';

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/**
 * Markdown as Datadog renders notes and monitor messages (CommonMark + tables). Raw HTML in the text stays text
 * (`html: false`): catalog-provided strings end up here.
 */
const md = new MarkdownIt({ html: false, linkify: false, typographer: false });

/**
 * Terraform reads `$${` and `%%{` as a literal `${` and `%{` (catalog text is escaped that way in the dashboard
 * JSON and messages, src/constructs/dashboard/links.ts): show what Datadog will receive.
 */
export function unescapeInterpolation(text: string): string {
  return text.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
}

/**
 * Markdown → HTML. Texts here are blocks separated by blank lines (paragraphs, tight lists, headings, tables) and
 * the same blocks recur across services (causes, rules, cheat-sheet sections), so each block is rendered once and
 * reused: rendering blocks one by one gives the same HTML as rendering the whole text when no block continues
 * past a blank line — no fenced or indented code, no link reference definitions, no loose list (checked below;
 * otherwise the text is rendered whole). `name` (a service name) widens the reuse: a block is rendered with the
 * name replaced by a placeholder, and the placeholder replaced by the name in the HTML — only for names whose
 * characters Markdown and URL normalization leave alone (letters, digits, inner `-` and `.`).
 */
export function markdown(text: string, name?: string): string {
  const source = unescapeInterpolation(text);
  const blocks = source.split(/\n{2,}/);
  if (!blockwise(source, blocks) || source.includes(PLACEHOLDER)) return md.render(source);
  const templated = name !== undefined && TEMPLATABLE.test(name);
  let html = '';
  for (const block of blocks) {
    if (block.trim() === '') continue;
    const key = templated ? block.split(name).join(PLACEHOLDER) : block;
    let out = rendered.get(key);
    if (out === undefined) {
      out = md.render(key);
      if (rendered.size >= MAX_CACHED) rendered.clear();
      rendered.set(key, out);
    }
    html += templated ? out.split(PLACEHOLDER).join(name) : out;
  }
  return html;
}

/**
 * Whether no block of the text continues past a blank line: no fenced or indented code, no link reference
 * definitions, no block starting indented (a list item's continuation), no list continued after a blank line.
 */
function blockwise(source: string, blocks: readonly string[]): boolean {
  if (source.includes('```') || source.includes('~~~')) return false;
  const item = /^(?:[-*+]|\d+[.)])(?:\s|$)/;
  for (let i = 0; i < blocks.length; i++) {
    // Indented code and link reference definitions cannot interrupt a paragraph: they can only start a block.
    if (/^(?:\s| {0,3}\[(?:[^\]\\]|\\.)*\]:)/.test(blocks[i])) return false;
    if (i > 0 && item.test(blocks[i]) && item.test(blocks[i - 1].split('\n').pop() ?? '')) return false;
  }
  return true;
}

/**
 * Memoize an HTML fragment that mentions a service by name across services: `key` (which must not depend on the
 * name except through text containing it) is looked up with the name replaced by a placeholder; a miss renders
 * and stores the HTML with the name replaced. Only for templatable names whose HTML holds no other text containing
 * the name (`unsafe` lists such texts, e.g. other services' names shown in it).
 */
export function byServiceName(
  cache: Map<string, string>,
  key: string,
  name: string | undefined,
  unsafe: readonly string[],
  render: () => string,
): string {
  if (
    name === undefined ||
    !TEMPLATABLE.test(name) ||
    key.includes(PLACEHOLDER) ||
    unsafe.some((t) => t.includes(name))
  )
    return render();
  const k = key.split(name).join(PLACEHOLDER);
  const hit = cache.get(k);
  if (hit !== undefined) return hit.split(PLACEHOLDER).join(name);
  const html = render();
  if (html.includes(PLACEHOLDER)) return html;
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(k, html.split(name).join(PLACEHOLDER));
  return html;
}

const TEMPLATABLE = /^[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*$/;
const PLACEHOLDER = 'Zq9SvcNameQz';
const MAX_CACHED = 50000;
const rendered = new Map<string, string>();

export interface PageOptions {
  readonly title: string;
  /** Relative path from the page to the site root: '' or '../'. */
  readonly root: string;
  readonly body: string;
  /** Breadcrumb-style navigation: label → href relative to the page. */
  readonly nav: readonly (readonly [string, string])[];
  readonly script?: string;
}

export function page(o: PageOptions): string {
  const nav = o.nav.map(([label, href]) => `<li><a href="${esc(href)}">${esc(label)}</a></li>`).join('');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="trace-health site">',
    `<title>${esc(o.title)} · trace health</title>`,
    // An empty icon: no request for /favicon.ico (a 404 on a static host).
    '<link rel="icon" href="data:,">',
    `<link rel="stylesheet" href="${o.root}assets/site.css">`,
    '</head>',
    '<body>',
    '<a class="skip" href="#main">Skip to content</a>',
    '<header class="top">',
    `<a class="brand" href="${o.root}index.html">trace health</a>`,
    `<nav aria-label="Site"><ul>${nav}</ul></nav>`,
    '</header>',
    `<main id="main">`,
    o.body,
    '</main>',
    '<footer class="foot"><p>Generated by <code>trace-health site</code> from <code>trace-health.yaml</code> and the service catalog — the same plan <code>trace-health synth</code> turns into Terraform. Change the policy or the catalog, not this page.</p></footer>',
    o.script ? `<script src="${o.root}${o.script}"></script>` : '',
    '</body>',
    '</html>',
    '',
  ]
    .filter((l) => l !== '')
    .join('\n');
}
