import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/index';
import { memoryIo } from '../../src/cli/io';
import { loadCatalog, loadCatalogReport } from '../../src/catalog';
import { FakeDatadog } from '../fake-datadog/server';
import { CatalogStore, catalogRoutes } from '../fake-datadog/routes/catalog';
import { API_KEY, APP_KEY, manyEntities, ROSTER_SERVICES, rosterStore } from './fixtures';

const GOLDEN = path.join(__dirname, 'golden', 'roster-snapshot.json');
const ENTITY = '/api/v2/catalog/entity';
const DEFS = '/api/v2/services/definitions';

describe('trace-health catalog pull', () => {
  let dd: FakeDatadog;
  let store: CatalogStore;
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  let outputs: string[];

  beforeEach(async () => {
    store = rosterStore();
    dd = await FakeDatadog.start([catalogRoutes(store)]);
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'th-pull-'));
    env = { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, DD_HOST: dd.url, DD_SITE: 'datadoghq.eu' };
    outputs = [];
  });
  afterEach(async () => {
    await dd.stop();
    fs.rmSync(cwd, { recursive: true, force: true });
    // Whatever happened, no key ever reached the output or a file.
    for (const text of outputs) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(APP_KEY);
    }
  });

  async function run(args: string[], opts: { tty?: boolean; env?: NodeJS.ProcessEnv } = {}) {
    const io = memoryIo(opts.env ?? env, cwd);
    if (opts.tty) (io as { isTTY: boolean }).isTTY = true;
    const code = await main(['catalog', 'pull', ...args], io);
    outputs.push(io.stdout, io.stderr, ...listFiles(cwd).map((f) => fs.readFileSync(f, 'utf8')));
    return { code, stdout: io.stdout, stderr: io.stderr };
  }

  const out = () => path.join(cwd, 'catalog', 'snapshot.json');
  const read = () => fs.readFileSync(out(), 'utf8');

  it('writes a snapshot that synth can read, matching the golden file, and summarizes the pull', async () => {
    const r = await run(['--out', 'catalog/snapshot.json']);
    expect(r).toEqual({
      code: 0,
      stdout:
        [
          'Pulled 14 services and 3 other entities from datadoghq.eu (9 v3 entities, 9 legacy service definitions; ' +
            '2 requests, 0 retries).',
          'Defined both as a v3 entity and as a legacy service definition, the v3 entity is used: inventory-api.',
          'No previous snapshot: 14 services recorded.',
          'Wrote catalog/snapshot.json.',
        ].join('\n') + '\n',
      stderr: '',
    });
    if (process.env.UPDATE_GOLDEN) {
      fs.mkdirSync(path.dirname(GOLDEN), { recursive: true });
      fs.writeFileSync(GOLDEN, read());
    }
    expect(read()).toBe(fs.readFileSync(GOLDEN, 'utf8'));
    const catalog = loadCatalog(out());
    expect(catalog.services.map((s) => s.name)).toEqual(ROSTER_SERVICES);
    expect(catalog.entities.map((e) => `${e.kind}:${e.name}`)).toEqual([
      'queue:order-events',
      'datastore:orders-db',
      'system:storefront',
    ]);
    expect(catalog.services.find((s) => s.name === 'inventory-api')!.schemaVersion).toBe('v3');
    expect(read()).not.toMatch(/last-modified-time|modifiedAt|createdAt|127\.0\.0\.1/);
  });

  it('gives the same bytes on a second pull even when Datadog lists everything in another order', async () => {
    await run(['--out', 'catalog/snapshot.json']);
    const first = read();
    const mtime = fs.statSync(out()).mtimeMs;
    store.order = 'reversed';
    const r = await run(['--out', 'catalog/snapshot.json']);
    expect(r.code).toBe(0);
    expect(read()).toBe(first);
    expect(fs.statSync(out()).mtimeMs).toBe(mtime);
    expect(r.stdout).toContain('Services: 0 added, 0 removed, 0 changed.\ncatalog/snapshot.json is unchanged.\n');
  });

  it('lists services added, removed and changed since the last snapshot', async () => {
    await run(['--out', 'catalog/snapshot.json']);
    store.entities.push(...manyEntities(1));
    store.definitions = store.definitions.filter((d) => d.definition['dd-service'] !== 'legacy-batch');
    const cart = store.entities.find((e) => (e.definition.metadata as { name: string }).name === 'cart-service')!;
    (cart.definition.spec as Record<string, unknown>).tier = '1';
    store.entities = store.entities.filter((e) => (e.definition.metadata as { name: string }).name !== 'storefront');
    const r = await run(['--out', 'catalog/snapshot.json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'Services: 1 added (svc-000), 1 removed (legacy-batch), 1 changed (cart-service).\n' +
        'Other entities: 0 added, 1 removed (system:storefront), 0 changed.\n' +
        'Wrote catalog/snapshot.json.\n',
    );
  });

  it('writes nothing and exits 1 naming the missing services when too many disappear', async () => {
    await run(['--out', 'catalog/snapshot.json']);
    const before = read();
    store.definitions = store.definitions.filter(
      (d) => !['search-api', 'recommendations'].includes(d.definition['dd-service'] as string),
    );
    const r = await run(['--out', 'catalog/snapshot.json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'Pulled 12 services and 3 other entities from datadoghq.eu (9 v3 entities, 7 legacy service definitions; ' +
        '2 requests, 0 retries).\n' +
        'Defined both as a v3 entity and as a legacy service definition, the v3 entity is used: inventory-api.\n' +
        'trace-health: the catalog lost 2 of the 14 services in catalog/snapshot.json (14.3%, more than the 10% ' +
        'allowed by maxRemovalRatio): recommendations, search-api.\n' +
        'Nothing was written to catalog/snapshot.json. If these services were really removed, run again with ' +
        '--allow-removals; if not, the catalog read was incomplete (API errors, key scope, filters).\n',
    );
    expect(read()).toBe(before);

    const allowed = await run(['--out', 'catalog/snapshot.json', '--allow-removals']);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain(
      '--allow-removals: removing 2 services from catalog/snapshot.json.\n' +
        'Services: 0 added, 2 removed (recommendations, search-api), 0 changed.\n',
    );
    expect(loadCatalog(out()).services).toHaveLength(12);
  });

  it('writes nothing when the API returns no services at all (an empty catalog is a hiccup, not a decommission)', async () => {
    await run(['--out', 'catalog/snapshot.json']);
    const before = read();
    store.entities = [];
    store.definitions = [];
    const r = await run(['--out', 'catalog/snapshot.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the catalog lost 14 of the 14 services in catalog/snapshot.json (100%');
    expect(read()).toBe(before);
  });

  it('refuses to start from an empty catalog unless told to', async () => {
    store.entities = [];
    store.definitions = [];
    const r = await run(['--out', 'catalog/snapshot.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'Pulled 0 services and 0 other entities from datadoghq.eu (0 v3 entities, 0 legacy service definitions; ' +
        '2 requests, 0 retries).\n' +
        'trace-health: Datadog returned no services from datadoghq.eu; nothing was written to catalog/snapshot.json. ' +
        "Check DD_SITE / DD_HOST and the keys' organisation, or run again with --allow-removals to write an empty " +
        'snapshot.\n',
    );
    expect(fs.existsSync(out())).toBe(false);
    const allowed = await run(['--out', 'catalog/snapshot.json', '--allow-removals']);
    expect(allowed.code).toBe(0);
    expect(read()).toBe(
      '{\n  "definitions": [],\n  "format": "trace-health/catalog-snapshot",\n  "site": "datadoghq.eu",\n  "version": 1\n}\n',
    );
  });

  it('takes --out and maxRemovalRatio from the policy file', async () => {
    fs.writeFileSync(
      path.join(cwd, 'trace-health.yaml'),
      'catalog: catalog/snapshot.json\nsite: datadoghq.eu\nmaxRemovalRatio: 0.2\n',
    );
    expect((await run([])).stdout).toContain('Wrote catalog/snapshot.json.');
    store.definitions = store.definitions.filter(
      (d) => !['search-api', 'recommendations'].includes(d.definition['dd-service'] as string),
    );
    const r = await run([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Services: 0 added, 2 removed (recommendations, search-api), 0 changed.');
  });

  it('exits 1 and writes nothing when a response stays truncated', async () => {
    await run(['--out', 'catalog/snapshot.json']);
    const before = read();
    dd.inject({ path: DEFS, truncate: true });
    const r = await run(['--out', 'catalog/snapshot.json', '--retries', '0']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^trace-health: GET \/api\/v2\/services\/definitions\?page\[size\]=100&page\[number\]=0&schema_version=v2\.2 failed after 1 attempt: the response body is not valid JSON \(\d+ bytes, truncated\?\): .+\n$/,
    );
    expect(read()).toBe(before);
    expect(fs.readdirSync(path.dirname(out()))).toEqual(['snapshot.json']);
  });

  it('says when it retries, and succeeds after a 429 with a reset hint', async () => {
    dd.inject({ path: ENTITY, status: 429, headers: { 'x-ratelimit-reset': '0' } });
    const r = await run(['--out', 'catalog/snapshot.json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'catalog pull: HTTP 429 on GET /api/v2/catalog/entity?page[offset]=0&page[limit]=100&include=schema; retry 1 in 0 ms\n',
    );
    expect(r.stdout).toContain('(9 v3 entities, 9 legacy service definitions; 3 requests, 1 retry)');
  });

  it('shows page progress on a terminal', async () => {
    const r = await run(['--out', 'catalog/snapshot.json'], { tty: true });
    expect(r.stderr).toBe(
      'catalog pull: v3 entities: page 1, 9 so far\ncatalog pull: legacy service definitions: page 1, 9 so far\n',
    );
  });

  it('exits 2 when a key is missing, before any request', async () => {
    const r = await run(['--out', 'x.json'], { env: { DD_HOST: dd.url, DD_APP_KEY: APP_KEY } });
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'trace-health: DD_API_KEY is not set: the catalog pull reads the Datadog API key and an application key ' +
        '(scope apm_service_catalog_read) from the environment only\n',
    });
    expect(dd.requests).toEqual([]);
  });

  it('exits 2 on an unknown DD_SITE', async () => {
    const r = await run(['--out', 'x.json'], { env: { ...env, DD_HOST: undefined, DD_SITE: 'datadog.com' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^trace-health: DD_SITE: "datadog\.com" is not a Datadog site \(known: /);
  });

  it('exits 2 on refused keys, without printing them', async () => {
    const r = await run(['--out', 'x.json'], { env: { ...env, DD_APP_KEY: 'a-wrong-application-key' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Datadog refused the keys (HTTP 403: Forbidden)');
    expect(r.stderr).not.toContain('a-wrong-application-key');
    expect(fs.existsSync(path.join(cwd, 'x.json'))).toBe(false);
  });

  it('exits 2 when --out is missing and there is no policy file to take it from', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'trace-health: --out FILE is required: there is no ./trace-health.yaml to take catalog: from ' +
        '(e.g. --out catalog/snapshot.json)\n',
    );
  });

  it("exits 2 when --out is missing and the policy's catalog is a folder", async () => {
    fs.writeFileSync(path.join(cwd, 'trace-health.yaml'), 'catalog: examples/catalog\n');
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'trace-health: --out FILE is required: catalog: in trace-health.yaml is "examples/catalog", not a snapshot ' +
        '.json (point catalog: at the snapshot, e.g. catalog/snapshot.json, or pass --out)\n',
    );
  });

  it('refuses to overwrite a file that is not a snapshot', async () => {
    fs.writeFileSync(path.join(cwd, 'billing.json'), '{"apiVersion":"v3"}');
    const r = await run(['--out', 'billing.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'trace-health: billing.json: exists and is not a catalog snapshot (no "format": ' +
        '"trace-health/catalog-snapshot"); not overwriting it. Choose another --out, or delete the file.\n',
    );
    expect(fs.readFileSync(path.join(cwd, 'billing.json'), 'utf8')).toBe('{"apiVersion":"v3"}');
    expect(dd.requests).toEqual([]);
  });

  it('replaces an invalid snapshot only with --allow-removals', async () => {
    const bad = '{"format": "trace-health/catalog-snapshot", "version": 99, "definitions": []}\n';
    fs.writeFileSync(path.join(cwd, 'snap.json'), bad);
    const r = await run(['--out', 'snap.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'snap.json: the existing snapshot is invalid, so removals cannot be checked against it; fix or delete it, or ' +
        'run again with --allow-removals\n',
    );
    expect(fs.readFileSync(path.join(cwd, 'snap.json'), 'utf8')).toBe(bad);
    const allowed = await run(['--out', 'snap.json', '--allow-removals']);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain(
      '--allow-removals: snap.json was invalid; replaced without checking for removals.\nWrote snap.json.\n',
    );
  });

  it('reads the existing snapshot as strict UTF-8: invalid bytes make it invalid, not U+FFFD in a name', async () => {
    const snapshot = (e: number[]) =>
      Buffer.concat([
        Buffer.from('{"format": "trace-health/catalog-snapshot", "version": 1,\n "definitions": ['),
        Buffer.from('{"schema-version": "v2", "dd-service": "caf'),
        Buffer.from(e),
        Buffer.from('"}]}\n'),
      ]);
    fs.writeFileSync(path.join(cwd, 'valid.json'), snapshot([0x65]));
    expect(loadCatalog(path.join(cwd, 'valid.json')).services.map((s) => s.name)).toEqual(['cafe']);
    const bad = snapshot([0xe9]);
    fs.writeFileSync(path.join(cwd, 'snap.json'), bad);
    const r = await run(['--out', 'snap.json']);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'trace-health: snap.json:2:61: not valid UTF-8: byte 0xe9 at byte offset 118 (save the file as UTF-8)\n' +
        'snap.json: the existing snapshot is invalid, so removals cannot be checked against it; fix or delete it, or ' +
        'run again with --allow-removals\n',
    });
    expect(fs.readFileSync(path.join(cwd, 'snap.json'))).toEqual(bad);
    expect(dd.requests).toEqual([]);
  });

  it('exits 2 and writes nothing when Datadog holds an invalid definition', async () => {
    store.definitions[1].definition.tier = { nested: true };
    const r = await run(['--out', 'catalog/snapshot.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^trace-health: Datadog catalog \(datadoghq\.eu\): .*service:payments-api.*tier/);
    expect(r.stderr).toContain(
      'Datadog catalog (datadoghq.eu): invalid definitions; nothing was written to catalog/snapshot.json\n',
    );
    expect(fs.existsSync(out())).toBe(false);
  });

  it('accepts what Datadog accepted: schema deviations that change nothing generated are warnings naming it', async () => {
    const def = store.definitions.find((d) => d.definition['dd-service'] === 'payments-api')!.definition;
    delete def.tier;
    def.teir = '2'; // a typo Datadog kept: ignored, with a warning
    def.links = [{ name: 'Runbook', type: 'runbook', url: 'wiki/payments' }]; // no URL: left out
    def.type = 'grpc'; // outside the v2.2 list: Datadog's API takes any string; nothing to say
    const r = await run(['--out', 'catalog/snapshot.json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      [
        'warning: Datadog catalog (datadoghq.eu): definitions[9] (service:payments-api): links[0].url must be an ' +
          'absolute URL (https://…), got "wiki/payments"; ignored, as Datadog accepted this definition',
        'warning: Datadog catalog (datadoghq.eu): definitions[9] (service:payments-api): teir is not part of schema ' +
          'v2.2; did you mean tier?; ignored, as Datadog accepted this definition',
        '',
      ].join('\n'),
    );
    expect(r.stdout).toContain('Wrote catalog/snapshot.json.');
    // The snapshot reads the same way: warnings, and the service without the link.
    const report = loadCatalogReport(out());
    expect(report.problems).toEqual([]);
    expect(report.definitionWarnings.map((w) => w.message)).toEqual([
      'service:payments-api: links[0].url must be an absolute URL (https://…), got "wiki/payments"; ignored, as ' +
        'Datadog accepted this definition',
      'service:payments-api: teir is not part of schema v2.2; did you mean tier?; ignored, as Datadog accepted ' +
        'this definition',
    ]);
    const payments = report.catalog.services.find((s) => s.name === 'payments-api')!;
    expect([payments.links, payments.tier, payments.type]).toEqual([[], undefined, 'grpc']);
  });

  it('exits 2 on a bad --timeout or --retries', async () => {
    const r = await run(['--out', 'x.json', '--retries', '-1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "error: option '--retries <n>' argument '-1' is invalid. expected a whole number, 0 or more",
    );
    expect((await run(['--out', 'x.json', '--timeout', '0'])).code).toBe(2);
  });
});

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    return d.isDirectory() ? listFiles(full) : [full];
  });
}
