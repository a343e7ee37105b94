import { formatProblems, parseCatalogFiles, parseSnapshot, readSnapshot, validateDefinitions } from '../../src/catalog';
import { UserErrors } from '../../src/errors';

/** The problems a reader throws, as printed. Fails the test if it does not throw UserErrors (exit code 2). */
function problems(read: () => unknown): readonly string[] {
  try {
    read();
  } catch (e) {
    expect(e).toBeInstanceOf(UserErrors);
    expect((e as UserErrors).exitCode).toBe(2);
    return (e as UserErrors).problems;
  }
  throw new Error('expected the reader to reject the input');
}
const fileProblems = (text: string, path = 'x.yaml') => problems(() => parseCatalogFiles([{ path, text }]));

describe('invalid YAML', () => {
  it.each([
    ['an unclosed quote', 'dd-service: "a\n', ['x.yaml:2:1: invalid YAML: missing closing "quote']],
    [
      'tabs in indentation',
      'schema-version: v2\ndd-service: a\ncontacts:\n\t- { type: email, contact: a@example.com }\n',
      ['x.yaml:4:1: invalid YAML: tabs are not allowed in indentation (use spaces)'],
    ],
    [
      'a duplicate key',
      'schema-version: v2\ndd-service: a\nteam: x\nteam: y\n',
      ['x.yaml:4:1: invalid YAML: duplicate key team (first at line 3)'],
    ],
    [
      'a duplicate key in JSON',
      '{"schema-version": "v2", "dd-service": "a", "dd-service": "b"}',
      ['x.json:1:45: invalid JSON: duplicate key dd-service (first at line 1)'],
      'x.json',
    ],
    [
      'an undefined alias',
      'schema-version: v2\ndd-service: *name\n',
      ['x.yaml:2:13: invalid YAML: unresolved alias (the anchor must be set before the alias): name'],
    ],
  ])('fails on %s', (_, text, expected, path = 'x.yaml') => {
    expect(fileProblems(text, path)).toStrictEqual(expected);
  });

  it('reports the other documents of the file too', () => {
    expect(fileProblems('a: [1\n---\nschema-version: v2\n')).toStrictEqual([
      'x.yaml:2:1: invalid YAML: flow sequence in block collection must be sufficiently indented and end with a ]',
      'x.yaml:3:1: dd-service is missing: every definition needs a name',
    ]);
  });
});

describe('.json files are strict JSON, not YAML flow style', () => {
  it.each([
    [
      'a trailing comma',
      '{"schema-version":"v2.2","dd-service":"a",}',
      'x.json:1:42: invalid JSON: trailing comma before "}" (JSON allows none)',
    ],
    [
      'a trailing comma in a list',
      '{"a": [1,\n 2,\n]}',
      'x.json:2:3: invalid JSON: trailing comma before "]" (JSON allows none)',
    ],
    [
      'single quotes',
      "{'dd-service': 'a'}",
      `x.json:1:2: invalid JSON: expected a property name in double quotes, got ' (JSON strings use double quotes)`,
    ],
    [
      'an unquoted key',
      '{\n  dd-service: "a"\n}',
      'x.json:2:3: invalid JSON: expected a property name in double quotes, got "d"',
    ],
    [
      'a comment',
      '{\n  // the gateway\n  "dd-service": "a"\n}',
      'x.json:2:3: invalid JSON: comments are not allowed in JSON',
    ],
    [
      'a missing comma',
      '{"a": 1\n "b": 2}',
      'x.json:2:2: invalid JSON: expected "," or "}" after a property value, got a string',
    ],
    ['a leading zero', '{"a": 01}', 'x.json:1:7: invalid JSON: invalid number 01'],
    ['a bare word', '{"a": yes}', 'x.json:1:7: invalid JSON: expected a value, got "y"'],
    [
      'a raw tab in a string',
      '{"a": "x\ty"}',
      'x.json:1:9: invalid JSON: control character in a string (write it as an escape such as \\n or \\t)',
    ],
    ['a bad escape', '{"a": "x\\qy"}', 'x.json:1:9: invalid JSON: invalid escape \\q in a string'],
    ['an unterminated string', '{"a": "x', 'x.json:1:7: invalid JSON: unterminated string'],
    [
      'an early end',
      '{"a": [1',
      'x.json:1:9: invalid JSON: expected "," or "]" after a list item, got the end of the file',
    ],
    [
      'content after the value',
      '{"a": 1}\n{"b": 2}',
      'x.json:2:1: invalid JSON: unexpected "{" after the end of the JSON value',
    ],
    ['YAML', 'schema-version: v2\ndd-service: a\n', 'x.json:1:1: invalid JSON: expected a value, got "s"'],
    ['an empty file', '  \n', 'x.json:1:1: invalid JSON: the file is empty (a JSON file holds one object)'],
  ])('fails on %s', (_, text, expected) => {
    expect(fileProblems(text, 'x.json')).toStrictEqual([expected]);
  });

  it('reads valid JSON indented with tabs, and still points at the line of a bad value', () => {
    const text =
      '{\n\t"apiVersion": "v3",\n\t"kind": "service",\n\t"metadata": {\n\t\t"name": "a"\n\t},\n\t"spec": {"tier": [1]}\n}';
    expect(fileProblems(text, 'x.json')).toStrictEqual(['x.json:7:19: spec.tier must be a string or number, got [1]']);
  });

  it('still reads the same text as YAML from a .yaml file (flow style is YAML)', () => {
    const catalog = parseCatalogFiles([{ path: 'x.yaml', text: '{"schema-version":"v2.2","dd-service":"a",}' }]);
    expect(catalog.services.map((s) => s.name)).toStrictEqual(['a']);
  });
});

