/**
 * `catalog pull --integrations`: the names Datadog's integration APIs list (Opsgenie services, Microsoft Teams
 * tenant-based handles) recorded in the snapshot, and what synth makes of them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/index';
import { memoryIo } from '../../src/cli/io';
import { FakeDatadog } from '../fake-datadog/server';
import { CatalogStore, catalogRoutes } from '../fake-datadog/routes/catalog';
import { IntegrationStore, integrationRoutes } from '../fake-datadog/routes/integrations';
import { API_KEY, APP_KEY, rosterStore } from './fixtures';

describe('trace-health catalog pull --integrations', () => {
  let dd: FakeDatadog;
  let store: CatalogStore;
  let integrations: IntegrationStore;
  let cwd: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    store = rosterStore();
    integrations = {
      keys: { apiKey: API_KEY, appKey: APP_KEY },
      opsgenie: [{ name: 'identity-auth' }, { name: 'checkout-eu' }],
      teams: [
        { name: 'data-team', channelId: '19:data@thread.tacv2' },
        { name: 'billing', channelId: '19:billing@thread.tacv2' },
      ],
    };
    dd = await FakeDatadog.start([catalogRoutes(store), integrationRoutes(integrations)]);
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'th-pull-int-'));
    env = { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, DD_HOST: dd.url, DD_SITE: 'datadoghq.eu' };
  });
  afterEach(async () => {
    await dd.stop();
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  async function run(argv: string[]) {
    const io = memoryIo(env, cwd);
    const code = await main(argv, io);
    for (const text of [io.stdout, io.stderr]) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(APP_KEY);
    }
    return { code, stdout: io.stdout, stderr: io.stderr };
  }
  const snapshot = () => JSON.parse(fs.readFileSync(path.join(cwd, 'snap.json'), 'utf8')) as Record<string, unknown>;

  it('records the listed names in the snapshot, sorted, from the two list endpoints', async () => {
    const r = await run(['catalog', 'pull', '--out', 'snap.json', '--integrations']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      '\nIntegration names: 2 Opsgenie services, 2 Microsoft Teams handles (2 requests, 0 retries).\n',
    );
    expect(snapshot().integrations).toStrictEqual({
      microsoftTeams: {
        handles: [
          { channelId: '19:billing@thread.tacv2', name: 'billing' },
          { channelId: '19:data@thread.tacv2', name: 'data-team' },
        ],
      },
      opsgenie: { services: ['checkout-eu', 'identity-auth'] },
    });
    expect(dd.requests.map((q) => `${q.method} ${q.path}`).filter((x) => x.includes('integration'))).toStrictEqual([
      'GET /api/v2/integration/opsgenie/services',
      'GET /api/v2/integration/ms-teams/configuration/tenant-based-handles',
    ]);
  });

  it('an integration that is not set up (404) is recorded as absent, not as empty', async () => {
    delete integrations.teams;
    const r = await run(['catalog', 'pull', '--out', 'snap.json', '--integrations']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'Integration names: 2 Opsgenie services, Microsoft Teams not set up (2 requests, 0 retries).',
    );
    expect(snapshot().integrations).toStrictEqual({ opsgenie: { services: ['checkout-eu', 'identity-auth'] } });
  });

  it('keeps the names of the previous snapshot when pulled without --integrations', async () => {
    expect((await run(['catalog', 'pull', '--out', 'snap.json', '--integrations'])).code).toBe(0);
    const before = snapshot().integrations;
    integrations.opsgenie = [];
    const r = await run(['catalog', 'pull', '--out', 'snap.json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'Integration names kept from the previous snapshot (--integrations fetches them again).',
    );
    expect(snapshot().integrations).toStrictEqual(before);
  });

  it('exits 2 and writes nothing when the key may not read integrations, saying which permission', async () => {
    integrations.keys = { apiKey: 'other', appKey: 'other' };
    const r = await run(['catalog', 'pull', '--out', 'snap.json', '--integrations']);
    expect(r).toStrictEqual({
      code: 2,
      stdout: '',
      stderr:
        'trace-health: GET /api/v2/integration/opsgenie/services: Datadog refused the keys (HTTP 403). ' +
        '--integrations needs an application key with the integrations_read permission (the catalog itself needs ' +
        'apm_service_catalog_read); run without --integrations to pull the catalog only\n',
    });
    expect(fs.existsSync(path.join(cwd, 'snap.json'))).toBe(false);
  });

  it('synth maps a Teams channel link by the channel id Datadog lists, and flags a mapped Opsgenie name it does not', async () => {
    expect((await run(['catalog', 'pull', '--out', 'catalog/snap.json', '--integrations'])).code).toBe(0);
    // A service with a Teams channel link and an Opsgenie service the policy maps to a name Datadog does not list.
    const snap = JSON.parse(fs.readFileSync(path.join(cwd, 'catalog/snap.json'), 'utf8')) as {
      definitions: Record<string, unknown>[];
    };
    snap.definitions.push({
      'schema-version': 'v2.1',
      'dd-service': 'zz-reports',
      team: 'data',
      tier: '2',
      contacts: [
        { type: 'microsoft-teams', contact: 'https://teams.microsoft.com/l/channel/19%3adata%40thread.tacv2/Data' },
      ],
      integrations: { opsgenie: { 'service-url': 'https://acme.app.opsgenie.com/service/OG-REPORTS' } },
    });
    fs.writeFileSync(path.join(cwd, 'catalog/snap.json'), JSON.stringify(snap));
    fs.writeFileSync(
      path.join(cwd, 'trace-health.yaml'),
      'catalog: catalog/snap.json\nintegrations: { opsgenie: { OG-REPORTS: data-reprots } }\n',
    );
    const explain = await run(['policy', 'explain', 'zz-reports']);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toContain(
      "  @teams-data-team        catalog microsoft-teams 19:data@thread.tacv2 → Datadog's Microsoft Teams handle (catalog pull)\n",
    );
    expect(explain.stdout).toContain(
      "\nNot listed by Datadog's integration (as `catalog pull --integrations` recorded it), so reaching nobody:\n" +
        '  @opsgenie-data-reprots\n',
    );
    const synth = await run(['synth']);
    expect(synth.code).toBe(0);
    expect(synth.stderr).toContain(
      "warning: handles whose name Datadog's integration does not list (as `catalog pull --integrations` recorded " +
        'it), so they reach nobody: @opsgenie-data-reprots (zz-reports)\n',
    );
    expect(fs.readFileSync(path.join(cwd, 'review/team-data.yaml'), 'utf8')).toContain('"@teams-data-team"');
  });

  it('a snapshot whose integrations are malformed is refused with the key path (exit 2)', async () => {
    fs.mkdirSync(path.join(cwd, 'catalog'));
    fs.writeFileSync(
      path.join(cwd, 'catalog/snap.json'),
      JSON.stringify({
        format: 'trace-health/catalog-snapshot',
        version: 1,
        definitions: [{ 'schema-version': 'v2', 'dd-service': 'a', team: 'x' }],
        integrations: { opsgenie: { services: ['ok', 3] }, pagerduty: {} },
      }),
    );
    fs.writeFileSync(path.join(cwd, 'trace-health.yaml'), 'catalog: catalog/snap.json\n');
    expect(await run(['synth'])).toStrictEqual({
      code: 2,
      stdout: '',
      stderr:
        'trace-health: catalog/snap.json: integrations.opsgenie.services[1]: must be a non-empty string\n' +
        'catalog/snap.json: integrations.pagerduty: unknown integration (opsgenie, microsoftTeams)\n',
    });
  });
});
