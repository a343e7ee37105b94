/**
 * `trace-health init` on a throwaway checkout (the bundled example policy, its review manifest and catalog) with a
 * team catalog in every schema version (fixtures/catalog): the policy it writes is pinned (golden), validates and
 * synthesizes; the example keeps working from examples/; a second init refuses to overwrite without --force.
 *   UPDATE_GOLDEN=1 npx jest __tests__/init
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadCatalog } from '../../src/catalog';
import { main } from '../../src/cli/index';
import { memoryIo } from '../../src/cli/io';
import { loadPolicy, resolvePolicy } from '../../src/policy';
import { CatalogStore, catalogRoutes } from '../fake-datadog/routes/catalog';
import { FakeDatadog } from '../fake-datadog/server';
import { API_KEY, APP_KEY, rosterStore } from '../catalog-pull/fixtures';
import { EXAMPLE_POLICY, examplePolicyAtRoot } from '../example-policy';

const ROOT = path.resolve(__dirname, '..', '..');
const GOLDEN = path.join(__dirname, 'golden', 'trace-health.yaml');
const FIXTURES = path.join(__dirname, 'fixtures', 'catalog');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'th-init-'));
  // A checkout as cloned: the bundled example policy, its committed review manifest and its catalog.
  writeFileSync(path.join(dir, 'trace-health.yaml'), examplePolicyAtRoot());
  cpSync(path.join(ROOT, path.dirname(EXAMPLE_POLICY), 'review'), path.join(dir, 'review'), { recursive: true });
  cpSync(path.join(ROOT, 'examples', 'catalog'), path.join(dir, 'examples', 'catalog'), { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const io = memoryIo(env, dir);
  const code = await main(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}
const read = (rel: string) => readFileSync(path.join(dir, rel), 'utf8');
const write = (rel: string, text: string) => {
  mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  writeFileSync(path.join(dir, rel), text);
};

const NEXT_STEPS = [
  'Next steps:',
  '  1. Read trace-health.yaml: check the guessed entrypoints, fill the tiers marked TODO, and map the catalog ids ' +
    'listed under integrations (docs/routing.md).',
  '  2. npx trace-health synth, then commit trace-health.yaml, review/ and catalog/.',
  '  3. Secrets: DD_API_KEY and DD_APP_KEY as CI secrets, DD_SITE=datadoghq.com; never in a file.',
  '  4. Terraform state: set stacks.backend (s3, gcs or remote) in trace-health.yaml before the first apply.',
  '  5. CI: .github/workflows/trace-health-plan.yml, -apply.yml and -collect.yml (other CI systems: docs/ci.md).',
];

describe('init --catalog', () => {
  beforeEach(() => cpSync(FIXTURES, path.join(dir, 'catalog'), { recursive: true }));

  it('writes the starter policy, moves the example out of the way and prints the next steps', async () => {
    const example = read('trace-health.yaml');
    const r = await run(['init', '--catalog', 'catalog']);
    expect(r).toStrictEqual({
      code: 0,
      stdout: [
        'Wrote trace-health.yaml for catalog: 6 services of 4 teams.',
        'Moved the bundled example out of the way: trace-health.yaml → examples/trace-health.yaml, review/ → ' +
          'examples/review/.',
        ...NEXT_STEPS,
        '',
      ].join('\n'),
      stderr: '',
    });
    if (process.env.UPDATE_GOLDEN) {
      mkdirSync(path.dirname(GOLDEN), { recursive: true });
      writeFileSync(GOLDEN, read('trace-health.yaml'));
    }
    expect(read('trace-health.yaml')).toBe(readFileSync(GOLDEN, 'utf8'));
    // The example, one folder down, with its paths adjusted; its review manifest beside it.
    expect(read('examples/trace-health.yaml')).toBe(
      example
        .replace('catalog: examples/catalog', 'catalog: catalog')
        .replace('$schema=./schema/', '$schema=../schema/'),
    );
    expect(existsSync(path.join(dir, 'review'))).toBe(false);
    expect(existsSync(path.join(dir, 'examples', 'review', 'core.yaml'))).toBe(true);
  });

  it('the policy validates against the catalog, synth runs on it, and the example still synthesizes', async () => {
    expect((await run(['init', '--catalog', 'catalog'])).code).toBe(0);
    const policy = resolvePolicy(loadPolicy('trace-health.yaml', { cwd: dir }), loadCatalog('catalog', { cwd: dir }));
    expect(policy.entrypoints).toStrictEqual(['edge-gateway']);
    expect(policy.services.map((s) => `${s.service} ${s.stack} P${s.priority}`)).toStrictEqual([
      'auth-api team-identity P1',
      'checkout-api team-payments P2',
      'edge-gateway team-edge P1',
      // Tier "critical" has no rule yet (a TODO in the starter policy): it ranks with the most urgent tier.
      'ledger team-payments P1',
      'nightly-batch team-data P3',
      'orphan-cron team-unowned P3',
    ]);
    const synth = await run(['synth']);
    expect([synth.code, synth.stdout]).toStrictEqual([
      0,
      'synthesized 6 stacks into cdktf.out/stacks (core, team-data, team-edge, team-identity, team-payments, ' +
        'team-unowned); review manifest in review/\n',
    ]);
    const example = ['--config', 'examples/trace-health.yaml'];
    expect((await run(['synth', ...example, '--out', 'examples/cdktf.out'])).code).toBe(0);
    expect((await run(['review', '--check', ...example])).code).toBe(0);
  });

  it('the integrations map it lists, once filled in, routes every catalog contact (nothing dropped)', async () => {
    expect((await run(['init', '--catalog', 'catalog'])).code).toBe(0);
    const lines = read('trace-health.yaml').split('\n');
    const from = lines.indexOf('# integrations:');
    const to = lines.findIndex((l, i) => i > from && !l.startsWith('#  ') && l !== '# integrations:');
    let n = 0;
    const filled = lines.map((l, i) =>
      i >= from && i < to ? l.replace(/^# /, '').replace('<name>', () => `name-${++n}`) : l,
    );
    write('trace-health.yaml', filled.join('\n'));
    const policy = resolvePolicy(loadPolicy('trace-health.yaml', { cwd: dir }), loadCatalog('catalog', { cwd: dir }));
    expect(n).toBe(6);
    expect(policy.services.flatMap((s) => s.routing.dropped.map((d) => `${s.service}: ${d.what}`))).toStrictEqual([]);
    expect(
      policy.services.find((s) => s.service === 'edge-gateway')!.routing.routes.map((r) => r.handle),
    ).toStrictEqual(['@pagerduty-name-1', '@slack-name-5']);
  });

  it('a second init refuses to replace the policy without --force', async () => {
    expect((await run(['init', '--catalog', 'catalog'])).code).toBe(0);
    write('trace-health.yaml', `${read('trace-health.yaml')}# my edits\n`);
    const mine = read('trace-health.yaml');
    expect(await run(['init', '--catalog', 'catalog'])).toStrictEqual({
      code: 2,
      stdout: '',
      stderr:
        'trace-health: trace-health.yaml exists and is not the bundled example (an earlier init?): not replacing ' +
        'it; --force does\n',
    });
    expect(read('trace-health.yaml')).toBe(mine);
    const forced = await run(['init', '--catalog', 'catalog', '--force']);
    expect([forced.code, forced.stdout.split('\n')[0]]).toStrictEqual([
      0,
      'Wrote trace-health.yaml for catalog: 6 services of 4 teams.',
    ]);
    expect(read('trace-health.yaml')).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('refuses to move the example onto an existing examples/trace-health.yaml, and changes nothing', async () => {
    write('examples/trace-health.yaml', 'catalog: catalog\n');
    expect(await run(['init', '--catalog', 'catalog'])).toStrictEqual({
      code: 2,
      stdout: '',
      stderr:
        'trace-health: examples/trace-health.yaml exists: cannot move the bundled example there; move or delete it ' +
        'first\n',
    });
    expect(read('trace-health.yaml')).toBe(examplePolicyAtRoot());
    expect(existsSync(path.join(dir, 'review'))).toBe(true);
  });

  it('with invalid definitions: writes the policy from the valid ones, warns, and points at --skip-invalid', async () => {
    write('catalog/broken.yaml', 'schema-version: v2.2\ndd-service: broken\ntier: [1]\n');
    const r = await run(['init', '--catalog', 'catalog']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('warning: catalog/broken.yaml:3:7: tier must be a string or number, got [1]\n');
    expect(r.stdout.split('\n')[2]).toBe(
      '1 invalid definition left out (warnings above): fix them, or synth with --skip-invalid until then.',
    );
    expect(read('trace-health.yaml')).toContain('6 services of 4 teams (1 invalid definition left out:');
    expect((await run(['synth', '--skip-invalid'])).code).toBe(0);
  });

  it('without dependsOn in the catalog, guesses no entrypoint and says so', async () => {
    rmSync(path.join(dir, 'catalog'), { recursive: true });
    write('catalog/a.yaml', 'schema-version: v2\ndd-service: a\nteam: t\n');
    expect((await run(['init', '--catalog', 'catalog'])).code).toBe(0);
    expect(read('trace-health.yaml')).toContain(
      '# Services allowed to start traces (they get no unexpected-roots monitor). Nothing could be guessed: no\n' +
        '# service in the catalog has spec.dependsOn (v3). List those that receive outside traffic.\n' +
        'entrypoints: []\n',
    );
    expect((await run(['synth'])).code).toBe(0);
  });
});

describe('init usage', () => {
  it.each([[['init']], [['init', '--catalog', 'x', '--pull']]])('%j exits 2', async (argv) => {
    expect(await run(argv)).toStrictEqual({
      code: 2,
      stdout: '',
      stderr:
        'trace-health: init needs one of --catalog PATH (a folder of definitions or a snapshot .json) or --pull\n',
    });
  });

  it('a catalog without any valid service is an error, and nothing moves', async () => {
    write('empty/a.yaml', 'schema-version: v9\n');
    expect(await run(['init', '--catalog', 'empty'])).toStrictEqual({
      code: 2,
      stdout: '',
      stderr:
        'trace-health: empty: no valid service definition, nothing to write a policy for:\n' +
        'empty/a.yaml:1:17: unknown schema version: schema-version "v9" (supported: schema-version v2, v2.1, ' +
        'v2.2, or apiVersion v3)\n',
    });
    expect(existsSync(path.join(dir, 'trace-health.yaml'))).toBe(true);
    expect(existsSync(path.join(dir, 'review'))).toBe(true);
  });
});

describe('init --pull', () => {
  let dd: FakeDatadog;
  let store: CatalogStore;
  beforeEach(async () => {
    store = rosterStore();
    dd = await FakeDatadog.start([catalogRoutes(store)]);
  });
  afterEach(() => dd.stop());

  it('pulls the catalog into catalog/snapshot.json and writes the policy for it, on the site of the snapshot', async () => {
    const env = { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, DD_HOST: dd.url, DD_SITE: 'datadoghq.eu' };
    const r = await run(['init', '--pull'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Wrote catalog/snapshot.json.\nWrote trace-health.yaml for catalog/snapshot.json:');
    expect(r.stdout).toContain('  3. Secrets: DD_API_KEY and DD_APP_KEY as CI secrets, DD_SITE=datadoghq.eu;');
    const policy = read('trace-health.yaml');
    expect(policy).toContain('catalog: catalog/snapshot.json\nsite: datadoghq.eu # from the snapshot\n');
    for (const text of [r.stdout, r.stderr, policy, read('catalog/snapshot.json')]) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(APP_KEY);
    }
    expect((await run(['synth'])).code).toBe(0);
  });

  it('moves nothing when the pull fails', async () => {
    const r = await run(['init', '--pull'], { DD_HOST: dd.url });
    expect(r.code).toBe(2);
    expect(read('trace-health.yaml')).toBe(examplePolicyAtRoot());
    expect(existsSync(path.join(dir, 'review'))).toBe(true);
  });
});
