/**
 * Conformance with real Spans API answers (the API clients' public test recordings, ../shared/real-traces): they are
 * pages of recent spans retained by diversity sampling, not complete traces. Skips only when that folder is absent.
 * Also: pages Datadog marks partial in span files, and the policy's envs applied to --input.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli';
import { memoryIo } from '../../src/cli/io';
import { mapDatadogSpan, spanAttributesOf } from '../../src/collector/readers/datadog';

const RECORDINGS = path.resolve(__dirname, '../../../shared/real-traces/spans-api-recordings');
const present = fs.existsSync(RECORDINGS);
if (!present) console.log(`skipped: ${RECORDINGS} is absent (the shared reference data)`);
const describeRecordings = present ? describe : describe.skip;

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collect-recordings-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function collect(args: string[]) {
  const io = memoryIo({}, dir);
  const code = await main(['collect', ...args], io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

function write(rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}

describeRecordings('recorded Spans API answers (retained_by: diversity_sampling)', () => {
  it('counts every span apart and calls none an orphan, saying how much of the input that was', async () => {
    const r = await collect(['--input', RECORDINGS, '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.totals).toEqual({
      spans: 41,
      traces: 37,
      excludedSpans: 41,
      excludedByReason: { 'retained_by:diversity_sampling': 41 },
      malformedSpans: 0,
    });
    for (const svc of Object.values(report.services) as { orphanSpans: number; orphanRate: null }[])
      expect(svc).toMatchObject({ orphanSpans: 0, orphanRate: null });
    expect(r.stderr).toBe(
      '41 of 41 spans are not from whole traces (retained_by:diversity_sampling 41): counted apart, never called ' +
        'orphans; export retained_by:flat_sampled spans, or pass --whole-traces-retained-by VALUES if your retention ' +
        'keeps whole traces\n',
    );
    const md = await collect(['--input', RECORDINGS]);
    expect(md.stdout).toContain(
      '> **100.0% of the spans (41 of 41) are not from whole traces** (retention other than flat_sampled): they are ' +
        'never called orphans.',
    );
    expect(md.stdout).toContain('Env: every env (seen: none)'); // no span was checked
  });

  it('judges them when the user says the retention keeps whole traces (the 61.9 % the issue saw)', async () => {
    const r = await collect([
      '--input',
      RECORDINGS,
      '--format',
      'json',
      '--whole-traces-retained-by',
      'diversity_sampling',
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.totals.excludedSpans).toBe(0);
    expect(report.services['java-sample-app-spartancrimson']).toMatchObject({
      spans: 21,
      orphanSpans: 13,
      orphanRate: 0.619048,
    });
    expect(r.stderr).toBe('');
    const all = await collect(['--input', RECORDINGS, '--format', 'json', '--whole-traces-retained-by', '*']);
    expect(JSON.parse(all.stdout).services).toEqual(report.services);
  });

  it('reads version from custom.version where the version: tag is missing', () => {
    let withoutTag = 0;
    for (const f of fs.readdirSync(RECORDINGS).filter((n) => n.endsWith('.json'))) {
      const page = JSON.parse(fs.readFileSync(path.join(RECORDINGS, f), 'utf8')) as { data: unknown[] };
      for (const item of page.data) {
        const a = spanAttributesOf(item) as { custom: { version: string }; tags: string[] };
        const span = mapDatadogSpan(a);
        if (typeof span === 'string') throw new Error(span);
        expect(span.version).toBe(a.custom.version);
        if (!a.tags.some((t) => t.startsWith('version:'))) withoutTag++;
      }
    }
    expect(withoutTag).toBe(4);
  });

  it('applies the policy envs to --input and names them in the report', async () => {
    write('catalog/java.yaml', 'schema-version: v2.2\ndd-service: java-sample-app-spartancrimson\nteam: samples\n');
    write('trace-health.yaml', 'catalog: catalog\nenvs: [pcf-spartancrimson]\n');
    const r = await collect(['--input', RECORDINGS, '--format', 'json', '--whole-traces-retained-by', '*']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.env).toEqual({
      watched: ['pcf-spartancrimson'],
      seen: { 'pcf-spartancrimson': 37 },
      skipped: { 'pcf-macaroniandcheese': 4 },
    });
    expect(report.services['nodejs-sample-app-macaroniandcheese']).toBeUndefined();
    expect(r.stderr).toBe(
      "4 spans of envs other than the policy's (pcf-spartancrimson) skipped: pcf-macaroniandcheese 4\n",
    );
  });
});

describe('span files with pages Datadog marked partial', () => {
  const span = (trace: string, id: string, parent: string | undefined, t: string) => ({
    type: 'spans',
    attributes: {
      trace_id: trace,
      span_id: id,
      ...(parent ? { parent_id: parent } : {}),
      service: 'a',
      env: 'prod',
      start_timestamp: `2026-11-28T11:00:${t}.000Z`,
      retained_by: 'flat_sampled',
    },
  });

  it('counts the traces with a span on a partial page apart, in every file, and names the page', async () => {
    // Trace 1: root on the whole page, child on the partial page (whose grandchild Datadog left out).
    // Trace 2: only on the whole page, with a real orphan.
    write('in/page-1.json', JSON.stringify({ data: [span('1', '10', undefined, '00'), span('2', '21', '99', '01')] }));
    write(
      'in/page-2.json',
      JSON.stringify({
        data: [span('1', '12', '11', '02')],
        meta: { status: 'timeout', warnings: [{ code: 'slow', title: 'Query timed out', detail: 'partial' }] },
      }),
    );
    const r = await collect(['--input', 'in', '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.incompletePages).toEqual([
      { source: 'in/page-2.json', reason: 'meta.status "timeout", warning "slow: Query timed out: partial"' },
    ]);
    expect(report.totals).toMatchObject({
      spans: 3,
      traces: 2,
      excludedSpans: 2,
      excludedByReason: { incomplete_page: 2 },
    });
    expect(report.services.a).toMatchObject({ spans: 1, orphanSpans: 1, examples: { orphanSpans: ['2'] } });
    expect(r.stderr).toBe(
      'in/page-2.json: Datadog marked this page partial (meta.status "timeout", warning "slow: Query timed out: ' +
        'partial"); its traces are counted apart\n',
    );
    const md = await collect(['--input', 'in']);
    expect(md.stdout).toContain(
      '> **Incomplete input: in/page-2.json** — meta.status "timeout", warning "slow: Query timed out: partial". ' +
        'Datadog may have left spans out of this page; its traces are excluded.',
    );
  });

  it('refuses a --whole-traces-retained-by value that is not one (exit 2, the value)', async () => {
    write('in/a.json', '[]');
    const r = await collect(['--input', 'in', '--whole-traces-retained-by', 'flat_sampled,Flat Sampled']);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'trace-health: --whole-traces-retained-by: "Flat Sampled" is not a retained_by value (e.g. flat_sampled, ' +
        'diversity_sampling, retention_filter, or *)\n',
    });
  });
});