describe('definitions', () => {
  it.each([
    [
      'a v2 name is missing',
      'schema-version: v2.1\nteam: x\n',
      'x.yaml:1:1: dd-service is missing: every definition needs a name',
    ],
    [
      'a v3 name is missing',
      'apiVersion: v3\nkind: service\nmetadata:\n  owner: x\n',
      'x.yaml:4:3: metadata.name is missing: every definition needs a name',
    ],
    [
      'v3 metadata is missing',
      'apiVersion: v3\nkind: service\n',
      'x.yaml:1:1: metadata is missing (metadata.name names the entity)',
    ],
    [
      'the name is not a string',
      'schema-version: v2\ndd-service: 123\n',
      'x.yaml:2:13: dd-service must be a non-empty string, got 123',
    ],
    [
      'a service name has spaces',
      'schema-version: v2\ndd-service: my service\n',
      'x.yaml:2:13: dd-service must not contain whitespace (it is used in service:<name> queries), got "my service"',
    ],
    [
      'the schema version is unknown',
      'schema-version: v4\ndd-service: a\n',
      'x.yaml:1:17: unknown schema version: schema-version "v4" (supported: schema-version v2, v2.1, v2.2, or apiVersion v3)',
    ],
    [
      'the schema version is v1',
      'schema-version: v1\ninfo: { dd-service: a }\n',
      'x.yaml:1:17: unknown schema version: schema-version "v1" (v1 is deprecated and not read; supported: schema-version v2, v2.1, v2.2, or apiVersion v3)',
    ],
    [
      'the apiVersion is unknown',
      'apiVersion: v2\nkind: service\nmetadata: { name: a }\n',
      'x.yaml:1:13: unknown schema version: apiVersion "v2" (supported: schema-version v2, v2.1, v2.2, or apiVersion v3)',
    ],
    [
      'there is no version',
      'dd-service: a\n',
      'x.yaml:1:1: not a service definition: schema-version or apiVersion is missing (supported: schema-version v2, v2.1, v2.2, or apiVersion v3)',
    ],
    ['the document is a list', '- a\n- b\n', 'x.yaml:1:1: expected a service definition (a mapping), got ["a","b"]'],
    ['the document is null', 'null\n', 'x.yaml:1:1: expected a service definition (a mapping), got null'],
    [
      'v3 tier is a list',
      'apiVersion: v3\nkind: service\nmetadata:\n  name: a\nspec:\n  lifecycle: production\n  tier: [1, 2]\n',
      'x.yaml:7:9: spec.tier must be a string or number, got [1,2]',
    ],
    [
      'v2.1 tier is a boolean',
      'schema-version: v2.1\ndd-service: a\ntier: true\n',
      'x.yaml:3:7: tier must be a string or number, got true',
    ],
    ['team is a number', 'schema-version: v2\ndd-service: a\nteam: 5\n', 'x.yaml:3:7: team must be a string, got 5'],
    [
      'tags is a string',
      'schema-version: v2\ndd-service: a\ntags: a:b\n',
      'x.yaml:3:7: tags must be a list of strings, got "a:b"',
    ],
    [
      'a tag is a mapping',
      'schema-version: v2\ndd-service: a\ntags:\n  - a: b\n',
      'x.yaml:4:5: tags[0] must be a string, got {"a":"b"} (in YAML "a: b" is a mapping; write a:b)',
    ],
    [
      'a contact has no value',
      'schema-version: v2.2\ndd-service: a\ncontacts:\n  - type: email\n',
      'x.yaml:4:5: contacts[0].contact is missing (a v2.2 contact needs type and contact)',
    ],
    [
      'a link url is relative',
      'schema-version: v2.2\ndd-service: a\nlinks:\n  - { name: Runbook, type: runbook, url: wiki/a }\n',
      'x.yaml:4:42: links[0].url must be an absolute URL (https://…), got "wiki/a"',
    ],
    [
      'links is a mapping',
      'schema-version: v2.2\ndd-service: a\nlinks: { a: 1 }\n',
      'x.yaml:3:8: links must be a list of links (name, type, url, provider), got {"a":1}',
    ],
    [
      'a v2 PagerDuty integration is an object',
      'schema-version: v2\ndd-service: a\nintegrations:\n  pagerduty: { service-url: "https://o.pagerduty.com/service-directory/PA" }\n',
      'x.yaml:4:14: integrations.pagerduty must be a PagerDuty service URL (schema v2), got {"service-url":"https://o.pagerduty.com/service-directory/PA"}',
    ],
    [
      'a v2.2 PagerDuty integration is a string',
      'schema-version: v2.2\ndd-service: a\nintegrations:\n  pagerduty: https://o.pagerduty.com/service-directory/PA\n',
      'x.yaml:4:14: integrations.pagerduty must be a mapping with service-url (schema v2.2), got "https://o.pagerduty.com/service-directory/PA"',
    ],
    [
      'a v3 PagerDuty integration uses the v2.x key',
      'apiVersion: v3\nkind: service\nmetadata: { name: a }\nintegrations:\n  pagerduty: { service-url: "https://o.pagerduty.com/service-directory/PA" }\n',
      'x.yaml:5:16: integrations.pagerduty.service-url is not part of v3 integrations.pagerduty; did you mean serviceURL?',
    ],
    [
      'an Opsgenie integration has no URL',
      'schema-version: v2.1\ndd-service: a\nintegrations:\n  opsgenie: { region: EU }\n',
      'x.yaml:4:13: integrations.opsgenie.service-url is missing (v2.1 integrations.opsgenie needs service-url)',
    ],
    [
      'dependsOn is a string',
      'apiVersion: v3\nkind: service\nmetadata: { name: a }\nspec: { dependsOn: service:b }\n',
      'x.yaml:4:20: spec.dependsOn must be a list of references like service:name, got "service:b"',
    ],
    [
      'a dependsOn reference is not one',
      'apiVersion: v3\nkind: service\nmetadata: { name: a }\nspec:\n  dependsOn: [service:b, "service:c d"]\n',
      'x.yaml:5:26: spec.dependsOn[1] must be a reference like service:name or datastore:name, got "service:c d"',
    ],
    [
      'spec is a list',
      'apiVersion: v3\nkind: service\nmetadata: { name: a }\nspec: [1]\n',
      'x.yaml:4:7: spec must be a mapping, got [1]',
    ],
    [
      'kind is missing',
      'apiVersion: v3\nmetadata: { name: a }\n',
      'x.yaml:1:1: kind is missing (service, datastore, queue, system, api, …)',
    ],
    [
      'a key is misspelled',
      'apiVersion: v3\nkind: service\nmetadata: { name: a }\nspec:\n  dependson: [service:b]\n',
      'x.yaml:5:3: spec.dependson is not part of a v3 service spec; did you mean dependsOn?',
    ],
    [
      'a key belongs to a later schema version',
      'schema-version: v2\ndd-service: a\ntier: "1"\n',
      'x.yaml:3:1: tier is not part of schema v2 (added in v2.1: set schema-version: v2.1 or later)',
    ],
    [
      'v3 metadata has a v2-style team',
      'apiVersion: v3\nkind: service\nmetadata:\n  name: a\n  team: x\n',
      'x.yaml:5:3: metadata.team is not part of v3 metadata (the owning team is metadata.owner)',
    ],
    [
      'a snapshot sits in a catalog folder',
      '{"definitions": [], "format": "trace-health/catalog-snapshot", "version": 1}',
      'x.yaml:1:1: this is a catalog snapshot, not a service definition: give its path as the catalog itself',
    ],
  ])('fails when %s', (_, text, expected) => {
    expect(fileProblems(text)).toStrictEqual([expected]);
  });

  it('reports every problem of a definition, in line order', () => {
    expect(fileProblems('schema-version: v2.2\ndd-service: a\ntier: [1]\nteam: 3\nlanguages: go\n')).toStrictEqual([
      'x.yaml:3:7: tier must be a string or number, got [1]',
      'x.yaml:4:7: team must be a string, got 3',
      'x.yaml:5:12: languages must be a list of strings, got "go"',
    ]);
  });
});

