/** Hand-built catalog services and resolved policies: constructs are tested without reading any file. */
import type { Service } from '../../src/catalog/model';
import type { ServicePolicy, TagRule } from '../../src/policy/model';
import { IntegrationMaps, resolveRouting } from '../../src/policy/routing';

export const RULES: readonly TagRule[] = [
  { tag: 'usr.id', scope: '@_top_level:1', slo: true },
  { tag: 'error.message', scope: 'status:error', slo: true },
  { tag: 'version', scope: '*', slo: false },
];

export function service(name: string, over: Partial<Service> = {}): Service {
  return {
    name,
    team: 'checkout',
    tier: '1',
    languages: ['go'],
    contacts: [],
    links: [],
    integrations: {},
    tags: [],
    dependsOn: [],
    schemaVersion: 'v3',
    source: { file: `catalog/${name}.yaml`, line: 1, col: 1 },
    ...over,
  };
}

/**
 * A resolved policy. Its routing is the policy `notify` handles alone (set `routing` to test catalog-derived
 * routes; src/policy/routing.ts has those tests).
 */
export function policy(name: string, over: Partial<ServicePolicy> = {}): ServicePolicy {
  const notify = over.notify ?? ['@slack-checkout-alerts'];
  return {
    service: name,
    team: 'checkout',
    tier: '1',
    enabled: true,
    stack: 'team-checkout',
    envs: ['prod'],
    requiredTags: RULES,
    orphanRate: { warning: 0.005, critical: 0.01 },
    tagCoverage: { warning: 0.98, critical: 0.95 },
    minSpans: 200,
    window: '1h',
    slo: { timeframe: '30d', target: 99.9, warning: 99.95 },
    notify,
    routing: resolveRouting({
      notify: notify.map((handle) => ({ handle, layer: 'teams.checkout' })),
      integrations: {},
      service: { contacts: [], integrations: {} },
    }),
    priority: 1,
    origin: {},
    ...over,
  };
}

/** `p` with the routing the policy resolver gives it for catalog entry `s` and the policy's `integrations`. */
export function withRouting(p: ServicePolicy, s: Service, integrations: IntegrationMaps = {}): ServicePolicy {
  return {
    ...p,
    routing: resolveRouting({
      notify: p.notify.map((handle) => ({ handle, layer: 'teams.checkout' })),
      integrations,
      service: s,
    }),
  };
}
