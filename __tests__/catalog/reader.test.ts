import {
  definitionRef,
  Entity,
  normalizeDefinition,
  normalizeRef,
  parseCatalogFiles,
  Service,
  validateDefinitions,
} from '../../src/catalog';
import { UserErrors } from '../../src/errors';

const one = (path: string, text: string) => parseCatalogFiles([{ path, text }]);
const service = (path: string, text: string): Service => {
  const catalog = one(path, text);
  expect(catalog.services).toHaveLength(1);
  return catalog.services[0];
};

describe('schema v2', () => {
  const text = `schema-version: v2
dd-service: fraud-scorer
team: payments
contacts:
  - { name: On-call, type: slack, contact: "https://x.slack.com/archives/C1" }
  - { type: email, contact: pay@example.com }
links:
  - { name: Runbook, type: runbook, url: "https://wiki/rb" }
repos:
  - { name: Source, provider: GitHub, url: "https://github.com/o/fraud" }
docs:
  - { name: Design, url: "https://docs/fraud" }
tags: [tier:2, domain:payments, domain:payments]
integrations:
  pagerduty: https://o.pagerduty.com/service-directory/PFRAUD
  opsgenie: { service-url: "https://o.app.opsgenie.com/service/abc", region: US }
`;
  it('normalizes every field; repos and docs become links; the tier comes from the tier: tag', () => {
    expect(service('a/fraud.yaml', text)).toStrictEqual({
      name: 'fraud-scorer',
      team: 'payments',
      tier: '2',
      languages: [],
      contacts: [
        { type: 'slack', contact: 'https://x.slack.com/archives/C1', name: 'On-call' },
        { type: 'email', contact: 'pay@example.com' },
      ],
      links: [
        { name: 'Runbook', type: 'runbook', url: 'https://wiki/rb' },
        { name: 'Source', type: 'repo', url: 'https://github.com/o/fraud', provider: 'GitHub' },
        { name: 'Design', type: 'doc', url: 'https://docs/fraud' },
      ],
      runbook: 'https://wiki/rb',
      integrations: {
        pagerduty: { serviceUrl: 'https://o.pagerduty.com/service-directory/PFRAUD' },
        opsgenie: { serviceUrl: 'https://o.app.opsgenie.com/service/abc', region: 'US' },
      },
      tags: ['domain:payments', 'tier:2'],
      dependsOn: [],
      schemaVersion: 'v2',
      source: { file: 'a/fraud.yaml', line: 1, col: 1 },
    });
  });

  it('takes the team from dd-team when team is absent', () => {
    expect(service('x.yaml', 'schema-version: v2\ndd-service: a\ndd-team: core\n').team).toBe('core');
  });
});

describe('schema v2.1', () => {
  it('reads application, description, tier, lifecycle and the service-url integration shape', () => {
    const s = service(
      'x.yaml',
      `schema-version: v2.1
dd-service: payments-ledger
team: payments
application: payments
description: Ledger
tier: 2
lifecycle: production
integrations:
  pagerduty: { service-url: "https://o.pagerduty.com/service-directory/PLEDGER" }
`,
    );
    expect(s).toMatchObject({
      name: 'payments-ledger',
      team: 'payments',
      application: 'payments',
      description: 'Ledger',
      tier: '2', // a YAML number, stringified
      lifecycle: 'production',
      schemaVersion: 'v2.1',
      integrations: { pagerduty: { serviceUrl: 'https://o.pagerduty.com/service-directory/PLEDGER' } },
    });
    expect(s.type).toBeUndefined();
    expect(s.runbook).toBeUndefined();
  });

  it('keeps an explicit tier over a tier: tag', () => {
    expect(service('x.yaml', 'schema-version: v2.1\ndd-service: a\ntier: "1"\ntags: ["tier:3"]\n').tier).toBe('1');
  });
});

describe('schema v2.2', () => {
  it('reads type, languages and link providers', () => {
    const s = service(
      'x.yaml',
      `schema-version: v2.2
dd-service: inventory-api
team: checkout
tier: High
type: web
languages: [go, python]
links:
  - { name: Source, type: repo, provider: GitHub, url: "https://github.com/o/inv" }
  - { name: Run, type: Runbook, url: "https://wiki/inv" }
ci-pipeline-fingerprints: [abc]
`,
    );
    expect(s).toMatchObject({
      tier: 'High',
      type: 'web',
      languages: ['go', 'python'],
      runbook: 'https://wiki/inv',
      schemaVersion: 'v2.2',
      links: [
        { name: 'Source', type: 'repo', url: 'https://github.com/o/inv', provider: 'GitHub' },
        { name: 'Run', type: 'Runbook', url: 'https://wiki/inv' },
      ],
    });
  });
});

