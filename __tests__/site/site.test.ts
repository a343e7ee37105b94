/**
 * `trace-health site` on the bundled example: structure, internal links, determinism, the single sources (cheat
 * sheet, dashboard JSON, monitor messages) and every error a user can hit. The browser checks are in
 * __tests__/browser (npm run test:browser).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/index';
import { memoryIo } from '../../src/cli/io';
import { serviceCheatSheet } from '../../src/constructs/dashboard/service-dashboard';
import { markdown } from '../../src/site/html';
import { SampleSeries } from '../../src/site/samples';
import { loadInputs, planApp } from '../../src/synth';
import { EXAMPLE_POLICY, exampleRoot } from '../example-policy';
import { brokenLinks, siteFiles } from './helpers';

const ROOT = exampleRoot();

async function run(cwd: string, ...argv: string[]) {
  const io = memoryIo({}, cwd);
  const code = await main(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

const inputs = loadInputs(EXAMPLE_POLICY, ROOT);
const plan = planApp(inputs.policy, inputs.catalog);
const planned = plan.stacks.flatMap((s) => (s.kind === 'services' ? s.services : []));
const billing = planned.find((x) => x.service.name === 'billing')!;

describe('trace-health site (bundled example)', () => {
  let tmp: string;
  let site: string;
  beforeAll(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'th-site-'));
    site = path.join(tmp, 'site');
    const r = await run(ROOT, 'site', '--config', EXAMPLE_POLICY, '--out', site);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`wrote 31 files (13 service pages) into ${site}/; open ${site}/index.html\n`);
    expect(r.code).toBe(0);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  test('an index, a page and a dashboard preview per enabled service, the overview, assets', () => {
    const services = planned.map((x) => x.service.name).sort();
    expect(services).toHaveLength(13);
    expect(services).not.toContain('legacy-batch');
    expect(siteFiles(site)).toEqual(
      [
        '.nojekyll',
        'assets/search.js',
        'assets/site.css',
        'dashboards/overview.html',
        'index.html',
        ...services.map((s) => `dashboards/${s}.html`),
        ...services.map((s) => `services/${s}.html`),
      ].sort(),
    );
  });

  test('every internal link resolves inside the site', () => {
    expect(brokenLinks(site)).toEqual([]);
  });

  test('same input, same bytes (a second run into another folder)', async () => {
    const again = path.join(tmp, 'again');
    expect((await run(ROOT, 'site', '--config', EXAMPLE_POLICY, '--out', again)).code).toBe(0);
    const files = siteFiles(site);
    expect(siteFiles(again)).toEqual(files);
    for (const f of files)
      expect(readFileSync(path.join(again, f), 'utf8')).toBe(readFileSync(path.join(site, f), 'utf8'));
  });

  test('a second run replaces its own site; nothing is left of the old one', async () => {
    writeFileSync(path.join(site, 'services', 'stale.html'), 'old');
    expect((await run(ROOT, 'site', '--config', EXAMPLE_POLICY, '--out', site)).code).toBe(0);
    expect(existsSync(path.join(site, 'services', 'stale.html'))).toBe(false);
  });

  test('the index lists teams, tiers, thresholds, who is told and is searchable', () => {
    const html = readFileSync(path.join(site, 'index.html'), 'utf8');
    expect(html).toContain('<h1>Trace health of 13 services</h1>');
    expect(html).toContain('<h2 id="team-0">Team checkout <span class="muted">(3)</span></h2>');
    expect(html).toContain(
      '<tr data-search="checkout-api checkout 1 @checkout@example.com @pagerduty-checkout-api @slack-checkout-alerts">',
    );
    expect(html).toContain('<li>orphans &gt; 0.5% / 1%</li>');
    expect(html).toContain(
      '<li>critical (alert): <code>@checkout@example.com</code> <code>@pagerduty-checkout-api</code> <code>@slack-checkout-alerts</code></li>',
    );
    expect(html).toContain('<input id="q" name="q" type="search"');
    expect(html).toContain('<script src="assets/search.js"></script>');
    expect(html).toContain('<code>legacy-batch</code>: no monitors, SLOs or dashboard.');
  });

  test('the service page: cheat sheet from the dashboard note source, every monitor with rule and sample message', () => {
    const html = readFileSync(path.join(site, 'services/billing.html'), 'utf8');
    // The dashboard's "How to read" notes after the about note are exactly serviceCheatSheet (one source) …
    const dashboard = JSON.parse(billing.plan.dashboard.json) as {
      widgets: { definition: { widgets: { definition: { content: string } }[] } }[];
    };
    const notes = dashboard.widgets[0].definition.widgets.map((w) => w.definition.content);
    const sheet = serviceCheatSheet(billing.policy, billing.service);
    expect(notes.slice(1)).toEqual(sheet);
    // … and the page renders those same sections.
    for (const section of sheet) {
      const rendered = markdown(section).replace(/<(\/?)h2>/g, '<$1h3>');
      expect(html).toContain(rendered);
    }
    const alerting = billing.plan.monitors.filter((m) => m.role === 'alert');
    expect(alerting).toHaveLength(12);
    for (const m of alerting) {
      expect(html).toContain(`<h3 id="m-${m.id}">${m.name}</h3>`);
      expect(m.rule).toBeDefined();
    }
    expect(html).toContain(
      '<p>Alerts when more than 5% (warning: 1%) of checked spans are orphans over the last 1h. Only judged when at least 200 spans were checked in the window (quiet windows are ignored).</p>',
    );
    expect(html).toContain(
      'Message for a sample Alert (version sample-version), reaching @pagerduty-payments-billing @payments@example.com @slack-payments-oncall @teams-payments-billing</summary>',
    );
    expect(html).toContain('Message for a sample No Data, reaching');
    // Rendered for a transition: no template variables, no Terraform references, the dashboard linked by title.
    expect(html).not.toMatch(/\{\{|\$\{/);
    expect(html).toContain('href="https://app.datadoghq.com/dashboard/lists?q=Trace%20health%20%E2%80%94%20billing"');
    expect(html).toContain('<a href="https://app.datadoghq.com/apm/services/billing?env=prod">APM service page</a>');
    expect(html).toContain('<a href="https://wiki.example.com/runbooks/billing">Runbook</a>');
    for (const s of billing.plan.slos) expect(html).toContain(`<tr><th scope="row">${s.name}<p class="muted">`);
  });

  test('the dashboard preview draws the dashboard JSON: every widget title, a chart per timeseries', () => {
    const html = readFileSync(path.join(site, 'dashboards/billing.html'), 'utf8');
    const titles = billing.plan.dashboard.widgetTitles.filter((t) => !t.includes('note:'));
    for (const t of titles) expect(html).toContain(`>${t.split(' / ').pop()}</h`);
    const timeseries = (billing.plan.dashboard.json.match(/"type":"timeseries"/g) ?? []).length;
    expect(timeseries).toBe(14);
    expect((html.match(/<svg class="chart"/g) ?? []).length).toBe(timeseries);
    expect(html).toContain(
      'aria-label="Orphan span rate: 1 line of sample data, markers at warning 0.01, critical 0.05"',
    );
    expect(html).toContain(
      '<li><span class="swatch" style="background:#b3501c"></span>orphan rate · version:2.0.0</li>',
    );
    expect(html).toContain('the simulator&#39;s orphans-new-version scenario for billing in env prod (300 minutes)');
    const overview = readFileSync(path.join(site, 'dashboards/overview.html'), 'utf8');
    expect(overview).toContain('<h1>Trace health — overview</h1>');
    expect(overview).toContain('<h2 id="g1">Trace continuity, worst first</h2>');
    expect(overview).toContain('<th scope="row">service:checkout-api</th>');
  });

  test.each([
    ['a file', (dir: string) => writeFileSync(path.join(dir, 'out'), 'x'), 'out', 'is a file, not a folder'],
    [
      'a folder of other files',
      (dir: string) => {
        mkdirSync(path.join(dir, 'out'));
        writeFileSync(path.join(dir, 'out', 'notes.txt'), 'mine');
      },
      'out',
      'holds files that trace-health site did not write (no index.html from a previous site)',
    ],
    ['the current folder', () => undefined, '.', 'is the current folder'],
  ])('fails with exit 2 when --out is %s, and writes nothing', async (_what, setup, out, reason) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'th-site-err-'));
    try {
      writeFileSync(
        path.join(dir, 'trace-health.yaml'),
        readFileSync(path.join(ROOT, EXAMPLE_POLICY), 'utf8').replace(
          /^catalog: .*$/m,
          `catalog: ${path.join(ROOT, 'examples/catalog')}`,
        ),
      );
      setup(dir);
      const before = siteFiles(dir);
      const r = await run(dir, 'site', '--out', out);
      expect(r).toEqual({
        code: 2,
        stdout: '',
        stderr:
          `trace-health: --out ${out}: ${reason}. site replaces its output folder as a whole, so --out must name a new ` +
          'or empty folder, or one a previous `trace-health site` wrote; nothing was written\n',
      });
      expect(siteFiles(dir)).toEqual(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an invalid policy fails with exit 2 before anything is written', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'th-site-err-'));
    try {
      writeFileSync(path.join(dir, 'trace-health.yaml'), 'catalog: nowhere\nsite: datadoghq.com\n');
      const r = await run(dir, 'site', '--out', 'site');
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(existsSync(path.join(dir, 'site'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('sample series', () => {
  const samples = new SampleSeries(plan, inputs.policy, inputs.catalog);

  test("a service's orphan rate follows the simulator's orphans-new-version scenario", () => {
    const s = samples.forService(billing);
    expect(s.minutes).toBe(300);
    expect(s.deploys).toEqual([90, 195]);
    const q = (metric: string) => `sum:${metric}{service:billing,$env,$version} by {version}.as_count()`;
    const lines = s.timeseries(
      [
        { name: 'a', query: q('trace_health.spans.orphaned') },
        { name: 'b', query: q('trace_health.spans.checked') },
      ],
      'a / b',
    );
    expect(lines.map((l) => l.label)).toEqual(['version:1.0.0', 'version:2.0.0']);
    // One lost parent every other request, three spans of billing per request: 1/6 of v2's spans.
    const v2 = lines[1].values.filter((v): v is number => v !== null);
    expect(v2.length).toBeGreaterThan(4);
    for (const v of v2) expect(v).toBeCloseTo(1 / 6, 2);
    expect(lines[0].values.filter((v): v is number => v !== null).every((v) => v === 0)).toBe(true);
  });

  test('services of the same shape share one simulated store, read under their own names', () => {
    const others = planned.filter((x) => x.plan.team === 'payments' && x.service.name !== 'billing');
    const a = samples.forService(others[0]);
    const scalar = a.scalar(
      [{ name: 'c', query: `sum:trace_health.spans.checked{service:${others[0].service.name},$env}.as_count()` }],
      'c',
    );
    expect(scalar).toHaveLength(1);
    expect(scalar[0].value).toBeGreaterThan(0);
  });

  test('default_zero fills buckets only for a series that exists; x / 0 is a gap', () => {
    const s = samples.forService(billing);
    const none = s.timeseries(
      [{ name: 'a', query: 'sum:no.such.metric{service:billing,$env}.as_count()' }],
      'default_zero(a)',
    );
    expect(none).toEqual([]);
    const zero = s.timeseries(
      [
        { name: 'a', query: 'sum:trace_health.spans.checked{service:billing,$env}.as_count()' },
        { name: 'b', query: 'sum:trace_health.roots.total{service:billing,$env}.as_count()' },
      ],
      'a / b',
    );
    // billing has a caller: no trace starts in it, so every bucket divides by zero and no line is drawn.
    expect(zero).toEqual([]);
  });
});
