import type { Contact, Integrations } from '../../src/catalog/model';
import {
  displayValue,
  IntegrationMaps,
  looksSecret,
  missingRoutes,
  monitorRoutes,
  PolicyHandle,
  resolveRouting,
  Routing,
} from '../../src/policy/routing';

function route(
  contacts: Contact[],
  integrations: Integrations = {},
  maps: IntegrationMaps = {},
  notify: PolicyHandle[] = [],
): Routing {
  return resolveRouting({ notify, integrations: maps, service: { contacts, integrations } });
}

const PD_URL = 'https://example.pagerduty.com/service-directory/PWEBGW1';
const SLACK_ID_URL = 'https://example.slack.com/archives/C01PLATFORM';

describe('routing: handles from the catalog, the integrations map and the policy', () => {
  test('a PagerDuty service is mapped by its id: one line for every service that names it', () => {
    const r = route([], { pagerduty: { serviceUrl: PD_URL } }, { pagerduty: { PWEBGW1: 'platform-edge' } });
    expect(r).toStrictEqual({
      routes: [
        {
          handle: '@pagerduty-platform-edge',
          on: ['alert', 'noData', 'recovery'],
          sources: ['catalog pagerduty PWEBGW1 → integrations.pagerduty.PWEBGW1'],
        },
      ],
      dropped: [],
    });
  });

  test('a PagerDuty service is mapped by its URL, whatever the case of the host or a trailing slash', () => {
    const r = route(
      [],
      { pagerduty: { serviceUrl: 'https://Example.PagerDuty.com/service-directory/PWEBGW1/' } },
      { pagerduty: { [PD_URL]: 'platform-edge' } },
    );
    expect(r.routes.map((x) => [x.handle, x.sources])).toStrictEqual([
      ['@pagerduty-platform-edge', [`catalog pagerduty PWEBGW1 → integrations.pagerduty.${PD_URL}`]],
    ]);
  });

  test('an unmapped PagerDuty id is dropped with its reason, never turned into @pagerduty-<id>', () => {
    for (const id of ['PWEBGW1', 'PABCDEFG9', 'checkout-api']) {
      const r = route([], { pagerduty: { serviceUrl: `https://example.pagerduty.com/service-directory/${id}` } });
      expect(r).toStrictEqual({
        routes: [],
        dropped: [
          {
            what: `pagerduty ${id}`,
            cause: 'pagerduty-unmapped',
            reason:
              "Datadog's handle is the service name configured in its PagerDuty integration, which the catalog does " +
              `not hold: map ${id} in integrations.pagerduty`,
          },
        ],
      });
    }
  });

  test('Opsgenie services by UUID or by URL', () => {
    const url = 'https://example.app.opsgenie.com/service/9e2b7c4d-1a3f-4b8e-8c6d-5f0a1e2d3c4b';
    const byId = route(
      [],
      { opsgenie: { serviceUrl: url } },
      { opsgenie: { '9e2b7c4d-1a3f-4b8e-8c6d-5f0a1e2d3c4b': 'identity-auth' } },
    );
    const byUrl = route([], { opsgenie: { serviceUrl: url } }, { opsgenie: { [url]: 'identity-auth' } });
    expect([byId.routes[0].handle, byUrl.routes[0].handle]).toStrictEqual([
      '@opsgenie-identity-auth',
      '@opsgenie-identity-auth',
    ]);
    expect(route([], { opsgenie: { serviceUrl: url } }).dropped.map((d) => d.what)).toStrictEqual([
      'opsgenie 9e2b7c4d-1a3f-4b8e-8c6d-5f0a1e2d3c4b',
    ]);
  });

  test('Slack: a channel name is a handle; a channel id or an archive URL needs the map', () => {
    const r = route(
      [
        { type: 'slack', contact: '#payments-oncall' },
        { type: 'slack', contact: 'checkout_alerts' },
        { type: 'slack', contact: SLACK_ID_URL },
        { type: 'slack', contact: 'https://example.slack.com/archives/C02CHECKOUT' },
        { type: 'slack', contact: 'https://example.slack.com/archives/my-channel' },
        { type: 'slack', contact: 'Payments Oncall' },
      ],
      {},
      { slack: { C01PLATFORM: 'platform-alerts' } },
    );
    expect(r.routes.map((x) => `${x.handle} ← ${x.sources.join('; ')}`)).toStrictEqual([
      '@slack-checkout_alerts ← catalog slack checkout_alerts',
      '@slack-payments-oncall ← catalog slack #payments-oncall',
      '@slack-platform-alerts ← catalog slack C01PLATFORM → integrations.slack.C01PLATFORM',
    ]);
    expect(r.dropped.map((d) => `${d.what}: ${d.reason}`)).toStrictEqual([
      "slack C02CHECKOUT: C02CHECKOUT is a Slack channel id; Datadog's handle needs the channel name: map it in " +
        'integrations.slack',
      "slack my-channel: a Slack URL does not say which name the channel has in Datadog's Slack integration: map it " +
        'in integrations.slack',
      'slack Payments Oncall: not a Slack channel name (lowercase letters, digits, - and _): map it in ' +
        'integrations.slack',
    ]);
  });

  test('a Slack webhook is never a handle and its token never appears; a URL prefix maps it to a webhook', () => {
    const hook = 'https://hooks.slack.com/services/T0123ABCD/B0456EFGH/AbCdEfGhIjKlMnOpQrStUvWx';
    const dropped = route([{ type: 'slack', contact: hook }]);
    expect(dropped).toStrictEqual({
      routes: [],
      dropped: [
        {
          what: 'slack https://hooks.slack.com/services/T0123ABCD/B0456EFGH/…',
          cause: 'webhook-unmapped',
          reason:
            'a webhook URL is not a channel, and its last part is a secret (never copied into output); map the URL ' +
            'without that part in integrations.webhooks to the name of a Datadog webhook integration',
        },
      ],
    });
    expect(JSON.stringify(dropped)).not.toContain('AbCdEfGh');
    const mapped = route(
      [{ type: 'slack', contact: hook }],
      {},
      {
        webhooks: { 'https://hooks.slack.com/services/T0123ABCD/B0456EFGH': 'payments-chat' },
      },
    );
    expect(mapped.routes).toStrictEqual([
      {
        handle: '@webhook-payments-chat',
        on: ['warning', 'alert', 'noData', 'recovery'],
        sources: [
          'catalog slack https://hooks.slack.com/services/T0123ABCD/B0456EFGH/… → ' +
            'integrations.webhooks.https://hooks.slack.com/services/T0123ABCD/B0456EFGH',
        ],
      },
    ]);
    expect(JSON.stringify(mapped)).not.toContain('AbCdEfGh');
  });

  test('email: a deliverable address is a handle; one Datadog cannot send to is dropped, not silently lost', () => {
    const r = route([
      { type: 'email', contact: 'team@example.com' },
      { type: 'email', contact: 'mailto:oncall@example.com' },
      { type: 'email', contact: 'no-one@localhost' },
    ]);
    expect(r.routes.map((x) => x.handle)).toStrictEqual(['@oncall@example.com', '@team@example.com']);
    expect(r.dropped).toStrictEqual([
      {
        what: 'email no-one@localhost',
        cause: 'email-invalid',
        reason: 'not an email address Datadog can send to (name@domain.tld); fix the contact in the catalog',
      },
    ]);
  });

  test('Microsoft Teams: a channel link is mapped by the channel id it carries', () => {
    const link = 'https://teams.microsoft.com/l/channel/19%3adata%40thread.tacv2/Data?groupId=1&tenantId=2';
    const r = route(
      [{ type: 'microsoft-teams', contact: link }],
      {},
      {
        microsoftTeams: { '19:data@thread.tacv2': 'data-team' },
      },
    );
    expect(r.routes.map((x) => [x.handle, x.sources])).toStrictEqual([
      [
        '@teams-data-team',
        ['catalog microsoft-teams 19:data@thread.tacv2 → integrations.microsoftTeams.19:data@thread.tacv2'],
      ],
    ]);
  });

  test('a website contact is no channel: dropped, and said so', () => {
    expect(route([{ type: 'website', contact: 'https://wiki.example.com/team' }]).dropped).toStrictEqual([
      {
        what: 'website https://wiki.example.com/team',
        cause: 'not-a-channel',
        reason: 'a website contact is not a notification channel Datadog can send to',
      },
    ]);
  });

  test('policy handles: pagers default to alert, noData, recovery; `on` overrides; a handle in two places has both sources', () => {
    const r = route(
      [{ type: 'slack', contact: '#payments-oncall' }],
      { pagerduty: { serviceUrl: PD_URL } },
      { pagerduty: { PWEBGW1: 'payments' } },
      [
        { handle: '@slack-payments-oncall', layer: 'teams.payments' },
        { handle: '@pagerduty-payments', layer: 'defaults' },
        { handle: '@pagerduty-payments', layer: 'services.billing', on: ['warning', 'alert'] },
        { handle: '@ops@example.com', layer: 'defaults', on: ['alert'] },
      ],
    );
    expect(r.routes).toStrictEqual([
      { handle: '@ops@example.com', on: ['alert'], sources: ['defaults'] },
      {
        handle: '@pagerduty-payments',
        on: ['warning', 'alert'],
        sources: ['defaults', 'services.billing', 'catalog pagerduty PWEBGW1 → integrations.pagerduty.PWEBGW1'],
      },
      {
        handle: '@slack-payments-oncall',
        on: ['warning', 'alert', 'noData', 'recovery'],
        sources: ['teams.payments', 'catalog slack #payments-oncall'],
      },
    ]);
  });
});