describe('schema v3', () => {
  const text = `apiVersion: v3
kind: service
metadata:
  name: checkout-api
  owner: checkout
  description: Orders
  contacts: [{ name: Team, type: microsoft-teams, contact: "https://teams.microsoft.com/l/channel/x" }]
  links: [{ name: Runbook, type: runbook, url: "https://wiki/co" }]
  tags: [domain:checkout]
spec:
  tier: "1"
  lifecycle: production
  type: grpc
  languages: [java]
  dependsOn: [service:payments-api, "datastore:default/orders-db", cart-service, Queue:order-events, service:payments-api]
integrations:
  pagerduty: { serviceURL: "https://o.pagerduty.com/service-directory/PCO" }
  opsgenie: { serviceURL: "https://o.app.opsgenie.com/service/x", region: EU }
---
apiVersion: v3
kind: datastore
metadata: { name: orders-db, owner: checkout }
spec: { type: postgres }
---
apiVersion: v3
kind: system
metadata: { name: storefront }
spec: { components: [service:checkout-api] }
`;
  it('turns kind: service into a Service (owner → team, refs normalized and sorted)', () => {
    const catalog = one('c.yaml', text);
    expect(catalog.services).toStrictEqual([
      {
        name: 'checkout-api',
        team: 'checkout',
        tier: '1',
        lifecycle: 'production',
        type: 'grpc',
        description: 'Orders',
        languages: ['java'],
        contacts: [{ type: 'microsoft-teams', contact: 'https://teams.microsoft.com/l/channel/x', name: 'Team' }],
        links: [{ name: 'Runbook', type: 'runbook', url: 'https://wiki/co' }],
        runbook: 'https://wiki/co',
        integrations: {
          pagerduty: { serviceUrl: 'https://o.pagerduty.com/service-directory/PCO' },
          opsgenie: { serviceUrl: 'https://o.app.opsgenie.com/service/x', region: 'EU' },
        },
        tags: ['domain:checkout'],
        dependsOn: ['datastore:orders-db', 'queue:order-events', 'service:cart-service', 'service:payments-api'],
        schemaVersion: 'v3',
        source: { file: 'c.yaml', line: 1, col: 1 },
      },
    ]);
  });

  it('reads other kinds as entities for the graph', () => {
    const entities: readonly Entity[] = one('c.yaml', text).entities;
    expect(entities).toStrictEqual([
      {
        kind: 'datastore',
        name: 'orders-db',
        owner: 'checkout',
        dependsOn: [],
        schemaVersion: 'v3',
        source: { file: 'c.yaml', line: 20, col: 1 },
      },
      {
        kind: 'system',
        name: 'storefront',
        dependsOn: [],
        schemaVersion: 'v3',
        source: { file: 'c.yaml', line: 25, col: 1 },
      },
    ]);
  });

  it('ignores unknown keys that are not typos (Datadog adds fields; the API returns read-only ones)', () => {
    const s = service(
      'x.yaml',
      'apiVersion: v3\nkind: service\nmetadata: { name: a, id: "4b16", managed: { x: 1 }, futureField: 1 }\nextensions: { anything: [1] }\n',
    );
    expect(s.name).toBe('a');
  });
});

describe('JSON files and in-memory definitions', () => {
  it('reads a .json definition with positions', () => {
    const s = service(
      'b.json',
      '{\n  "apiVersion": "v3",\n  "kind": "service",\n  "metadata": {"name": "billing"}\n}\n',
    );
    expect(s.source).toStrictEqual({ file: 'b.json', line: 1, col: 1 });
  });

  it('validateDefinitions reads raw API results of mixed versions, sorted', () => {
    const catalog = validateDefinitions(
      [
        { apiVersion: 'v3', kind: 'service', metadata: { name: 'b' } },
        { 'schema-version': 'v2.2', 'dd-service': 'a', tier: '1' },
      ],
      'Datadog API',
    );
    expect(catalog.services.map((s) => [s.name, s.schemaVersion, s.source])).toStrictEqual([
      ['a', 'v2.2', { file: 'Datadog API definitions[1]', line: 0, col: 0 }],
      ['b', 'v3', { file: 'Datadog API definitions[0]', line: 0, col: 0 }],
    ]);
  });

  it('skips empty documents (comments only, a trailing ---)', () => {
    const catalog = one('x.yaml', '# nothing yet\n---\nschema-version: v2\ndd-service: a\n---\n');
    expect(catalog.services.map((s) => s.name)).toStrictEqual(['a']);
  });
});

describe('single definitions (what catalog pull uses)', () => {
  const at = { file: 'api', line: 0, col: 0 };

  it('normalizeDefinition returns a Service or an Entity', () => {
    expect(normalizeDefinition({ 'schema-version': 'v2.1', 'dd-service': 'a', tier: 1 }, at)).toMatchObject({
      name: 'a',
      tier: '1',
      source: at,
    });
    expect(normalizeDefinition({ apiVersion: 'v3', kind: 'queue', metadata: { name: 'q' } }, at)).toStrictEqual({
      kind: 'queue',
      name: 'q',
      dependsOn: [],
      schemaVersion: 'v3',
      source: at,
    });
  });

  it('normalizeDefinition fails with every problem at the given location', () => {
    expect(() =>
      normalizeDefinition(
        { 'schema-version': 'v2.1', 'dd-service': 'a', tier: [1], team: 2 },
        { file: 'f.yaml', line: 3, col: 1 },
      ),
    ).toThrow(
      new UserErrors([
        'f.yaml:3:1: team must be a string, got 2',
        'f.yaml:3:1: tier must be a string or number, got [1]',
      ]),
    );
  });

  it.each([
    ['service:a', 'service:a'],
    ['a', 'service:a'],
    ['Datastore:default/orders-db', 'datastore:orders-db'],
    ['service:team-ns/a', 'service:team-ns/a'],
    [' queue:q ', 'queue:q'],
    ['service:', undefined],
    ['9kind:a', undefined],
    ['service:a b', undefined],
  ])('normalizeRef(%j) is %j', (ref, expected) => {
    expect(normalizeRef(ref)).toBe(expected);
  });

  it.each([
    [{ 'schema-version': 'v2', 'dd-service': 'a' }, 'service:a'],
    [{ apiVersion: 'v3', kind: 'Datastore', metadata: { name: 'd' } }, 'datastore:d'],
    [{ apiVersion: 'v3', kind: 'service' }, undefined],
    [[], undefined],
  ])('definitionRef(%j) is %j', (raw, expected) => {
    expect(definitionRef(raw)).toBe(expected);
  });
});
