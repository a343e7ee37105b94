/** Example services and resolved policies for dashboard tests (shapes of the bundled example catalog). */
import type { Service } from '../../src/catalog/model';
import type { ServicePolicy, TagRule } from '../../src/policy/model';

export const RULES: TagRule[] = [
  { tag: 'usr.id', scope: '@_top_level:1', slo: true },
  { tag: 'error.message', scope: 'status:error', slo: true },
  { tag: 'version', scope: '*', slo: false },
];

export function policyFor(service: string, team: string, overrides: Partial<ServicePolicy> = {}): ServicePolicy {
  return {
    service,
    team,
    tier: '2',
    enabled: true,
    stack: team,
    envs: ['prod'],
    requiredTags: RULES,
    orphanRate: { warning: 0.01, critical: 0.05 },
    tagCoverage: { warning: 0.98, critical: 0.95 },
    minSpans: 200,
    window: '1h',
    slo: { timeframe: '30d', target: 99, warning: 99.5 },
    notify: [],
    routing: { routes: [], dropped: [] },
    priority: 3,
    origin: {},
    ...overrides,
  };
}

export function serviceFor(name: string, team: string, overrides: Partial<Service> = {}): Service {
  return {
    name,
    team,
    tier: '2',
    languages: [],
    contacts: [],
    links: [],
    integrations: {},
    tags: [],
    dependsOn: [],
    schemaVersion: 'v3',
    source: { file: `examples/catalog/${name}.yaml`, line: 1, col: 1 },
    ...overrides,
  };
}

export const CHECKOUT_SERVICE = serviceFor('checkout-api', 'checkout', {
  tier: '1',
  languages: ['java'],
  links: [
    { name: 'Runbook', type: 'runbook', url: 'https://wiki.example.com/runbooks/checkout-api' },
    { name: 'Source', type: 'repo', url: 'https://github.com/example/checkout-api', provider: 'github' },
    { name: 'Design doc', type: 'doc', url: 'https://docs.example.com/checkout-api' },
  ],
  runbook: 'https://wiki.example.com/runbooks/checkout-api',
  dependsOn: ['datastore:orders-db', 'queue:order-events', 'service:cart-service', 'service:payments-api'],
});

export const CHECKOUT_POLICY = policyFor('checkout-api', 'checkout', {
  tier: '1',
  orphanRate: { warning: 0.01, critical: 0.01 },
  slo: { timeframe: '30d', target: 99.9, warning: 99.95 },
  priority: 1,
});

export const CHECKOUT_SLO_IDS = {
  continuity: '${datadog_service_level_objective.checkout-api_continuity.id}',
  'tag:usr.id': '${datadog_service_level_objective.checkout-api_tag_usr_id.id}',
  'tag:error.message': '${datadog_service_level_objective.checkout-api_tag_error_message.id}',
};

export const CHECKOUT_MONITOR_TAGS = ['service:checkout-api', 'team:checkout', 'env:prod', 'managed-by:trace-health'];

/** Overview roster: a subset of the example catalog, one disabled service. */
export const OVERVIEW_POLICIES: ServicePolicy[] = [
  policyFor('web-gateway', 'platform', { tier: '1' }),
  CHECKOUT_POLICY,
  policyFor('cart-service', 'checkout'),
  policyFor('payments-api', 'payments', { tier: '1' }),
  policyFor('notification-worker', 'platform', { tier: '3', requiredTags: [RULES[1], RULES[2]] }),
  policyFor('legacy-batch', 'data', { tier: '3', enabled: false }),
  policyFor('search-api', 'data', { tier: '3' }),
];
