/**
 * The bundled example's site in headless Chromium (Debian's `chromium`, driven by playwright-core with its
 * executablePath; nothing is downloaded): every page loads without console errors or failed requests, every link
 * inside the site resolves, search finds a service (over HTTP and from file://), accessibility (axe-core's WCAG 2
 * A/AA rules, contrast included, plus landmarks, one h1, labelled charts; chart line colours measured against the
 * chart background), and screenshots of the index, a service page and a dashboard preview compared with the ones in
 * docs/ by size and page structure (not pixels).
 *
 * Served from a static server on 127.0.0.1 (what GitHub Pages or an artifact viewer does: real HTTP, content types,
 * 404s that show up as failed requests) — and the search is also checked from file://, as `open site/index.html`.
 * Regenerate the screenshots and their structure file with:  UPDATE_SCREENSHOTS=1 npm run test:browser
 */
import { createServer, Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { main } from '../../src/cli/index';
import { memoryIo } from '../../src/cli/io';
import { SERIES_COLOURS, MARKER_COLOURS } from '../../src/site/charts';
import { EXAMPLE_POLICY, exampleRoot } from '../example-policy';
import { siteFiles } from '../site/helpers';

// The callbacks of page.evaluate run in the browser; the project compiles without the DOM library.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const window: any;

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const DOCS = path.resolve(__dirname, '../../docs');
const STRUCTURE = path.join(__dirname, 'screenshots.json');
const SHOTS = [
  { name: 'index', page: 'index.html', file: 'site-index.png' },
  { name: 'service', page: 'services/billing.html', file: 'site-service.png' },
  { name: 'dashboard', page: 'dashboards/billing.html#g2', file: 'site-dashboard.png' },
] as const;

if (!HAVE_CHROMIUM)
  console.log(`test:browser skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`);
const maybe = HAVE_CHROMIUM ? describe : describe.skip;

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.png': 'image/png',
};

