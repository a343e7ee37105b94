/**
 * The output folder: synth replaces it as a whole, so it must refuse folders that are not its own output, report
 * file-system failures as user errors without leaving anything behind, and create folders others can read.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/index';
import { memoryIo } from '../../src/cli/io';
import { UserError } from '../../src/errors';
import { synth } from '../../src/synth';
import { Project, exampleProject, project } from './project';

async function run(p: Project, ...argv: string[]) {
  const io = memoryIo({}, p.dir);
  const code = await main(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

const ADVICE =
  'synth replaces its output folder as a whole, so --out must name a new or empty folder, or one a previous synth ' +
  'wrote (manifest.json, stacks/); nothing was written';

/** Every file and folder under the project (relative path → content, `<dir>` for folders). */
function snapshot(p: Project): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(p.dir, rel)).sort()) {
      const r = path.join(rel, e);
      if (statSync(path.join(p.dir, r)).isDirectory()) {
        out.set(r, '<dir>');
        walk(r);
      } else out.set(r, p.read(r));
    }
  };
  walk('');
  return out;
}

describe('synth --out: only a new folder or a previous synth output is replaced', () => {
  // The project sits in a folder of its own, so that a regression replacing `--out ..` destroys only that
  // folder, not the system temp folder (which is what synth did before it checked --out).
  let outer: string;
  let p: Project;
  beforeEach(() => {
    outer = mkdtempSync(path.join(tmpdir(), 'th-out-'));
    p = exampleProject(outer);
  });
  afterEach(() => rmSync(outer, { recursive: true, force: true }));

  test.each([
    [['--out', '.'], 'output folder .: is the current folder'],
    [['--out', '<dir>'], 'output folder <dir>: is the current folder'],
    [['--out', '..'], 'output folder ..: contains the current folder'],
    [['--out', 'examples'], 'output folder examples: holds catalog and spans, which synth does not write'],
    [
      ['--out', 'examples/catalog'],
      'output folder examples/catalog: holds checkout, data, identity and 2 more, which synth does not write',
    ],
    [['--out', 'trace-health.yaml'], 'output folder trace-health.yaml: is a file, not a folder'],
    [['--out', 'review'], 'output folder review: is the review manifest folder (review)'],
    [['--stack', 'core', '--out', '.'], 'output folder .: is the current folder'],
  ])('synth %j refuses (exit 2) and writes nothing', async (args, message) => {
    // `<dir>`: the project folder, known only once the test runs (an absolute --out).
    const argv = args.map((a) => a.replace('<dir>', p.dir));
    // A previous synth's review manifests exist, so that "review" is a real folder.
    if (args.includes('review')) p.write('review/core.yaml', 'stale\n');
    const before = snapshot(p);
    const r = await run(p, 'synth', ...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`trace-health: ${message.replace('<dir>', p.dir)}. ${ADVICE}\n`);
    expect(snapshot(p)).toEqual(before);
  });

  test('the policy file in another folder: --out naming that folder, or one above it, is refused', async () => {
    p.write(
      'conf/trace-health.yaml',
      p.read('trace-health.yaml').replace('catalog: examples/catalog', 'catalog: ../examples/catalog'),
    );
    mkdirSync(path.join(p.dir, 'work'));
    const before = snapshot(p);
    const io = memoryIo({}, path.join(p.dir, 'work'));
    expect(await main(['synth', '--config', '../conf/trace-health.yaml', '--out', '../conf'], io)).toBe(2);
    expect(io.stderr).toBe(`trace-health: output folder ../conf: is the policy file's folder (../conf). ${ADVICE}\n`);
    expect(snapshot(p)).toEqual(before);
  });

  test('a symbolic link is refused; an empty folder is filled', async () => {
    mkdirSync(path.join(p.dir, 'real'));
    symlinkSync('real', path.join(p.dir, 'link'));
    const r = await run(p, 'synth', '--out', 'link');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `trace-health: output folder link: is a symbolic link (pass the folder it points to). ${ADVICE}\n`,
    );
    expect(readdirSync(path.join(p.dir, 'real'))).toEqual([]);
    expect((await run(p, 'synth', '--out', 'real')).code).toBe(0);
    expect(readdirSync(path.join(p.dir, 'real')).sort()).toEqual(['manifest.json', 'stacks']);
  });

  test("a previous output with Terraform's files is replaced; init results and local state are kept", async () => {
    expect((await run(p, 'synth')).code).toBe(0);
    const files = {
      '.terraform/providers/marker': 'init',
      '.terraform.lock.hcl': 'lock',
      '.terraform.tfstate.lock.info': 'lock info',
      'terraform.tfstate': 'state',
      'terraform.tfstate.backup': 'backup',
      plan: 'binary plan',
      'tfplan.json': '{}',
      'core.tfplan': 'plan',
      'crash.log': 'crash',
    };
    for (const [f, text] of Object.entries(files)) p.write(`cdktf.out/stacks/core/${f}`, text);
    const r = await run(p, 'synth');
    expect(r.code).toBe(0);
    expect(readdirSync(path.join(p.dir, 'cdktf.out/stacks/core')).sort()).toEqual([
      '.terraform',
      '.terraform.lock.hcl',
      '.terraform.tfstate.lock.info',
      'cdk.tf.json',
      'terraform.tfstate',
      'terraform.tfstate.backup',
    ]);
    expect(p.read('cdktf.out/stacks/core/terraform.tfstate')).toBe('state');
    expect(p.read('cdktf.out/stacks/core/.terraform/providers/marker')).toBe('init');
  });

  test('a previous output holding something else is refused, naming it', async () => {
    expect((await run(p, 'synth')).code).toBe(0);
    p.write('cdktf.out/stacks/core/notes.md', 'mine');
    p.write('cdktf.out/README', 'mine');
    const before = snapshot(p);
    for (const args of [['synth'], ['synth', '--stack', 'core']]) {
      const r = await run(p, ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `trace-health: output folder cdktf.out: holds README and stacks/core/notes.md, which synth does not write. ${ADVICE}\n`,
      );
    }
    expect(snapshot(p)).toEqual(before);
  });

  test('a folder with stacks/ but no manifest.json, or a manifest.json cdktf did not write, is refused', async () => {
    p.write('out/stacks/core/cdk.tf.json', '{}');
    let r = await run(p, 'synth', '--out', 'out');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`trace-health: output folder out: has no manifest.json from a previous synth. ${ADVICE}\n`);
    p.write('out/manifest.json', '{"name": "my package"}');
    r = await run(p, 'synth', '--out', 'out');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`trace-health: output folder out: its manifest.json is not one cdktf wrote. ${ADVICE}\n`);
    expect(p.read('out/stacks/core/cdk.tf.json')).toBe('{}');
  });
});

