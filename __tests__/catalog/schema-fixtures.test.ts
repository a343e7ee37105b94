/**
 * The complete problem list of every fixture in fixtures/schema/, pinned exactly: one fixture per kind of mistake
 * seen in real service definition files, and per legitimate variation (files named ok-*). Each fixture is read on
 * its own; errors come first, then warnings. The fixtures are written for this project; the real files they are
 * modelled on stay out of the repository (their licenses vary) — see scripts/catalog-corpus.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { formatProblems, readCatalogFiles } from '../../src/catalog';

const DIR = path.join(__dirname, 'fixtures', 'schema');

/** Fixture → [services, other entities, problems (errors, then `warning: …`)]. */
const EXPECTED: Record<string, [number, number, string[]]> = {
  'bad-link-urls.yaml': [
    0,
    0,
    [
      'bad-link-urls.yaml:10:12: metadata.links[0].url must be an absolute URL (https://…), got "undefined"',
      'bad-link-urls.yaml:13:12: metadata.links[1].url must be an absolute URL (https://…), got "https://github. com/example-org/nuget-feed"',
    ],
  ],
  'invalid-yaml.yaml': [0, 0, ['invalid-yaml.yaml:5:1: invalid YAML: implicit keys need to be on a single line']],
  'ok-v2-all-keys.yaml': [1, 0, []],
  'ok-v21-empty-tier.yaml': [1, 0, []],
  'ok-v22-all-keys.json': [1, 0, []],
  'ok-v3-datadog-extras.yaml': [
    1,
    1,
    [
      'warning: ok-v3-datadog-extras.yaml:3:1: backstage depends on datastore:backstage-db, which is not in the catalog',
      'warning: ok-v3-datadog-extras.yaml:3:1: backstage depends on service:auth-api, which is not in the catalog',
    ],
  ],
  'ok-v3-hierarchy.yaml': [1, 5, []],
  'v2-integration-urls.yaml': [
    1,
    0,
    [
      'warning: v2-integration-urls.yaml:6:14: integrations.pagerduty "https://example.pagerduty.com/service-directory/idle-watcher" is not a PagerDuty service URL (https://<account>.pagerduty.com/service-directory/P…); kept as written',
      'warning: v2-integration-urls.yaml:8:18: integrations.opsgenie.service-url "https://example.oppsgenie.com/service-directory/idle-watcher" is not an Opsgenie service URL (https://<account>.opsgenie.com/service/<id>); kept as written',
      'warning: v2-integration-urls.yaml:9:13: integrations.opsgenie.region "APAC" is not one of the Opsgenie regions (US, EU); kept as written',
    ],
  ],
  'v2-later-version-keys.yaml': [
    0,
    0,
    [
      'v2-later-version-keys.yaml:5:1: tier is not part of schema v2 (added in v2.1: set schema-version: v2.1 or later)',
      'v2-later-version-keys.yaml:6:1: lifecycle is not part of schema v2 (added in v2.1: set schema-version: v2.1 or later)',
      'v2-later-version-keys.yaml:7:1: languages is not part of schema v2 (added in v2.2: set schema-version: v2.2)',
    ],
  ],
  'v2-link-provider.yaml': [
    0,
    0,
    [
      'v2-link-provider.yaml:9:5: links[0].provider is not part of a v2 link (links have a provider since v2.1; in v2 only repos and docs have one)',
    ],
  ],
  'v2-missing-name.yaml': [0, 0, ['v2-missing-name.yaml:2:1: dd-service is missing: every definition needs a name']],
  'v21-contact-formats.yaml': [
    1,
    0,
    [
      'warning: v21-contact-formats.yaml:7:14: contacts[0].contact "no-one@localhost" is not an email address (type is email); kept as written',
      'warning: v21-contact-formats.yaml:9:14: contacts[1].contact "#messaging-oncall" is not a Slack channel URL (https://…; type is slack); kept as written',
      'warning: v21-contact-formats.yaml:10:11: contacts[2].type "pager" is not one of the v2.1 contact types (email, slack, microsoft-teams); kept as written',
    ],
  ],
  'v21-older-version-keys.yaml': [
    0,
    0,
    [
      'v21-older-version-keys.yaml:4:1: dd-team is not part of schema v2.1 (dd-team exists only in schema v2; since v2.1 the team is team)',
      'v21-older-version-keys.yaml:5:1: docs is not part of schema v2.1 (since v2.1 documents are links with type: doc)',
    ],
  ],
  'v22-link-in-contacts.yaml': [
    0,
    0,
    [
      'v22-link-in-contacts.yaml:11:5: contacts[2].contact is missing (a v2.2 contact needs type and contact); this entry has a url: is it a link? links go under links',
      'warning: v22-link-in-contacts.yaml:10:5: contacts[1].links is not part of a v2.2 contact; ignored (it has name, type and contact)',
      'warning: v22-link-in-contacts.yaml:13:5: contacts[2].provider is not part of a v2.2 contact; ignored (it has name, type and contact)',
      'warning: v22-link-in-contacts.yaml:14:5: contacts[2].url is not part of a v2.2 contact; ignored (it has name, type and contact)',
    ],
  ],
  'v22-tag-mapping.yaml': [
    0,
    0,
    [
      'v22-tag-mapping.yaml:7:5: tags[1] must be a string, got {"triggered":"2026-06-10"} (in YAML "triggered: 2026-06-10" is a mapping; write triggered:2026-06-10)',
    ],
  ],
  'v22-unknown-key.yaml': [
    1,
    0,
    [
      'warning: v22-unknown-key.yaml:7:1: bogus is not part of schema v2.2; ignored (it has schema-version, dd-service, team, application, description, tier, lifecycle, type, languages, contacts, links, tags, integrations, extensions and ci-pipeline-fingerprints)',
    ],
  ],
  'v22-unknown-type.yaml': [
    1,
    0,
    [
      'warning: v22-unknown-type.yaml:5:7: type "app" is not one of the v2.2 service types (web, db, cache, function, browser, mobile, custom); kept as written',
    ],
  ],
  'v3-bad-references.yaml': [
    0,
    0,
    [
      'v3-bad-references.yaml:10:7: spec.dependsOn[1] must be a reference like service:name or datastore:name, got "service:user api"',
      'v3-bad-references.yaml:11:7: spec.dependsOn[2] must be a string, got 42',
    ],
  ],
  'v3-components-as-mappings.yaml': [
    0,
    0,
    [
      'v3-components-as-mappings.yaml:10:7: spec.components[0] must be a string, got {"service":"recommendation-api"} (in YAML "service: recommendation-api" is a mapping; write service:recommendation-api)',
      'v3-components-as-mappings.yaml:12:7: spec.components[2] must be a string, got {"api":"recommendations"} (in YAML "api: recommendations" is a mapping; write api:recommendations)',
    ],
  ],
  'v3-components-in-service.yaml': [
    0,
    0,
    [
      'v3-components-in-service.yaml:10:3: spec.components is not part of a v3 service spec (only system and application specs have components: the system or application that contains an entity lists it in components; to place this entity in one, name it in componentOf)',
    ],
  ],
  'v3-dependency-of-in-service.yaml': [
    0,
    0,
    [
      "v3-dependency-of-in-service.yaml:8:3: spec.dependencyOf is not part of a v3 service spec (only datastore, queue and custom specs have dependencyOf: to say that another entity depends on this one, list this one in that entity's spec.dependsOn)",
    ],
  ],
  'v3-duplicate-key-and-kind-typo.yaml': [
    0,
    0,
    [
      'v3-duplicate-key-and-kind-typo.yaml:3:7: kind "servicesy" is not a built-in kind (service, datastore, queue, system, api, application); did you mean service? (as written it is a custom entity, which gets no monitors)',
      'v3-duplicate-key-and-kind-typo.yaml:7:3: invalid YAML: duplicate key name (first at line 5)',
    ],
  ],
  'v3-key-typo.yaml': [
    0,
    0,
    [
      'v3-key-typo.yaml:6:3: metadata.ownr is not part of v3 metadata; did you mean owner?',
      'v3-key-typo.yaml:8:3: spec.teir is not part of a v3 service spec; did you mean tier?',
      'v3-key-typo.yaml:9:3: spec.dependson is not part of a v3 service spec; did you mean dependsOn?',
    ],
  ],
  'v3-keys-one-level-off.yaml': [
    0,
    0,
    [
      'v3-keys-one-level-off.yaml:4:1: tier is not part of a v3 entity (tier belongs under spec)',
      'v3-keys-one-level-off.yaml:8:3: spec.owner is not part of a v3 service spec (owner belongs under metadata)',
    ],
  ],
  'v3-metadata-misindented-type.yaml': [
    1,
    0,
    [
      'warning: v3-metadata-misindented-type.yaml:9:3: metadata.type is not part of v3 metadata; ignored (it has id, inheritFrom, managed, owner, additionalOwners, name, namespace, description, displayName, tags, contacts and links)',
    ],
  ],
  'v3-null-contact-name.yaml': [
    0,
    0,
    ['v3-null-contact-name.yaml:11:12: metadata.contacts[1].name must be a string, got null'],
  ],
  'v3-service-name-space.yaml': [
    0,
    0,
    [
      'v3-service-name-space.yaml:5:9: metadata.name must not contain whitespace (it is used in service:<name> queries), got "payments api"',
    ],
  ],
  'v3-spec-type-list.yaml': [
    0,
    0,
    ['v3-spec-type-list.yaml:10:9: spec.type must be a string, got ["postgres","redis"]'],
  ],
  'v3-tier-number-and-empty.yaml': [
    2,
    0,
    [
      'warning: v3-tier-number-and-empty.yaml:8:9: spec.tier is the number 1; the schema wants a string ("1"), read as "1"',
      'warning: v3-tier-number-and-empty.yaml:9:14: spec.lifecycle is empty; read as not set',
      'warning: v3-tier-number-and-empty.yaml:12:7: kind "Service" is read as service (kinds are lower case)',
      'warning: v3-tier-number-and-empty.yaml:17:9: spec.tier is empty; read as not set',
    ],
  ],
};

function read(file: string) {
  const report = readCatalogFiles([{ path: file, text: readFileSync(path.join(DIR, file), 'utf8') }]);
  return [
    report.catalog.services.length,
    report.catalog.entities.length,
    [...formatProblems(report.problems), ...formatProblems(report.warnings).map((w) => `warning: ${w}`)],
  ];
}

describe('schema fixtures', () => {
  it('pins every fixture in the folder', () => {
    expect(readdirSync(DIR).sort()).toStrictEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.keys(EXPECTED))('%s', (file) => {
    expect(read(file)).toStrictEqual(EXPECTED[file]);
  });

  it('reports nothing twice, and never suggests a key that means something else', () => {
    for (const file of Object.keys(EXPECTED)) {
      const lines = EXPECTED[file][2];
      expect(new Set(lines).size).toBe(lines.length);
      for (const line of lines) {
        expect(line).not.toMatch(/components.*did you mean componentOf|componentOf.*did you mean components/);
        expect(line).not.toMatch(/dependencyOf.*did you mean dependsOn|dependsOn.*did you mean dependencyOf/);
      }
    }
  });
});
