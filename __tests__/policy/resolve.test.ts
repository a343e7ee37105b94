import { stringify } from 'yaml';
import { Policy, PolicyLayer, ServicePolicy, parsePolicy, resolvePolicy } from '../../src/policy';
import { catalogOf, entity, problemsOf, service } from './helpers';

/** checkout-api: team checkout, tier 1. cart-service: same team, tier 2. Others for name checks. */
const CATALOG = catalogOf(
  [
    service('checkout-api', 'checkout', '1'),
    service('cart-service', 'checkout', '2'),
    service('billing', 'payments', 'tier-2'),
    service('orphan-job'),
    service('Search_API', 'Data.Team', '3'),
  ],
  [entity('datastore', 'orders-db', 'checkout'), entity('system', 'storefront', 'platform')],
);

function resolve(policy: Record<string, unknown>, catalog = CATALOG): Policy {
  return resolvePolicy(parsePolicy('trace-health.yaml', stringify({ catalog: 'c', ...policy })), catalog);
}

function resolved(policy: Record<string, unknown>, name = 'checkout-api'): ServicePolicy {
  const found = resolve(policy).services.find((s) => s.service === name);
  if (!found) throw new Error(`no ${name}`);
  return found;
}

function setIn(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = key.split('.');
  if (rest.length === 0) target[head] = value;
  else setIn((target[head] ??= {}) as Record<string, unknown>, rest.join('.'), value);
  return target;
}

function getIn(source: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], source);
}

type Layer = 'defaults' | 'tier' | 'team' | 'service';
const LAYER_PATH: Record<Layer, string[]> = {
  defaults: ['defaults'],
  tier: ['tiers', '1'],
  team: ['teams', 'checkout'],
  service: ['services', 'checkout-api'],
};
const LAYER_NAME: Record<Layer, PolicyLayer> = {
  defaults: 'defaults',
  tier: 'tiers.1',
  team: 'teams.checkout',
  service: 'services.checkout-api',
};

// key → a distinct valid value per layer (chosen so that thresholds stay in order whichever wins).
const VALUES: Record<string, Record<Layer, unknown>> = {
  enabled: { defaults: false, tier: true, team: false, service: true },
  minSpans: { defaults: 10, tier: 20, team: 30, service: 40 },
  window: { defaults: '5m', tier: '15m', team: '4h', service: '1d' },
  'orphanRate.warning': { defaults: 0.001, tier: 0.002, team: 0.003, service: 0.004 },
  'orphanRate.critical': { defaults: 0.2, tier: 0.3, team: 0.4, service: 0.5 },
  'tagCoverage.warning': { defaults: 0.991, tier: 0.992, team: 0.993, service: 0.994 },
  'tagCoverage.critical': { defaults: 0.5, tier: 0.6, team: 0.7, service: 0.8 },
  'slo.timeframe': { defaults: '7d', tier: '90d', team: '30d', service: '90d' },
  'slo.target': { defaults: 90, tier: 91, team: 92, service: 93 },
  'slo.warning': { defaults: 99.6, tier: 99.7, team: 99.8, service: 99.9 },
};
const BUILTIN: Record<string, unknown> = {
  enabled: true,
  minSpans: 200,
  window: '1h',
  'orphanRate.warning': 0.01,
  'orphanRate.critical': 0.05,
  'tagCoverage.warning': 0.98,
  'tagCoverage.critical': 0.95,
  'slo.timeframe': '30d',
  'slo.target': 99,
  'slo.warning': 99.5,
};

// layers that set the key → the layer that must win
const PRECEDENCE: [Layer[], Layer | 'builtin'][] = [
  [[], 'builtin'],
  [['defaults'], 'defaults'],
  [['defaults', 'tier'], 'tier'],
  [['defaults', 'tier', 'team'], 'team'],
  [['defaults', 'tier', 'team', 'service'], 'service'],
  [['tier', 'service'], 'service'],
  [['defaults', 'team'], 'team'],
  [['tier'], 'tier'],
];

