import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { main } from '../../src/cli/index';
import { memoryIo } from '../../src/cli/io';
import { Project, project, exampleProject, ROOT } from './project';
import { EXAMPLE_POLICY } from '../example-policy';

async function run(p: Project, ...argv: string[]) {
  const io = memoryIo({}, p.dir);
  const code = await main(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('synth (small project)', () => {
  let p: Project;
  beforeEach(() => (p = project()));
  afterEach(() => p.dispose());

  test('writes core + one stack per team and the review manifest; warns about a service nobody hears', async () => {
    const r = await run(p, 'synth');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'synthesized 4 stacks into cdktf.out/stacks (core, team-alpha, team-beta, team-gamma); review manifest in review/\n',
    );
    expect(r.stderr).toBe(
      'warning: 1 service notifies nobody: lonely. Set notify for them in trace-health.yaml, or map their catalog ' +
        'contacts in integrations (`trace-health policy explain SERVICE` shows what was dropped and why)\n',
    );
    expect(readdirSync(path.join(p.dir, 'cdktf.out/stacks')).sort()).toEqual([
      'core',
      'team-alpha',
      'team-beta',
      'team-gamma',
    ]);
    expect(readdirSync(path.join(p.dir, 'review')).sort()).toEqual([
      'core.yaml',
      'team-alpha.yaml',
      'team-beta.yaml',
      'team-gamma.yaml',
    ]);
    // Nothing left behind by the atomic replacement.
    expect(readdirSync(p.dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  test('catalog warnings are printed too (a dependsOn naming nothing), and synth still succeeds', async () => {
    p.write('catalog/a1.yaml', `${p.read('catalog/a1.yaml')}\n  dependsOn:\n    - service:ghost\n`);
    const r = await run(p, 'synth');
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n')[0]).toMatch(
      /^warning: catalog\/a1\.yaml:1:1: a1 depends on service:ghost, which is not in the catalog$/,
    );
  });

  test('same input, same bytes: a second synth, or catalog files listed in another order', async () => {
    await run(p, 'synth');
    const first = p.tree('cdktf.out');
    const review = p.tree('review');
    // Same definitions under other file names → another listing order.
    p.write('catalog/zz-a1.yaml', p.read('catalog/a1.yaml'));
    p.remove('catalog/a1.yaml');
    p.write('catalog/00-b1.yaml', p.read('catalog/b1.yaml'));
    p.remove('catalog/b1.yaml');
    expect((await run(p, 'synth')).code).toBe(0);
    expect(p.tree('cdktf.out')).toEqual(first);
    expect(p.tree('review')).toEqual(review);
  });

  test('--stack: only the named stacks are rewritten; the others are left as they were', async () => {
    await run(p, 'synth');
    const before = p.tree('cdktf.out');
    p.write('cdktf.out/stacks/team-beta/.terraform/marker', 'init');
    p.write('cdktf.out/stacks/team-alpha/.terraform.lock.hcl', 'lock');
    p.write(
      'trace-health.yaml',
      p.read('trace-health.yaml').replace("notify: ['@slack-alpha']", "notify: ['@slack-alpha-2']"),
    );
    p.write('trace-health.yaml', p.read('trace-health.yaml').replace('defaults:\n', 'defaults:\n  minSpans: 77\n'));
    const r = await run(p, 'synth', '--stack', 'team-alpha');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('synthesized 1 stack into cdktf.out/stacks (team-alpha)');
    const after = p.tree('cdktf.out');
    expect(after.get('stacks/team-beta/cdk.tf.json')).toBe(before.get('stacks/team-beta/cdk.tf.json'));
    expect(after.get('stacks/core/cdk.tf.json')).toBe(before.get('stacks/core/cdk.tf.json'));
    expect(after.get('stacks/team-alpha/cdk.tf.json')).not.toBe(before.get('stacks/team-alpha/cdk.tf.json'));
    expect(after.get('stacks/team-alpha/cdk.tf.json')).toContain('>= 77');
    expect(after.get('stacks/team-alpha/cdk.tf.json')).toContain('@slack-alpha-2');
    expect(after.get('manifest.json')).toBe(before.get('manifest.json'));
    // Terraform's init files survive the replacement.
    expect(after.get('stacks/team-alpha/.terraform.lock.hcl')).toBe('lock');
    expect(after.get('stacks/team-beta/.terraform/marker')).toBe('init');
    // Only the named stack's review file changed.
    expect(p.read('review/team-alpha.yaml')).toContain('"@slack-alpha-2"');
    expect(p.read('review/team-beta.yaml')).not.toContain('>= 77');
  });

  test('a full synth keeps Terraform init files and drops stacks that no longer exist', async () => {
    await run(p, 'synth');
    p.write('cdktf.out/stacks/team-beta/.terraform/marker', 'init');
    p.remove('catalog/lonely.yaml');
    expect((await run(p, 'synth', '--allow-removals')).code).toBe(0);
    expect(readdirSync(path.join(p.dir, 'cdktf.out/stacks')).sort()).toEqual(['core', 'team-alpha', 'team-beta']);
    expect(readdirSync(path.join(p.dir, 'review')).sort()).toEqual(['core.yaml', 'team-alpha.yaml', 'team-beta.yaml']);
    expect(p.read('cdktf.out/stacks/team-beta/.terraform/marker')).toBe('init');
  });

  test('fails when a --stack is unknown (exit 2), naming the known stacks; nothing written', async () => {
    const r = await run(p, 'synth', '--stack', 'team-alpha', 'team-nope');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('trace-health: unknown stack team-nope (known: core, team-alpha, team-beta, team-gamma)\n');
    expect(existsSync(path.join(p.dir, 'cdktf.out'))).toBe(false);
    expect(existsSync(path.join(p.dir, 'review'))).toBe(false);
  });

  test('fails on a bad policy (exit 2) with file and key path; nothing written, old output untouched', async () => {
    await run(p, 'synth');
    const before = p.tree('cdktf.out');
    const review = p.tree('review');
    p.write('trace-health.yaml', `${POLICY_BAD}`);
    const r = await run(p, 'synth');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^trace-health: trace-health\.yaml:\d+:\d+: .*orphanRate\.critical.*1\.5/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(p.tree('cdktf.out')).toEqual(before);
    expect(p.tree('review')).toEqual(review);
  });

  test('fails on a missing policy file (exit 2) and writes nothing', async () => {
    const r = await run(p, 'synth', '--config', 'nope.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('trace-health: nope.yaml: no such policy file (create it, or pass --config FILE)\n');
    expect(existsSync(path.join(p.dir, 'cdktf.out'))).toBe(false);
  });

  test('shrink guard: a catalog that lost too many services stops synth (exit 1) unless --allow-removals', async () => {
    await run(p, 'synth');
    const before = p.tree('cdktf.out');
    p.remove('catalog/a2.yaml');
    p.remove('catalog/b1.yaml');
    const r = await run(p, 'synth');
    expect(r.code).toBe(1);
    // The review folder is named relative to the folder synth runs in (its cwd option), not the process's.
    expect(r.stderr).toContain('the catalog lost 2 of the 4 services in the review manifest (review)');
    expect(r.stderr).toContain('a2, b1');
    expect(r.stderr).toContain('--allow-removals');
    expect(p.tree('cdktf.out')).toEqual(before);
    const forced = await run(p, 'synth', '--allow-removals');
    expect(forced.code).toBe(0);
    expect(readdirSync(path.join(p.dir, 'cdktf.out/stacks')).sort()).toEqual(['core', 'team-alpha', 'team-gamma']);
  });
});

describe('synth: where things are written', () => {
  let p: Project;
  beforeEach(() => (p = project()));
  afterEach(() => p.dispose());

  test('--out takes the Terraform JSON only; the review manifest goes beside the policy, or to --review-dir', async () => {
    p.write('conf/th.yaml', p.read('trace-health.yaml').replace('catalog: catalog', 'catalog: ../catalog'));
    const r = await run(p, 'synth', '--config', 'conf/th.yaml', '--out', 'build/cdktf.out');
    expect([r.code, r.stdout]).toStrictEqual([
      0,
      'synthesized 4 stacks into build/cdktf.out/stacks (core, team-alpha, team-beta, team-gamma); review manifest ' +
        'in conf/review/\n',
    ]);
    expect(existsSync(path.join(p.dir, 'conf/review/core.yaml'))).toBe(true);
    expect(existsSync(path.join(p.dir, 'build/review'))).toBe(false);

    const moved = await run(p, 'synth', '-c', 'conf/th.yaml', '-o', 'build/cdktf.out', '--review-dir', 'build/review');
    expect([moved.code, moved.stdout]).toStrictEqual([
      0,
      'synthesized 4 stacks into build/cdktf.out/stacks (core, team-alpha, team-beta, team-gamma); review manifest ' +
        'in build/review/\n',
    ]);
    expect(readdirSync(path.join(p.dir, 'build/review')).sort()).toEqual([
      'core.yaml',
      'team-alpha.yaml',
      'team-beta.yaml',
      'team-gamma.yaml',
    ]);
    // `review --check` finds it there too.
    const check = await run(p, 'review', '-c', 'conf/th.yaml', '--review-dir', 'build/review');
    expect([check.code, check.stdout]).toStrictEqual([0, 'review manifest is current (4 files in build/review/)\n']);
  });

  test('--help says where the review manifest goes', async () => {
    const r = await run(p, 'synth', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--review-dir <dir>');
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(
      'review manifest folder (default: review/ beside the policy file, whatever --out says)',
    );
  });

  test('manifest.json names only files synth wrote (cdktf lists a metadata.json it writes for HCL output only)', async () => {
    expect((await run(p, 'synth')).code).toBe(0);
    const manifest = JSON.parse(p.read('cdktf.out/manifest.json')) as {
      stacks: Record<string, Record<string, string>>;
    };
    for (const [name, stack] of Object.entries(manifest.stacks)) {
      expect(stack.stackMetadataPath).toBeUndefined();
      expect(existsSync(path.join(p.dir, 'cdktf.out', stack.synthesizedStackPath))).toBe(true);
      expect(readdirSync(path.join(p.dir, 'cdktf.out', stack.workingDirectory))).toEqual(['cdk.tf.json']);
      expect(name).toBe(stack.name);
    }
    // Selective synth keeps it so.
    expect((await run(p, 'synth', '--stack', 'team-alpha')).code).toBe(0);
    expect(p.read('cdktf.out/manifest.json')).not.toContain('metadata.json');
  });
});

describe('synth: routing rules and warnings', () => {
  let p: Project;
  beforeEach(() => (p = project()));
  afterEach(() => p.dispose());

  const pager = (id: string) =>
    `\nintegrations:\n  pagerduty:\n    serviceURL: https://example.pagerduty.com/service-directory/${id}`;

  test('requireRoute fails (exit 1, nothing written) naming each service that would page nobody', async () => {
    p.write('catalog/a1.yaml', `${p.read('catalog/a1.yaml')}${pager('PALPHA1')}\n`);
    p.write(
      'catalog/zero.yaml',
      'apiVersion: v3\nkind: service\nmetadata:\n  name: zero\n  owner: gamma\nspec:\n  tier: "0"\n',
    );
    p.write(
      'trace-health.yaml',
      `${p.read('trace-health.yaml')}tiers:\n  '1': { aliases: ['0'] }\nrequireRoute: { tiers: ['1'], on: [alert, noData] }\n`,
    );
    const r = await run(p, 'synth');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      [
        'trace-health: trace-health.yaml:11:1: requireRoute (tiers 1; on alert, noData): 1 service would notify ' +
          'nobody; nothing was written:',
        '  zero (tier 0): nobody on alert, noData; nothing in the catalog to route to',
        'Map their catalog contacts in integrations or add notify handles for them; `trace-health policy explain ' +
          'SERVICE` shows every route and why each contact was dropped.',
        '',
      ].join('\n'),
    );
    expect(existsSync(path.join(p.dir, 'cdktf.out'))).toBe(false);
    expect(existsSync(path.join(p.dir, 'review'))).toBe(false);
  });

  test('requireRoute passes once the pager is mapped; the warnings are one line per cause', async () => {
    p.write('catalog/a1.yaml', `${p.read('catalog/a1.yaml')}${pager('PALPHA1')}\n`);
    p.write('catalog/a2.yaml', `${p.read('catalog/a2.yaml')}${pager('PALPHA2')}\n`);
    p.write(
      'catalog/b1.yaml',
      p
        .read('catalog/b1.yaml')
        .replace(
          '\nspec:',
          '\n    - { type: email, contact: no-one@localhost }\n' +
            '    - { type: slack, contact: "https://hooks.slack.com/services/T01/B02/AbCdEfGhIjKlMnOpQrStUvWx" }\nspec:',
        ),
    );
    const policy = `${p.read('trace-health.yaml')}requireRoute: { tiers: ['1'], on: [alert, noData] }\n`;
    p.write('trace-health.yaml', policy.replace("teams:\n  alpha: { notify: ['@slack-alpha'] }\n", ''));
    const failed = await run(p, 'synth');
    expect(failed.code).toBe(1);
    expect(failed.stderr.split('\n')[1]).toBe('  a1 (tier 1): nobody on alert, noData; dropped: pagerduty PALPHA1');

    p.write('trace-health.yaml', `${policy}integrations: { pagerduty: { PALPHA1: alpha-primary } }\n`);
    const r = await run(p, 'synth');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      [
        // The catalog's own warning about the address (catalog validation), then routing's, one line per cause.
        'warning: catalog/b1.yaml:8:31: metadata.contacts[1].contact "no-one@localhost" is not an email address ' +
          '(type is email); kept as written',
        'warning: 1 service notifies nobody: lonely. Set notify for them in trace-health.yaml, or map their catalog ' +
          'contacts in integrations (`trace-health policy explain SERVICE` shows what was dropped and why)',
        "warning: PagerDuty services not in integrations.pagerduty, so nobody is paged through them (Datadog's " +
          'handle is the service name in its PagerDuty integration): PALPHA2 (a2)',
        'warning: webhook URLs in catalog contacts, never used as handles (their last part is a secret): map them ' +
          'in integrations.webhooks: https://hooks.slack.com/services/T01/B02/… (b1)',
        'warning: email contacts Datadog cannot send to: fix them in the catalog: no-one@localhost (b1)',
        '',
      ].join('\n'),
    );
    expect(r.stderr).not.toContain('AbCdEfGh');
    const review = p.read('review/team-alpha.yaml');
    expect(review).toContain('          no_data: ["@pagerduty-alpha-primary", "@slack-alpha"]');
    expect(p.read('review/team-beta.yaml')).toContain('    dropped:\n      - {contact: "email no-one@localhost"');
    expect(JSON.stringify(p.tree('cdktf.out'))).not.toContain('AbCdEfGh');
  });
});

const POLICY_BAD = `catalog: catalog
site: datadoghq.eu
defaults:
  orphanRate: { warning: 0.01, critical: 1.5 }
`;

describe('synth (bundled example)', () => {
  test('npm run synth equivalent: core + one stack per team, review manifest, exit 0', async () => {
    const p = exampleProject();
    try {
      const r = await run(p, 'synth');
      expect(r.code).toBe(0);
      // The example's catalog ids are all mapped in its policy's integrations: every service routes, no warning.
      expect(r.stderr).toBe('');
      expect(readdirSync(path.join(p.dir, 'cdktf.out/stacks')).sort()).toEqual([
        'core',
        'team-checkout',
        'team-data',
        'team-identity',
        'team-payments',
        'team-platform',
      ]);
      // Byte-identical to the golden files (which assume cdktf.out at the policy's folder).
      for (const stack of ['core', 'team-payments'])
        expect(p.read(`cdktf.out/stacks/${stack}/cdk.tf.json`)).toBe(
          require('node:fs').readFileSync(path.join(ROOT, `__tests__/stacks/golden/${stack}.tf.json`), 'utf8'),
        );
      // …and the committed review manifest is what synth writes.
      for (const f of readdirSync(path.join(p.dir, 'review')))
        expect(p.read(`review/${f}`)).toBe(
          require('node:fs').readFileSync(path.join(ROOT, path.dirname(EXAMPLE_POLICY), 'review', f), 'utf8'),
        );
    } finally {
      p.dispose();
    }
  });
});