describe('routing with the names Datadog lists (catalog pull --integrations)', () => {
  const link = 'https://teams.microsoft.com/l/channel/19%3aops%40thread.tacv2/Ops';
  const pulled = {
    opsgenie: { services: ['ops'] },
    microsoftTeams: { handles: [{ name: 'ops-room', channelId: '19:ops@thread.tacv2' }] },
  };

  test('a Teams link maps itself through the listed channel id; the policy map still wins', () => {
    const auto = resolveRouting({
      notify: [],
      integrations: {},
      pulled,
      service: { contacts: [{ type: 'microsoft-teams', contact: link }], integrations: {} },
    });
    expect(auto.routes.map((r) => [r.handle, r.sources])).toStrictEqual([
      [
        '@teams-ops-room',
        ["catalog microsoft-teams 19:ops@thread.tacv2 → Datadog's Microsoft Teams handle (catalog pull)"],
      ],
    ]);
    expect(auto.unconfirmed).toBeUndefined();
    const mapped = resolveRouting({
      notify: [],
      integrations: { microsoftTeams: { '19:ops@thread.tacv2': 'ops-typo' } },
      pulled,
      service: { contacts: [{ type: 'microsoft-teams', contact: link }], integrations: {} },
    });
    expect(mapped.routes.map((r) => r.handle)).toStrictEqual(['@teams-ops-typo']);
    expect(mapped.unconfirmed).toStrictEqual(['@teams-ops-typo']);
  });

  test('a handle Datadog does not list is unconfirmed and does not satisfy requireRoute', () => {
    const r = resolveRouting({
      notify: [{ handle: '@opsgenie-opz', layer: 'defaults' }],
      integrations: {},
      pulled,
      service: { contacts: [], integrations: {} },
    });
    expect(r.unconfirmed).toStrictEqual(['@opsgenie-opz']);
    expect(missingRoutes({ on: ['alert'] }, { enabled: true, routing: r })).toStrictEqual(['alert']);
    const ok = resolveRouting({
      notify: [{ handle: '@opsgenie-ops', layer: 'defaults' }],
      integrations: {},
      pulled,
      service: { contacts: [], integrations: {} },
    });
    expect([ok.unconfirmed, missingRoutes({ on: ['alert'] }, { enabled: true, routing: ok })]).toStrictEqual([
      undefined,
      [],
    ]);
  });
});

