/**
 * A catalog folder holding valid and invalid definitions: `catalog list` lists the valid ones and reports the
 * others (exit 2); `synth` fails unless `--skip-invalid`, which synthesizes the valid services, names the skipped
 * definitions, and lets the shrink guard count a skipped service as removed.
 */
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { main } from '../../src/cli/index';
import { memoryIo } from '../../src/cli/io';
import { Project, project, POLICY } from './project';

async function run(p: Project, ...argv: string[]) {
  const io = memoryIo({}, p.dir);
  const code = await main(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/** a2 loses its name's type; the new file has a YAML syntax error. */
function breakTwo(p: Project): void {
  p.write(
    'catalog/a2.yaml',
    'apiVersion: v3\nkind: service\nmetadata:\n  name: a2\n  owner: alpha\nspec:\n  tier: [2]\n',
  );
  p.write('catalog/new.yaml', 'schema-version: v2.2\ndd-service: new\nteam\n');
}

const A2_ERROR = 'catalog/a2.yaml:7:9: spec.tier must be a string or number, got [2]';
const NEW_ERROR = 'catalog/new.yaml:3:1: invalid YAML: implicit map keys need to be followed by map values';
const LIST_STDERR = [
  A2_ERROR,
  NEW_ERROR,
  'catalog: 2 problems; left out: catalog/a2.yaml:1:1 (service:a2), catalog/new.yaml:3:1',
  '',
].join('\n');

describe('a catalog with valid and invalid definitions', () => {
  let p: Project;
  beforeEach(() => (p = project()));
  afterEach(() => p.dispose());

  test('catalog list prints the valid services and reports the invalid ones (exit 2)', async () => {
    breakTwo(p);
    expect(await run(p, 'catalog', 'list', 'catalog')).toStrictEqual({
      code: 2,
      stdout: [
        'SERVICE  TEAM   TIER  LIFECYCLE  SCHEMA  RUNBOOK  DEFINED AT',
        'a1       alpha  1     -          v3      no       catalog/a1.yaml:1',
        'b1       beta   3     -          v3      no       catalog/b1.yaml:1',
        'lonely   gamma  3     -          v3      no       catalog/lonely.yaml:1',
        '3 services',
        '',
      ].join('\n'),
      stderr: LIST_STDERR,
    });
    const json = await run(p, 'catalog', 'list', 'catalog', '--json');
    expect(json.code).toBe(2);
    expect((JSON.parse(json.stdout) as { name: string }[]).map((s) => s.name)).toStrictEqual(['a1', 'b1', 'lonely']);
    expect(json.stderr).toBe(LIST_STDERR);
  });

  test('synth fails (exit 2), writes nothing, and points at --skip-invalid', async () => {
    breakTwo(p);
    expect(await run(p, 'synth')).toStrictEqual({
      code: 2,
      stdout: '',
      stderr: [
        `trace-health: ${A2_ERROR}`,
        NEW_ERROR,
        'catalog: 2 problems; nothing was written (--skip-invalid synthesizes the valid services and leaves these ' +
          'definitions out)',
        '',
      ].join('\n'),
    });
    expect(existsSync(path.join(p.dir, 'cdktf.out'))).toBe(false);
    expect(existsSync(path.join(p.dir, 'review'))).toBe(false);
  });

  test('synth --skip-invalid synthesizes the valid services and names what it left out', async () => {
    breakTwo(p);
    const r = await run(p, 'synth', '--skip-invalid');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'synthesized 4 stacks into cdktf.out/stacks (core, team-alpha, team-beta, team-gamma); review manifest in review/\n',
    );
    expect(r.stderr.split('\n').slice(0, 3)).toStrictEqual([
      `warning: ${A2_ERROR}`,
      `warning: ${NEW_ERROR}`,
      'warning: --skip-invalid: left out 2 invalid definitions: catalog/a2.yaml:1:1 (service:a2), catalog/new.yaml:3:1',
    ]);
    expect(p.read('review/team-alpha.yaml')).toContain('a1');
    expect(p.read('review/team-alpha.yaml')).not.toContain('a2');
    // The review check agrees when told the same.
    expect((await run(p, 'review', '--check', '--skip-invalid')).code).toBe(0);
    expect((await run(p, 'review', '--check')).code).toBe(2);
  });

  test('the policy may still name a skipped service, its team and its tier', async () => {
    p.write(
      'trace-health.yaml',
      `${POLICY}  delta: { notify: ['@slack-delta'] }\ntiers:\n  '9': { minSpans: 5 }\nservices:\n  d1: { minSpans: 7 }\n`,
    );
    p.write(
      'catalog/d1.yaml',
      'apiVersion: v3\nkind: service\nmetadata:\n  name: d1\n  owner: delta\n  links: 5\nspec:\n  tier: "9"\n',
    );
    const strict = await run(p, 'synth');
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain('catalog/d1.yaml:6:10: metadata.links must be a list of links');
    const r = await run(p, 'synth', '--skip-invalid');
    expect([r.code, r.stderr.split('\n')[1]]).toStrictEqual([
      0,
      'warning: --skip-invalid: left out 1 invalid definition: catalog/d1.yaml:1:1 (service:d1)',
    ]);
  });
});

describe('--skip-invalid and the shrink guard', () => {
  let p: Project;
  beforeEach(async () => {
    p = project();
    expect((await run(p, 'synth')).code).toBe(0); // the committed review manifest knows a1, a2, b1, lonely
  });
  afterEach(() => p.dispose());

  test('skipped services count as removed: 2 of 4 stops synth (exit 1), naming them as skipped', async () => {
    const before = p.tree('cdktf.out');
    breakTwo(p);
    p.write('catalog/b1.yaml', 'apiVersion: v3\nkind: service\nmetadata:\n  name: b1\n  owner: [beta]\n');
    const r = await run(p, 'synth', '--skip-invalid');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'trace-health: the catalog lost 2 of the 4 services in the review manifest (review) (50%, more than the 10% ' +
        'allowed by maxRemovalRatio): a2 (invalid definition, skipped), b1 (invalid definition, skipped).\n' +
        'Nothing was written.',
    );
    expect(p.tree('cdktf.out')).toEqual(before);

    const forced = await run(p, 'synth', '--skip-invalid', '--allow-removals');
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain(
      'warning: --skip-invalid: a2, b1 have resources in review/ that this output does not have: applying it ' +
        'destroys them (fix the definitions to keep them)\n',
    );
    expect(readdirSync(path.join(p.dir, 'cdktf.out/stacks')).sort()).toEqual(['core', 'team-alpha', 'team-gamma']);
  });

  test('below maxRemovalRatio a skipped service is never dropped silently: synth says whose resources go', async () => {
    p.write('trace-health.yaml', `${POLICY}maxRemovalRatio: 0.5\n`);
    p.write(
      'catalog/a2.yaml',
      'apiVersion: v3\nkind: service\nmetadata:\n  name: a2\n  owner: alpha\nspec:\n  tier: [2]\n',
    );
    const r = await run(p, 'synth', '--skip-invalid');
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n').slice(0, 3)).toStrictEqual([
      `warning: ${A2_ERROR}`,
      'warning: --skip-invalid: left out 1 invalid definition: catalog/a2.yaml:1:1 (service:a2)',
      'warning: --skip-invalid: a2 has resources in review/ that this output does not have: applying it destroys ' +
        'them (fix the definitions to keep them)',
    ]);
  });
});
