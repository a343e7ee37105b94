/**
 * Whatever the input, the readers either return a catalog or throw a UserError (exit 2, no stack trace): never a
 * TypeError from a shape we did not expect. And a valid catalog reads the same in any file order.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parseCatalogFiles, parseSnapshot, readCatalogFiles, validateDefinitions } from '../../src/catalog';
import { UserError } from '../../src/errors';

const anything = fc.anything({ maxDepth: 2, maxKeys: 3 });

function onlyUserErrors(read: () => unknown): void {
  try {
    read();
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    expect(e.message).not.toMatch(/\n\s+at /); // no stack trace in what the user sees
  }
}

/** YAML-looking text: the tokens that trip parsers (indentation, tabs, flow brackets, anchors, tags, quotes). */
const yamlish = fc
  .array(
    fc.constantFrom(
      'schema-version: v2\n',
      'schema-version: v2.1\n',
      'apiVersion: v3\n',
      'kind: service\n',
      'kind: datastore\n',
      'dd-service: a\n',
      'metadata:\n',
      '  name: a\n',
      'spec:\n',
      '  tier: ',
      '  dependsOn: ',
      'tier: ',
      'tags: ',
      'links:\n',
      '  - ',
      'name: x\n',
      'url: ',
      'https://x\n',
      '---\n',
      '\t',
      '  ',
      '[',
      ']',
      '{',
      '}',
      ',',
      ': ',
      '"',
      "'",
      '&a ',
      '*a',
      '!!binary ',
      '!tag ',
      '? ',
      '|\n',
      '>-\n',
      '#c\n',
      '\n',
      'null',
      '1',
      '~',
      '<<: *a\n',
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

/** Definitions of every version with any field possibly replaced by any value. */
const definition = fc
  .record({
    version: fc.constantFrom('v2', 'v2.1', 'v2.2', 'v3'),
    name: fc.oneof(fc.constantFrom('a', 'b', 'c'), anything),
    kind: fc.oneof(fc.constantFrom('service', 'service', 'datastore', 'queue'), anything),
    tier: fc.oneof(fc.constantFrom('1', '2', 3), anything),
    team: fc.oneof(fc.constant('t'), anything),
    tags: fc.oneof(fc.array(fc.string()), anything),
    links: fc.oneof(
      fc.array(fc.record({ name: fc.string(), type: fc.constantFrom('runbook', 'repo'), url: fc.webUrl() })),
      anything,
    ),
    pagerduty: fc.oneof(
      fc.webUrl(),
      fc.record({ 'service-url': fc.webUrl() }),
      fc.record({ serviceURL: fc.webUrl() }),
      anything,
    ),
    dependsOn: fc.oneof(fc.array(fc.constantFrom('service:a', 'datastore:d', 'b', 'x y')), anything),
    extra: fc.dictionary(fc.string(), anything, { maxKeys: 2 }),
  })
  .map((d): Record<string, unknown> => {
    if (d.version === 'v3')
      return {
        apiVersion: 'v3',
        kind: d.kind,
        metadata: { name: d.name, owner: d.team, tags: d.tags, links: d.links },
        spec: { tier: d.tier, dependsOn: d.dependsOn },
        integrations: { pagerduty: d.pagerduty },
        ...d.extra,
      };
    return {
      ...d.extra,
      'schema-version': d.version,
      'dd-service': d.name,
      team: d.team,
      ...(d.version === 'v2' ? {} : { tier: d.tier }),
      tags: d.tags,
      links: d.links,
      integrations: { pagerduty: d.pagerduty },
    };
  });

describe('reader robustness', () => {
  it('random YAML-looking text: a catalog or a UserError', () => {
    fc.assert(
      fc.property(fc.array(yamlish, { minLength: 1, maxLength: 3 }), (texts) => {
        const files = texts.map((text, i) => ({ path: `f${i}.yaml`, text }));
        expect(() => readCatalogFiles(files)).not.toThrow();
        onlyUserErrors(() => parseCatalogFiles(files));
      }),
      { numRuns: 300 },
    );
  });

  it('random unicode text: a catalog or a UserError', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        onlyUserErrors(() => parseCatalogFiles([{ path: 'x.yaml', text }]));
        onlyUserErrors(() => parseCatalogFiles([{ path: 'x.json', text }]));
      }),
    );
  });

  it('random definitions, as YAML, as JSON and in memory: a catalog or a UserError', () => {
    fc.assert(
      fc.property(fc.array(definition, { maxLength: 3 }), (defs) => {
        const yamlText = defs.map((d) => stringify(d)).join('---\n');
        onlyUserErrors(() => parseCatalogFiles([{ path: 'x.yaml', text: yamlText }]));
        onlyUserErrors(() => validateDefinitions(defs, 'API'));
        let json: string | undefined;
        try {
          json = JSON.stringify({ definitions: defs, format: 'trace-health/catalog-snapshot', version: 1 });
        } catch {
          json = undefined; // bigint and friends: not JSON, nothing to test
        }
        if (json !== undefined) onlyUserErrors(() => parseSnapshot('s.json', json));
      }),
      { numRuns: 150 },
    );
  });

  it('random JSON documents anywhere in a snapshot: a catalog or a UserError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        onlyUserErrors(() => parseSnapshot('s.json', JSON.stringify(a)));
        onlyUserErrors(() =>
          parseSnapshot(
            's.json',
            JSON.stringify({ format: 'trace-health/catalog-snapshot', version: 1, definitions: [a, b] }),
          ),
        );
      }),
    );
  });

  it('valid catalogs read the same in any file order', () => {
    const validService = fc.record({
      name: fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/),
      version: fc.constantFrom('v2', 'v2.1', 'v2.2', 'v3'),
      tier: fc.constantFrom('1', '2', '3'),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(validService, { selector: (s) => s.name, minLength: 1, maxLength: 8 }),
        fc.func(fc.integer()),
        (services, order) => {
          const files = services.map((s) => ({
            path: `${s.name}.yaml`,
            text:
              s.version === 'v3'
                ? stringify({ apiVersion: 'v3', kind: 'service', metadata: { name: s.name }, spec: { tier: s.tier } })
                : stringify({
                    'schema-version': s.version,
                    'dd-service': s.name,
                    ...(s.version === 'v2' ? {} : { tier: s.tier }),
                  }),
          }));
          const shuffled = [...files].sort((x, y) => order(x.path) - order(y.path));
          const a = JSON.stringify(parseCatalogFiles(files));
          expect(JSON.stringify(parseCatalogFiles(shuffled))).toBe(a);
          expect(parseCatalogFiles(files).services.map((s) => s.name)).toStrictEqual(
            services.map((s) => s.name).sort(),
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});