describe('one monitor’s routes', () => {
  const r = route(
    [{ type: 'email', contact: 'team@example.com' }],
    { pagerduty: { serviceUrl: PD_URL } },
    { pagerduty: { PWEBGW1: 'edge' } },
    [{ handle: '@ops@example.com', layer: 'defaults', on: ['warning'] }],
  );

  test('a monitor that warns but has no No Data notification', () => {
    expect(monitorRoutes(r, { warns: true, noData: false })).toStrictEqual({
      warning: ['@ops@example.com', '@team@example.com'],
      alert: ['@pagerduty-edge', '@team@example.com'],
      recovery: ['@pagerduty-edge', '@team@example.com'],
    });
  });

  test('a monitor that notifies on No Data and never warns: the warning-only handle hears nothing', () => {
    expect(monitorRoutes(r, { warns: false, noData: true })).toStrictEqual({
      alert: ['@pagerduty-edge', '@team@example.com'],
      noData: ['@pagerduty-edge', '@team@example.com'],
      recovery: ['@pagerduty-edge', '@team@example.com'],
    });
  });
});

describe('requireRoute', () => {
  const routing = route([], { pagerduty: { serviceUrl: PD_URL } });
  const tier1 = { enabled: true, tierMatch: { tier: '1' }, routing };

  test('fails for a covered service that would notify nobody on a required transition, passes otherwise', () => {
    expect(missingRoutes({ tiers: ['1'], on: ['alert', 'noData'] }, tier1)).toStrictEqual(['alert', 'noData']);
    const mapped = route([], { pagerduty: { serviceUrl: PD_URL } }, { pagerduty: { PWEBGW1: 'edge' } });
    expect(missingRoutes({ tiers: ['1'], on: ['alert', 'noData'] }, { ...tier1, routing: mapped })).toStrictEqual([]);
    expect(missingRoutes({ tiers: ['1'], on: ['warning'] }, { ...tier1, routing: mapped })).toStrictEqual(['warning']);
  });

  test('does not apply to other tiers, untiered services (when tiers are named), disabled services, or without a rule', () => {
    const rule = { tiers: ['1'], on: ['alert' as const] };
    expect(missingRoutes(rule, { ...tier1, tierMatch: { tier: '2' } })).toBeUndefined();
    expect(missingRoutes(rule, { enabled: true, routing })).toBeUndefined();
    expect(missingRoutes(rule, { ...tier1, enabled: false })).toBeUndefined();
    expect(missingRoutes(undefined, tier1)).toBeUndefined();
    expect(missingRoutes({ on: ['alert'] }, { enabled: true, routing })).toStrictEqual(['alert']);
  });
});

