import { apiUrl, appUrl, SITES } from '../../src/datadog/site';

describe('Datadog sites', () => {
  // docs.datadoghq.com/getting_started/site: every site a customer can be on, with its web app and API hosts.
  test.each([
    ['datadoghq.com', 'https://app.datadoghq.com', 'https://api.datadoghq.com'],
    ['us3.datadoghq.com', 'https://us3.datadoghq.com', 'https://api.us3.datadoghq.com'],
    ['us5.datadoghq.com', 'https://us5.datadoghq.com', 'https://api.us5.datadoghq.com'],
    ['datadoghq.eu', 'https://app.datadoghq.eu', 'https://api.datadoghq.eu'],
    ['ap1.datadoghq.com', 'https://ap1.datadoghq.com', 'https://api.ap1.datadoghq.com'],
    ['ap2.datadoghq.com', 'https://ap2.datadoghq.com', 'https://api.ap2.datadoghq.com'],
    ['uk1.datadoghq.com', 'https://uk1.datadoghq.com', 'https://api.uk1.datadoghq.com'],
    ['ddog-gov.com', 'https://app.ddog-gov.com', 'https://api.ddog-gov.com'],
    ['us2.ddog-gov.com', 'https://us2.ddog-gov.com', 'https://api.us2.ddog-gov.com'],
  ])('%s: app %s, API %s', (site, app, api) => {
    expect(appUrl(site)).toBe(app);
    expect(apiUrl(site)).toBe(api);
  });

  test('nine sites, and an unknown one is refused', () => {
    expect(SITES).toHaveLength(9);
    expect(() => appUrl('datadoghq.co')).toThrow('unknown Datadog site "datadoghq.co"');
  });
});
