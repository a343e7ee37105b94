/**
 * Required tags that normalize alike: distinct span metrics when they can coexist, and otherwise a UserError
 * (exit 2) pointing at both entries of the policy file — never a crash.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { main } from '../../src/cli/index';
import { memoryIo } from '../../src/cli/io';
import { shortHash, missingTagMetricName } from '../../src/datadog/metrics';
import { Project, project, POLICY } from './project';

async function run(p: Project, ...argv: string[]) {
  const io = memoryIo({}, p.dir);
  const code = await main(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/** The small project's policy with `services:` entries appended. */
function withServices(services: string): string {
  return `${POLICY}services:\n${services}`;
}

describe('required tags that normalize alike', () => {
  let p: Project;
  beforeEach(() => (p = project()));
  afterEach(() => p.dispose());

  test('billing.account_id in one service and billing_account_id in another: synth succeeds, two metrics', async () => {
    p.write(
      'trace-health.yaml',
      withServices(
        "  a1:\n    extraRequiredTags:\n      - { tag: billing.account_id, scope: '@_top_level:1' }\n" +
          "  b1:\n    extraRequiredTags:\n      - { tag: billing_account_id, scope: '@_top_level:1' }\n",
      ),
    );
    const r = await run(p, 'synth');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    const core = p.read('cdktf.out/stacks/core/cdk.tf.json');
    for (const tag of ['billing.account_id', 'billing_account_id'])
      expect(core).toContain(`"name": "${missingTagMetricName('@_top_level:1', tag)}"`);
  });

  test('usr.id (built-in default) and usr_id in one service: exit 2 at the policy entry, nothing written', async () => {
    p.write('trace-health.yaml', withServices('  a1:\n    extraRequiredTags:\n      - { tag: usr_id }\n'));
    const r = await run(p, 'synth');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'trace-health: trace-health.yaml:12:9: services.a1.extraRequiredTags[0]: required tag "usr_id" of service a1 ' +
        'and "usr.id" at the built-in default requiredTags would get the same monitor address (usr-id); keep one of ' +
        'them\n',
    );
    expect(existsSync(path.join(p.dir, 'cdktf.out'))).toBe(false);
    expect(existsSync(path.join(p.dir, 'review'))).toBe(false);
  });

  test('both in the policy file (defaults and a service): both key paths, and review --check says the same', async () => {
    p.write(
      'trace-health.yaml',
      POLICY.replace('defaults:\n', "defaults:\n  requiredTags:\n    - { tag: usr.id, scope: '@_top_level:1' }\n") +
        'services:\n  a1:\n    extraRequiredTags:\n      - { tag: Usr.Id }\n',
    );
    const expected =
      'trace-health: trace-health.yaml:14:9: services.a1.extraRequiredTags[0]: required tag "Usr.Id" of service a1 ' +
      'and "usr.id" at defaults.requiredTags[0] (line 7) would get the same monitor address (usr-id); keep one of ' +
      'them\n';
    const r = await run(p, 'synth');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(expected);
    const check = await run(p, 'review', '--check');
    expect(check.code).toBe(2);
    expect(check.stderr).toBe(expected);
  });

  test("a tag written as another service's hashed metric segment: exit 2 naming both entries", async () => {
    const hashed = `user_name_${shortHash('user.name')}`;
    p.write(
      'trace-health.yaml',
      withServices(
        "  a1:\n    extraRequiredTags:\n      - { tag: user.name, scope: 'status:ok' }\n" +
          `  b1:\n    extraRequiredTags:\n      - { tag: ${hashed}, scope: 'status:ok' }\n`,
      ),
    );
    const r = await run(p, 'synth');
    expect(r.code).toBe(2);
    const name = missingTagMetricName('status:ok', 'user.name');
    expect(r.stderr).toBe(
      `trace-health: trace-health.yaml:15:9: services.b1.extraRequiredTags[0]: required tag "${hashed}" of service b1 ` +
        `and "user.name" at services.a1.extraRequiredTags[0] (line 12) for service a1 would share the span metric ` +
        `${name} (filters env:prod (status:ok) -@user.name:* and env:prod (status:ok) -@${hashed}:*); rename or drop ` +
        'one of them\n',
    );
    expect(existsSync(path.join(p.dir, 'cdktf.out'))).toBe(false);
  });
});
