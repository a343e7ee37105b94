import { overviewDashboardSpec } from '../../src/constructs/overview-spec';
import { policy } from './fixtures';

describe('overview dashboard spec', () => {
  test('team notes link each enabled service dashboard by title, on the policy site, without a cross-stack id', () => {
    const spec = overviewDashboardSpec({
      site: 'datadoghq.eu',
      services: [policy('checkout-api'), policy('legacy-batch', { enabled: false })],
    });
    expect(spec.json).toContain(
      '[dashboard](https://app.datadoghq.eu/dashboard/lists?q=Trace%20health%20%E2%80%94%20checkout-api)',
    );
    expect(spec.json).not.toContain('q=Trace%20health%20%E2%80%94%20legacy-batch');
    // An id reference would be a Terraform interpolation into another stack's state.
    expect(spec.json).not.toContain('${datadog_dashboard_json');
  });
});
