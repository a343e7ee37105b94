import {
  describeRouting,
  emailHandle,
  notificationBlock,
  opsgenieHandle,
  pagerdutyHandle,
  routing,
  slackHandle,
} from '../../src/constructs/service/notify';
import { policy, service } from './fixtures';

describe('handles from catalog contacts and integrations', () => {
  test.each([
    ['https://acme.slack.com/archives/checkout-oncall', '@slack-checkout-oncall'],
    ['https://acme.slack.com/archives/checkout-oncall/', '@slack-checkout-oncall'],
    ['#checkout', '@slack-checkout'],
    ['checkout', '@slack-checkout'],
    ['https://acme.slack.com/archives/C0123ABCDE', undefined],
    ['', undefined],
  ])('slack %s → %s', (contact, handle) => expect(slackHandle(contact)).toBe(handle));

  test.each([
    ['team@example.com', '@team@example.com'],
    ['mailto:team@example.com', '@team@example.com'],
    ['not an email', undefined],
  ])('email %s → %s', (contact, handle) => expect(emailHandle(contact)).toBe(handle));

  test('PagerDuty and Opsgenie: the last path segment of the service URL', () => {
    expect(pagerdutyHandle('https://acme.pagerduty.com/service-directory/checkout-api')).toBe(
      '@pagerduty-checkout-api',
    );
    expect(pagerdutyHandle('https://acme.pagerduty.com/services/PX1234?foo=1')).toBe('@pagerduty-PX1234');
    expect(opsgenieHandle('https://acme.app.opsgenie.com/service/checkout')).toBe('@opsgenie-checkout');
    expect(pagerdutyHandle('https://')).toBeUndefined();
  });

  test('URLs ending in an id give no handle: a PagerDuty service id, an Opsgenie UUID', () => {
    expect(pagerdutyHandle('https://example.pagerduty.com/service-directory/PWEBGW1')).toBeUndefined();
    expect(
      opsgenieHandle('https://example.app.opsgenie.com/service/9e2b7c4d-1a3f-4b8e-8c6d-5f0a1e2d3c4b'),
    ).toBeUndefined();
  });
});

describe('routing', () => {
  const svc = service('checkout-api', {
    contacts: [
      { type: 'slack', contact: 'https://acme.slack.com/archives/checkout' },
      { type: 'email', contact: 'checkout@example.com' },
      { type: 'microsoft-teams', contact: 'https://teams.microsoft.com/l/channel/x' },
    ],
    integrations: {
      pagerduty: { serviceUrl: 'https://acme.pagerduty.com/service-directory/checkout-api' },
      opsgenie: { serviceUrl: 'https://acme.app.opsgenie.com/service/checkout' },
    },
  });

  test('policy handles and contacts always; pagers only on critical alerts', () => {
    const r = routing(policy('checkout-api', { notify: ['@slack-checkout', '@slack-zz-policy'] }), svc);
    expect(r).toEqual({
      always: ['@checkout@example.com', '@slack-checkout', '@slack-zz-policy'],
      alertOnly: ['@opsgenie-checkout', '@pagerduty-checkout-api'],
      unmapped: [],
    });
    expect(describeRouting(r)).toEqual([
      '@checkout@example.com',
      '@slack-checkout',
      '@slack-zz-policy',
      '@opsgenie-checkout (critical only)',
      '@pagerduty-checkout-api (critical only)',
    ]);
    expect(notificationBlock(r)).toBe(
      '@checkout@example.com @slack-checkout @slack-zz-policy\n' +
        '{{#is_alert}}@opsgenie-checkout @pagerduty-checkout-api{{/is_alert}}' +
        '{{#is_alert_recovery}}@opsgenie-checkout @pagerduty-checkout-api{{/is_alert_recovery}}',
    );
  });

  test('a pager the policy already notifies always is not repeated in the critical-only block', () => {
    const r = routing(policy('checkout-api', { notify: ['@pagerduty-checkout-api'] }), svc);
    expect(r.alertOnly).toEqual(['@opsgenie-checkout']);
  });

  test('contacts and integrations naming ids are reported as unmapped, unless the policy names such a handle', () => {
    const ids = service('web-gateway', {
      contacts: [{ type: 'slack', contact: 'https://example.slack.com/archives/C01PLATFORM' }],
      integrations: { pagerduty: { serviceUrl: 'https://example.pagerduty.com/service-directory/PWEBGW1' } },
    });
    expect(routing(policy('web-gateway', { notify: [] }), ids)).toEqual({
      always: [],
      alertOnly: [],
      unmapped: ['pagerduty PWEBGW1', 'slack C01PLATFORM'],
    });
    expect(routing(policy('web-gateway', { notify: ['@pagerduty-web-gateway'] }), ids).unmapped).toEqual([
      'slack C01PLATFORM',
    ]);
  });

  test('nobody: empty routing and empty block', () => {
    const r = routing(policy('lonely', { notify: [] }), service('lonely'));
    expect(r).toEqual({ always: [], alertOnly: [], unmapped: [] });
    expect(notificationBlock(r)).toBe('');
  });
});
