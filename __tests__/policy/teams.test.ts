import fc from 'fast-check';
import { teamHandle, teamTag } from '../../src/policy';

describe('teamTag', () => {
  it.each([
    ['payments', 'team:payments'],
    ['Platform Eng', 'team:platform_eng'],
    ['platform_eng', 'team:platform_eng'],
    ['Data.Team', 'team:data.team'],
    ['web-team', 'team:web-team'],
    ['sre/oncall:eu', 'team:sre/oncall:eu'],
    ['  Ops  &  Infra  ', 'team:ops_infra'],
    ['Équipe Paiements', 'team:equipe_paiements'],
    ['Zürich SRE 日本', 'team:zurich_sre'],
    ['team:', 'team:team'],
    ['!!!', 'team:unnamed'],
  ])('%j → %s', (team, tag) => {
    expect(teamTag(team)).toBe(tag);
  });

  it('always gives a handle Datadog accepts: a-z 0-9 ._-:/, not ending in _ or :, at most 195 characters', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (team) => {
        const h = teamHandle(team);
        return /^[a-z0-9._\-:/]+$/.test(h) && !/[_:]$/.test(h) && h.length <= 195 && teamHandle(h) === h;
      }),
      { numRuns: 500 },
    );
  });
});
