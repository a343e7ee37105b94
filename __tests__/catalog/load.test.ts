import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadCatalog, loadCatalogReport } from '../../src/catalog';
import { UserError, UserErrors } from '../../src/errors';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'th-catalog-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  writeFileSync(path.join(dir, rel), text);
}
const v2 = (name: string) => `schema-version: v2\ndd-service: ${name}\n`;
const rejects = (p: string): string => {
  try {
    loadCatalog(p, { cwd: dir });
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error('expected loadCatalog to fail');
};

describe('loadCatalog', () => {
  it('reads a folder recursively: .yaml, .yml and .json; skips hidden entries and other files', () => {
    write('cat/b/b.yml', v2('b'));
    write('cat/a.yaml', v2('a'));
    write('cat/c.json', '{"apiVersion": "v3", "kind": "service", "metadata": {"name": "c"}}');
    write('cat/README.md', '# not a definition');
    write('cat/.git/x.yaml', 'not: [valid');
    write('cat/.draft.yaml', 'not: [valid');
    const catalog = loadCatalog('cat', { cwd: dir });
    expect(catalog.services.map((s) => s.source.file)).toStrictEqual(['cat/a.yaml', 'cat/b/b.yml', 'cat/c.json']);
  });

  it('reads a single definition file', () => {
    write('one.yaml', `${v2('a')}---\n${v2('b')}`);
    expect(loadCatalog('one.yaml', { cwd: dir }).services.map((s) => `${s.name}@${s.source.line}`)).toStrictEqual([
      'a@1',
      'b@4',
    ]);
  });

  it('reads a snapshot .json, detected by its format field', () => {
    write(
      'snap.json',
      JSON.stringify(
        {
          definitions: [{ 'schema-version': 'v2', 'dd-service': 'a' }],
          format: 'trace-health/catalog-snapshot',
          version: 1,
        },
        null,
        2,
      ),
    );
    const catalog = loadCatalog('snap.json', { cwd: dir });
    expect(catalog.services.map((s) => s.source)).toStrictEqual([{ file: 'snap.json', line: 3, col: 5 }]);
  });

  it('follows symlinked folders once (no loop)', () => {
    write('cat/a.yaml', v2('a'));
    symlinkSync(path.join(dir, 'cat'), path.join(dir, 'cat', 'loop'));
    expect(loadCatalog('cat', { cwd: dir }).services.map((s) => s.name)).toStrictEqual(['a']);
  });

  it('keeps an absolute path absolute (with / separators)', () => {
    write('cat/a.yaml', v2('a'));
    const abs = path.join(dir, 'cat');
    expect(loadCatalog(abs).services[0].source.file).toBe(`${abs.split(path.sep).join('/')}/a.yaml`);
  });

  it('rejects a file that is not UTF-8, with its line, column and byte offset, and still checks the others', () => {
    write('cat/a.yaml', v2('ok'));
    // `café` in Latin-1: 0xE9 is not valid UTF-8 (readFileSync(…, 'utf8') would make it U+FFFD silently).
    writeFileSync(path.join(dir, 'cat/b.yaml'), Buffer.from('schema-version: v2\ndd-service: caf\xe9\n', 'latin1'));
    write('cat/c.yaml', 'schema-version: v2\n');
    expect(rejects('cat')).toBe(
      [
        'cat/b.yaml:2:16: not valid UTF-8: byte 0xe9 at byte offset 34 (save the file as UTF-8)',
        'cat/c.yaml:1:1: dd-service is missing: every definition needs a name',
      ].join('\n'),
    );
    expect(loadCatalogReport('cat', { cwd: dir }).files).toBe(3);
  });

  it('rejects a single JSON file with invalid UTF-8 after valid multi-byte characters', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"dd-service": "é', 'utf8'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    writeFileSync(path.join(dir, 'a.json'), bytes);
    expect(rejects('a.json')).toBe(
      'a.json:1:18: not valid UTF-8: byte 0xc3 at byte offset 18 (save the file as UTF-8)',
    );
  });

  it('accepts UTF-8 with a byte order mark, and the mark is not part of the first key', () => {
    writeFileSync(path.join(dir, 'a.yaml'), Buffer.from(`\ufeff${v2('a')}`, 'utf8'));
    expect(loadCatalog('a.yaml', { cwd: dir }).services.map((s) => s.name)).toStrictEqual(['a']);
  });

  it('fails when the path does not exist', () => {
    expect(rejects('nope')).toBe('nope: catalog path not found');
  });

  it('fails when the folder holds no definition files', () => {
    write('empty/README.md', 'x');
    expect(rejects('empty')).toBe('empty: no service definition files (*.yaml, *.yml, *.json) in this folder');
  });

  it('fails when the file is not YAML or JSON', () => {
    write('notes.txt', 'x');
    expect(rejects('notes.txt')).toBe(
      'notes.txt: not a catalog (expected a folder of .yaml/.yml/.json service definitions, or a snapshot .json)',
    );
  });

  it('lists every problem of every file, and reads nothing when any is invalid', () => {
    write('cat/a.yaml', 'schema-version: v2\n');
    write('cat/b.yaml', v2('b'));
    write('cat/c.yaml', 'x: [\n');
    let error: unknown;
    try {
      loadCatalog('cat', { cwd: dir });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserErrors);
    expect((error as UserErrors).problems).toStrictEqual([
      'cat/a.yaml:1:1: dd-service is missing: every definition needs a name',
      'cat/c.yaml:2:1: invalid YAML: flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    // The report form (for `catalog validate`) keeps what was valid, for the summary line.
    const report = loadCatalogReport('cat', { cwd: dir });
    expect([report.files, report.catalog.services.map((s) => s.name), report.problems.length]).toStrictEqual([
      3,
      ['b'],
      2,
    ]);
  });
});
