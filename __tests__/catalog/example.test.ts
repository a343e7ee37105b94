/**
 * The bundled example catalog, normalized, is a golden file: any change to the reader or the examples shows up as
 * a reviewable diff. Regenerate with `UPDATE_GOLDEN=1 npx jest __tests__/catalog`.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadCatalog, parseCatalogFiles, parseSnapshot, summarizeCatalog } from '../../src/catalog';

const GOLDEN = path.join(__dirname, 'golden', 'example-catalog.json');
const EXAMPLES = 'examples/catalog';

function exampleFiles(): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = `${dir}/${name}`;
      if (statSync(p).isDirectory()) walk(p);
      else out.push({ path: p, text: readFileSync(p, 'utf8') });
    }
  };
  walk(EXAMPLES);
  return out;
}

/** A deterministic shuffle (mulberry32), so a failure can be reproduced. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let a = seed;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const render = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

describe('examples/catalog', () => {
  const catalog = loadCatalog(EXAMPLES);

  it('matches the golden file', () => {
    const actual = render(catalog);
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, actual);
    expect(actual).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('has the roster other areas rely on', () => {
    const roster = catalog.services.map((s) => [s.name, s.team, s.tier, s.schemaVersion]);
    expect(roster).toStrictEqual([
      ['auth-api', 'identity', '1', 'v3'],
      ['billing', 'payments', '2', 'v3'],
      ['cart-service', 'checkout', '2', 'v3'],
      ['checkout-api', 'checkout', '1', 'v3'],
      ['fraud-scorer', 'payments', '2', 'v2'],
      ['inventory-api', 'checkout', '2', 'v2.2'],
      ['legacy-batch', 'data', '3', 'v2'],
      ['notification-worker', 'platform', '3', 'v2'],
      ['payments-api', 'payments', '1', 'v2.2'],
      ['payments-ledger', 'payments', '2', 'v2.1'],
      ['recommendations', 'data', '3', 'v2.1'],
      ['search-api', 'data', '3', 'v2.2'],
      ['user-profile', 'identity', '2', 'v2.1'],
      ['web-gateway', 'platform', '1', 'v3'],
    ]);
    const deps = Object.fromEntries(
      catalog.services.filter((s) => s.dependsOn.length).map((s) => [s.name, s.dependsOn]),
    );
    expect(deps).toStrictEqual({
      'auth-api': ['service:user-profile'],
      'checkout-api': [
        'datastore:orders-db',
        'queue:order-events',
        'service:cart-service',
        'service:inventory-api',
        'service:payments-api',
      ],
      'web-gateway': ['service:auth-api', 'service:checkout-api', 'service:search-api'],
    });
    expect(catalog.entities.map((e) => `${e.kind}:${e.name}`)).toStrictEqual([
      'queue:order-events',
      'datastore:orders-db',
      'system:storefront',
    ]);
    expect(catalog.services.filter((s) => !s.runbook).map((s) => s.name)).toStrictEqual(['notification-worker']);
    expect(summarizeCatalog(catalog)).toStrictEqual({
      services: 14,
      entities: 3,
      bySchemaVersion: { v2: 3, 'v2.1': 3, 'v2.2': 3, v3: 5 },
      entitiesByKind: { datastore: 1, queue: 1, system: 1 },
      teams: ['checkout', 'data', 'identity', 'payments', 'platform'],
    });
  });

  it('reads the same whatever order the files are listed in', () => {
    const files = exampleFiles();
    const expected = render(catalog);
    for (const seed of [1, 2, 3, 4, 5]) expect(render(parseCatalogFiles(shuffled(files, seed)))).toBe(expected);
  });

  it('normalizes the path it was given (./x/ and x give the same source files)', () => {
    expect(render(loadCatalog(`./${EXAMPLES}/`))).toBe(render(catalog));
  });

  it('reads the same services from a snapshot of the same definitions (only source differs)', () => {
    const definitions = exampleFiles().flatMap((f) =>
      parseAllDocuments(f.text).map((d) => d.toJS() as Record<string, unknown>),
    );
    const text = render({ definitions, format: 'trace-health/catalog-snapshot', version: 1 });
    const fromSnapshot = parseSnapshot('catalog.snapshot.json', text);
    const strip = (c: typeof catalog) => ({
      services: c.services.map(({ source: _s, ...rest }) => rest),
      entities: c.entities.map(({ source: _s, ...rest }) => rest),
    });
    expect(strip(fromSnapshot)).toStrictEqual(strip(catalog));
    expect(new Set(fromSnapshot.services.map((s) => s.source.file))).toStrictEqual(new Set(['catalog.snapshot.json']));
  });
});
