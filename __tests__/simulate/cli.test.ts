import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { main } from '../../src/cli/index';
import { memoryIo } from '../../src/cli/io';
import { SCENARIO_SCHEMA_FILE } from '../../scripts/generate-policy-schema';
import { scenarioJsonSchema } from '../../src/simulate/scenario-file';
import { Project, project } from '../synth/project';

async function run(p: Project, ...argv: string[]) {
  const io = memoryIo({}, p.dir);
  const code = await main(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('trace-health simulate', () => {
  let p: Project;
  beforeAll(() => {
    p = project();
  });
  afterAll(() => p.dispose());

  test('Markdown by default: a summary, one row per scenario, exit 0 when every alert path holds', async () => {
    const r = await run(p, 'simulate', '--service', 'a1');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('simulate: 12 scenarios, 12 passed, 0 failed, 0 skipped\n');
    expect(r.stdout).toContain('# trace-health simulate\n\n12 scenarios: **12 passed, 0 failed**, 0 skipped.\n');
    expect(r.stdout).toContain('| pass | a1/prod/traffic-stops | prod_no-traces No Data at 149 |');
    // Nothing in the catalog depends on anything: a1's edge scenario calls the first other service.
    expect(r.stdout).toContain('| pass | a1/prod/edge-loses-propagation:a2 | prod_unpaired-calls Alert at 105 |');
  });

  test('--json for machines; --scenario picks built-in kinds', async () => {
    const r = await run(p, 'simulate', '--json', '--scenario', 'traffic-stops', 'second-tracer');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { summary: Record<string, number>; scenarios: { name: string }[] };
    expect(report.summary).toEqual({ scenarios: 8, passed: 8, failed: 0, skipped: 0 });
    expect(report.scenarios.map((s) => s.name)).toContain('b1/prod/second-tracer');
  });

  test('--out writes the report atomically', async () => {
    const r = await run(p, 'simulate', '--scenario', 'low-volume', '--out', 'sim/report.md');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(p.read('sim/report.md')).toContain('| pass | lonely/prod/low-volume |');
  });

  test.each([
    [['--service', 'nope'], 'trace-health: --service: "nope" is not an enabled catalog service\n'],
    [
      ['--scenario', 'meteor'],
      'trace-health: --scenario: "meteor" is not one of tag-vanishes, tag-drops, orphans-new-version, traffic-stops, low-volume, edge-loses-propagation, callers-lose-context, second-tracer\n',
    ],
  ])('fails with exit 2 on %j', async (args, message) => {
    const r = await run(p, 'simulate', ...args);
    expect(r).toEqual({ code: 2, stdout: '', stderr: message });
  });
});

describe('user scenarios (simulate.scenarios in the policy)', () => {
  let p: Project;
  beforeEach(() => {
    p = project();
    p.write('trace-health.yaml', `${p.read('trace-health.yaml')}simulate:\n  scenarios: sims\n`);
  });
  afterEach(() => p.dispose());

  test('a scenario whose expectation does not hold fails the run (exit 1) and says why', async () => {
    p.write(
      'sims/a1.yaml',
      [
        'scenarios:',
        '  - name: usr.id half gone',
        '    service: a1',
        '    minutes: 200',
        '    faultStart: 60',
        '    traffic:',
        '      - { from: 0, requestsPerMinute: 2000, version: "1.0" }',
        '      - { from: 60, version: "1.1", missing: { usr.id: 0.5 } }',
        '    expect:',
        '      - { monitor: prod_tag-coverage_usr-id, state: Alert, by: 140, notifies: ["@slack-alpha"] }',
        '      - { monitor: prod_no-traces, state: No Data, by: 150 }',
        '',
      ].join('\n'),
    );
    const r = await run(p, 'simulate', '--service', 'a1', '--scenario', 'traffic-stops');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('simulate: 2 scenarios, 1 passed, 1 failed, 0 skipped\n');
    expect(r.stdout).toContain('## Failed\n\n### ✗ a1/prod/usr.id half gone');
    expect(r.stdout).toContain(
      '- **[zero] prod_no-traces: expected No Data by minute 150, got it never (OK at the end)**',
    );
    expect(r.stdout).not.toContain('prod_tag-coverage_usr-id: expected');
  });

  test('every problem of an invalid scenario file, located, exit 2, nothing run', async () => {
    p.write(
      'sims/bad.yaml',
      [
        'scenarios:',
        '  - name: x',
        '    service: a1',
        '    traffic:',
        '      - { from: 0, requestsPerMinute: -3 }',
        '    expect:',
        '      - { monitor: prod_orphan-rate, state: Broken, by: 10 }',
        '    colour: red',
        '',
      ].join('\n'),
    );
    const r = await run(p, 'simulate');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      [
        'trace-health: sims/bad.yaml:8:5: scenarios[0].colour: unknown key',
        'sims/bad.yaml:5:39: scenarios[0].traffic[0].requestsPerMinute: must be >= 0',
        'sims/bad.yaml:7:45: scenarios[0].expect[0].state: must be Alert, Warn or No Data',
        '',
      ].join('\n'),
    );
  });

  test('unknown services and monitors are errors naming the line', async () => {
    p.write(
      'sims/x.yaml',
      'scenarios:\n  - name: x\n    service: ghost\n    series: []\n  - name: y\n    service: a1\n    series: []\n    mayNotify: [prod_nothing]\n',
    );
    const r = await run(p, 'simulate');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'trace-health: sims/x.yaml:3:14: service "ghost" has no monitors (not in the catalog, or disabled)\n' +
        'sims/x.yaml:8:17: monitor "prod_nothing" is not a notifying monitor of a1\n',
    );
  });
});

describe('schema/trace-health-scenarios.schema.json', () => {
  test('is up to date (run `npm run schema` when this fails) and a plain draft-07 schema', () => {
    const schema = JSON.parse(readFileSync(SCENARIO_SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
    expect(schema).toStrictEqual(scenarioJsonSchema());
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate({ scenarios: [{ name: 'n', service: 's', series: [] }] })).toBe(true);
    expect(validate({ scenarios: [] })).toBe(false);
    expect(path.basename(SCENARIO_SCHEMA_FILE)).toBe('trace-health-scenarios.schema.json');
  });
});

describe('the report at scale', () => {
  test('20,000 scenarios render (a 1,500-service catalog has ~18,000; a spread of their lines overflowed the stack)', () => {
    const { renderMarkdown } =
      jest.requireActual<typeof import('../../src/simulate/report')>('../../src/simulate/report');
    const one = {
      name: 's/prod/x',
      kind: 'x',
      service: 's',
      env: 'prod',
      description: 'd',
      faultStart: 0,
      minutes: 10,
      status: 'pass' as const,
      problems: [],
      monitors: [],
    };
    const text = renderMarkdown({ scenarios: Array(20_000).fill(one), passed: 20_000, failed: 0, skipped: 0 });
    expect(text.split('\n').length).toBeGreaterThan(100_000);
  });
});
