import { UserErrors } from '../../src/errors';
import { parsePolicy } from '../../src/policy';

/** The problems parsePolicy reports for `text`, one string per line. */
function problems(text: string): readonly string[] {
  try {
    parsePolicy('trace-health.yaml', text);
  } catch (e) {
    if (e instanceof UserErrors) return e.problems;
    throw e;
  }
  throw new Error('expected parsePolicy to fail');
}

describe('parsePolicy', () => {
  it('accepts the DESIGN §6 example and keeps positions of every key', () => {
    const doc = parsePolicy(
      'trace-health.yaml',
      [
        'catalog: examples/catalog',
        'site: datadoghq.com',
        'envs: [prod]',
        'stacks: { by: team }',
        'entrypoints: [web-gateway]',
        'defaults:',
        '  requiredTags:',
        '    - { tag: usr.id, scope: "@_top_level:1", slo: true }',
        '    - { tag: error.message, scope: "status:error", slo: true }',
        '    - { tag: version }',
        '  orphanRate:   { warning: 0.01, critical: 0.05 }',
        '  tagCoverage:  { warning: 0.98, critical: 0.95 }',
        '  minSpans: 200',
        '  window: 1h',
        '  slo: { timeframe: 30d, target: 99.0, warning: 99.5 }',
        '  notify: []',
        'tiers:',
        '  "1": { orphanRate: { warning: 0.005, critical: 0.01 }, slo: { target: 99.9, warning: 99.95 } }',
        'teams:',
        '  payments: { notify: ["@slack-payments-oncall"] }',
        'services:',
        '  legacy-batch: { enabled: false }',
        '',
      ].join('\n'),
    );
    expect(doc.data.tiers?.['1'].orphanRate).toStrictEqual({ warning: 0.005, critical: 0.01 });
    expect(doc.data.defaults?.requiredTags?.[2]).toStrictEqual({ tag: 'version' });
    expect(doc.positions.get('defaults.requiredTags[1].scope')).toStrictEqual({
      key: { line: 9, col: 29 },
      value: { line: 9, col: 36 },
    });
    expect(doc.positions.get('services.legacy-batch')?.key).toStrictEqual({ line: 22, col: 3 });
  });

  it('accepts a minimal file (only catalog)', () => {
    expect(parsePolicy('p.yaml', 'catalog: snapshot.json\n').data).toStrictEqual({ catalog: 'snapshot.json' });
  });

  // [what, file text, exact problems]
  const cases: [string, string, string[]][] = [
    [
      'ratio above 1 (the issue example)',
      'catalog: c\ndefaults:\n  orphanRate: { critical: 1.5 }\n',
      ['trace-health.yaml:3:27: defaults.orphanRate.critical: 1.5 is not a ratio between 0 and 1'],
    ],
    [
      'negative ratio in a tier',
      'catalog: c\ntiers:\n  "1":\n    tagCoverage: { warning: -0.1 }\n',
      ['trace-health.yaml:4:29: tiers.1.tagCoverage.warning: -0.1 is not a ratio between 0 and 1'],
    ],
    [
      'ratio given as a string',
      'catalog: c\nmaxRemovalRatio: ten percent\n',
      ['trace-health.yaml:2:18: maxRemovalRatio: "ten percent" is not a ratio between 0 and 1'],
    ],
    [
      'unknown key with a suggestion',
      'catalog: c\ndefaults:\n  orphanrate: { warning: 0.01 }\n',
      ['trace-health.yaml:3:3: defaults.orphanrate: unknown key "orphanrate" (did you mean "orphanRate"?)'],
    ],
    [
      'unknown top-level key with a suggestion',
      'catalog: c\nentrypionts: [a]\n',
      ['trace-health.yaml:2:1: entrypionts: unknown key "entrypionts" (did you mean "entrypoints"?)'],
    ],
    [
      'unknown key without a close match lists the valid keys',
      'catalog: c\ndefaults:\n  orphanRate: { page: 0.1 }\n',
      ['trace-health.yaml:3:17: defaults.orphanRate.page: unknown key "page" (valid keys: warning, critical)'],
    ],
    [
      'unknown key in a service layer',
      'catalog: c\nservices:\n  billing: { notfy: [] }\n',
      ['trace-health.yaml:3:14: services.billing.notfy: unknown key "notfy" (did you mean "notify"?)'],
    ],
    ['missing catalog', 'site: datadoghq.com\n', ['trace-health.yaml:1:1: missing required key "catalog"']],
    [
      'empty file',
      '# nothing yet\n',
      ['trace-health.yaml:1:1: the file is empty; it needs at least `catalog: <folder or snapshot.json>`'],
    ],
    [
      'not a mapping',
      '- catalog\n',
      ['trace-health.yaml:1:1: ["catalog"] is not a mapping with at least a catalog key'],
    ],
    [
      'unknown site',
      'catalog: c\nsite: datadoghq.co\n',
      [
        'trace-health.yaml:2:7: site: "datadoghq.co" is not a Datadog site: datadoghq.com, us3.datadoghq.com, ' +
          'us5.datadoghq.com, datadoghq.eu, ap1.datadoghq.com, ap2.datadoghq.com, uk1.datadoghq.com, ddog-gov.com, us2.ddog-gov.com ' +
          '(did you mean "datadoghq.com"?)',
      ],
    ],
    [
      'envs empty',
      'catalog: c\nenvs: []\n',
      ['trace-health.yaml:2:7: envs: [] is not a non-empty list of env names such as [prod]'],
    ],
    [
      'env not tag-safe',
      'catalog: c\nenvs: [prod, "Staging EU"]\n',
      [
        'trace-health.yaml:2:14: envs[1]: "Staging EU" is not an env tag value: lowercase, starting with a letter; ' +
          'letters, digits, _ . / -',
      ],
    ],
    [
      'env listed twice',
      'catalog: c\nenvs: [prod, staging, prod]\n',
      ['trace-health.yaml:2:23: envs[2]: "prod" is listed twice (also at [0])'],
    ],
    [
      'stacks.by',
      'catalog: c\nstacks: { by: teams }\n',
      ['trace-health.yaml:2:15: stacks.by: "teams" is not one of team, service, single (did you mean "team"?)'],
    ],
    [
      'backend type',
      'catalog: c\nstacks: { backend: { type: azurerm } }\n',
      ['trace-health.yaml:2:28: stacks.backend.type: "azurerm" is not one of local, s3, gcs, remote'],
    ],
    [
      'backend missing type',
      'catalog: c\nstacks:\n  backend: { bucket: b }\n',
      ['trace-health.yaml:3:3: stacks.backend: missing required key "type"'],
    ],
    [
      's3 backend without bucket and region, with a GCS key',
      'catalog: c\nstacks:\n  backend: { type: s3, prefix: "x/{stack}" }\n',
      [
        'trace-health.yaml:3:3: stacks.backend: missing required key "bucket" for type s3',
        'trace-health.yaml:3:3: stacks.backend: missing required key "region" for type s3',
        'trace-health.yaml:3:24: stacks.backend.prefix: "prefix" is not used by a s3 backend ' +
          '(valid keys: type, bucket, region, key, dynamodbTable)',
      ],
    ],
    [
      'empty bucket name',
      'catalog: c\nstacks:\n  backend: { type: gcs, bucket: "" }\n',
      ['trace-health.yaml:3:33: stacks.backend.bucket: "" is not a non-empty string'],
    ],
    [
      'state key shared by every stack',
      'catalog: c\nstacks:\n  backend: { type: s3, bucket: b, region: eu-west-1, key: state.tfstate }\n',
      [
        'trace-health.yaml:3:59: stacks.backend.key: "state.tfstate" is not a key containing {stack}, ' +
          'so that every stack has its own state',
      ],
    ],
    [
      'window not a Datadog window',
      'catalog: c\ndefaults: { window: 45m }\n',
      [
        'trace-health.yaml:2:21: defaults.window: "45m" is not one of 5m, 10m, 15m, 30m, 1h, 2h, 4h, 1d ' +
          '(did you mean "15m"?)',
      ],
    ],
    [
      'window as a number',
      'catalog: c\ndefaults: { window: 60 }\n',
      ['trace-health.yaml:2:21: defaults.window: 60 is not one of 5m, 10m, 15m, 30m, 1h, 2h, 4h, 1d'],
    ],
    [
      'slo timeframe',
      'catalog: c\ndefaults:\n  slo: { timeframe: 14d }\n',
      ['trace-health.yaml:3:21: defaults.slo.timeframe: "14d" is not one of 7d, 30d, 90d (did you mean "30d"?)'],
    ],
    [
      'slo target of 100',
      'catalog: c\ntiers:\n  "1": { slo: { target: 100 } }\n',
      ['trace-health.yaml:3:25: tiers.1.slo.target: 100 is not a percent between 0 and 100 (exclusive), e.g. 99.9'],
    ],
    [
      'slo warning not stricter than target',
      'catalog: c\ndefaults:\n  slo: { target: 99.5, warning: 99 }\n',
      [
        'trace-health.yaml:3:33: defaults.slo.warning: 99 is not above target 99.5 ' +
          '(the warning must be stricter than the target)',
      ],
    ],
    [
      'orphanRate warning not below critical',
      'catalog: c\ndefaults:\n  orphanRate: { warning: 0.05, critical: 0.05 }\n',
      [
        'trace-health.yaml:3:26: defaults.orphanRate.warning: 0.05 is not below critical 0.05 ' +
          '(the orphan rate must stay low: warning < critical)',
      ],
    ],
    [
      'tagCoverage warning not above critical',
      'catalog: c\nteams:\n  payments:\n    tagCoverage: { warning: 0.9, critical: 0.95 }\n',
      [
        'trace-health.yaml:4:29: teams.payments.tagCoverage.warning: 0.9 is not above critical 0.95 ' +
          '(tag coverage must stay high: warning > critical)',
      ],
    ],
    [
      'minSpans zero',
      'catalog: c\ndefaults: { minSpans: 0 }\n',
      ['trace-health.yaml:2:23: defaults.minSpans: 0 is not a positive integer'],
    ],
    [
      'minSpans fractional',
      'catalog: c\ndefaults: { minSpans: 12.5 }\n',
      ['trace-health.yaml:2:23: defaults.minSpans: 12.5 is not a positive integer'],
    ],
    [
      'minSpans empty',
      'catalog: c\ndefaults:\n  minSpans:\n',
      ['trace-health.yaml:3:3: defaults.minSpans: an empty value is not a positive integer'],
    ],
    [
      'enabled not a boolean',
      'catalog: c\nservices:\n  legacy-batch: { enabled: "no" }\n',
      ['trace-health.yaml:3:28: services.legacy-batch.enabled: "no" is not true or false'],
    ],
    [
      'validateMonitors not a boolean',
      'catalog: c\nvalidateMonitors: 1\n',
      ['trace-health.yaml:2:19: validateMonitors: 1 is not true or false'],
    ],
    [
      'notify handle without @',
      'catalog: c\nteams:\n  payments: { notify: [slack-payments] }\n',
      [
        'trace-health.yaml:3:24: teams.payments.notify[0]: "slack-payments" is not a notification handle ' +
          'starting with @, without spaces or parentheses, e.g. @slack-payments-oncall',
      ],
    ],
    [
      'notify not a list',
      'catalog: c\nteams:\n  payments: { notify: "@slack-payments" }\n',
      [
        'trace-health.yaml:3:23: teams.payments.notify: "@slack-payments" is not a list of notification handles ' +
          'such as @slack-payments-oncall',
      ],
    ],
    [
      'orphanRate not a mapping',
      'catalog: c\ndefaults: { orphanRate: 0.05 }\n',
      ['trace-health.yaml:2:25: defaults.orphanRate: 0.05 is not a mapping with keys warning, critical'],
    ],
    [
      'tier layer not a mapping',
      'catalog: c\ntiers:\n  "1": strict\n',
      ['trace-health.yaml:3:8: tiers.1: "strict" is not a mapping of policy settings'],
    ],
    [
      'requiredTags: tag with @, missing tag, unknown key, duplicate (tag, scope) with the default scope',
      [
        'catalog: c',
        'defaults:',
        '  requiredTags:',
        '    - { tag: "@usr.id" }',
        '    - { scope: "status:error" }',
        '    - { tag: version, slo: yes }',
        '    - { tag: version, scope: "*" }',
        '    - { tag: env, scop: "*" }',
        '',
      ].join('\n'),
      [
        'trace-health.yaml:4:14: defaults.requiredTags[0].tag: "@usr.id" is not a span attribute path such as usr.id ' +
          '(letters, digits, _ . -, no leading @)',
        'trace-health.yaml:5:7: defaults.requiredTags[1]: missing required key "tag"',
        'trace-health.yaml:6:28: defaults.requiredTags[2].slo: "yes" is not true or false',
        'trace-health.yaml:7:7: defaults.requiredTags[3]: tag "version" with scope "*" is listed twice (also at [2])',
        'trace-health.yaml:8:19: defaults.requiredTags[4].scop: unknown key "scop" (did you mean "scope"?)',
      ],
    ],
    [
      'requiredTags scope that is not a supported span query',
      'catalog: c\ndefaults:\n  requiredTags:\n    - { tag: usr.id, scope: "@duration:>100" }\n',
      [
        'trace-health.yaml:4:29: defaults.requiredTags[0].scope: "@duration:>100" is not a supported span query: ' +
          'column 11: numeric comparisons (>, <, >=, <=) are not supported',
      ],
    ],
    [
      'extraRequiredTags scope that does not parse',
      'catalog: c\nservices:\n  billing:\n    extraRequiredTags: [{ tag: a.b, scope: "(service:x" }]\n',
      [
        'trace-health.yaml:4:44: services.billing.extraRequiredTags[0].scope: "(service:x" is not a supported ' +
          'span query: column 1: unclosed "("',
      ],
    ],
    [
      'two spellings of one tier',
      'catalog: c\ntiers:\n  "1": { minSpans: 10 }\n  tier-1: { minSpans: 20 }\n',
      ['trace-health.yaml:4:3: tiers.tier-1: "tier-1" is the same tier as "1"; merge the two'],
    ],
    [
      'entrypoints not a list of names',
      'catalog: c\nentrypoints: [web-gateway, ""]\n',
      ['trace-health.yaml:2:28: entrypoints[1]: "" is not a catalog service name'],
    ],
    [
      'YAML syntax error',
      'catalog: c\ndefaults: { minSpans: 1\n',
      [
        'trace-health.yaml:3:1: invalid YAML: flow map in block collection must be sufficiently indented and end with a }',
      ],
    ],
    [
      'duplicate key',
      'catalog: c\nsite: datadoghq.eu\ncatalog: d\n',
      ['trace-health.yaml:3:1: invalid YAML: duplicate key catalog (first at line 1)'],
    ],
    [
      'nested duplicate key',
      'catalog: c\nservices:\n  billing:\n    minSpans: 5\n    enabled: false\n    minSpans: 6\n',
      ['trace-health.yaml:6:5: invalid YAML: duplicate key minSpans (first at line 4)'],
    ],
    [
      'tab indentation',
      'catalog: c\ndefaults:\n\tminSpans: 5\n',
      ['trace-health.yaml:3:1: invalid YAML: tabs are not allowed in indentation (use spaces)'],
    ],
    [
      'alias without an anchor',
      'catalog: c\ndefaults: *base\n',
      ['trace-health.yaml:2:11: alias *base has no anchor &base before it'],
    ],
    [
      'self-referencing value',
      'catalog: &a [*a]\n',
      ['trace-health.yaml:1:13: catalog: a self-referencing list is not a path to a catalog folder or snapshot .json'],
    ],
    [
      'two YAML documents',
      'catalog: c\n---\ncatalog: d\n',
      ['trace-health.yaml:2:1: a second YAML document; the policy is one document'],
    ],
    [
      'a notify entry names an unknown transition',
      "catalog: c\ndefaults:\n  notify: [{ handle: '@pagerduty-x', on: [alert, page] }]\n",
      ['trace-health.yaml:3:50: defaults.notify[0].on[1]: "page" is not one of warning, alert, noData, recovery'],
    ],
    [
      'a notify entry is a mapping without a handle, or with an unknown key',
      "catalog: c\ndefaults:\n  notify: [{ on: [alert] }, { handle: '@x', when: [alert] }]\n",
      [
        'trace-health.yaml:3:12: defaults.notify[0]: missing required key "handle"',
        'trace-health.yaml:3:45: defaults.notify[1].when: unknown key "when" (valid keys: handle, on)',
      ],
    ],
    [
      'a notify entry is neither a handle nor a mapping',
      'catalog: c\ndefaults:\n  notify: [5]\n',
      [
        'trace-health.yaml:3:12: defaults.notify[0]: 5 is not a handle such as @slack-payments-oncall, or a ' +
          'mapping with keys handle, on',
      ],
    ],
    [
      'a handle is listed twice, once as a mapping',
      "catalog: c\ndefaults:\n  notify: ['@x', { handle: '@x', on: [alert] }]\n",
      ['trace-health.yaml:3:18: defaults.notify[1]: "@x" is listed twice (also at [0])'],
    ],
    [
      'a handle has parentheses',
      "catalog: c\ndefaults:\n  notify: ['@slack-ops(eu)']\n",
      [
        'trace-health.yaml:3:12: defaults.notify[0]: "@slack-ops(eu)" is not a notification handle starting with ' +
          '@, without spaces or parentheses, e.g. @slack-payments-oncall',
      ],
    ],
    [
      'priority is out of range',
      "catalog: c\ntiers:\n  '0': { priority: 0 }\n",
      ['trace-health.yaml:3:20: tiers.0.priority: 0 is not an integer from 1 (most urgent) to 5'],
    ],
    [
      'aliases outside a tier, and an alias naming another tier or the tier itself',
      [
        'catalog: c',
        'defaults: { aliases: [x] }',
        'tiers:',
        "  '1': { aliases: [critical, tier-1] }",
        "  '2': { aliases: ['1', Critical] }",
        '',
      ].join('\n'),
      [
        'trace-health.yaml:2:13: defaults.aliases: unknown key "aliases" (valid keys: enabled, requiredTags, ' +
          'extraRequiredTags, orphanRate, tagCoverage, minSpans, window, slo, notify, priority)',
        'trace-health.yaml:4:30: tiers.1.aliases[1]: "tier-1" is this tier itself ("tier-1", "Tier 1" and "1" are one tier already)',
        'trace-health.yaml:5:20: tiers.2.aliases[0]: "1" is already the tier "1" (a key or an alias of it)',
        'trace-health.yaml:5:25: tiers.2.aliases[1]: "Critical" is already the tier "1" (a key or an alias of it)',
      ],
    ],
    [
      'an integrations section is unknown, or a name has a space',
      "catalog: c\nintegrations:\n  pager: {}\n  pagerduty: { PWEBGW1: 'platform edge' }\n",
      [
        'trace-health.yaml:3:3: integrations.pager: unknown key "pager" (valid keys: pagerduty, opsgenie, slack, ' +
          'microsoftTeams, webhooks)',
        'trace-health.yaml:4:25: integrations.pagerduty.PWEBGW1: "platform edge" is not the name configured in Datadog\'s ' +
          'PagerDuty integration (no spaces, @ or parentheses)',
      ],
    ],
    [
      'a webhook key holds the Slack webhook token, or is not a URL',
      [
        'catalog: c',
        'integrations:',
        '  webhooks:',
        '    https://hooks.slack.com/services/T0001/B0001/AbCdEfGhIjKlMnOpQrStUvWx: payments-chat',
        '    payments: x',
        '',
      ].join('\n'),
      [
        'trace-health.yaml:4:5: integrations.webhooks.https://hooks.slack.com/services/T0001/B0001/…: this key ' +
          'holds what looks like a secret (a webhook token, a key or a query string), and the policy is committed: ' +
          'write it without that part, as "https://hooks.slack.com/services/T0001/B0001"',
        'trace-health.yaml:5:5: integrations.webhooks.payments: "payments" is not a URL prefix such as ' +
          'https://hooks.slack.com/services/T0001/B0001',
      ],
    ],
    [
      'requireRoute says no transition',
      "catalog: c\nrequireRoute: { tiers: ['1'] }\n",
      ['trace-health.yaml:2:1: requireRoute: missing required key "on"'],
    ],
    [
      'requireRoute is incomplete',
      "catalog: c\nrequireRoute: { tiers: [], on: [alert, alert] }\nintegrations: { slack: { C0: '' } }\n",
      [
        'trace-health.yaml:2:24: requireRoute.tiers: [] is not a non-empty list of catalog tiers such as ["1"]',
        'trace-health.yaml:2:40: requireRoute.on[1]: "alert" is listed twice (also at [0])',
        'trace-health.yaml:3:30: integrations.slack.C0: "" is not the name configured in Datadog\'s Slack ' +
          'integration (no spaces, @ or parentheses)',
      ],
    ],
  ];

  it.each(cases)('fails when %s', (_what, text, expected) => {
    expect(problems(text)).toStrictEqual(expected);
  });

  it('reports every problem of a file at once, sorted by position', () => {
    const text = 'defaults:\n  minSpans: -1\n  window: 2d\nsite: nowhere\n';
    expect(problems(text)).toStrictEqual([
      'trace-health.yaml:1:1: missing required key "catalog"',
      'trace-health.yaml:2:13: defaults.minSpans: -1 is not a positive integer',
      'trace-health.yaml:3:11: defaults.window: "2d" is not one of 5m, 10m, 15m, 30m, 1h, 2h, 4h, 1d (did you mean "1d"?)',
      'trace-health.yaml:4:7: site: "nowhere" is not a Datadog site: datadoghq.com, us3.datadoghq.com, ' +
        'us5.datadoghq.com, datadoghq.eu, ap1.datadoghq.com, ap2.datadoghq.com, uk1.datadoghq.com, ddog-gov.com, us2.ddog-gov.com',
    ]);
  });

  it('names the file as given', () => {
    expect(() => parsePolicy('conf/th.yaml', 'catalog: c\nsite: x\n')).toThrow(/^conf\/th\.yaml:2:7: site: "x" is not/);
  });
});
