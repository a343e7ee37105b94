import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/index';
import { memoryIo } from '../../src/cli/io';
import { canonicalJson, diffStacks, readStacks } from '../../src/ci/stacks';

/** Commits in test repositories must not depend on the machine's git config (signing, hooks, identity). */
const GIT_ISOLATION = [
  '-c',
  'user.name=t',
  '-c',
  'user.email=t@example.com',
  '-c',
  'commit.gpgsign=false',
  '-c',
  'core.hooksPath=/dev/null',
];

const roots: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trace-health-ci-stacks-'));
  roots.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of roots) rmSync(dir, { recursive: true, force: true });
});

type Stacks = Record<string, unknown>;

/** Write a synth output: `<dir>/stacks/<stack>/cdk.tf.json`. */
function writeSynth(dir: string, stacks: Stacks): string {
  for (const [stack, config] of Object.entries(stacks)) {
    mkdirSync(join(dir, 'stacks', stack), { recursive: true });
    writeFileSync(join(dir, 'stacks', stack, 'cdk.tf.json'), JSON.stringify(config, null, 2));
  }
  return dir;
}

const monitor = (query: string, path: string) => ({
  '//': { metadata: { path, uniqueId: 'x' } },
  name: 'orphans',
  query,
});
const config = (resources: Record<string, unknown>, version = '0.21.0') => ({
  '//': { metadata: { version, stackName: 's' } },
  resource: { datadog_monitor: resources },
});

const BASE: Stacks = {
  core: config({ a: monitor('q1', 'core/a') }),
  'team-checkout': config({ b: monitor('q2', 'team-checkout/b') }),
  'team-legacy': config({ c: monitor('q3', 'team-legacy/c') }),
};
// core: a query changed; team-checkout: only cdktf metadata and key order differ; team-legacy gone; team-new added.
const CURRENT: Stacks = {
  core: config({ a: monitor('q1-changed', 'core/a') }),
  'team-checkout': { resource: { datadog_monitor: { b: { query: 'q2', name: 'orphans' } } }, '//': { v: 2 } },
  'team-new': config({ d: monitor('q4', 'team-new/d') }),
};

