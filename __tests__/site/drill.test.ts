/**
 * `trace-health drill SERVICE` on the bundled example: the facilitator kit is a golden file; the participant kit
 * has no answers; real findings from the collector's report of examples/spans; every error a user can hit.
 * Regenerate the golden file with:  UPDATE_GOLDEN=1 npx jest __tests__/site/drill.test.ts
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/index';
import { memoryIo } from '../../src/cli/io';
import { BUILTIN_KINDS } from '../../src/simulate/scenario';
import { EXAMPLE_POLICY, exampleRoot } from '../example-policy';

const ROOT = exampleRoot();
const GOLDEN = path.join(__dirname, 'golden', 'drill-billing-orphans.md');
const REPORT = path.resolve(__dirname, '../collector/golden/examples.json');

async function run(...argv: string[]) {
  const io = memoryIo({}, ROOT);
  const code = await main(['drill', ...argv, '--config', EXAMPLE_POLICY], io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('trace-health drill', () => {
  test('facilitator kit for one fault class (golden)', async () => {
    const r = await run('billing', '--scenario', 'orphans-new-version');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, r.stdout);
    expect(r.stdout).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  test('every fault class, in the simulator order; not-applicable ones say why', async () => {
    const r = await run('web-gateway');
    expect(r.code).toBe(0);
    const headings = [...r.stdout.matchAll(/^## \d+\. (.*)$/gm)].map((m) => m[1]);
    expect(headings).toEqual([
      'A required tag vanishes (`usr.id`)',
      'A deploy drops a required tag (`usr.id`)',
      'A required tag vanishes (`error.message`)',
      'A deploy drops a required tag (`error.message`)',
      'A required tag vanishes (`version`)',
      'A deploy drops a required tag (`version`)',
      'A new version breaks trace context',
      'Traces stop arriving',
      'Low traffic looks alarming — and must not page',
      'One call edge loses trace context (`auth-api`)',
      'Callers stop sending trace context',
      'A second tracing library',
    ]);
    expect(new Set(headings.map((h) => h.replace(/ \(.*$/, ''))).size).toBe(BUILTIN_KINDS.length);
    expect(r.stdout).toContain(
      'Not applicable to web-gateway: the service may start traces (policy entrypoints): no unexpected-roots monitor.',
    );
    expect(r.stdout).toContain('**[trace-health] web-gateway (prod): no traces** — No Data, sent to');
    expect(r.stdout).toContain('Nobody is notified: no monitor fires in this scenario.');
  });

  test('the participant kit has the brief, the alert and the questions, no answers', async () => {
    const r = await run('billing', '--role', 'participant');
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('# Incident drill: billing — participant\n')).toBe(true);
    expect(r.stdout).toContain('### Questions, in order');
    expect(r.stdout).toContain('### What the on-call receives');
    expect(r.stdout).not.toMatch(/Answer key|How to run it|Scenario \(simulated\)|cheat sheet \(as on the dashboard\)/);
  });

  test('--report: the findings of the collector report of examples/spans become the scenarios', async () => {
    const r = await run('inventory-api', '--report', REPORT, '--role', 'participant');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `**This one happened.** The collector report (\`${REPORT}\`) has a real finding for inventory-api (severity info): orphan spans: 50.0% (95 of 190 checked spans) in version 3.1.0 (version 3.0.0: 0.0%) — below the volume guard (190 of 200 checked spans in the window): the monitor stays OK.\n\nNo monitor fired for it (see why above); the alert below is the one it sends once the monitor does.\n\nExample traces:\n- https://app.datadoghq.com/apm/trace/6828717416118059\n`,
    );
    // The alert is rendered for the finding's version.
    expect(r.stdout).toMatch(/orphan span rate\*\* — Alert \(version:3\.1\.0\)/);
    expect(r.stdout).toContain('version%3A3.1.0');
  });

  test("--report: each of the service's findings replays its fault class, other services' are left out", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'th-drill-'));
    try {
      // The example's real report, its findings replaced: what drill reads is checked against the report schema.
      const real = JSON.parse(readFileSync(REPORT, 'utf8')) as { findings: Record<string, unknown>[] };
      const finding = (over: Record<string, unknown>) => ({
        ...real.findings[0],
        severity: 'critical',
        service: 'billing',
        team: 'payments',
        env: 'prod',
        version: null,
        tag: null,
        callee: null,
        value: 0.2,
        likelyCaller: null,
        remediation: 'Roll back 3.1.0.',
        examples: [{ traceId: '7', url: 'x' }],
        ...over,
      });
      const report = {
        ...real,
        findings: [
          finding({ kind: 'orphan-rate', version: '3.1.0', summary: '20% of checked spans of 3.1.0 are orphans.' }),
          finding({ kind: 'tag-coverage', tag: 'usr.id', value: 1, summary: 'usr.id is on no entry span.' }),
          finding({ kind: 'orphan-rate', service: 'other', summary: 'not billing' }),
          finding({ kind: 'unexpected-roots', severity: 'info', summary: 'info only' }),
        ],
      };
      writeFileSync(path.join(dir, 'report.json'), JSON.stringify(report));
      const io = memoryIo({}, dir);
      const code = await main(
        ['drill', 'billing', '--config', path.join(ROOT, EXAMPLE_POLICY), '--report', 'report.json'],
        io,
      );
      expect(code).toBe(0);
      expect(io.stdout).toContain(
        '**This one happened.** The collector report (`report.json`) has a real finding for billing (severity critical): 20% of checked spans of 3.1.0 are orphans.\n\nExample traces:\n- https://app.datadoghq.com/apm/trace/7',
      );
      expect(io.stdout).toMatch(/orphan span rate\*\* — Alert \(version:3\.1\.0\)/);
      expect(io.stdout).toContain('has a real finding for billing (severity critical): usr.id is on no entry span.');
      expect(io.stdout).toContain('- **The fix**: Roll back 3.1.0.');
      expect(io.stdout).toContain(
        'has a real finding for billing (severity info): info only.\n\nNo monitor fired for it (see why above)',
      );
      expect(io.stdout).not.toMatch(/not billing/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each([
    [['bling'], 'trace-health: no service "bling" in the catalog (did you mean "billing"?)\n'],
    [
      ['legacy-batch'],
      `trace-health: service "legacy-batch" is disabled in ${EXAMPLE_POLICY}: it has no monitors to drill\n`,
    ],
    [
      ['billing', '--scenario', 'orphan-new-version'],
      `trace-health: --scenario: "orphan-new-version" is not one of ${BUILTIN_KINDS.join(', ')} (did you mean "orphans-new-version"?)\n`,
    ],
    [
      ['billing', '--role', 'observer'],
      "error: option '--role <role>' argument 'observer' is invalid. Allowed choices are facilitator, participant.\n(run with --help for usage)\n",
    ],
    [['billing', '--report', 'nope.json'], 'trace-health: nope.json: no such file\n'],
  ])('fails with exit 2 on %j', async (args, message) => {
    expect(await run(...args)).toEqual({ code: 2, stdout: '', stderr: message });
  });

  test.each([
    ['{"window": {}, "services": {},}', 'bad.json:1:30: invalid JSON (trailing comma before "}" (JSON allows none))'],
    [
      '{"spans": []}',
      'bad.json: (top level): {"spans":[]} must have required property \'window\' — not a report of `trace-health collect --format json`',
    ],
  ])('fails with exit 2 on a bad report %j', async (text, message) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'th-drill-'));
    try {
      writeFileSync(path.join(dir, 'bad.json'), text);
      const io = memoryIo({}, dir);
      const code = await main(
        ['drill', 'billing', '--config', path.join(ROOT, EXAMPLE_POLICY), '--report', 'bad.json'],
        io,
      );
      expect({ code, stdout: io.stdout, stderr: io.stderr }).toEqual({
        code: 2,
        stdout: '',
        stderr: `trace-health: ${message}\n`,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--out writes the kit to a file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'th-drill-'));
    try {
      const file = path.join(dir, 'kit.md');
      const r = await run('billing', '--scenario', 'orphans-new-version', '--out', file);
      expect(r).toEqual({ code: 0, stdout: '', stderr: `wrote ${file}\n` });
      expect(readFileSync(file, 'utf8')).toBe(readFileSync(GOLDEN, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
