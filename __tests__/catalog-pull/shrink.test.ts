import fc from 'fast-check';
import { checkShrink, DEFAULT_MAX_REMOVAL_RATIO, formatShrink } from '../../src/catalog/shrink';

const names = (n: number) => Array.from({ length: n }, (_, i) => `svc-${String(i).padStart(2, '0')}`);

describe('checkShrink', () => {
  it('allows removing exactly the ratio, not one more', () => {
    const ten = names(10);
    expect(checkShrink(ten, ten.slice(1), 0.1)).toEqual({ removed: ['svc-00'], ratio: 0.1, exceeded: false });
    expect(checkShrink(ten, ten.slice(2), 0.1)).toEqual({ removed: ['svc-00', 'svc-01'], ratio: 0.2, exceeded: true });
  });

  it('trips on 2 of the 14 roster services at the default 10%', () => {
    const roster = names(14);
    expect(checkShrink(roster, roster.slice(1), DEFAULT_MAX_REMOVAL_RATIO).exceeded).toBe(false);
    expect(checkShrink(roster, roster.slice(2), DEFAULT_MAX_REMOVAL_RATIO).exceeded).toBe(true);
  });

  it('trips on an empty catalog, and never on a first pull', () => {
    expect(checkShrink(names(3), [], 0.5)).toEqual({ removed: names(3), ratio: 1, exceeded: true });
    expect(checkShrink([], [], 0)).toEqual({ removed: [], ratio: 0, exceeded: false });
  });

  it('ignores additions and duplicates, and sorts the removed names', () => {
    expect(checkShrink(['b', 'a', 'b', 'c'], ['c', 'd', 'e'], 0)).toEqual({
      removed: ['a', 'b'],
      ratio: 2 / 3,
      exceeded: true,
    });
  });

  it('fails when maxRatio is not a ratio', () => {
    expect(() => checkShrink([], [], 1.5)).toThrow(new RangeError('maxRatio must be between 0 and 1, got 1.5'));
    expect(() => checkShrink([], [], Number.NaN)).toThrow(RangeError);
  });

  it('never trips on additions only, whatever the ratio (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string()),
        fc.array(fc.string()),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (prev, extra, r) => {
          const result = checkShrink(prev, [...prev, ...extra], r);
          return result.removed.length === 0 && result.ratio === 0 && !result.exceeded;
        },
      ),
    );
  });
});

describe('formatShrink', () => {
  it('names every missing service, what was not done and how to override', () => {
    const check = checkShrink(['a', 'b', 'c', 'd'], ['a'], 0.1);
    expect(
      formatShrink(check, {
        against: 'catalog/snapshot.json',
        previousCount: 4,
        maxRatio: 0.1,
        override: '--allow-removals',
        consequence: 'Nothing was written.',
      }),
    ).toBe(
      'the catalog lost 3 of the 4 services in catalog/snapshot.json (75%, more than the 10% allowed by ' +
        'maxRemovalRatio): b, c, d.\n' +
        'Nothing was written. If these services were really removed, run again with --allow-removals; if not, the ' +
        'catalog read was incomplete (API errors, key scope, filters).',
    );
  });

  it('speaks of one service in the singular', () => {
    const check = checkShrink(['a', 'b'], ['a'], 0);
    expect(
      formatShrink(check, {
        against: 'the review manifest',
        previousCount: 2,
        maxRatio: 0,
        override: '--allow-removals',
        consequence: 'Nothing was synthesized.',
      }),
    ).toContain('(50%, more than the 0% allowed by maxRemovalRatio): b.\nNothing was synthesized. If this service was');
  });
});