async function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const io = memoryIo(env, cwd);
  const code = await main(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('stack comparison', () => {
  it('ignores cdktf metadata and key order', () => {
    expect(canonicalJson({ b: 1, '//': { x: 1 }, a: [{ d: 1, c: 2, '//': 3 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });

  it('finds added, changed and removed stacks, sorted by name', () => {
    const base = readStacks(join(writeSynth(tempDir(), BASE), 'stacks'));
    const current = readStacks(join(writeSynth(tempDir(), CURRENT), 'stacks'));
    expect(diffStacks(base, current)).toStrictEqual([
      { stack: 'core', status: 'changed' },
      { stack: 'team-legacy', status: 'removed' },
      { stack: 'team-new', status: 'added' },
    ]);
  });
});

describe('changed-stacks command with a base folder', () => {
  const project = tempDir();
  writeSynth(join(project, 'cdktf.out'), CURRENT);
  const base = writeSynth(tempDir(), BASE);

  it('prints one line per stack', async () => {
    const r = await run(['changed-stacks', '--base', base], project);
    expect(r).toStrictEqual({ code: 0, stdout: 'changed core\nremoved team-legacy\nadded team-new\n', stderr: '' });
  });

  it('prints a GitHub Actions matrix with --json', async () => {
    const r = await run(['changed-stacks', '--base', base, '--json'], project);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      '{"include":[{"stack":"core","status":"changed"},{"stack":"team-legacy","status":"removed"},' +
        '{"stack":"team-new","status":"added"}]}\n',
    );
  });

  it('accepts the project folder holding cdktf.out, or the stacks folder itself', async () => {
    const baseProject = tempDir();
    writeSynth(join(baseProject, 'cdktf.out'), BASE);
    const viaProject = await run(['changed-stacks', '--base', baseProject], project);
    const viaStacks = await run(['changed-stacks', '--base', join(baseProject, 'cdktf.out', 'stacks')], project);
    expect(viaProject.stdout).toBe('changed core\nremoved team-legacy\nadded team-new\n');
    expect(viaStacks.stdout).toBe(viaProject.stdout);
  });

  it('says "no stack changed" (stderr; stdout stays empty for scripts), and an empty matrix with --json', async () => {
    const same = writeSynth(tempDir(), CURRENT);
    expect(await run(['changed-stacks', '--base', same], project)).toStrictEqual({
      code: 0,
      stdout: '',
      stderr: 'no stack changed\n',
    });
    expect(await run(['changed-stacks', '--base', same, '--json'], project)).toStrictEqual({
      code: 0,
      stdout: '{"include":[]}\n',
      stderr: '',
    });
  });

  it('takes an empty base folder as "nothing synthesized yet": every stack is added', async () => {
    const r = await run(['changed-stacks', '--base', tempDir()], project);
    expect(r.stdout).toBe('added core\nadded team-checkout\nadded team-new\n');
  });

  it('reads --out', async () => {
    const elsewhere = writeSynth(tempDir(), BASE);
    const r = await run(['changed-stacks', '--base', base, '--out', elsewhere], project);
    expect(r).toStrictEqual({ code: 0, stdout: '', stderr: 'no stack changed\n' });
  });

  describe('fails with exit 2', () => {
    it.each([
      [
        'when the current output is missing',
        () => ['--base', base, '--out', 'nope'],
        () => `--out ${join(project, 'nope')}: no such directory`,
      ],
      [
        'when the base folder holds no synth output',
        () => {
          const junk = tempDir();
          writeFileSync(join(junk, 'README.md'), 'x');
          roots.push(junk);
          return ['--base', junk];
        },
        () => 'no synth output here (expected',
      ],
      [
        'when the base is neither a folder nor a git commit',
        () => ['--base', 'no-such-ref-or-dir'],
        () => '--base no-such-ref-or-dir: neither a directory nor a git commit in this repository',
      ],
      ['without --base', () => [], () => "required option '--base <dir|ref>' not specified"],
    ])('%s', async (_what, args, message) => {
      const r = await run(['changed-stacks', ...args()], project);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(message());
    });

    it('when a cdk.tf.json is not JSON, naming it', async () => {
      const broken = writeSynth(tempDir(), BASE);
      writeFileSync(join(broken, 'stacks', 'core', 'cdk.tf.json'), '{');
      const r = await run(['changed-stacks', '--base', broken], project);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `${join(broken, 'stacks', 'core', 'cdk.tf.json')}:1:2: invalid JSON: Expected property name`,
      );
    });
  });
});

describe('changed-stacks command with a git ref', () => {
  // A tiny stand-in project whose "synth" writes the stacks listed in stacks.json: the git plumbing is what is
  // under test, not the real synth.
  const repo = tempDir();
  const git = (...args: string[]) => {
    const r = spawnSync('git', [...GIT_ISOLATION, ...args], {
      cwd: repo,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout.trim();
  };
  const synthScript = [
    "const fs = require('fs');",
    "const stacks = JSON.parse(fs.readFileSync('stacks.json', 'utf8'));",
    'for (const [name, config] of Object.entries(stacks)) {',
    "  fs.mkdirSync('cdktf.out/stacks/' + name, { recursive: true });",
    "  fs.writeFileSync('cdktf.out/stacks/' + name + '/cdk.tf.json', JSON.stringify(config));",
    '}',
  ].join('\n');
  const synth = 'node synth.js';
  const project = join(repo, 'infra');

  beforeAll(() => {
    git('init', '-q', '-b', 'main');
    writeFileSync(join(repo, 'README.md'), 'before the project existed\n');
    git('add', '.');
    git('commit', '-q', '-m', 'empty');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{"name":"p","private":true}\n');
    writeFileSync(join(project, 'cdktf.json'), '{}\n');
    writeFileSync(join(project, 'synth.js'), synthScript);
    writeFileSync(join(project, 'stacks.json'), JSON.stringify(BASE));
    git('add', '.');
    git('commit', '-q', '-m', 'base');
    writeFileSync(join(project, 'stacks.json'), JSON.stringify(CURRENT));
    git('commit', '-q', '-am', 'change');
    spawnSync('node', ['synth.js'], { cwd: project });
  });

  it('synthesizes the ref in a temporary copy and compares', async () => {
    const before = readdirSync(tmpdir()).filter((n) => n.startsWith('trace-health-base-')).length;
    const r = await run(['changed-stacks', '--base', 'HEAD~1', '--synth-command', synth], project, process.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('changed core\nremoved team-legacy\nadded team-new\n');
    expect(r.stderr).toMatch(/^changed-stacks: synthesizing HEAD~1 \([0-9a-f]{12}\) with `node synth.js`\n$/);
    // The temporary copy is gone and the repository has no new worktree.
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith('trace-health-base-')).length).toBe(before);
    expect(git('worktree', 'list').split('\n')).toHaveLength(1);
  });

  it('treats a commit from before the project as an empty base', async () => {
    const r = await run(
      ['changed-stacks', '--base', 'HEAD~2', '--synth-command', synth, '--json'],
      project,
      process.env,
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).include.map((i: { status: string }) => i.status)).toStrictEqual([
      'added',
      'added',
      'added',
    ]);
    expect(r.stderr).toContain('the project does not exist at HEAD~2');
  });

  it('fails with exit 2 and the synth output when the base does not synthesize', async () => {
    const r = await run(
      ['changed-stacks', '--base', 'HEAD~1', '--synth-command', 'echo boom >&2; exit 3'],
      project,
      process.env,
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--base HEAD~1: `echo boom >&2; exit 3` failed at [0-9a-f]{12} \(exit 3\):\nboom/);
  });
});

describe('changed-stacks links node_modules into the base copy', () => {
  it('replaces a committed node_modules symlink and leaves the real folder alone', async () => {
    const repo = tempDir();
    const git = (...args: string[]) =>
      spawnSync('git', [...GIT_ISOLATION, ...args], {
        cwd: repo,
        encoding: 'utf8',
      });
    git('init', '-q', '-b', 'main');
    mkdirSync(join(repo, 'modules-elsewhere', 'marker'), { recursive: true });
    writeFileSync(join(repo, 'package.json'), '{"name":"p","private":true}\n');
    writeFileSync(join(repo, 'cdktf.json'), '{}\n');
    // The "synth" proves node_modules is reachable in the copy: it copies the marker folder's name into a stack.
    writeFileSync(
      join(repo, 'synth.js'),
      "const fs = require('fs'); fs.mkdirSync('cdktf.out/stacks/core', { recursive: true });" +
        "fs.writeFileSync('cdktf.out/stacks/core/cdk.tf.json', JSON.stringify({ m: fs.readdirSync('node_modules') }));",
    );
    // `.gitignore: node_modules/` does not match a symlink, so one gets committed.
    spawnSync('ln', ['-s', 'modules-elsewhere', 'node_modules'], { cwd: repo });
    git('add', '.');
    git('commit', '-q', '-m', 'base');
    rmSync(join(repo, 'node_modules'));
    mkdirSync(join(repo, 'node_modules', 'real-module'), { recursive: true });
    spawnSync('node', ['synth.js'], { cwd: repo });
    const r = await run(['changed-stacks', '--base', 'HEAD', '--synth-command', 'node synth.js'], repo, process.env);
    // The base saw the current node_modules (real-module), not the committed link (marker): no change.
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(join(repo, 'node_modules'))).toStrictEqual(['real-module']);
  });
});