describe('secrets and display', () => {
  test.each([
    ['https://hooks.slack.com/services/T0/B0/XXXXXXXX', 'https://hooks.slack.com/services/T0/B0/…'],
    ['https://discord.com/api/webhooks/123/abc-def', 'https://discord.com/api/webhooks/123/…'],
    ['https://user:pw@example.com/a?token=x#y', 'https://example.com/a?…'],
    ['https://example.com/hook/AbCdEfGhIjKlMnOpQrSt1234', 'https://example.com/hook/…'],
    ['AbCdEfGhIjKlMnOpQrSt1234', '…'],
    ['9e2b7c4d-1a3f-4b8e-8c6d-5f0a1e2d3c4b', '9e2b7c4d-1a3f-4b8e-8c6d-5f0a1e2d3c4b'],
    ['PWEBGW1', 'PWEBGW1'],
    ['xoxb-1234-5678-abcdefgh', '…'],
  ])('%s is shown as %s', (raw, shown) => expect(displayValue(raw)).toBe(shown));

  test('a Slack token written as a contact is never a channel name, and never shown', () => {
    const r = route([{ type: 'slack', contact: 'xoxb-1234-5678-abcdefgh' }]);
    expect(r.routes).toStrictEqual([]);
    expect(r.dropped.map((d) => d.what)).toStrictEqual(['slack …']);
    expect(JSON.stringify(r)).not.toContain('xoxb');
  });

  test('looksSecret: long mixed-case runs of letters and digits only', () => {
    expect([
      looksSecret('AbCdEfGhIjKlMnOpQrSt1234'),
      looksSecret('payments-oncall-alerts-eu'),
      looksSecret('C01PLATFORM'),
    ]).toStrictEqual([true, false, false]);
  });
});