describe('synth: file-system failures are user errors and leave nothing behind', () => {
  let p: Project;
  beforeEach(() => (p = project()));
  afterEach(() => p.dispose());

  test('--out below a file: exit 2, "cannot write", no stack trace, nothing written', async () => {
    p.write('f', 'a file');
    const before = snapshot(p);
    const r = await run(p, 'synth', '--out', 'f/out');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'trace-health: cannot write f/out: part of the path is a file, not a folder; nothing was written\n',
    );
    expect(snapshot(p)).toEqual(before);
  });

  (existsSync('/proc/self') ? test : test.skip)('--out /proc/nope (nothing can be created there): exit 2', async () => {
    const before = snapshot(p);
    const r = await run(p, 'synth', '--out', '/proc/nope');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'trace-health: cannot write /proc/nope: no such file or directory, or nothing can be created there; ' +
        'nothing was written\n',
    );
    expect(snapshot(p)).toEqual(before);
  });

  test('the review folder cannot be written: no output folder, no temp folder, no parent folder left', async () => {
    p.write('review', 'a file where the review folder goes');
    const before = snapshot(p);
    const r = await run(p, 'synth', '--out', 'new/deep/out');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'trace-health: cannot write review: a file is in the way (not a folder); nothing was written\n',
    );
    expect(snapshot(p)).toEqual(before);
  });

  test('the review folder below a file (synth API): UserError, previous output untouched', async () => {
    expect((await run(p, 'synth')).code).toBe(0);
    p.write('f', 'a file');
    const before = snapshot(p);
    expect(() => synth({ config: 'trace-health.yaml', cwd: p.dir, reviewDir: 'f/review' })).toThrow(
      new UserError('cannot write f/review: part of the path is a file, not a folder; nothing was written'),
    );
    expect(snapshot(p)).toEqual(before);
  });
});

describe('synth: folders get the usual permissions (0777 less the umask), not mkdtemp 0700', () => {
  let p: Project;
  let umask: number;
  beforeEach(() => {
    p = project();
    umask = process.umask(0o022); // reading the umask alone is deprecated: set one, keep the old
  });
  afterEach(() => {
    process.umask(umask);
    p.dispose();
  });

  test.each([
    ['022', '755'],
    ['027', '750'],
  ])('umask %s → folders %s', async (mask, mode) => {
    process.umask(parseInt(mask, 8));
    expect((await run(p, 'synth')).code).toBe(0);
    for (const dir of ['cdktf.out', 'cdktf.out/stacks', 'cdktf.out/stacks/core', 'review'])
      expect((statSync(path.join(p.dir, dir)).mode & 0o777).toString(8)).toBe(mode);
    // A selective synth replaces stack folders with the same permissions.
    expect((await run(p, 'synth', '--stack', 'core')).code).toBe(0);
    expect((statSync(path.join(p.dir, 'cdktf.out/stacks/core')).mode & 0o777).toString(8)).toBe(mode);
  });
});