describe('the whole catalog', () => {
  const a = { path: 'team-a/a.yaml', text: 'schema-version: v2\ndd-service: shared\n' };
  const b = {
    path: 'team-b/b.yaml',
    text: '# moved here\napiVersion: v3\nkind: service\nmetadata: { name: shared }\n',
  };

  it('fails when a service is defined twice, naming both files (at the later one)', () => {
    const expected = ['team-b/b.yaml:2:1: service shared is defined twice: team-a/a.yaml:1:1 and team-b/b.yaml:2:1'];
    expect(problems(() => parseCatalogFiles([a, b]))).toStrictEqual(expected);
    expect(problems(() => parseCatalogFiles([b, a]))).toStrictEqual(expected);
  });

  it('fails when an entity is defined twice; a service and a datastore may share a name', () => {
    const ds = 'apiVersion: v3\nkind: datastore\nmetadata: { name: shared }\n';
    expect(problems(() => parseCatalogFiles([a, { path: 'd.yaml', text: `${ds}---\n${ds}` }]))).toStrictEqual([
      'd.yaml:5:1: datastore shared is defined twice: d.yaml:1:1 and d.yaml:5:1',
    ]);
  });

  it('collects the problems of every file, sorted by file and line whatever the input order', () => {
    const files = [
      { path: 'z.yaml', text: 'schema-version: v9\n' },
      { path: 'm.yaml', text: 'schema-version: v2\ndd-service: ok\n' },
      { path: 'a.yaml', text: 'schema-version: v2\ndd-service: a\ntags: 1\n---\nteam: [\n' },
    ];
    const expected = [
      'a.yaml:3:7: tags must be a list of strings, got 1',
      'a.yaml:6:1: invalid YAML: flow sequence in block collection must be sufficiently indented and end with a ]',
      'z.yaml:1:17: unknown schema version: schema-version "v9" (supported: schema-version v2, v2.1, v2.2, or apiVersion v3)',
    ];
    expect(problems(() => parseCatalogFiles(files))).toStrictEqual(expected);
    expect(problems(() => parseCatalogFiles([...files].reverse()))).toStrictEqual(expected);
  });
});

