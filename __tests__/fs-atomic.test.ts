import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { replaceFolder } from '../src/fs-atomic';

describe('replaceFolder', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-atomic-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };

  it('puts the new folder in place of the old one and leaves nothing beside it', () => {
    write('out/old.txt', 'old');
    write('.out.tmp/new.txt', 'new');
    replaceFolder(path.join(dir, '.out.tmp'), path.join(dir, 'out'));
    expect(fs.readdirSync(path.join(dir, 'out'))).toEqual(['new.txt']);
    expect(fs.readdirSync(dir)).toEqual(['out']);
  });

  it('creates the folder when there was none', () => {
    write('.out.tmp/new.txt', 'new');
    replaceFolder(path.join(dir, '.out.tmp'), path.join(dir, 'out'));
    expect(fs.readFileSync(path.join(dir, 'out', 'new.txt'), 'utf8')).toBe('new');
  });

  it('puts the old folder back when the new one cannot be moved in', () => {
    write('out/old.txt', 'old');
    expect(() => replaceFolder(path.join(dir, '.missing.tmp'), path.join(dir, 'out'))).toThrow(/ENOENT/);
    expect(fs.readdirSync(dir)).toEqual(['out']);
    expect(fs.readFileSync(path.join(dir, 'out', 'old.txt'), 'utf8')).toBe('old');
  });
});
