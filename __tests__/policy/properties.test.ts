import fc from 'fast-check';
import { stringify } from 'yaml';
import { UserErrors } from '../../src/errors';
import { parsePolicy, resolvePolicy } from '../../src/policy';
import { catalogOf, service } from './helpers';

const CATALOG = catalogOf([service('a', 'x', '1'), service('b', undefined, '3')]);

describe('policy properties', () => {
  it('never fails with anything but located UserErrors, whatever the file holds', () => {
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null)),
      node: fc.oneof(
        { depthSize: 'small' },
        tie('leaf'),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(
          fc.constantFrom('catalog', 'defaults', 'tiers', 'orphanRate', 'warning', 'critical', 'notify', '1', 'x'),
          tie('node'),
          { maxKeys: 4 },
        ),
      ),
    })).node;
    fc.assert(
      fc.property(
        fc.oneof(
          value.map((v) => stringify(v)),
          // YAML punctuation soup: anchors, aliases, tags, flow collections, block scalars, directives
          fc
            .array(
              fc.constantFrom(...'&*!|>-:?{}[],#\'"% \n\t'.split(''), 'a', '1', '.', '@', '---', '<<', 'catalog'),
              {
                maxLength: 40,
              },
            )
            .map((parts) => parts.join('')),
          fc.string(),
        ),
        (text) => {
          try {
            resolvePolicy(parsePolicy('p.yaml', text), CATALOG);
          } catch (e) {
            if (!(e instanceof UserErrors)) throw e;
            for (const line of e.problems) expect(line).toMatch(/^p\.yaml:\d+:\d+: /);
          }
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
  });

  it('resolves the same policy whatever order the catalog lists services in', () => {
    const services = [
      service('a', 'x', '1'),
      service('b', 'y', '2'),
      service('c', undefined, '3'),
      service('d', 'x'),
      service('e', 'y', 'tier-1'),
    ];
    const doc = parsePolicy(
      'p.yaml',
      'catalog: c\ntiers: { "1": { minSpans: 5 } }\nteams: { x: { notify: ["@x"] } }\nservices: { c: { enabled: false } }\n',
    );
    const expected = JSON.stringify(resolvePolicy(doc, catalogOf(services)));
    fc.assert(
      fc.property(fc.shuffledSubarray(services, { minLength: services.length }), (shuffled) => {
        expect(JSON.stringify(resolvePolicy(doc, catalogOf(shuffled)))).toBe(expected);
      }),
      { numRuns: 50 },
    );
  });
});
