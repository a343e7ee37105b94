import { main } from '../../src/cli/index';
import { memoryIo } from '../../src/cli/io';
import { Project, project } from '../synth/project';

async function run(p: Project, ...argv: string[]) {
  const io = memoryIo({}, p.dir);
  const code = await main(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('review --check', () => {
  let p: Project;
  beforeAll(async () => {
    p = project();
    expect((await run(p, 'synth')).code).toBe(0);
  });
  afterAll(() => p.dispose());

  test('exit 0 when the committed manifest is current', async () => {
    const r = await run(p, 'review', '--check');
    expect(r).toEqual({ code: 0, stdout: 'review manifest is current (4 files in review/)\n', stderr: '' });
  });

  test('exit 1 with a unified diff when the policy changed and the manifest was not regenerated', async () => {
    const policy = p.read('trace-health.yaml');
    p.write('trace-health.yaml', policy.replace('defaults:\n', 'defaults:\n  tagCoverage: { warning: 0.98, critical: 0.9 }\n'));
    try {
      const r = await run(p, 'review', '--check');
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('--- a/review/team-alpha.yaml\n+++ b/review/team-alpha.yaml\n');
      expect(r.stdout).toContain('\n-        critical: "> 0.05"\n+        critical: "> 0.1"\n');
      expect(r.stderr).toBe(
        'review manifest in review/ is stale (3 files): run `npm run synth` and commit the result\n',
      );
    } finally {
      p.write('trace-health.yaml', policy);
    }
  });

  test('exit 1 when a manifest file is missing or left over', async () => {
    const alpha = p.read('review/team-alpha.yaml');
    p.remove('review/team-alpha.yaml');
    p.write('review/team-old.yaml', 'stack: "team-old"\n');
    try {
      const r = await run(p, 'review', '--check');
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('--- /dev/null\n+++ b/review/team-alpha.yaml\n');
      expect(r.stdout).toContain('--- a/review/team-old.yaml\n+++ /dev/null\n');
    } finally {
      p.write('review/team-alpha.yaml', alpha);
      p.remove('review/team-old.yaml');
    }
  });

  test('checks without --check too (checking is all it does), and fails on a bad policy (exit 2)', async () => {
    await run(p, 'synth');
    expect(await run(p, 'review')).toStrictEqual(await run(p, 'review', '--check'));
    expect((await run(p, 'review')).code).toBe(0);
    p.write('review/team-alpha.yaml', 'stale\n');
    expect((await run(p, 'review')).code).toBe(1);
    const r = await run(p, 'review', '--check', '--config', 'missing.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('trace-health: missing.yaml: no such policy file (create it, or pass --config FILE)\n');
  });
});
