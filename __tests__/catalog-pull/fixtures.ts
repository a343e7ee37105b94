/**
 * The example roster as Datadog would hold it: v3 entities in the Software Catalog, v2.x definitions behind the
 * legacy Service Definition API, and one service (inventory-api) in both places (the v3 entity must win).
 */
import type { CatalogStore, FakeEntity, FakeServiceDefinition } from '../fake-datadog/routes/catalog';

export const API_KEY = 'fakeapikey0123456789abcdef0123456';
export const APP_KEY = 'fakeappkey0123456789abcdef0123456789abcd';

function v3Service(
  name: string,
  owner: string,
  tier: string,
  dependsOn: string[] = [],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    apiVersion: 'v3',
    kind: 'service',
    metadata: {
      name,
      owner,
      links: [{ name: 'Runbook', type: 'runbook', url: `https://runbooks.example.com/${name}` }],
      contacts: [{ name: 'On-call', type: 'slack', contact: `https://example.slack.com/archives/${owner}` }],
      tags: [`team:${owner}`],
    },
    spec: { tier, lifecycle: 'production', type: 'web', languages: ['go'], ...(dependsOn.length ? { dependsOn } : {}) },
    integrations: { pagerduty: { serviceURL: `https://example.pagerduty.com/service-directory/${name}` } },
    ...extra,
  };
}

function v3Entity(kind: string, name: string, owner: string): Record<string, unknown> {
  return { apiVersion: 'v3', kind, metadata: { name, owner }, spec: { lifecycle: 'production' } };
}

function legacy(version: string, name: string, team: string, tier?: string): Record<string, unknown> {
  const base: Record<string, unknown> = {
    'schema-version': version,
    'dd-service': name,
    team,
    contacts: [{ name: 'Team', type: 'email', contact: `${team}@example.com` }],
  };
  if (version === 'v2') {
    base.docs = [{ name: 'Runbook', url: `https://runbooks.example.com/${name}`, provider: 'confluence' }];
    base.integrations = { pagerduty: `https://example.pagerduty.com/service-directory/${name}` };
  } else {
    base.links = [{ name: 'Runbook', type: 'runbook', url: `https://runbooks.example.com/${name}` }];
    base.tier = tier;
    base.lifecycle = 'production';
  }
  if (version === 'v2.2') {
    base.type = 'web';
    base.languages = ['java'];
  }
  return base;
}

export function rosterEntities(): FakeEntity[] {
  const defs = [
    v3Service('web-gateway', 'platform', '1', ['service:checkout-api', 'service:auth-api', 'service:search-api']),
    v3Service('checkout-api', 'checkout', '1', [
      'service:payments-api',
      'service:inventory-api',
      'service:cart-service',
      'datastore:orders-db',
      'queue:order-events',
    ]),
    v3Service('cart-service', 'checkout', '2'),
    v3Service('billing', 'payments', '2'),
    v3Service('auth-api', 'identity', '1', ['service:user-profile']),
    // Also defined as a v2.2 definition below: this entity wins the merge.
    v3Service('inventory-api', 'checkout', '2', [], { extensions: { 'example.com/source': 'v3' } }),
    v3Entity('datastore', 'orders-db', 'checkout'),
    v3Entity('queue', 'order-events', 'checkout'),
    v3Entity('system', 'storefront', 'platform'),
  ];
  return defs.map((definition, i) => ({
    id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
    definition,
  }));
}

export function rosterDefinitions(): FakeServiceDefinition[] {
  const defs = [
    legacy('v2.2', 'inventory-api', 'checkout', '2'),
    legacy('v2.2', 'payments-api', 'payments', '1'),
    legacy('v2.1', 'payments-ledger', 'payments', '2'),
    legacy('v2', 'fraud-scorer', 'payments'),
    legacy('v2.1', 'user-profile', 'identity', '2'),
    legacy('v2', 'notification-worker', 'platform'),
    legacy('v2.2', 'search-api', 'data', '3'),
    legacy('v2.1', 'recommendations', 'data', '3'),
    legacy('v2', 'legacy-batch', 'data'),
  ];
  return defs.map((definition, i) => ({ id: `svcdef-${i + 1}`, definition }));
}

export const ROSTER_SERVICES = [
  'auth-api',
  'billing',
  'cart-service',
  'checkout-api',
  'fraud-scorer',
  'inventory-api',
  'legacy-batch',
  'notification-worker',
  'payments-api',
  'payments-ledger',
  'recommendations',
  'search-api',
  'user-profile',
  'web-gateway',
];

export function rosterStore(): CatalogStore {
  return {
    entities: rosterEntities(),
    definitions: rosterDefinitions(),
    keys: { apiKey: API_KEY, appKey: APP_KEY },
  };
}

/** `n` extra v3 services (`svc-000`…) for pagination tests. */
export function manyEntities(n: number): FakeEntity[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    definition: v3Service(`svc-${String(i).padStart(3, '0')}`, 'platform', '3'),
  }));
}

export function manyDefinitions(n: number): FakeServiceDefinition[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `svcdef-many-${i}`,
    definition: legacy('v2.1', `legacy-${String(i).padStart(3, '0')}`, 'data', '3'),
  }));
}
