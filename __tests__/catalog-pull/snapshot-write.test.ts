import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  buildSnapshot,
  canonicalJson,
  definitionKey,
  renderSnapshot,
  writeSnapshot,
} from '../../src/catalog/snapshot-write';
import { writeFileAtomic } from '../../src/fs-atomic';
import type { Catalog } from '../../src/catalog/model';

const EMPTY: Catalog = { services: [], entities: [] };

describe('snapshot text', () => {
  const defs = [
    { 'schema-version': 'v2.1', 'dd-service': 'zeta', team: 't', contacts: [{ type: 'email', contact: 'x@y' }] },
    { kind: 'service', apiVersion: 'v3', metadata: { owner: 'o', name: 'alpha' }, spec: { tier: '1' } },
    { apiVersion: 'v3', kind: 'datastore', metadata: { name: 'orders-db' } },
    { 'dd-service': 'beta', 'schema-version': 'v2.2' },
  ];

  it('sorts definitions by kind then name and keys recursively, 2-space JSON with a final newline', () => {
    expect(renderSnapshot(buildSnapshot(defs, 'datadoghq.eu'))).toBe(
      [
        '{',
        '  "definitions": [',
        '    {',
        '      "apiVersion": "v3",',
        '      "kind": "datastore",',
        '      "metadata": {',
        '        "name": "orders-db"',
        '      }',
        '    },',
        '    {',
        '      "apiVersion": "v3",',
        '      "kind": "service",',
        '      "metadata": {',
        '        "name": "alpha",',
        '        "owner": "o"',
        '      },',
        '      "spec": {',
        '        "tier": "1"',
        '      }',
        '    },',
        '    {',
        '      "dd-service": "beta",',
        '      "schema-version": "v2.2"',
        '    },',
        '    {',
        '      "contacts": [',
        '        {',
        '          "contact": "x@y",',
        '          "type": "email"',
        '        }',
        '      ],',
        '      "dd-service": "zeta",',
        '      "schema-version": "v2.1",',
        '      "team": "t"',
        '    }',
        '  ],',
        '  "format": "trace-health/catalog-snapshot",',
        '  "site": "datadoghq.eu",',
        '  "version": 1',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('gives the same bytes for any input order', () => {
    const a = renderSnapshot(buildSnapshot(defs));
    const b = renderSnapshot(buildSnapshot([...defs].reverse()));
    expect(b).toBe(a);
    expect(a).not.toContain('"site"');
  });

  it('keeps array order inside definitions (it is data)', () => {
    expect(canonicalJson({ b: [3, 1, 2], a: null })).toBe('{\n  "a": null,\n  "b": [\n    3,\n    1,\n    2\n  ]\n}\n');
  });

  it('names definitions by kind and name', () => {
    expect(definitionKey(defs[0])).toEqual({ kind: 'service', name: 'zeta' });
    expect(definitionKey(defs[2])).toEqual({ kind: 'datastore', name: 'orders-db' });
    expect(definitionKey({ kind: 'service' })).toBeUndefined();
    expect(definitionKey([])).toBeUndefined();
  });
});

describe('writeSnapshot', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'th-snapshot-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('validates first and writes nothing when the reader rejects the text', () => {
    const file = path.join(dir, 'snapshot.json');
    fs.writeFileSync(file, 'old');
    expect(() =>
      writeSnapshot(file, 'new', () => {
        throw new Error('invalid');
      }),
    ).toThrow('invalid');
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
    expect(fs.readdirSync(dir)).toEqual(['snapshot.json']);
  });

  it('creates folders, replaces the file atomically, and leaves an identical file untouched', () => {
    const file = path.join(dir, 'catalog', 'snapshot.json');
    const seen: string[] = [];
    const validate = (f: string, t: string) => {
      seen.push(`${f}|${t}`);
      return EMPTY;
    };
    expect(writeSnapshot(file, 'one\n', validate)).toEqual({ catalog: EMPTY, written: true });
    const mtime = fs.statSync(file).mtimeMs;
    expect(writeSnapshot(file, 'one\n', validate)).toEqual({ catalog: EMPTY, written: false });
    expect(fs.statSync(file).mtimeMs).toBe(mtime);
    expect(writeSnapshot(file, 'two\n', validate).written).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe('two\n');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['snapshot.json']);
    expect(seen).toEqual([`${file}|one\n`, `${file}|one\n`, `${file}|two\n`]);
  });

  it('removes its temp file when the rename fails', () => {
    const target = path.join(dir, 'is-a-dir');
    fs.mkdirSync(path.join(target, 'child'), { recursive: true });
    expect(() => writeFileAtomic(target, 'x')).toThrow();
    expect(fs.readdirSync(dir)).toEqual(['is-a-dir']);
  });
});