function serve(dir: string): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rel = decodeURIComponent(url.pathname).replace(/^\/+/, '') || 'index.html';
    const file = path.join(dir, rel);
    if (!file.startsWith(dir + path.sep) || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Relative luminance and contrast ratio (WCAG 2.x definitions). */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(buf: Buffer): { width: number; height: number } {
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

maybe('the example site in Chromium', () => {
  let tmp: string;
  let site: string;
  let server: Server;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'th-browser-'));
    site = path.join(tmp, 'site');
    const io = memoryIo({}, exampleRoot());
    expect(await main(['site', '--config', EXAMPLE_POLICY, '--out', site], io)).toBe(0);
    server = await serve(site);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 800 },
      deviceScaleFactor: 1,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning')
        problems.push(`${page.url()}: console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`${r.url()}: request failed (${r.failure()?.errorText})`));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`${r.url()}: HTTP ${r.status()}`);
    });
    // Only the site itself: an accidental request to anything else fails the test instead of leaving the machine.
    await context.route(/^(?!http:\/\/127\.0\.0\.1:|file:|data:)/, (route) => {
      problems.push(`request outside the site: ${route.request().url()}`);
      return route.abort();
    });
  });

  afterAll(async () => {
    await context?.close();
    await new Promise((r) => server?.close(r));
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('every page loads without console errors; every link inside the site resolves', async () => {
    const pages = siteFiles(site).filter((f) => f.endsWith('.html'));
    expect(pages).toHaveLength(28);
    const targets = new Map<string, string>();
    for (const p of pages) {
      problems.length = 0;
      await page.goto(base + p, { waitUntil: 'load' });
      expect(problems).toEqual([]);
      const links = await page.$$eval('a[href], link[href], script[src]', (els) =>
        els.map((e) => (e as { href?: string; src?: string }).href || (e as { src?: string }).src || ''),
      );
      for (const l of links) if (l.startsWith(base)) targets.set(l, p);
    }
    expect(targets.size).toBeGreaterThan(40);
    const broken: string[] = [];
    for (const [url, from] of targets) {
      const [file, anchor] = url.slice(base.length).split('#');
      const res = await fetch(base + file);
      if (res.status !== 200) broken.push(`${from} → ${url}: HTTP ${res.status}`);
      else if (anchor && !(await res.text()).includes(`id="${anchor}"`)) broken.push(`${from} → ${url}: no id`);
    }
    expect(broken).toEqual([]);
  });

  test('search finds a service as you type, and from ?q=', async () => {
    await page.goto(`${base}index.html`);
    const visible = () => page.$$eval('tr[data-search]:not([hidden]) th a', (as) => as.map((a) => a.textContent));
    expect(await visible()).toHaveLength(13);
    await page.fill('#q', 'ledger');
    expect(await visible()).toEqual(['payments-ledger']);
    expect(await page.textContent('#count')).toBe('1 of 13 services match');
    expect(await page.$$eval('section.team:not([hidden]) h2', (hs) => hs.map((h) => h.id))).toHaveLength(1);
    await page.fill('#q', '@slack-identity-alerts');
    expect(await visible()).toEqual(['auth-api', 'user-profile']);
    await page.goto(`${base}index.html?q=checkout`);
    expect(await visible()).toEqual(['cart-service', 'checkout-api', 'inventory-api']);
    await page.click('text=checkout-api');
    await page.waitForURL(`${base}services/checkout-api.html`, { waitUntil: 'load' });
  });

  test('search works from the file itself (open site/index.html)', async () => {
    problems.length = 0;
    await page.goto(`file://${site}/index.html`);
    await page.fill('#q', 'billing');
    expect(await page.$$eval('tr[data-search]:not([hidden]) th a', (as) => as.map((a) => a.textContent))).toEqual([
      'billing',
    ]);
    expect(problems).toEqual([]);
  });

  test.each(['index.html', 'services/billing.html', 'dashboards/billing.html', 'dashboards/overview.html'])(
    'accessibility of %s: axe-core WCAG 2 A/AA, landmarks, headings, labelled charts',
    async (p) => {
      await page.goto(base + p);
      await page.addScriptTag({ path: require.resolve('axe-core') });
      const result = await page.evaluate(async () => {
        const axe = window.axe as { run: (c: unknown, o: unknown) => Promise<unknown> };
        const r = (await axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
          resultTypes: ['violations'],
        })) as { violations: { id: string; nodes: { target: string[] }[] }[] };
        return r.violations.map(
          (v) =>
            `${v.id}: ${v.nodes
              .slice(0, 3)
              .map((n) => n.target.join(' '))
              .join(', ')}`,
        );
      });
      expect(result).toEqual([]);
      const structure = await page.evaluate(() => ({
        h1: document.querySelectorAll('h1').length,
        landmarks: ['header', 'nav', 'main', 'footer'].map((t) => document.querySelectorAll(t).length),
        unlabelledSvg: [...document.querySelectorAll('svg')].filter(
          (s: any) => s.getAttribute('role') !== 'img' || !s.getAttribute('aria-label'),
        ).length,
        imgWithoutAlt: [...document.querySelectorAll('img')].filter((i: any) => !i.hasAttribute('alt')).length,
        lang: document.documentElement.lang,
      }));
      expect(structure).toEqual({ h1: 1, landmarks: [1, 1, 1, 1], unlabelledSvg: 0, imgWithoutAlt: 0, lang: 'en' });
    },
  );

  test('chart colours keep 3:1 against the chart background (WCAG 1.4.11)', () => {
    for (const c of [...SERIES_COLOURS, ...Object.values(MARKER_COLOURS)])
      expect([c, contrast(c, '#ffffff') >= 3]).toEqual([c, true]);
  });

  test('screenshots of the index, a service page and a dashboard preview match docs/ in size and structure', async () => {
    const update = Boolean(process.env.UPDATE_SCREENSHOTS);
    const committed = existsSync(STRUCTURE)
      ? (JSON.parse(readFileSync(STRUCTURE, 'utf8')) as Record<string, unknown>)
      : {};
    const now: Record<string, unknown> = {};
    for (const shot of SHOTS) {
      await page.goto(base + shot.page);
      const png = await page.screenshot({ type: 'png' });
      const outline = await page.evaluate(() => {
        const box = (sel: string) => {
          const e = document.querySelector(sel);
          if (!e) return null;
          const r = e.getBoundingClientRect();
          return [Math.round(r.x / 20) * 20, Math.round(r.y / 20) * 20, Math.round(r.width / 20) * 20];
        };
        return {
          headings: [...document.querySelectorAll('h1, h2')]
            .slice(0, 8)
            .map((h: any) => `${h.tagName} ${h.textContent}`),
          charts: document.querySelectorAll('svg.chart').length,
          header: box('header'),
          h1: box('h1'),
          main: box('main'),
        };
      });
      now[shot.name] = { ...pngSize(png), outline };
      const file = path.join(DOCS, shot.file);
      if (update) writeFileSync(file, png);
      else {
        const old = readFileSync(file);
        expect(pngSize(png)).toEqual(pngSize(old));
        // Same page, same fonts: within half to twice the committed size (content changes move it, noise does not).
        expect(png.length).toBeGreaterThan(old.length / 2);
        expect(png.length).toBeLessThan(old.length * 2);
      }
    }
    if (update) writeFileSync(STRUCTURE, `${JSON.stringify(now, null, 2)}\n`);
    else expect(now).toEqual(committed);
  });
});
