/**
 * The rule for bad and empty span input (docs/collector-report.md, "Inputs"):
 * - a file that cannot be parsed at all (a truncated JSON page) is an input error: exit 2, file:line:col, no report;
 * - a bad line in an NDJSON file is one malformed span: the rest of the file is read, exit 0, file:line on stderr;
 * - no span files at all in an --input folder is an input error naming the folder;
 * - span files that hold zero spans give a valid (empty) report, exit 0, with an explicit note on stderr.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli';
import { memoryIo } from '../../src/cli/io';

const ROOT = path.resolve(__dirname, '../..');
const NDJSON = fs.readFileSync(path.join(ROOT, 'examples/spans/ndjson/spans.ndjson'), 'utf8').split('\n').slice(0, 6);
const PAGE = fs.readFileSync(path.join(ROOT, 'examples/spans/page-001.json'), 'utf8');

describe('collect: bad and empty span input', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collect-input-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  };
  async function run(args: string[]) {
    const io = memoryIo({}, dir);
    const code = await main(['collect', ...args], io);
    return { code, stdout: io.stdout, stderr: io.stderr };
  }

  it('a truncated NDJSON line is one malformed span; the other lines are read (exit 0, file:line)', async () => {
    const lines = [...NDJSON];
    lines[3] = lines[3].slice(0, 40);
    write('spans.ndjson', `${lines.join('\n')}\n`);
    const r = await run(['--input', 'spans.ndjson', '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.totals.malformedSpans).toBe(1);
    expect(report.totals.spans + report.totals.excludedSpans).toBe(5);
    expect(r.stderr).toMatch(/^1 malformed span skipped \(.+: 1\); first at spans\.ndjson:4\n$/);
  });

  it('a truncated JSON page is an input error: exit 2, file:line:col, no report written', async () => {
    write('page.json', PAGE.slice(0, 3000));
    const r = await run(['--input', 'page.json', '--out', 'report.json', '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^trace-health: page\.json:\d+:\d+: invalid JSON \([^\n]+\)\n$/);
    expect(fs.existsSync(path.join(dir, 'report.json'))).toBe(false);
  });

  it('no span files in an --input folder is an input error naming the folder, even beside good input', async () => {
    write('empty/README.md', 'not spans');
    write('good/page.json', PAGE);
    const r = await run(['--input', 'good', 'empty', '--out', 'report.md']);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: 'trace-health: empty: no span files (.json, .ndjson, .jsonl) in this folder\n',
    });
    expect(fs.existsSync(path.join(dir, 'report.md'))).toBe(false);
  });

  it('span files holding zero spans give a valid empty report and a note naming them', async () => {
    write('in/a.json', '[]');
    write('in/b.ndjson', '');
    write('in/c.json', '{"data": [], "meta": {"page": {}}}');
    const r = await run(['--input', 'in', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      window: { from: null, to: null },
      env: { watched: [], seen: {}, skipped: {} },
      totals: { spans: 0, traces: 0, excludedSpans: 0, excludedByReason: {}, malformedSpans: 0 },
      incompletePages: [],
      services: {},
      findings: [],
    });
    expect(r.stderr).toBe(
      'note: no spans in the 3 input files (in/a.json, in/b.ndjson, in/c.json); the report is empty (window ' +
        'from/to are null)\n',
    );
    const md = await run(['--input', 'in/a.json']);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('No spans.');
    expect(md.stderr).toBe(
      'note: no spans in the input file (in/a.json); the report is empty (window from/to are null)\n',
    );
  });

  it('no note when the input holds spans', async () => {
    write('page.json', PAGE);
    const r = await run(['--input', 'page.json', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});
