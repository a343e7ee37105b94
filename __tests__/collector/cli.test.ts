/**
 * `trace-health collect` end to end on the bundled example exports, with golden reports.
 * Regenerate the golden files with:  UPDATE_GOLDEN=1 npx jest __tests__/collector/cli.test.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli';
import { memoryIo } from '../../src/cli/io';
import Ajv from 'ajv';
import { REPORT_SCHEMA_FILE } from '../../scripts/generate-policy-schema';
import type { Finding } from '../../src/collector/findings';
import { reportJsonSchema } from '../../src/collector/report-schema';
import { exampleRoot } from '../example-policy';

const ROOT = path.resolve(__dirname, '../..');
const GOLDEN = path.join(__dirname, 'golden');

async function run(args: string[], env: NodeJS.ProcessEnv = {}, cwd = exampleRoot()) {
  const io = memoryIo(env, cwd);
  const code = await main(['collect', ...args], io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN) {
    fs.mkdirSync(GOLDEN, { recursive: true });
    fs.writeFileSync(file, actual);
  }
  expect(actual).toBe(fs.readFileSync(file, 'utf8'));
}

describe('collect --input (bundled examples, bundled policy)', () => {
  it('prints the Markdown report per team, worst first, with site links', async () => {
    const r = await run(['--input', 'examples/spans/', '--format', 'md']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      '2 malformed spans skipped (invalid start_timestamp: 1, missing span_id: 1); first at examples/spans/page-004.json: data[824]\n',
    );
    golden('examples.md', r.stdout);
    expect(r.stdout).toContain(
      '- **info** orphan spans: 50.0% (95 of 190 checked spans) in version 3.1.0 (version 3.0.0: 0.0%) — below the volume guard (190 of 200 checked spans in the window): the monitor stays OK (env prod)',
    );
    expect(r.stdout).toContain('dropped in version 5.2.0: 0.0% (version 5.1.0: 100.0%)');
  });

  it('prints the JSON report contract', async () => {
    const r = await run(['--input', 'examples/spans/', '--format', 'json']);
    expect(r.code).toBe(0);
    golden('examples.json', r.stdout);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report)).toEqual(['window', 'env', 'totals', 'incompletePages', 'services', 'findings']);
    expect(report.env).toEqual({ watched: ['prod'], seen: { prod: 3800 }, skipped: {} });
    expect(report.totals).toEqual({
      spans: 3824,
      traces: 472,
      excludedSpans: 12,
      excludedByReason: { error: 3, single_span: 9 },
      malformedSpans: 2,
    });
    expect(report.services['legacy-batch']).toBeUndefined(); // disabled in the policy
    expect(report.services['checkout-api'].unpairedCalls).toEqual({ 'payments-api': 39 });
    expect(report.services['user-profile'].unexpectedRoots).toBe(33);
    expect(report.services['web-gateway'].unexpectedRoots).toBe(0); // an entrypoint
    expect(report.services['search-api']).toMatchObject({
      tracers: ['datadog', 'opentelemetry'],
      multipleTracers: true,
    });
    expect(report.services['inventory-api'].byVersion['3.0.0'].orphanSpans).toBe(0);
    expect(report.services['inventory-api'].byVersion['3.1.0'].orphanSpans).toBe(95);
    expect(report.services.billing.tagCoverage['billing.account_id']).toEqual({ covered: 10, total: 10, ratio: 1 });
  });

  it('reports one break once: the orphaned UPDATE stock client spans of inventory-api are not entry spans missing usr.id', async () => {
    const report = JSON.parse((await run(['--input', 'examples/spans/', '--format', 'json'])).stdout);
    const inventory = report.findings.filter((f: Finding) => f.service === 'inventory-api');
    expect(inventory.map((f: Finding) => [f.kind, f.version, f.severity, f.summary])).toEqual([
      [
        'orphan-rate',
        '3.1.0',
        'info',
        'orphan spans: 50.0% (95 of 190 checked spans) in version 3.1.0 (version 3.0.0: 0.0%) — below the volume guard (190 of 200 checked spans in the window): the monitor stays OK',
      ],
    ]);
    expect(report.services['inventory-api'].tagCoverage['usr.id']).toEqual({ covered: 174, total: 174, ratio: 1 });
    expect(report.services['inventory-api'].examples.missingTags).toEqual({});
  });

  it('lists findings worst first with the policy layer of each threshold, the guard and the links', async () => {
    const report = JSON.parse((await run(['--input', 'examples/spans/', '--format', 'json'])).stdout);
    expect(report.findings.map((f: Finding) => `${f.severity} ${f.service} ${f.kind}`)).toEqual([
      'critical payments-api unexpected-roots',
      'critical search-api two-tracers',
      'critical search-api two-tracers',
      'critical web-gateway tag-coverage',
      'info checkout-api unpaired-calls',
      'info inventory-api orphan-rate',
      'info user-profile unexpected-roots',
    ]);
    const roots = report.findings[0];
    expect(roots).toMatchObject({
      env: 'prod',
      version: '4.2.1',
      measure: 'unexpected roots / root spans',
      value: 1,
      numerator: 39,
      denominator: 39,
      threshold: {
        comparator: '>',
        critical: 0.01,
        warning: 0.005,
        criticalFrom: { key: 'orphanRate.critical', layer: 'tiers.1' },
        warningFrom: { key: 'orphanRate.warning', layer: 'tiers.1' },
      },
      guard: {
        minSpans: 200,
        counts: 'checked spans',
        count: 522,
        met: true,
        from: { key: 'minSpans', layer: 'defaults' },
      },
      likelyCaller: {
        service: 'checkout-api',
        evidence: '39 of its client spans calling payments-api have no payments-api span below them',
      },
      links: {
        service: 'https://app.datadoghq.com/apm/services/payments-api',
        dashboard: 'https://app.datadoghq.com/dashboard/lists?q=Trace%20health%20%E2%80%94%20payments-api',
        traceExplorer:
          'https://app.datadoghq.com/apm/traces?query=service%3Apayments-api%20env%3Aprod%20version%3A4.2.1',
        runbook: 'https://wiki.example.com/runbooks/payments-api',
      },
    });
    expect(roots.examples[0]).toEqual({
      traceId: '181195412489278995',
      url: 'https://app.datadoghq.com/apm/trace/181195412489278995',
    });
  });

  it('writes a report valid against the published JSON Schema (schema/trace-health-report.schema.json)', async () => {
    const schema = JSON.parse(fs.readFileSync(REPORT_SCHEMA_FILE, 'utf8'));
    expect(schema).toStrictEqual(reportJsonSchema());
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    for (const input of ['examples/spans/', 'examples/spans/otlp']) {
      const report = JSON.parse((await run(['--input', input, '--format', 'json'])).stdout);
      expect([input, validate(report), validate.errors ?? null]).toEqual([input, true, null]);
    }
    const bad = JSON.parse(fs.readFileSync(path.join(GOLDEN, 'examples.json'), 'utf8'));
    bad.findings[0].severity = 'high';
    expect(validate(bad)).toBe(false);
  });

  it('finds the same things in the NDJSON and OTLP exports', async () => {
    const pages = JSON.parse((await run(['--input', 'examples/spans/', '--format', 'json'])).stdout);
    for (const input of ['examples/spans/ndjson/spans.ndjson', 'examples/spans/otlp']) {
      const other = JSON.parse((await run(['--input', input, '--format', 'json'])).stdout);
      for (const [name, svc] of Object.entries<Record<string, unknown>>(pages.services)) {
        const o = other.services[name];
        expect([name, o.orphanSpans, o.unexpectedRoots, o.unpairedCalls, o.tracers, o.doubleInstrumentedSpans]).toEqual(
          [name, svc.orphanSpans, svc.unexpectedRoots, svc.unpairedCalls, svc.tracers, svc.doubleInstrumentedSpans],
        );
      }
    }
  });

  it('reads OTLP JSON lines, one TracesData per line (the OTLP file exporter), as the same OTLP JSON', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collect-jsonl-'));
    try {
      const otlp = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/spans/otlp/traces.json'), 'utf8'));
      const lines = otlp.resourceSpans.map((rs: unknown) => JSON.stringify({ resourceSpans: [rs] }));
      expect(lines.length).toBeGreaterThan(1);
      fs.writeFileSync(path.join(dir, 'traces.jsonl'), `${lines.join('\n')}\n`);
      const a = await run(['--input', path.join(dir, 'traces.jsonl'), '--format', 'json']);
      const b = await run(['--input', 'examples/spans/otlp/traces.json', '--format', 'json']);
      expect(a.code).toBe(0);
      expect(a.stdout).toBe(b.stdout);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives the same bytes whatever order the files are named in, and writes --out atomically', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collect-cli-'));
    try {
      const files = fs.readdirSync(path.join(ROOT, 'examples/spans')).filter((f) => f.endsWith('.json'));
      const reversed = files.reverse().map((f) => `examples/spans/${f}`);
      const out = path.join(dir, 'report.json');
      const r = await run(['--input', ...reversed, '--format', 'json', '--out', out]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('');
      expect(fs.readFileSync(out, 'utf8')).toBe(fs.readFileSync(path.join(GOLDEN, 'examples.json'), 'utf8'));
      expect(fs.readdirSync(dir)).toEqual(['report.json']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('works without a policy file, with built-in rules and links to DD_SITE', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collect-cli-'));
    try {
      const r = await run(['--input', path.join(ROOT, 'examples/spans/otlp')], { DD_SITE: 'datadoghq.eu' }, dir);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('https://app.datadoghq.eu/apm/trace/');
      // Internal services are learned from client spans' peer.service when there is no catalog.
      expect(r.stdout).toContain('### 🔴 payments-api — critical');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('collect --fail-on (a CI gate)', () => {
  it('exits 1 after writing the report when a finding is at least that severe, and names them on stderr', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collect-gate-'));
    try {
      const out = path.join(dir, 'report.json');
      const r = await run(['--input', 'examples/spans/', '--format', 'json', '--out', out, '--fail-on', 'critical']);
      expect(r.code).toBe(1);
      expect(fs.readFileSync(out, 'utf8')).toBe(fs.readFileSync(path.join(GOLDEN, 'examples.json'), 'utf8'));
      expect(r.stderr.split('\n')[1]).toBe(
        '--fail-on critical: 4 findings (4 critical, 0 warning) in payments-api, search-api, web-gateway',
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 0 when no finding reaches the level: info findings (below the volume guard) never fail', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collect-gate-'));
    const line = (spanId: string, parentId: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        trace_id: '7',
        span_id: spanId,
        parent_id: parentId,
        service: 'web',
        env: 'ci',
        version: '1.0',
        start_timestamp: '2026-11-28T12:00:00.000Z',
        custom: { usr: { id: 'u1' }, span: { kind: 'server' } },
        ...extra,
      });
    try {
      fs.writeFileSync(path.join(dir, 'healthy.ndjson'), `${line('1', '0')}\n`);
      fs.writeFileSync(path.join(dir, 'orphan.ndjson'), `${line('1', '0')}\n${line('2', '99')}\n`);
      const healthy = await run(['--input', 'healthy.ndjson', '--fail-on', 'warning'], {}, dir);
      expect([healthy.code, healthy.stderr]).toEqual([0, '']);
      // 1 orphan of 2 spans: over every threshold, under the 200-span guard → info, the monitor stays OK.
      const orphan = await run(['--input', 'orphan.ndjson', '--fail-on', 'warning'], {}, dir);
      expect([orphan.code, orphan.stderr]).toEqual([0, '']);
      expect(orphan.stdout).toContain('- **info** orphan spans: 50.0% (1 of 2 checked spans) in version 1.0');
      // The same spans with a policy whose minSpans fits a CI run: the gate fails.
      fs.writeFileSync(path.join(dir, 'ci.yaml'), 'catalog: cat\nenvs: [ci]\ndefaults: { minSpans: 2 }\n');
      fs.mkdirSync(path.join(dir, 'cat'));
      fs.writeFileSync(
        path.join(dir, 'cat', 'web.yaml'),
        'apiVersion: v3\nkind: service\nmetadata: { name: web, owner: team-web }\nspec: { lifecycle: production }\n',
      );
      const gated = await run(['--input', 'orphan.ndjson', '--config', 'ci.yaml', '--fail-on', 'warning'], {}, dir);
      expect(gated.code).toBe(1);
      expect(gated.stderr).toBe('--fail-on warning: 1 finding (1 critical, 0 warning) in web\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('collect errors (exit 2, one line, no stack)', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collect-err-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    [['--input', 'missing.json'], 'trace-health: missing.json: no such file or folder'],
    [[], 'trace-health: collect: pass --input FILES/FOLDERS, --live or --serve'],
    [['--input', 'x', '--live'], 'trace-health: collect: --input and --live exclude each other'],
    [
      ['--input', 'x', '--submit'],
      'trace-health: --submit needs --live or --serve: the metrics intake only accepts points from the last hour',
    ],
    [['--input', 'x', '--format', 'xml'], 'trace-health: --format: "xml" is not md or json'],
    [['--input', 'x', '--fail-on', 'error'], 'trace-health: --fail-on: "error" is not warning or critical'],
    [['--input', 'x', '--max-requests', '0'], 'trace-health: --max-requests: "0" is not a positive integer'],
    [
      ['--input', 'x', '--site', 'datadoghq.org'],
      /^trace-health: --site: "datadoghq.org" is not a Datadog site \(known: datadoghq\.com, /,
    ],
    [['--live', '--from', 'yesterday'], /^trace-health: --from: "yesterday" is not a time/],
    [
      ['--input', 'x', '--config', 'nope.yaml'],
      'trace-health: nope.yaml: no such policy file (create it, or pass --config FILE)',
    ],
  ])('collect %j', async (args, message) => {
    fs.writeFileSync(path.join(dir, 'x'), '[]');
    const r = await run(args as string[], { DD_API_KEY: 'k', DD_APP_KEY: 'a', DD_HOST: 'http://127.0.0.1:9' }, dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    if (typeof message === 'string') expect(r.stderr).toBe(`${message}\n`);
    else expect(r.stderr).toMatch(message);
  });

  it('names the bad input file and the reason', async () => {
    fs.writeFileSync(path.join(dir, 'export.json'), '{"data": [\n  {"type": "spans",}\n]}');
    const r = await run(['--input', 'export.json'], {}, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^trace-health: export\.json:2:20: invalid JSON \(/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('names a JSON file that is not a span export', async () => {
    fs.writeFileSync(path.join(dir, 'catalog.json'), '{"services": []}');
    const r = await run(['--input', 'catalog.json'], {}, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^trace-health: catalog\.json: not a span export \(expected a Datadog spans page/);
  });

  it('writes no report when an input file is bad', async () => {
    fs.writeFileSync(path.join(dir, 'a.json'), '[]');
    fs.writeFileSync(path.join(dir, 'b.json'), '{');
    const r = await run(['--input', '.', '--out', 'report.md'], {}, dir);
    expect(r.code).toBe(2);
    expect(fs.existsSync(path.join(dir, 'report.md'))).toBe(false);
  });
});
