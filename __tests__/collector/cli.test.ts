/**
 * `trace-health collect` end to end on the bundled example exports, with golden reports.
 * Regenerate the golden files with:  UPDATE_GOLDEN=1 npx jest __tests__/collector/cli.test.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli';
import { memoryIo } from '../../src/cli/io';
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
    expect(r.stdout).toContain('regressed in version 3.1.0');
    expect(r.stdout).toContain('dropped in version 5.2.0');
  });

  it('prints the JSON report contract', async () => {
    const r = await run(['--input', 'examples/spans/', '--format', 'json']);
    expect(r.code).toBe(0);
    golden('examples.json', r.stdout);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report)).toEqual(['window', 'env', 'totals', 'incompletePages', 'services']);
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
      expect(r.stdout).toContain('### 🟠 payments-api — warning');
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
