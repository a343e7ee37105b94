import { notificationBlock } from '../../src/constructs/service/notify';
import { monitorRoutes, resolveRouting } from '../../src/policy/routing';

const routing = resolveRouting({
  notify: [
    { handle: '@slack-checkout', layer: 'teams.checkout' },
    { handle: '@ops@example.com', layer: 'defaults', on: ['warning', 'recovery'] },
  ],
  integrations: { pagerduty: { PCHECKO: 'checkout' }, opsgenie: { OG1: 'checkout-eu' } },
  service: {
    contacts: [{ type: 'email', contact: 'checkout@example.com' }],
    integrations: {
      pagerduty: { serviceUrl: 'https://acme.pagerduty.com/service-directory/PCHECKO' },
      opsgenie: { serviceUrl: 'https://acme.app.opsgenie.com/service/OG1' },
    },
  },
});

describe('notification block: rendered from one monitor’s routes', () => {
  test('a monitor that warns: chat and email on every transition, pagers on alert and its recovery only', () => {
    const m = monitorRoutes(routing, { warns: true, noData: false });
    expect(notificationBlock(m)).toBe(
      '@checkout@example.com @slack-checkout\n' +
        '{{#is_warning}}@ops@example.com{{/is_warning}}{{#is_warning_recovery}}@ops@example.com{{/is_warning_recovery}}\n' +
        '{{#is_alert}}@opsgenie-checkout-eu @pagerduty-checkout{{/is_alert}}' +
        '{{#is_alert_recovery}}@opsgenie-checkout-eu @pagerduty-checkout{{/is_alert_recovery}}',
    );
  });

  test('no-data routing: a monitor that notifies on No Data and never warns tells its pagers about No Data too', () => {
    const m = monitorRoutes(routing, { warns: false, noData: true });
    expect(m).toStrictEqual({
      alert: ['@checkout@example.com', '@opsgenie-checkout-eu', '@pagerduty-checkout', '@slack-checkout'],
      noData: ['@checkout@example.com', '@opsgenie-checkout-eu', '@pagerduty-checkout', '@slack-checkout'],
      recovery: ['@checkout@example.com', '@opsgenie-checkout-eu', '@pagerduty-checkout', '@slack-checkout'],
    });
    // Every handle hears every transition this monitor has: no conditional block is needed.
    expect(notificationBlock(m)).toBe(
      '@checkout@example.com @opsgenie-checkout-eu @pagerduty-checkout @slack-checkout',
    );
  });

  test('recovery routing: a pager not told about recoveries gets no recovery block; No Data has its own blocks', () => {
    const r = resolveRouting({
      notify: [
        { handle: '@pagerduty-quiet', layer: 'defaults', on: ['alert', 'noData'] },
        { handle: '@slack-team', layer: 'defaults', on: ['warning', 'alert'] },
      ],
      integrations: {},
      service: { contacts: [], integrations: {} },
    });
    const m = monitorRoutes(r, { warns: true, noData: true });
    expect(m).toStrictEqual({
      warning: ['@slack-team'],
      alert: ['@pagerduty-quiet', '@slack-team'],
      noData: ['@pagerduty-quiet'],
      recovery: [],
    });
    expect(notificationBlock(m)).toBe(
      '{{#is_warning}}@slack-team{{/is_warning}}{{#is_alert}}@slack-team{{/is_alert}}\n' +
        '{{#is_alert}}@pagerduty-quiet{{/is_alert}}{{#is_no_data}}@pagerduty-quiet{{/is_no_data}}',
    );
  });

  test('pagers on a warning monitor that notifies on No Data: alert and No Data blocks, and both recoveries', () => {
    const m = monitorRoutes(routing, { warns: true, noData: true });
    expect(notificationBlock(m).split('\n')[2]).toBe(
      '{{#is_alert}}@opsgenie-checkout-eu @pagerduty-checkout{{/is_alert}}' +
        '{{#is_no_data}}@opsgenie-checkout-eu @pagerduty-checkout{{/is_no_data}}' +
        '{{#is_alert_recovery}}@opsgenie-checkout-eu @pagerduty-checkout{{/is_alert_recovery}}' +
        '{{#is_no_data_recovery}}@opsgenie-checkout-eu @pagerduty-checkout{{/is_no_data_recovery}}',
    );
  });

  test('nobody: an empty block', () => {
    const none = resolveRouting({ notify: [], integrations: {}, service: { contacts: [], integrations: {} } });
    expect(notificationBlock(monitorRoutes(none, { warns: true, noData: true }))).toBe('');
  });
});
