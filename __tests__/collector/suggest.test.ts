/**
 * `trace-health catalog suggest --from REPORT --out DIR`: drafts for the services a collect report saw sending
 * spans without a catalog definition — read back by our catalog reader and checked against Datadog's official
 * schemas (../shared/datadog-schema; that check skips only when the folder is absent).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { readCatalogFiles, formatProblems } from '../../src/catalog';
import { main } from '../../src/cli';
import { memoryIo } from '../../src/cli/io';
import { draftFileName } from '../../src/collector/suggest';
import { exampleRoot } from '../example-policy';

const SCHEMAS = path.resolve(__dirname, '../../../shared/datadog-schema/service-catalog');

async function run(args: string[], cwd: string) {
  const io = memoryIo({}, cwd);
  const code = await main(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

const line = (o: Record<string, unknown>) =>
  JSON.stringify({ env: 'prod', start_timestamp: '2026-11-28T12:00:00.000Z', trace_id: '1', ...o });
const SPANS = [
  line({
    span_id: '1',
    parent_id: '0',
    service: 'web-gateway',
    custom: { usr: { id: 'u' }, span: { kind: 'server' } },
  }),
  line({
    span_id: '2',
    parent_id: '1',
    service: 'web-gateway',
    custom: { span: { kind: 'client' }, peer: { service: 'shipping-api' } },
  }),
  line({
    span_id: '3',
    parent_id: '2',
    service: 'shipping-api',
    version: '0.3.0',
    custom: { span: { kind: 'server' }, language: 'jvm', 'runtime-id': 'r1', usr: { id: 'u' } },
  }),
  line({
    span_id: '4',
    parent_id: '3',
    service: 'shipping-api',
    custom: { span: { kind: 'client' }, peer: { service: 'payments-api' } },
  }),
  line({
    span_id: '5',
    parent_id: '3',
    service: 'shipping-api',
    custom: { span: { kind: 'client' }, peer: { service: 'shipping-db' } },
  }),
].join('\n');

const DRAFT = `# Draft Service Catalog definition for shipping-api, written by \`trace-health catalog suggest\` from report.json:
# the service sends spans but has no catalog definition, so no monitor, dashboard or SLO watches it.
# Review it (owner, tier, lifecycle, links, contacts), then add it to the catalog in a pull request.
# Also called, not services in the report (add them as datastore:/queue: entries if they are): shipping-db
apiVersion: v3
kind: service
metadata:
  name: shipping-api
  # owner: TEAM  <- left for a person to fill: the team that owns shipping-api (its Datadog team handle).
  #   trace-health cannot know it; until it is set, the service gets monitors routed to team "unowned".
spec:
  languages:
    - java
  dependsOn:
    - service:payments-api
extensions:
  trace-health/observed:
    tracers:
      - datadog
    spans: 3
    calls:
      - shipping-db
`;

describe('catalog suggest', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'suggest-'));
    fs.writeFileSync(path.join(dir, 'spans.ndjson'), `${SPANS}\n`);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function report(): Promise<string> {
    const file = path.join(dir, 'report.json');
    // With the bundled policy: its catalog decides what is missing.
    const r = await run(
      ['collect', '--input', path.join(dir, 'spans.ndjson'), '--format', 'json', '--out', file],
      exampleRoot(),
    );
    expect(r.code).toBe(0);
    return file;
  }

  it('drafts a v3 definition for each service not in the catalog: name, languages, tracers, dependsOn; owner left to fill', async () => {
    await report();
    const r = await run(['catalog', 'suggest', '--from', 'report.json', '--out', 'drafts'], dir);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      0,
      '',
      'wrote 1 draft definition to drafts: shipping-api.yaml — fill in each owner, review, then add them to the catalog\n',
    ]);
    const text = fs.readFileSync(path.join(dir, 'drafts/shipping-api.yaml'), 'utf8');
    expect(text).toBe(DRAFT);
    // Our catalog reader takes it as it is (only the owner is missing, which is a warning).
    const read = readCatalogFiles([{ path: 'drafts/shipping-api.yaml', text }]);
    expect(formatProblems(read.problems)).toEqual([]);
    // Read alone, payments-api is not in this one-file catalog; next to the catalog it is.
    expect(formatProblems(read.warnings)).toEqual([
      'drafts/shipping-api.yaml:5:1: service shipping-api has no team (v2.x team, v3 metadata.owner)',
      'drafts/shipping-api.yaml:5:1: shipping-api depends on service:payments-api, which is not in the catalog',
    ]);
    expect(read.catalog.services.map((s) => [s.name, s.dependsOn])).toEqual([
      ['shipping-api', ['service:payments-api']],
    ]);
  });

  (fs.existsSync(SCHEMAS) ? it : it.skip)('writes drafts valid against the official v3 service schema', async () => {
    await report();
    await run(['catalog', 'suggest', '--from', 'report.json', '--out', 'drafts'], dir);
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addFormat('email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/);
    ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:\/\/\S+$/i);
    for (const f of fs.readdirSync(path.join(SCHEMAS, 'v3')))
      ajv.addSchema(JSON.parse(fs.readFileSync(path.join(SCHEMAS, 'v3', f), 'utf8')) as object);
    const validate = ajv.getSchema(
      'https://raw.githubusercontent.com/DataDog/schema/main/service-catalog/v3/service.schema.json',
    ) as ValidateFunction;
    const doc: unknown = parse(fs.readFileSync(path.join(dir, 'drafts/shipping-api.yaml'), 'utf8'));
    expect([validate(doc), validate.errors ?? null]).toEqual([true, null]);
  });

  it('says so when no service is missing from the catalog (exit 0, nothing written)', async () => {
    const r0 = await run(
      ['collect', '--input', 'examples/spans/', '--format', 'json', '--out', path.join(dir, 'full.json')],
      exampleRoot(),
    );
    expect(r0.code).toBe(0);
    const r = await run(['catalog', 'suggest', '--from', 'full.json', '--out', 'drafts'], dir);
    expect([r.code, r.stderr]).toEqual([
      0,
      'full.json: no service missing from the catalog (services are checked against the catalog when collect runs with a policy)\n',
    ]);
    expect(fs.existsSync(path.join(dir, 'drafts'))).toBe(false);
  });

  it.each([
    [() => undefined, 'missing.json', 'trace-health: missing.json: no such file'],
    [
      (d: string) => fs.writeFileSync(path.join(d, 'bad.json'), '{"window": {},\n  "totals": [1,]}'),
      'bad.json',
      'trace-health: bad.json:2:15: invalid JSON (trailing comma before "]" (JSON allows none))',
    ],
    [
      (d: string) => {
        const r = JSON.parse(fs.readFileSync(path.join(d, 'report.json'), 'utf8'));
        r.findings[0].severity = 'high';
        fs.writeFileSync(path.join(d, 'edited.json'), JSON.stringify(r));
      },
      'edited.json',
      'trace-health: edited.json: findings[0].severity: "high" must be equal to one of the allowed values (critical, warning, info) — not a report of `trace-health collect --format json`',
    ],
    [
      (d: string) => fs.writeFileSync(path.join(d, 'policy.json'), '{"catalog": "x"}'),
      'policy.json',
      'trace-health: policy.json: (top level): {"catalog":"x"} must have required property \'window\' — not a report of `trace-health collect --format json`',
    ],
  ])('bad input → exit 2 with the file and the value, nothing written (%#)', async (make, file, message) => {
    await report();
    make(dir);
    const r = await run(['catalog', 'suggest', '--from', file, '--out', 'drafts'], dir);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `${message}\n`]);
    expect(fs.existsSync(path.join(dir, 'drafts'))).toBe(false);
  });

  it('turns any service name into a file name inside the output folder', () => {
    const taken = new Set<string>();
    expect(['../etc/passwd', '.hidden', 'a/b', 'A/B', 'ok-1.2_x'].map((n) => draftFileName(n, taken))).toEqual([
      '__etc_passwd.yaml',
      '_hidden.yaml',
      'a_b.yaml',
      'A_B-2.yaml',
      'ok-1.2_x.yaml',
    ]);
  });
});