describe('resolvePolicy precedence: defaults < tier < team < service', () => {
  const rows = Object.keys(VALUES).flatMap((key) =>
    PRECEDENCE.map(([layers, winner]) => [key, layers.join('+') || '(none)', layers, winner] as const),
  );
  it.each(rows)('%s set in %s', (key, _label, layers, winner) => {
    const policy: Record<string, unknown> = {};
    for (const l of layers) {
      const [section, name] = LAYER_PATH[l];
      const layer = name === undefined ? policy : ((policy[section] ??= {}) as Record<string, unknown>);
      setIn(layer, name === undefined ? `${section}.${key}` : `${name}.${key}`, VALUES[key][l]);
    }
    const p = resolved(policy);
    expect(getIn(p, key)).toBe(winner === 'builtin' ? BUILTIN[key] : VALUES[key][winner]);
    expect(p.origin[key]).toBe(winner === 'builtin' ? 'builtin' : LAYER_NAME[winner]);
  });
});

describe('resolvePolicy', () => {
  it('gives one ServicePolicy per catalog service (not other entities), sorted by name, disabled ones included', () => {
    const p = resolve({ services: { 'cart-service': { enabled: false } } });
    expect(p.services.map((s) => [s.service, s.enabled])).toStrictEqual([
      ['Search_API', true],
      ['billing', true],
      ['cart-service', false],
      ['checkout-api', true],
      ['orphan-job', true],
    ]);
  });

  it('resolves the built-in defaults for a file with only a catalog', () => {
    const p = resolve({});
    expect({ ...p, services: p.services.length }).toStrictEqual({
      file: 'trace-health.yaml',
      catalog: 'c',
      site: 'datadoghq.com',
      envs: ['prod'],
      stacks: { by: 'team', backend: { type: 'local' } },
      entrypoints: [],
      validateMonitors: true,
      maxRemovalRatio: 0.1,
      integrations: {},
      services: 5,
      warnings: [],
    });
    expect(p.services.find((s) => s.service === 'cart-service')).toStrictEqual({
      service: 'cart-service',
      team: 'checkout',
      tier: '2',
      tierMatch: { tier: '2', builtinPriority: 2 },
      enabled: true,
      stack: 'team-checkout',
      envs: ['prod'],
      requiredTags: [
        { tag: 'usr.id', scope: '@_top_level:1', slo: true },
        { tag: 'error.message', scope: 'status:error', slo: true },
        { tag: 'version', scope: '*', slo: false },
      ],
      orphanRate: { warning: 0.01, critical: 0.05 },
      tagCoverage: { warning: 0.98, critical: 0.95 },
      minSpans: 200,
      window: '1h',
      slo: { timeframe: '30d', target: 99, warning: 99.5 },
      notify: [],
      routing: { routes: [], dropped: [] },
      priority: 2,
      origin: {
        enabled: 'builtin',
        minSpans: 'builtin',
        window: 'builtin',
        'orphanRate.warning': 'builtin',
        'orphanRate.critical': 'builtin',
        'tagCoverage.warning': 'builtin',
        'tagCoverage.critical': 'builtin',
        'slo.timeframe': 'builtin',
        'slo.target': 'builtin',
        'slo.warning': 'builtin',
        requiredTags: 'builtin',
        'requiredTags[0]': 'builtin',
        'requiredTags[1]': 'builtin',
        'requiredTags[2]': 'builtin',
        notify: 'builtin',
        priority: 'builtin.tiers.2',
      },
    });
  });

  it('keeps top-level settings', () => {
    const p = resolve({
      site: 'datadoghq.eu',
      envs: ['prod', 'staging'],
      entrypoints: ['checkout-api', 'billing'],
      validateMonitors: false,
      maxRemovalRatio: 0.25,
      stacks: { by: 'service', backend: { type: 'gcs', bucket: 'tf-state' } },
    });
    expect([p.site, p.envs, p.entrypoints, p.validateMonitors, p.maxRemovalRatio, p.stacks]).toStrictEqual([
      'datadoghq.eu',
      ['prod', 'staging'],
      ['billing', 'checkout-api'],
      false,
      0.25,
      { by: 'service', backend: { type: 'gcs', bucket: 'tf-state' } },
    ]);
    expect(p.services[0].envs).toStrictEqual(['prod', 'staging']);
  });

  it('merges notify across layers (union, sorted), crediting each handle to the least specific layer', () => {
    const p = resolved({
      defaults: { notify: ['@slack-trace-health'] },
      tiers: { '1': { notify: ['@pagerduty-tier1'] } },
      teams: { checkout: { notify: ['@slack-checkout', '@slack-trace-health'] } },
      services: { 'checkout-api': { notify: ['@alice@example.com'] } },
    });
    expect(p.notify).toStrictEqual([
      '@alice@example.com',
      '@pagerduty-tier1',
      '@slack-checkout',
      '@slack-trace-health',
    ]);
    expect([0, 1, 2, 3].map((i) => p.origin[`notify[${i}]`])).toStrictEqual([
      'services.checkout-api',
      'tiers.1',
      'teams.checkout',
      'defaults',
    ]);
    expect(p.origin.notify).toBe('services.checkout-api');
  });

  it('replaces requiredTags per layer and adds extraRequiredTags (same tag and scope: the later one wins)', () => {
    const policy = {
      defaults: { requiredTags: [{ tag: 'usr.id', scope: '@_top_level:1', slo: true }, { tag: 'version' }] },
      teams: { checkout: { extraRequiredTags: [{ tag: 'cart.id', scope: '@_top_level:1' }] } },
      services: {
        'checkout-api': { extraRequiredTags: [{ tag: 'version', slo: true }] },
        'cart-service': { requiredTags: [{ tag: 'error.type', scope: 'status:error' }] },
      },
    };
    const checkout = resolved(policy);
    expect(checkout.requiredTags).toStrictEqual([
      { tag: 'usr.id', scope: '@_top_level:1', slo: true },
      { tag: 'version', scope: '*', slo: true },
      { tag: 'cart.id', scope: '@_top_level:1', slo: false },
    ]);
    expect([0, 1, 2].map((i) => checkout.origin[`requiredTags[${i}]`])).toStrictEqual([
      'defaults',
      'services.checkout-api',
      'teams.checkout',
    ]);
    // a service's own requiredTags replace everything inherited, the team's extra tag included
    expect(resolved(policy, 'cart-service').requiredTags).toStrictEqual([
      { tag: 'error.type', scope: 'status:error', slo: false },
    ]);
  });

  it('merges objects per key: a tier critical keeps the default warning', () => {
    const p = resolved({
      defaults: { orphanRate: { warning: 0.001, critical: 0.05 } },
      tiers: { '1': { orphanRate: { critical: 0.01 } } },
    });
    expect(p.orphanRate).toStrictEqual({ warning: 0.001, critical: 0.01 });
    expect([p.origin['orphanRate.warning'], p.origin['orphanRate.critical']]).toStrictEqual(['defaults', 'tiers.1']);
  });

  it('matches tiers as written and as "tierN" / "tier-N", both ways', () => {
    const p = resolve({ tiers: { tier1: { minSpans: 11 }, '2': { minSpans: 22 } } });
    const min = (name: string) => p.services.find((s) => s.service === name)?.minSpans;
    expect([min('checkout-api'), min('billing'), min('cart-service'), min('orphan-job')]).toStrictEqual([
      11, 22, 22, 200,
    ]);
  });

  it('derives the priority from the tier (built-in P1/P2/P3, untiered P3); a tier no rule covers ranks P1, with a warning', () => {
    const catalog = catalogOf([
      service('a', 't', '1'),
      service('b', 't', 'tier-2'),
      service('c', 't', '3'),
      service('d', 't'),
      service('e', 't', 'critical'),
      service('f', 't', '0'),
      service('g', 't', '0'),
    ]);
    const p = resolvePolicy(parsePolicy('p.yaml', 'catalog: c\n'), catalog);
    expect(p.services.map((s) => [s.service, s.priority, s.origin.priority])).toStrictEqual([
      ['a', 1, 'builtin.tiers.1'],
      ['b', 2, 'builtin.tiers.2'],
      ['c', 3, 'builtin.tiers.3'],
      ['d', 3, 'builtin'],
      ['e', 1, 'unranked-tier'],
      ['f', 1, 'unranked-tier'],
      ['g', 1, 'unranked-tier'],
    ]);
    expect(p.warnings).toStrictEqual([
      'tier "critical" (e): no tiers rule covers it, so its thresholds come from defaults and it ranks P1 like the ' +
        'most urgent tier; add tiers."critical" with a priority, or list "critical" in a tier\'s aliases',
      'tier "0" (f, g): no tiers rule covers it, so its thresholds come from defaults and it ranks P1 like the most ' +
        'urgent tier; add tiers."0" with a priority, or list "0" in a tier\'s aliases',
    ]);
  });

  it('tier rules set the priority explicitly, and aliases bring other spellings under a rule', () => {
    const catalog = catalogOf([
      service('zero', 't', '0'),
      service('p1', 't', 'P1'),
      service('one', 't', 'tier-1'),
      service('high', 't', 'high'),
      service('low', 't', 'three'),
      service('crit', 't', 'critical'),
    ]);
    const p = resolvePolicy(
      parsePolicy(
        'p.yaml',
        [
          'catalog: c',
          'defaults: { priority: 4 }',
          'tiers:',
          "  '1': { aliases: ['0', p1], minSpans: 10 }",
          '  high: { priority: 2 }',
          "  '3': { aliases: [three], priority: 5 }",
          '  critical: { minSpans: 20 }',
          '',
        ].join('\n'),
      ),
      catalog,
    );
    expect(p.services.map((s) => [s.service, s.priority, s.origin.priority, s.minSpans])).toStrictEqual([
      ['crit', 1, 'unranked-tier', 20],
      ['high', 2, 'tiers.high', 200],
      ['low', 5, 'tiers.3', 200],
      ['one', 1, 'builtin.tiers.1', 10],
      ['p1', 1, 'builtin.tiers.1', 10],
      ['zero', 1, 'builtin.tiers.1', 10],
    ]);
    expect(p.warnings).toStrictEqual([
      'tier "critical" (crit): tiers.critical sets no priority, so it ranks P1 like the most urgent tier; set ' +
        'tiers.critical.priority',
    ]);
  });

  it('an unranked tier ranks with the most urgent priority the rules give, and a team layer still overrides it', () => {
    const catalog = catalogOf([service('a', 'ops', 'gold'), service('b', 'web', 'gold'), service('c', 'web', '2')]);
    const p = resolvePolicy(
      parsePolicy('p.yaml', "catalog: c\ntiers: { '2': { priority: 2 } }\nteams: { ops: { priority: 5 } }\n"),
      catalog,
    );
    expect(p.services.map((s) => [s.service, s.priority, s.origin.priority])).toStrictEqual([
      ['a', 5, 'teams.ops'],
      ['b', 1, 'unranked-tier'],
      ['c', 2, 'tiers.2'],
    ]);
    expect(p.warnings).toStrictEqual([
      'tier "gold" (a, b): no tiers rule covers it, so its thresholds come from defaults and it ranks P1 like the ' +
        'most urgent tier; add tiers."gold" with a priority, or list "gold" in a tier\'s aliases',
    ]);
  });

  it.each([
    ['team', ['team-data-team', 'team-payments', 'team-checkout', 'team-checkout', 'team-unowned']],
    [
      'service',
      ['service-search-api', 'service-billing', 'service-cart-service', 'service-checkout-api', 'service-orphan-job'],
    ],
    ['single', ['all', 'all', 'all', 'all', 'all']],
  ])('names stacks by %s ([a-z0-9-], team-unowned for services without a team)', (by, stacks) => {
    const p = resolve({ stacks: { by } });
    expect(p.services.map((s) => s.stack)).toStrictEqual(stacks);
    expect(p.services.find((s) => s.service === 'orphan-job')?.team).toBe('unowned');
  });

  it('fails when services, teams or entrypoints named in the policy are absent from the catalog', () => {
    const text = [
      'catalog: c',
      'entrypoints: [checkout-api, checkout-apl, orders-db]',
      'teams:',
      '  checkout: {}',
      '  paymnts: { notify: ["@x"] }',
      '  platform: {}',
      '  nobody-at-all: {}',
      'services:',
      '  billing: {}',
      '  biling: {}',
      '  storefront: {}',
      '',
    ].join('\n');
    expect(problemsOf(() => resolvePolicy(parsePolicy('trace-health.yaml', text), CATALOG))).toStrictEqual([
      'trace-health.yaml:2:29: entrypoints[1]: "checkout-apl" is not a service in the catalog (did you mean "checkout-api"?)',
      'trace-health.yaml:2:43: entrypoints[2]: "orders-db" is a datastore in the catalog, not a service',
      'trace-health.yaml:5:3: teams.paymnts: "paymnts" is not a team in the catalog (did you mean "payments"?)',
      'trace-health.yaml:7:3: teams.nobody-at-all: "nobody-at-all" is not a team in the catalog',
      'trace-health.yaml:10:3: services.biling: "biling" is not a service in the catalog (did you mean "billing"?)',
      'trace-health.yaml:11:3: services.storefront: "storefront" is a system in the catalog, not a service',
    ]);
  });

  it('fails when a tiers key matches no catalog tier, listing the tiers the catalog has', () => {
    const text = 'catalog: c\ntiers:\n  "1": {}\n  tier-2: {}\n  "4": { minSpans: 5 }\n  critical: {}\n';
    expect(problemsOf(() => resolvePolicy(parsePolicy('trace-health.yaml', text), CATALOG))).toStrictEqual([
      'trace-health.yaml:5:3: tiers.4: no catalog service has tier "4" (tiers in the catalog: 1, 2, 3)',
      'trace-health.yaml:6:3: tiers.critical: no catalog service has tier "critical" (tiers in the catalog: 1, 2, 3)',
    ]);
    const untiered = catalogOf([service('a', 'x')]);
    expect(
      problemsOf(() => resolvePolicy(parsePolicy('p.yaml', 'catalog: c\ntiers: { "1": {} }\n'), untiered)),
    ).toStrictEqual(['p.yaml:2:10: tiers.1: no catalog service has tier "1" (no catalog service has a tier)']);
  });

  it('fails when two spellings of a team would share one stack and one team tag, naming both and the stack', () => {
    const catalog = catalogOf([
      service('a-api', 'Platform Eng', '1'),
      service('b-api', 'platform_eng', '1'),
      service('c-api', 'Platform Eng', '2'),
      service('d-api', 'checkout', '2'),
    ]);
    expect(problemsOf(() => resolve({}, catalog))).toStrictEqual([
      'catalog/b-api.yaml:1:1: teams "Platform Eng" (service a-api) and "platform_eng" (service b-api) would share ' +
        'stack "team-platform-eng" and the tag team:platform_eng; write the team the same way in every catalog entry',
    ]);
    // Per-team stacks only: `a.b` and `a-b` are different team tags but the same stack.
    const dotted = catalogOf([service('x', 'a.b'), service('y', 'a-b')]);
    expect(problemsOf(() => resolve({}, dotted))).toStrictEqual([
      'catalog/y.yaml:1:1: teams "a.b" (service x) and "a-b" (service y) would share stack "team-a-b"; write the ' +
        'team the same way in every catalog entry',
    ]);
    expect(resolve({ stacks: { by: 'single' } }, dotted).services.map((s) => s.team)).toStrictEqual(['a.b', 'a-b']);
    // Different stacks (`é` is not a stack character) but one tag (`é` loses its accent in a handle).
    const accented = catalogOf([service('x', 'Équipe'), service('y', 'equipe')]);
    expect(problemsOf(() => resolve({}, accented))).toStrictEqual([
      'catalog/y.yaml:1:1: teams "Équipe" (service x) and "equipe" (service y) would share the tag team:equipe; ' +
        'write the team the same way in every catalog entry',
    ]);
  });

  it('fails on teams that Datadog would tag alike even when stacks are not per team', () => {
    const catalog = catalogOf([service('x', 'Web Team'), service('y', 'web_team'), service('z', 'WEB-team')]);
    expect(problemsOf(() => resolve({ stacks: { by: 'single' } }, catalog))).toStrictEqual([
      'catalog/y.yaml:1:1: teams "Web Team" (service x) and "web_team" (service y) would share the tag ' +
        'team:web_team; write the team the same way in every catalog entry',
    ]);
  });

  it('fails when two service names would share one stack (stacks.by: service)', () => {
    const catalog = catalogOf([service('search-api', 'data'), service('Search_API', 'data'), service('b', 'data')]);
    expect(problemsOf(() => resolve({ stacks: { by: 'service' } }, catalog))).toStrictEqual([
      'catalog/search-api.yaml:1:1: services "Search_API" and "search-api" would share stack "service-search-api"; ' +
        'rename one in the catalog',
    ]);
  });

  it('accepts teams.unowned when some service has no team, and teams that own only non-service entities', () => {
    const p = resolve({ teams: { unowned: { notify: ['@slack-orphans'] }, platform: {} } });
    expect(p.services.find((s) => s.service === 'orphan-job')?.notify).toStrictEqual(['@slack-orphans']);
  });

  it('fails when merging layers puts thresholds out of order, naming both layers and the services', () => {
    const text = [
      'catalog: c',
      'defaults:',
      '  orphanRate: { warning: 0.02 }',
      '  slo: { target: 99.9 }',
      'tiers:',
      '  "2": { orphanRate: { critical: 0.01 } }',
      'teams:',
      '  payments: { tagCoverage: { warning: 0.9 } }',
      'services:',
      '  checkout-api: { slo: { warning: 99.95 } }',
      '',
    ].join('\n');
    expect(problemsOf(() => resolvePolicy(parsePolicy('trace-health.yaml', text), CATALOG))).toStrictEqual([
      'trace-health.yaml:4:18: defaults.slo.target: 99.9 is not below slo.warning 99.5 set in the built-in default ' +
        '(for Search_API, billing, cart-service, orphan-job)',
      'trace-health.yaml:6:34: tiers.2.orphanRate.critical: 0.01 is not above orphanRate.warning 0.02 set in defaults ' +
        '(for billing, cart-service)',
      'trace-health.yaml:8:39: teams.payments.tagCoverage.warning: 0.9 is not above tagCoverage.critical 0.95 set in ' +
        'the built-in default (for billing)',
    ]);
  });
});

describe('resolvePolicy with names that are also JavaScript object keys', () => {
  it('does not take Object.prototype members for policy layers', () => {
    const catalog = catalogOf([service('constructor', 'toString', '1'), service('hasOwnProperty')]);
    const p = resolvePolicy(
      parsePolicy('p.yaml', 'catalog: c\nservices: { hasOwnProperty: { minSpans: 7 } }\n'),
      catalog,
    );
    expect(p.services.map((s) => [s.service, s.minSpans, s.origin.minSpans, s.stack])).toStrictEqual([
      ['constructor', 200, 'builtin', 'team-tostring'],
      ['hasOwnProperty', 7, 'services.hasOwnProperty', 'team-unowned'],
    ]);
  });
});