describe('snapshots', () => {
  const snapshot = (definitions: string, extra = '') =>
    `{\n  "definitions": [\n${definitions}\n  ],\n  "format": "trace-health/catalog-snapshot",${extra}\n  "version": 1\n}\n`;

  it('points at the line of the bad value inside the snapshot', () => {
    const text = snapshot(
      '    {"schema-version": "v2", "dd-service": "a"},\n    {\n      "apiVersion": "v3",\n      "kind": "service",\n      "metadata": {"name": "b"},\n      "spec": {"tier": [1, 2]}\n    }',
    );
    expect(problems(() => parseSnapshot('catalog/snapshot.json', text))).toStrictEqual([
      'catalog/snapshot.json:8:24: service:b: spec.tier must be a string or number, got [1,2]',
    ]);
  });

  it('holds what Datadog accepted: only name, owner, tier and duplicates are errors; the rest warns by name', () => {
    const text = snapshot(
      [
        '    {"schema-version": "v2.2", "dd-service": "a", "teir": "1", "type": "grpc", "bogus": 1,',
        '     "links": [{"name": "R", "type": "runbook", "url": "wiki/a"}, {"name": "D", "type": "doc", "url": "https://d"}],',
        '     "contacts": [{"type": "email"}]},',
        '    {"apiVersion": "v3", "kind": "service", "metadata": {"name": "b", "owner": 7}},',
        '    {"apiVersion": "v3", "kind": "service", "metadata": {"name": "c"}, "spec": {"components": ["x"], "tier": ""}}',
      ].join('\n'),
    );
    const report = readSnapshot('s.json', text);
    expect(formatProblems(report.problems)).toStrictEqual([
      's.json:6:80: service:b: metadata.owner must be a string, got 7',
    ]);
    expect(formatProblems(report.definitionWarnings)).toStrictEqual([
      's.json:3:51: service:a: teir is not part of schema v2.2; did you mean tier?; ignored, as Datadog accepted this definition',
      's.json:4:56: service:a: links[0].url must be an absolute URL (https://…), got "wiki/a"; ignored, as Datadog accepted this definition',
      's.json:5:19: service:a: contacts[0].contact is missing (a v2.2 contact needs type and contact); ignored, as Datadog accepted this definition',
      's.json:7:81: service:c: spec.components is not part of a v3 service spec (only system and application specs have components: the system or application that contains an entity lists it in components; to place this entity in one, name it in componentOf); ignored, as Datadog accepted this definition',
    ]);
    const a = report.catalog.services.find((x) => x.name === 'a')!;
    expect([a.tier, a.type, a.links.map((l) => l.name), a.contacts]).toStrictEqual([undefined, 'grpc', ['D'], []]);
    expect(report.catalog.services.map((x) => x.name)).toStrictEqual(['a', 'c']);
    expect(report.invalid).toStrictEqual([{ file: 's.json', line: 6, col: 5, ref: 'service:b' }]);
  });

  it('reports duplicates between snapshot entries with their lines', () => {
    const text = snapshot(
      '    {"schema-version": "v2", "dd-service": "a"},\n    {"schema-version": "v2.1", "dd-service": "a"}',
    );
    expect(problems(() => parseSnapshot('s.json', text))).toStrictEqual([
      's.json:4:5: service a is defined twice: s.json:3:5 and s.json:4:5',
    ]);
  });

  it.each([
    ['invalid JSON', '{"definitions": [}', 's.json:1:18: invalid JSON: expected a value, got "}"'],
    ['a list', '[]', 's.json:1:1: a catalog snapshot must be a JSON object, got []'],
    [
      'another format',
      '{"format": "other", "version": 1}',
      's.json:1:12: format must be "trace-health/catalog-snapshot", got "other"',
    ],
    [
      'a newer version',
      '{"format": "trace-health/catalog-snapshot", "version": 2, "definitions": []}',
      's.json:1:56: snapshot version 2 is not supported (this trace-health reads version 1; pull the catalog again)',
    ],
    [
      'definitions that are not a list',
      '{"format": "trace-health/catalog-snapshot", "version": 1, "definitions": {}}',
      's.json:1:74: definitions must be a list of service definitions, got {}',
    ],
    [
      'a site that is not a string',
      '{"format": "trace-health/catalog-snapshot", "version": 1, "site": 1, "definitions": []}',
      's.json:1:67: site must be a string, got 1',
    ],
  ])('fails on %s', (_, text, expected) => {
    expect(problems(() => parseSnapshot('s.json', text))).toStrictEqual([expected]);
  });
});

describe('validateDefinitions (API results held in memory)', () => {
  it('names the entry and its reference, without a line number', () => {
    expect(
      problems(() =>
        validateDefinitions(
          [
            { apiVersion: 'v3', kind: 'service', metadata: { name: 'b' }, spec: { tier: [1, 2] } },
            { 'schema-version': 'v2.2', 'dd-service': 'b' },
            42,
          ],
          'Datadog API (datadoghq.eu)',
        ),
      ),
    ).toStrictEqual([
      'Datadog API (datadoghq.eu): definitions[0] (service:b): spec.tier must be a string or number, got [1,2]',
      'Datadog API (datadoghq.eu): definitions[2]: expected a service definition (a mapping), got 42',
    ]);
    expect(
      problems(() =>
        validateDefinitions(
          [
            { apiVersion: 'v3', kind: 'service', metadata: { name: 'b' } },
            { 'schema-version': 'v2.2', 'dd-service': 'b' },
          ],
          'Datadog API',
        ),
      ),
    ).toStrictEqual([
      'Datadog API definitions[1]: service b is defined twice: Datadog API definitions[0] and Datadog API definitions[1]',
    ]);
  });
});
