/** Hand-built catalog services and resolved policies: constructs are tested without reading any file. */
import type { Service } from '../../src/catalog/model';
import type { ServicePolicy, TagRule } from '../../src/policy/model';

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

export function policy(name: string, over: Partial<ServicePolicy> = {}): ServicePolicy {
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
    notify: ['@slack-checkout-alerts'],
    priority: 1,
    origin: {},
    ...over,
  };
}
